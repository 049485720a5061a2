"""Train the dialogue model (the translator's character-level seq2seq with attention) on
(utterance, reply) pairs from the Friends transcripts and chatterbot-corpus English, then report
its held-out perplexity and sample replies.

    seqbot train chat                                        writes runs/chat only
    seqbot train chat --export checkpoints/chat.npz --force  replaces the shipped model (old kept as .bak-<time>)

Rerun the same command after an interruption to continue where it stopped.
"""

from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--attention", choices=["none", "dot", "bahdanau"], default="dot")
    parser.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    parser.add_argument("--units", type=int, default=256, help="default 256, the shipped model")
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=30, help="upper bound; --max-minutes and early stopping usually end first")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--max-minutes", type=float, default=35.0, help="training time budget, checked after each epoch (default 35)")
    parser.add_argument("--max-length", type=int, default=40, help="longest utterance and reply kept, in characters (default 40)")
    parser.add_argument("--max-pairs", type=int, help="train on the first N training pairs only")
    parser.add_argument("--samples", type=int, default=20, help="held-out utterances to reply to at the end")
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow CPU threads (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strategy", choices=["default", "mirrored", "multiworker"], default="default",
                        help="tf.distribute strategy (multiworker reads TF_CONFIG; see docs/training.md)")
    parser.add_argument("--out", help="run folder (resumable; default runs/chat under $SEQBOT_RUNS or runs/)")
    parser.add_argument("--export", help="also copy the scored model here, e.g. checkpoints/chat.npz")
    parser.add_argument("--force", action="store_true", help="let --export replace an existing file (kept as .bak-<time>)")
    parser.add_argument("--corpora", help="folder holding friends/friends-transcripts.tab")


def run(args) -> int:
    from seqbot.errors import SeqbotError
    from seqbot.training.chat import ChatTrainingConfig, train_chat
    from seqbot.training.translate import TrainSettings

    if args.max_length < 2:
        raise SeqbotError("--max-length must be at least 2")
    settings = TrainSettings(
        cell=args.cell, units=args.units, embedding_dim=args.embedding_dim, attention=args.attention,
        epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
        max_minutes=args.max_minutes, threads=args.threads, seed=args.seed, strategy=args.strategy,
    )
    config = ChatTrainingConfig(corpora=args.corpora, max_length=args.max_length, max_pairs=args.max_pairs,
                                samples=args.samples, run_dir=args.out, export=args.export, force=args.force)
    train_chat(config, settings, log=lambda line: print(line, flush=True))
    return 0
