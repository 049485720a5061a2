"""Train a character- or word-level text generator (SimpleRNN, LSTM or GRU) on tiny Shakespeare
and export it as a generator checkpoint.

    seqbot train generate --cell lstm --minutes 15
    seqbot train generate --cell simplernn --output runs/generate-simplernn/generator.npz
    seqbot train generate --cell lstm --level word --output runs/generate-word/generator.npz
"""

from __future__ import annotations

from seqbot.paths import default_checkpoint


def add_arguments(parser) -> None:
    parser.add_argument("--cell", choices=["simplernn", "lstm", "gru"], default="lstm")
    parser.add_argument("--level", choices=["char", "word"], default="char", help="characters or words (default char)")
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--sequence-length", type=int, default=100, help="training window length in tokens")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=0.002)
    parser.add_argument("--steps-per-epoch", type=int, default=100, help="batches between checkpoints")
    parser.add_argument("--epochs", type=int, default=1000, help="upper bound; --minutes usually stops first")
    parser.add_argument("--minutes", type=float, default=15.0, help="training time budget (default 15)")
    parser.add_argument("--validation-fraction", type=float, default=0.1, help="held-out tail of the text")
    parser.add_argument("--max-words", type=int, default=6000, help="word level: vocabulary size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads (default 1)")
    parser.add_argument("--corpora", help="corpora folder (default $SEQBOT_CORPORA or corpora/)")
    parser.add_argument("--run-dir", help="where the resumable training state goes (default runs/generate-CELL-LEVEL)")
    parser.add_argument("--output", help="artifact path (default checkpoints/generator.npz)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir")


def run(args) -> int:
    from seqbot.training.generate import GenerateTrainingConfig, train

    config = GenerateTrainingConfig(
        cell=args.cell, level=args.level, units=args.units, embedding_dim=args.embedding_dim,
        sequence_length=args.sequence_length, batch_size=args.batch_size, learning_rate=args.learning_rate,
        steps_per_epoch=args.steps_per_epoch, epochs=args.epochs, minutes=args.minutes,
        validation_fraction=args.validation_fraction, max_words=args.max_words, seed=args.seed,
        threads=args.threads, corpora=args.corpora,
        run_dir=args.run_dir or f"runs/generate-{args.cell}-{args.level}",
        output=args.output or str(default_checkpoint("generator")), resume=args.resume,
    )
    train(config, log=lambda line: print(line, flush=True))
    return 0
