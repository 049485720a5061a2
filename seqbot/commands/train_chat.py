"""Train the dialogue model (the translator's character-level seq2seq with attention) on
(utterance, reply) pairs from the Friends transcripts and chatterbot-corpus English, then report
its held-out perplexity and sample replies.

    seqbot train chat                                        writes runs/chat only (the recipe: the line before each message too)
    seqbot train chat --export checkpoints/chat.npz --force  replaces the shipped model (old kept as .bak-<time>)
    seqbot train chat --context-length 0 --out runs/chat-nc  the message alone, as the chat model before 2026-12-05
    seqbot train chat --pairs short --out runs/chat-short    the first model's pairs (both sides <= 40 characters)
    seqbot train chat --backward --out runs/chat-backward    p(message | reply), for MMI-bidi reranking (chat_rerank --backward)

The shipped model also reranks its replies (MMI, known words only): after training,
`python -m seqbot.evaluation.chat_rerank runs/chat/model.npz --export checkpoints/chat.npz --force`.

Rerun the same command after an interruption to continue where it stopped.
"""

from __future__ import annotations

import argparse


def add_arguments(parser) -> None:
    # every default is None: what is left out keeps the chat recipe's value (seqbot/training/recipes.py)
    parser.add_argument("--attention", choices=["none", "dot", "bahdanau"])
    parser.add_argument("--cell", choices=["lstm", "gru"])
    parser.add_argument("--units", type=int, help="recipe: 256, the shipped model")
    parser.add_argument("--embedding-dim", type=int)
    parser.add_argument("--bidirectional", action=argparse.BooleanOptionalAction,
                        help="a bidirectional encoder (the translator's; recipe: off)")
    parser.add_argument("--epochs", type=int, help="upper bound; --max-minutes and early stopping usually end first")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--max-minutes", type=float, help="training time of this session, checked after each epoch (recipe: 28)")
    parser.add_argument("--max-length", type=int, help="longest utterance and reply kept, in characters (recipe: 40)")
    parser.add_argument("--pairs", choices=["short", "all"],
                        help="short: pairs whose both sides fit (the previous model); all (the recipe): every "
                             "exchange, a long message cut to its last and a long reply to its first sentences that fit, the "
                             "benchmark's messages left out (seqbot/training/chat.py)")
    parser.add_argument("--context-length", type=int,
                        help="also read the line before each message, cut to its last sentences that fit in this "
                             "many characters ('all' pairs; recipe: 40; 0: the message alone)")
    parser.add_argument("--context-dropout", type=float,
                        help="share of training pairs given no previous line, as a conversation's first message has none")
    parser.add_argument("--backward", action="store_true",
                        help="train the other way round, p(message | reply) on the same exchanges with no previous "
                             "line: the backward model MMI-bidi reranking adds (python -m seqbot.evaluation.chat_rerank "
                             "--backward)")
    parser.add_argument("--mismatch-weight", type=float,
                        help="also read each reply after another pair's message and pay this weight x a loss for "
                             "finding it as likely there (teaches the model to read the message; recipe: 0)")
    parser.add_argument("--max-pairs", type=int, help="train on the first N training pairs only")
    parser.add_argument("--samples", type=int, default=20, help="held-out utterances to reply to at the end")
    parser.add_argument("--dropout", type=float)
    parser.add_argument("--patience", type=int, help="stop after this many rounds without a better validation loss")
    parser.add_argument("--plateau-factor", type=float, help="multiply the learning rate by this after a worse round")
    parser.add_argument("--precision", choices=["float32", "mixed_bfloat16"])
    parser.add_argument("--init-from", help="a seq2seq artifact to start from, e.g. checkpoints/chat.npz (its "
                                            "vocabulary first, new characters after)")
    parser.add_argument("--threads", type=int, help="TensorFlow CPU threads (recipe: 2)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--strategy", choices=["default", "mirrored", "multiworker"],
                        help="tf.distribute strategy (multiworker reads TF_CONFIG; see docs/training.md)")
    parser.add_argument("--out", help="run folder (resumable; default runs/chat under --runs, $SEQBOT_RUNS or runs/)")
    parser.add_argument("--runs", help="runs root (default $SEQBOT_RUNS or runs/)")
    parser.add_argument("--export", help="also copy the scored model here, e.g. checkpoints/chat.npz")
    parser.add_argument("--force", action="store_true", help="let --export replace an existing file (kept as .bak-<time>)")
    parser.add_argument("--corpora", help="folder holding friends/friends-transcripts.tab")


SETTINGS = ("attention", "cell", "units", "embedding_dim", "epochs", "batch_size", "learning_rate", "max_minutes",
            "threads", "seed", "strategy", "dropout", "patience", "plateau_factor", "precision", "init_from",
            "mismatch_weight", "bidirectional")


def run(args) -> int:
    from seqbot.errors import SeqbotError
    from seqbot.evaluation.chat_scores import score_and_export
    from seqbot.training.chat import chat_recipe, context_problem, direction_problem, train_chat

    if args.max_length is not None and args.max_length < 2:
        raise SeqbotError("--max-length must be at least 2")
    if args.mismatch_weight is not None and not args.mismatch_weight >= 0:
        raise SeqbotError(f"--mismatch-weight is the weight of a loss: 0 (off) or more, got {args.mismatch_weight}")
    config, settings = chat_recipe({name: getattr(args, name) for name in SETTINGS},
                                   corpora=args.corpora, max_length=args.max_length, pairs=args.pairs,
                                   context_length=args.context_length, context_dropout=args.context_dropout,
                                   max_pairs=args.max_pairs, direction="backward" if args.backward else None,
                                   samples=args.samples, run_dir=args.out, runs=args.runs, export=args.export,
                                   force=args.force)
    problem = context_problem(config.pairs, config.context_length, config.context_dropout)
    if problem:
        raise SeqbotError(f"--context-length / --context-dropout: {problem}")
    problem = direction_problem(config.direction, config.pairs, config.context_length)
    if problem:
        raise SeqbotError(f"--backward: {problem}")

    def log(line: str) -> None:
        print(line, flush=True)

    model_path, data = train_chat(config, settings, log=log)
    score_and_export(model_path, data, config.samples, config.export, log, config.force)
    return 0
