"""Train the English-to-French character-level translator on fra-eng and export it.

    seqbot train translate --threads 2 --max-minutes 75 --export checkpoints/translator.npz
    seqbot train translate --preset keras-example --max-length 50 --out runs/keras-example

The defaults are the shipped model's recipe (GRU 256, embedding 64, dot attention, batch 256,
Adam 3e-3, sentences up to 50 English / 70 French characters). Rerun the same command after an
interruption to continue where it stopped; the best epoch so far is in <out>/model.npz.
"""

from __future__ import annotations

from dataclasses import fields


def add_arguments(parser) -> None:
    parser.add_argument("--attention", choices=["none", "dot", "bahdanau"], default="dot")
    parser.add_argument("--cell", choices=["lstm", "gru"], default="gru")
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout on the embeddings and before the output layer (shipped model: 0.25)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--max-pairs", type=int, help="train on the first N training pairs only")
    parser.add_argument("--max-length", type=int, default=50, help="longest English sentence kept (French: +20)")
    parser.add_argument("--steps-per-epoch", type=int, help="batches per epoch (validation and export happen after each)")
    parser.add_argument("--max-validation-pairs", type=int, help="validate on the first N validation pairs only")
    parser.add_argument("--max-minutes", type=float, help="stop after this much training time, keeping the best epoch")
    parser.add_argument("--preset", choices=["keras-example"], help="the keras-io lstm_seq2seq settings (10,000 pairs, one-hot, latent 256, rmsprop, batch 64)")
    parser.add_argument("--strategy", choices=["default", "mirrored", "multiworker"], default="default",
                        help="tf.distribute: mirrored = all local devices; multiworker = the cluster in TF_CONFIG")
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow CPU threads (default 1: the machine is shared)")
    parser.add_argument("--out", default="runs/translate", help="run folder (resumable)")
    parser.add_argument("--export", help="also copy the best model here, e.g. checkpoints/translator.npz")
    parser.add_argument("--corpora", help="folder holding fra-eng/fra-eng.zip")


def run(args) -> int:
    from seqbot.training.translate import KERAS_EXAMPLE, TrainSettings, train_seq2seq, translation_data

    from seqbot.errors import SeqbotError

    for name in ("units", "embedding_dim", "epochs", "batch_size", "max_pairs", "threads"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise SeqbotError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if args.max_length < 2:
        raise SeqbotError(f"--max-length must be at least 2 characters, got {args.max_length}")
    if not 0.0 <= args.dropout < 1.0:
        raise SeqbotError(f"--dropout must be in [0, 1), got {args.dropout}")
    if args.learning_rate <= 0:
        raise SeqbotError(f"--learning-rate must be positive, got {args.learning_rate}")
    names = {f.name for f in fields(TrainSettings)}
    settings = TrainSettings(**{name: getattr(args, name) for name in names if getattr(args, name, None) is not None})
    max_pairs = args.max_pairs
    if args.preset == "keras-example":
        settings = TrainSettings(**{**settings.__dict__, **KERAS_EXAMPLE})
        max_pairs = max_pairs or 10_000
    data = translation_data(args.corpora, args.max_length, args.max_length + 20, max_pairs=max_pairs, preset=args.preset)
    print(f"{len(data.train):,} training pairs, {len(data.validation):,} validation pairs; run folder {args.out}")
    path = train_seq2seq(data, settings, args.out, args.export)
    print(f"best model: {path}" + (f" (copied to {args.export})" if args.export else ""))
    return 0
