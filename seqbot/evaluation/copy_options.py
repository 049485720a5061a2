"""Options of the evaluation tools that write a tuned copy of a model (chat_rerank, chat_ranking); not a tool itself."""

from __future__ import annotations

import argparse
from pathlib import Path

from seqbot.errors import SeqbotError
from seqbot.training.outputs import run_folder


def add_copy_arguments(parser, run_name: str, what: str) -> None:
    """The model read, where its copy goes (--out, --runs), --export, --force and --corpora."""
    parser.add_argument("model", help="chat artifact, e.g. checkpoints/chat.npz (never rewritten)")
    parser.add_argument("--out", help=f"folder for the copy with {what} (default runs/{run_name})")
    parser.add_argument("--runs", help="runs root (default $SEQBOT_RUNS or runs/)")
    parser.add_argument("--export", help="copy the result here too, e.g. checkpoints/chat.npz")
    parser.add_argument("--force", action="store_true", help="let --export replace an existing file (kept as .bak-<time>)")
    parser.add_argument("--corpora")


def copy_path(args, run_name: str) -> Path:
    """Where the copy of args.model goes: its name in --out, else in runs/`run_name`; never the model itself."""
    source = Path(args.model)
    folder = Path(args.out) if args.out else run_folder(run_name, args.runs)
    output = folder / source.name
    if output.exists() and output.resolve() == source.resolve():
        raise SeqbotError(f"--out {folder} holds {source} itself; name another folder (the model is never rewritten)")
    return output


def numbers(kind):
    """An argparse type: comma-separated numbers of `kind` as a tuple."""
    def parse(text: str):
        try:
            return tuple(kind(item) for item in text.split(","))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    return parse
