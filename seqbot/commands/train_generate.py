"""Train a character- or word-level text generator (SimpleRNN, LSTM or GRU) on tiny Shakespeare
(recipes in seqbot.training.generate; the default recipe is the shipped checkpoints/generator.npz).

    seqbot train generate                                     the shipped recipe
    seqbot train generate cpu                                 15 minutes on a CPU
    seqbot train generate simplernn | word                    the siblings
    seqbot train generate --epochs 1 --steps-per-epoch 5 --units 32     a smoke run
    seqbot train generate --export checkpoints/generator.npz --force

The run lives in runs/generate-RECIPE (root: --runs, $SEQBOT_RUNS, runs/); rerun the same command to
resume it. Options left out keep the recipe's value; --export copies the artifact (an existing
file needs --force and is kept beside it as .bak-<timestamp>).
"""

from __future__ import annotations

from seqbot.commands.run_options import add_run_options

OVERRIDES = {"cell": str, "level": str, "units": int, "embedding_dim": int, "sequence_length": int, "window_stride": int,
             "batch_size": int, "learning_rate": float, "clipnorm": float, "steps_per_epoch": int, "epochs": int,
             "patience": int, "plateau_factor": float, "max_minutes": float, "validation_fraction": float,
             "max_words": int, "seed": int}
CHOICES = {"cell": ["simplernn", "lstm", "gru"], "level": ["char", "word"]}


def add_arguments(parser) -> None:
    parser.add_argument("recipe", nargs="?", default="generator", help="generator (default, shipped), cpu, simplernn, word")
    for option, kind in OVERRIDES.items():
        parser.add_argument(f"--{option.replace('_', '-')}", type=kind, default=None, choices=CHOICES.get(option),
                            help="override the recipe's value")
    add_run_options(parser, "checkpoints/generator.npz")


def run(args) -> int:
    from seqbot.training.generate import train

    overrides = {option: getattr(args, option) for option in OVERRIDES}
    train(args.recipe, overrides, args.corpora, export=args.export, force=args.force, threads=args.threads,
          strategy=args.strategy, runs=args.runs, log=lambda line: print(line, flush=True))
    return 0
