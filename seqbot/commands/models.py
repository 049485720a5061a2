"""Models: list the lecture's architectures, print a model's layer table, how a checkpoint was made, or the recipes.

    seqbot models list                      the architectures, then the checkpoints (translator, chat, ...)
    seqbot models recipes                   every training recipe: the shipped checkpoints', then the experiments
    seqbot models recipes imdb              one recipe (a checkpoint or recipe name): model, training and data settings
    seqbot models summary translator        any checkpoint's layers, weight shapes and parameters, from its file
    seqbot models summary spam_rnn          the checkpoint's table, then the lecture's (with Keras installed)
    seqbot models summary simplernn_toy     an architecture: SimpleRNN(3) on (2, 10) inputs, 42 parameters (Keras)
    seqbot models info imdb                 the rebuild command, recipe, data sha256, code version, hardware, time, metrics

A checkpoint's table is read from the artifact alone (seqbot.engine.summary), so the base install
prints it without TensorFlow; the lecture's architectures are Keras models, printed when the
training extra is installed.
"""

from __future__ import annotations

from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=["list", "summary", "info", "recipes"],
                        help="list the architectures, print one's table, a checkpoint's training record, or the recipes")
    parser.add_argument("name", nargs="?", help="architecture (see `seqbot models list`), checkpoint or recipe name")
    parser.add_argument("--checkpoints", help="checkpoint folder (default $SEQBOT_CHECKPOINTS or checkpoints/)")


def run(args) -> int:
    from seqbot.errors import SeqbotError
    from seqbot.models.classifiers import SPECS

    if args.action == "list":
        print("Architectures (seqbot models summary NAME):")
        for name, spec in SPECS.items():
            print(f"  {name:<22} {spec.description}")
        folder, names = checkpoint_names(args.checkpoints)
        print(f"\nCheckpoints in {folder} (seqbot models info NAME, seqbot models summary NAME):")
        print("  " + (", ".join(names) if names else "none"))
        return 0
    if args.action == "recipes":
        from seqbot.commands.model_recipes import print_recipe, print_recipes

        print_recipe(args.name) if args.name else print_recipes()
        return 0
    if not args.name:
        folder, names = checkpoint_names(args.checkpoints)
        choices = (f"a checkpoint in {folder} ({', '.join(names)})" if names else f"a checkpoint (none in {folder})")
        if args.action == "summary":
            choices += " or an architecture"
        raise SeqbotError(f"seqbot models {args.action} needs a NAME: {choices}; `seqbot models list` lists them")
    if args.action == "info":
        from seqbot.commands.model_info import print_info

        print_info(args.name, args.checkpoints)
        return 0
    return summary(args.name, args.checkpoints)


def checkpoint_names(checkpoints: str | None) -> tuple[Path, list[str]]:
    """The checkpoint folder and the names of the checkpoints in it (translator, chat, generator, the classifiers)."""
    from seqbot.paths import checkpoints_dir

    folder = checkpoints_dir(checkpoints)
    return folder, sorted(path.stem for path in folder.glob("*.npz")) if folder.is_dir() else []


def artifact_path(name: str, checkpoints: str | None) -> Path:
    from seqbot.paths import default_checkpoint

    return default_checkpoint(name, checkpoints)


def summary(name: str, checkpoints: str | None) -> int:
    """A checkpoint's table from its artifact alone (no TensorFlow), then, for a classifier built from a
    lecture architecture, the lecture's table when Keras is installed; an architecture's table (Keras)."""
    from seqbot.artifact import load_artifact
    from seqbot.contract import keys
    from seqbot.errors import CheckpointError, SeqbotError
    from seqbot.models.classifiers import SPECS

    path = artifact_path(name, checkpoints)
    artifact = None
    if path.exists():
        try:
            artifact = load_artifact(path)
        except CheckpointError as error:
            if name not in SPECS:
                raise
            print(f"seqbot: {error}")
    if artifact is not None:
        print_artifact_table(name, path, artifact)
        architecture = artifact.config.get("name") if artifact.kind == keys.CLASSIFIER else None
        if architecture in SPECS:
            print_lecture_note(architecture, artifact)
        return 0
    if name in SPECS:
        keras_model = lecture_model(name)
        if keras_model is None:
            raise SeqbotError(f"the lecture's {name} table is built with Keras: install the training extra "
                              f"(pip install -e '.[train]'); checkpoints print theirs without it")
        print_table(f"{name}: the lecture's table", keras_model)
        return 0
    raise SeqbotError(f"unknown model {name!r}; architectures: {', '.join(SPECS)}; checkpoints: "
                      f"{', '.join(checkpoint_names(checkpoints)[1]) or 'none'}")


