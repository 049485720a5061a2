"""The lecture's classifier architectures: list them, or print one's table (layer, output shape, parameters).

    seqbot models list
    seqbot models summary spam_rnn          the lecture's table, then the shipped checkpoint's if it differs
    seqbot models summary simplernn_toy     SimpleRNN(3) on (2, 10) inputs: 42 parameters
    seqbot models summary imdb              a checkpoint name works too (its architecture, lecture and trained)

The trained table is built from the checkpoint's own sizes (its vocabulary, classes), so where the
real corpus gives a different vocabulary from the lecture's, both tables are shown.
"""

from __future__ import annotations

from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=["list", "summary"], help="list the architectures, or print one's table")
    parser.add_argument("name", nargs="?", help="architecture (see `seqbot models list`) or checkpoint name")
    parser.add_argument("--checkpoints", help="checkpoint folder (default $SEQBOT_CHECKPOINTS or checkpoints/)")


def run(args) -> int:
    from seqbot.errors import SeqbotError
    from seqbot.models.classifiers import SPECS

    if args.action == "list":
        for name, spec in SPECS.items():
            print(f"{name:<24} {spec.description}")
        return 0
    if not args.name:
        raise SeqbotError("seqbot models summary needs a NAME; see `seqbot models list`")
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
