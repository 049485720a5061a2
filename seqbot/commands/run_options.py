"""Options every `seqbot train` command that writes a run shares (not a command itself)."""

from __future__ import annotations


def add_run_options(parser, export_example: str, tensorflow: bool = True) -> None:
    """--corpora, --export, --force, --runs and, for commands that train with TensorFlow, --threads and --strategy."""
    parser.add_argument("--corpora", help="corpora folder (default $SEQBOT_CORPORA or corpora/)")
    parser.add_argument("--export", help=f"copy the resulting artifact here, e.g. {export_example}")
    parser.add_argument("--force", action="store_true", help="let --export replace an existing file (kept as .bak-<time>)")
    parser.add_argument("--runs", help="runs root (default $SEQBOT_RUNS or runs/)")
    if tensorflow:
        parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads (default 1)")
        parser.add_argument("--strategy", choices=["default", "mirrored", "multiworker"], default="default",
                            help="tf.distribute strategy (multiworker reads TF_CONFIG; see docs/training.md)")


def key_values(text: str | None, settings_class, option: str, allowed=None) -> dict:
    """`KEY=VALUE,...` as values of a settings dataclass's fields, each parsed by the field's type
    (`none` for a field that may be None); SeqbotError naming `option` and the known keys otherwise.
    `allowed`: the keys that may be given (default: every field)."""
    from dataclasses import fields

    from seqbot.errors import SeqbotError

    # a field's type as written ("int", "str | None"), whether annotations are strings or not
    types = {field.name: field.type if isinstance(field.type, str) else getattr(field.type, "__name__", str(field.type))
             for field in fields(settings_class)}
    known = sorted(allowed if allowed is not None else types)
    values = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        key, _, value = item.partition("=")
        key = key.strip().replace("-", "_")
        value = value.strip()
        if key not in known or key not in types or not value:
            raise SeqbotError(f"{option} {item!r}: write KEY=VALUE with KEY one of {', '.join(known)}")
        kind = types[key]
        if value.lower() == "none" and "None" in kind:
            values[key] = None
        elif kind.startswith("bool"):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise SeqbotError(f"{option} {key} is true or false, not {value!r}")
            values[key] = value.lower() in ("true", "1", "yes")
        else:
            cast = int if kind.startswith("int") else float if kind.startswith("float") else str
            try:
                values[key] = cast(value)
            except ValueError:
                wanted = {int: "a whole number", float: "a number"}[cast]
                raise SeqbotError(f"{option} {key} needs {wanted}, not {value!r}") from None
    return values