def title(name: str, path: Path, artifact) -> str:
    """What the checkpoint is, in a line."""
    from seqbot.contract import keys

    config = artifact.config
    if artifact.kind == keys.SEQ2SEQ:
        what = (f"{config.get('task', 'translate')} seq2seq, {config['cell']} {config['units']}, "
                f"{config['attention']} attention")
    elif artifact.kind == keys.GENERATOR:
        what = f"{config.get('level', 'char')}-level {config['cell']} {config['units']} generator"
    elif artifact.kind == keys.NAIVE_BAYES:
        what = f"multinomial Naive Bayes ({config.get('weighting', 'counts')}, alpha {config.get('alpha')})"
    else:
        what = f"{config.get('name', 'classifier')} ({config.get('task', '?')}, {len(config.get('labels', []))} labels)"
    return f"{name}: {what} ({path})"


def print_artifact_table(name: str, path: Path, artifact) -> None:
    """One row per layer: name, kind, weight shapes and parameters (seqbot.engine.summary)."""
    from seqbot.engine.summary import layer_table

    rows = layer_table(artifact)
    print(title(name, path, artifact))
    print(f"  {'Layer':<22} {'Kind':<26} {'Weight shapes':<34} {'Param #':>12}")
    print("  " + "-" * 97)
    for row in rows:
        shapes = [str(shape) for shape in row.shapes] or ["-"]
        lines = wrap(shapes, 34)
        print(f"  {row.name:<22} {row.kind:<26} {lines[0]:<34} {row.params:>12,}")
        for line in lines[1:]:
            print(f"  {'':<22} {'':<26} {line}")
    print("  " + "-" * 97)
    print(f"  {'Total params':<84} {sum(row.params for row in rows):>12,}")


def wrap(items: list[str], width: int) -> list[str]:
    """Items joined by spaces, in lines of at most `width` characters (an item longer stays whole)."""
    lines = [""]
    for item in items:
        if lines[-1] and len(lines[-1]) + 1 + len(item) > width:
            lines.append("")
        lines[-1] = f"{lines[-1]} {item}".strip()
    return lines


def print_lecture_note(architecture: str, artifact) -> None:
    """The lecture's table of the checkpoint's architecture, when Keras is installed; else where it is."""
    from seqbot.models.classifiers import SPECS

    vocab = artifact.weights.get("embedding/0")
    if vocab is not None and vocab.shape[0] != SPECS[architecture].vocab_size:
        print(f"  (vocabulary {vocab.shape[0]:,} from the real corpus; the lecture's is {SPECS[architecture].vocab_size:,})")
    keras_model = lecture_model(architecture)
    print()
    if keras_model is None:
        print(f"The lecture's {architecture} table is built with Keras (the training extra: pip install -e '.[train]').")
        return
    print_table(f"{architecture}: the lecture's table", keras_model)


def lecture_model(architecture: str):
    """The lecture's Keras model, or None without Keras (the base install)."""
    try:
        from seqbot.models.keras_setup import import_keras

        import_keras()
    except ImportError:
        return None
    from seqbot.models.classifiers import build

    return build(architecture)


def print_table(title: str, model) -> None:
    from seqbot.models.classifiers import summary_rows

    rows = summary_rows(model)
    print(title)
    print(f"  {'Layer (type)':<34} {'Output shape':<18} {'Param #':>10}")
    print("  " + "-" * 64)
    for layer, shape, params in rows:
        print(f"  {layer:<34} {shape:<18} {params:>10,}")
    print("  " + "-" * 64)
    print(f"  {'Total params':<53} {sum(p for _, _, p in rows):>10,}")
