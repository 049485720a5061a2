"""`seqbot models recipes [NAME]`: the training recipes (seqbot/training/recipes.py), no TensorFlow.

    seqbot models recipes            the shipped checkpoints with the command that rebuilds each, then the experiments
    seqbot models recipes imdb       one recipe by checkpoint or recipe name: its model, training and data settings
"""

from __future__ import annotations

import json

CONFIG_CLASSES = {"classify": "ClassifyConfig in seqbot/training/classify.py",
                  "generate": "GenerateConfig in seqbot/training/generate.py",
                  "chat": "TrainSettings in seqbot/training/translate.py and ChatTrainingConfig in seqbot/training/chat.py",
                  "translate": "TrainSettings in seqbot/training/translate.py"}


def print_recipes() -> None:
    from seqbot.training.recipes import EXPERIMENTS, SHIPPED

    print("Shipped checkpoints (checkpoints/NAME.npz) and the recipe that rebuilds each (add --export PATH --force):")
    width = max(len(recipe.command) for recipe in SHIPPED.values())
    for checkpoint, recipe in SHIPPED.items():
        print(f"  {checkpoint:<18} {recipe.command:<{width}}  {recipe.note}")
    print("\nExperiments (not shipped; docs/experiments.md):")
    width = max(len(recipe.command) for recipe in EXPERIMENTS)
    for recipe in EXPERIMENTS:
        print(f"  {recipe.command:<{width}}  {recipe.note}")
    print("\nseqbot models recipes NAME prints one recipe's settings.")


def print_recipe(name: str) -> None:
    from seqbot.errors import SeqbotError
    from seqbot.training.recipes import all_recipes, shipped_name, shipped_recipe

    matches = [shipped_recipe(name)] if shipped_recipe(name) else [r for r in all_recipes() if r.name == name]
    if not matches:
        names = sorted({r.name for r in all_recipes()})
        raise SeqbotError(f"no recipe or shipped checkpoint named {name!r}; recipes: {', '.join(names)}")
    for recipe in matches:
        checkpoint = shipped_name(recipe)
        print(f"{recipe.trainer} recipe {recipe.name}: {recipe.note}")
        print(f"  {'command:':<10} {recipe.command}")
        print(f"  {'rebuilds:':<10} " + (f"checkpoints/{checkpoint}.npz" if checkpoint else "nothing shipped (an experiment)"))
        for part in ("model", "training", "data"):
            print(f"  {part + ':':<10} {json.dumps(getattr(recipe, part), sort_keys=True)}")
        print(f"  (settings left out keep the defaults of {CONFIG_CLASSES[recipe.trainer]})")
