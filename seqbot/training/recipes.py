"""Named training recipes with command-line overrides: one rule for every trainer.

    config = named_recipe(CONFIGS, "spam_rnn", {"epochs": 1, "batch_size": None}, "classifier")

A recipe is a dataclass; options left out on the command line arrive as None and keep the recipe's
value, and a key that is not a field of the dataclass is refused.
"""

from __future__ import annotations

from dataclasses import fields, replace

from seqbot.errors import SeqbotError


def named_recipe(recipes: dict, name: str, overrides: dict | None, what: str):
    """recipes[name] with the overrides whose value is not None; SeqbotError for an unknown name or setting."""
    if name not in recipes:
        raise SeqbotError(f"unknown {what} recipe {name!r}; choose one of {', '.join(recipes)}")
    changes = {key: value for key, value in (overrides or {}).items() if value is not None}
    unknown = set(changes) - {field.name for field in fields(recipes[name])}
    if unknown:
        raise SeqbotError(f"{', '.join(sorted(unknown))}: not a setting of a {what} recipe")
    return replace(recipes[name], **changes)
