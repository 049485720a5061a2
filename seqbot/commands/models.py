"""Models: list the lecture's architectures, print a model's layer table, how a checkpoint was made, or the recipes.

    seqbot models list                      the architectures, then the checkpoints (translator, chat, ...)
    seqbot models recipes                   every training recipe: the shipped checkpoints', then the experiments
    seqbot models recipes imdb              one recipe (a checkpoint or recipe name): model, training and data settings
    seqbot models summary spam_rnn          the lecture's table, then the shipped checkpoint's if it differs
    seqbot models summary simplernn_toy     SimpleRNN(3) on (2, 10) inputs: 42 parameters
    seqbot models summary translator        any shipped checkpoint: translator, chat and generator too
    seqbot models info imdb                 the rebuild command, recipe, data sha256, code version, hardware, time, metrics

The trained table is built from the checkpoint's own sizes (its vocabulary, classes), so where the
real corpus gives a different vocabulary from the lecture's, both tables are shown.
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
    sequence_model = sequence_artifact(args.name, args.checkpoints)
    if sequence_model is not None:
        print_sequence_model(args.name, sequence_model, args.checkpoints)
        return 0
    naive_bayes = naive_bayes_artifact(args.name, args.checkpoints)
    if naive_bayes is not None:
        print_naive_bayes(args.name, naive_bayes)
        return 0
    architecture, artifact = resolve(args.name, args.checkpoints)
    print_table(f"{architecture}: the lecture's table", lecture_model(architecture))
    if artifact is not None:
        trained = trained_model(architecture, artifact)
        vocab = artifact.weights.get("embedding/0")
        note = ""
        if vocab is not None and vocab.shape[0] != SPECS[architecture].vocab_size:
            note = f" (vocabulary {vocab.shape[0]:,} from the real corpus; the lecture's is {SPECS[architecture].vocab_size:,})"
        print()
        print_table(f"{architecture}: trained checkpoint {artifact_path(args.name, args.checkpoints)}{note}", trained)
    return 0


def checkpoint_names(checkpoints: str | None) -> tuple[Path, list[str]]:
    """The checkpoint folder and the names of the checkpoints in it (translator, chat, generator, the classifiers)."""
    from seqbot.paths import checkpoints_dir

    folder = checkpoints_dir(checkpoints)
    return folder, sorted(path.stem for path in folder.glob("*.npz")) if folder.is_dir() else []


def artifact_path(name: str, checkpoints: str | None) -> Path:
    from seqbot.paths import default_checkpoint

    return default_checkpoint(name, checkpoints)


def resolve(name: str, checkpoints: str | None):
    """(architecture name, artifact or None): NAME is an architecture, a checkpoint name, or both."""
    from seqbot.artifact import load_artifact
    from seqbot.errors import CheckpointError, SeqbotError
    from seqbot.models.classifiers import SPECS

    artifact = None
    path = artifact_path(name, checkpoints)
    if path.exists():
        try:
            candidate = load_artifact(path)
        except CheckpointError as error:
            print(f"seqbot: {error}")
        else:
            if candidate.kind == "classifier":
                artifact = candidate
    if artifact is not None:
        architecture = artifact.config.get("name", name)
        if architecture in SPECS:
            return architecture, artifact
    if name in SPECS:
        return name, None
    raise SeqbotError(f"unknown model {name!r}; architectures: {', '.join(SPECS)}")


def naive_bayes_artifact(name: str, checkpoints: str | None):
    from seqbot.artifact import load_artifact
    from seqbot.errors import CheckpointError

    path = artifact_path(name, checkpoints)
    try:
        artifact = load_artifact(path) if path.exists() else None
    except CheckpointError:
        return None
    return artifact if artifact is not None and artifact.kind == "naive_bayes" else None


def print_naive_bayes(name: str, artifact) -> None:
    """A Naive Bayes checkpoint has no layers: its table is one log P(word | class) row per class."""
    classes, words = artifact.weights["feature_log_prob"].shape
    config = artifact.config
    print(f"{name}: multinomial Naive Bayes ({config.get('weighting', 'counts')}, alpha {config.get('alpha')})")
    print(f"  classes        {classes:>10,}  {', '.join(config['classes'][:6])}{' ...' if classes > 6 else ''}")
    print(f"  vocabulary     {words:>10,}")
    print(f"  parameters     {classes * words + classes:>10,}  (log P(word | class) for every pair, plus the class priors)")


def sequence_artifact(name: str, checkpoints: str | None):
    """The artifact of a translator, chat or generator checkpoint NAME, else None."""
    from seqbot.artifact import load_artifact
    from seqbot.errors import CheckpointError

    path = artifact_path(name, checkpoints)
    try:
        artifact = load_artifact(path) if path.exists() else None
    except CheckpointError:
        return None
    return artifact if artifact is not None and artifact.kind in ("seq2seq", "generator") else None


def print_sequence_model(name: str, artifact, checkpoints: str | None) -> None:
    """The Keras model the checkpoint's weights came from, rebuilt from its config."""
    if artifact.kind == "generator":
        from seqbot.models.textgen import TextGenConfig, build_model

        config = artifact.config
        model = build_model(TextGenConfig(config["cell"], config["units"], config["embedding_dim"], config.get("level", "char")),
                            len(config["vocab"]))
        title = f"{name}: {config['level']}-level {config['cell']} {config['units']} generator"
    else:
        from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq

        config = artifact.config
        model = build_seq2seq(Seq2SeqConfig.from_artifact_config(config))
        title = (f"{name}: {config.get('task', 'translate')} seq2seq, {config['cell']} {config['units']}, "
                 f"{config['attention']} attention")
    print_table(f"{title} ({artifact_path(name, checkpoints)})", model)
    stored = sum(int(weight.size) for weight in artifact.weights.values())
    print(f"  {'Parameters stored in the checkpoint':<53} {stored:>10,}")


def lecture_model(architecture: str):
    from seqbot.models.classifiers import build

    return build(architecture)


def trained_model(architecture: str, artifact):
    from seqbot.models.classifiers import build

    vocab_size = artifact.weights["embedding/0"].shape[0]
    classes = artifact.weights["output/0"].shape[1]
    return build(architecture, vocab_size=vocab_size, classes=classes, max_length=artifact.config.get("max_length"))


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
