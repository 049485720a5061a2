"""Calibrate a trained classifier: fit a temperature on its own validation texts, scored by the NumPy engine.

    seqbot train calibrate nsmc                                          writes runs/calibrate-nsmc/nsmc.npz
    seqbot train calibrate nsmc --export checkpoints/nsmc.npz --force   replace the shipped one (old kept as .bak)

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
    add_run_options(parser, "checkpoints/nsmc.npz", tensorflow=False)


def run(args) -> int:
    from pathlib import Path

    from seqbot.artifact import load_artifact
    from seqbot.data.classify_splits import load_dataset
    from seqbot.errors import SeqbotError
    from seqbot.paths import checkpoints_dir
    from seqbot.training.classify import CONFIGS, calibrate, validation_cut
    from seqbot.training.outputs import export_copy, run_folder

    path = Path(args.checkpoint) if args.checkpoint.endswith(".npz") else checkpoints_dir(args.checkpoints) / f"{args.checkpoint}.npz"
    metadata = load_artifact(path).metadata
    recipe = CONFIGS.get(metadata.get("trained_as", ""))
    if recipe is None or "corpus" not in metadata or "train_texts" not in metadata:
        raise SeqbotError(f"{path} does not record the recipe and split it was trained with; its validation texts "
                          f"cannot be rebuilt")
    data = load_dataset(metadata["corpus"], args.corpora, metadata.get("split", {}).get("seed"))
    if validation_cut(recipe, data) != metadata["train_texts"]:
        raise SeqbotError(f"{path} trained on {metadata['train_texts']} texts but recipe {recipe.name} splits this corpus "
                          f"at {validation_cut(recipe, data)}: a different corpus copy or a --train-limit run")
    output = run_folder(f"calibrate-{path.stem}", args.runs) / path.name
    calibrate(recipe, data, args.corpora, path, output, log=lambda line: print(line, flush=True))
    print(f"wrote {output}")
    if args.export:
        export_copy(output, args.export, args.force, log=lambda line: print(line, flush=True))
    return 0
