"""Calibrate a trained model: a classifier's temperature, or a translator's sentence confidence,
fitted on validation data and scored by the NumPy engine.

    seqbot train calibrate nsmc                                          writes runs/calibrate-nsmc/nsmc.npz
    seqbot train calibrate nsmc --export checkpoints/nsmc.npz --force   replace the shipped one (old kept as .bak)
    seqbot train calibrate translator --export checkpoints/translator.npz --force
    seqbot train calibrate translator --pairs 300                        a quick fit on 300 validation pairs

A translator gets its confidence calibrators (seqbot.engine.confidence) refitted on a seeded sample of
the novel split's validation pairs (--pairs, default 2,000), decoded greedy and with its own beam
search (seqbot.evaluation.translation_confidence); its weights and decoding stay as they are.

The validation texts are rebuilt from the corpus with the split the checkpoint records (its
recipe's validation tail of the training texts, with their snippets when the recipe adds them),
so they are texts the model never trained on; IMDB's crops recipe also fits a temperature for
messages of <= 12 words on the hand-checked snippets of those validation reviews. Only the
temperatures change: the ranking, and so the accuracy, stays (`seqbot eval sentiment` shows the
log-loss and calibration error).
"""

from __future__ import annotations

from seqbot.commands.run_options import add_run_options


def add_arguments(parser) -> None:
    parser.add_argument("checkpoint", help="a checkpoint name (checkpoints/NAME.npz) or an .npz path")
    parser.add_argument("--checkpoints", help="checkpoint folder (default $SEQBOT_CHECKPOINTS or checkpoints/)")
    parser.add_argument("--pairs", type=int, help="translator: validation pairs to fit the confidence on (default 2,000)")
    add_run_options(parser, "checkpoints/nsmc.npz", tensorflow=False)


def run(args) -> int:
    from pathlib import Path

    from seqbot.artifact import load_artifact
    from seqbot.data.classify_splits import load_dataset
    from seqbot.errors import SeqbotError
    from seqbot.evaluation.calibration import calibrate_classifier
    from seqbot.paths import checkpoints_dir
    from seqbot.training.classify import CONFIGS, validation_cut
    from seqbot.training.outputs import export_copy, run_folder

    path = Path(args.checkpoint) if args.checkpoint.endswith(".npz") else checkpoints_dir(args.checkpoints) / f"{args.checkpoint}.npz"
    artifact = load_artifact(path)
    if artifact.kind == "seq2seq":
        return calibrate_translator(path, args)
    if args.pairs is not None:
        raise SeqbotError("--pairs is for a translator; a classifier is calibrated on its recipe's validation texts")
    metadata = artifact.metadata
    recipe = CONFIGS.get(metadata.get("trained_as", ""))
    if recipe is None or "corpus" not in metadata or "train_texts" not in metadata:
        raise SeqbotError(f"{path} does not record the recipe and split it was trained with; its validation texts "
                          f"cannot be rebuilt")
    data = load_dataset(metadata["corpus"], args.corpora, metadata.get("split", {}).get("seed"))
    if validation_cut(recipe, data) != metadata["train_texts"]:
        raise SeqbotError(f"{path} trained on {metadata['train_texts']} texts but recipe {recipe.name} splits this corpus "
                          f"at {validation_cut(recipe, data)}: a different corpus copy or a --train-limit run")
    output = run_folder(f"calibrate-{path.stem}", args.runs) / path.name
    calibrate_classifier(recipe, data, args.corpora, path, output, log=lambda line: print(line, flush=True))
    print(f"wrote {output}")
    if args.export:
        export_copy(output, args.export, args.force, log=lambda line: print(line, flush=True))
    return 0


def calibrate_translator(path, args) -> int:
    """`seqbot train calibrate TRANSLATOR`: its confidence calibrators, refitted on validation pairs."""
    from seqbot.errors import SeqbotError
    from seqbot.training.outputs import export_copy, run_folder
    from seqbot.evaluation.translation_confidence import DEFAULT_PAIRS, calibrate_translator as fit

    pairs = DEFAULT_PAIRS if args.pairs is None else args.pairs
    if pairs < 20:
        raise SeqbotError(f"--pairs must be at least 20 (a calibrator needs good and bad translations), got {pairs}")
    output = run_folder(f"calibrate-{path.stem}", args.runs) / path.name
    try:
        fit(path, output, args.corpora, pairs, log=lambda line: print(line, flush=True))
    except ValueError as error:
        raise SeqbotError(f"cannot calibrate {path}: {error}") from None
    print(f"wrote {output}")
    if args.export:
        export_copy(output, args.export, args.force, log=lambda line: print(line, flush=True))
    return 0
