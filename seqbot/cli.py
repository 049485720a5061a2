"""The `seqbot` command. With no subcommand it opens the chat app.

    seqbot                        open the app on the shipped checkpoints
    seqbot translate "Hello."     translate from the command line
    seqbot --help                 list every subcommand

Each subcommand lives in `seqbot/commands/<name>.py` with `add_arguments(parser)` and
`run(args) -> int`; register it in COMMANDS (or a group) below.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib.util import find_spec

from seqbot import __version__
from seqbot.errors import SeqbotError

# name -> (module, one-line help). Groups map to {subname: (module, help)}.
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("seqbot.commands.generate", "generate Shakespeare-like text with the RNN language model"),
    "chat": ("seqbot.commands.chat", "reply to messages with the dialogue seq2seq model"),
    "translate": ("seqbot.commands.translate", "translate English to French (arguments, or each line of stdin)"),
    "data": ("seqbot.commands.data", "list the corpora (where, size, records, checksum) and fetch them"),
    "classify": ("seqbot.commands.classify", "run the spam / sentiment / topic classifiers on messages"),
    "models": ("seqbot.commands.models", "the lecture's classifier architectures and their parameter tables"),
    "history": ("seqbot.commands.history", "list, search and export the conversations the app kept"),

}
GROUPS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "train": ("train a model and export it as a checkpoint (needs the training extra: pip install -e \".[train]\")", {
        "translate": ("seqbot.commands.train_translate", "train the English-to-French translator on fra-eng"),
        "generate": ("seqbot.commands.train_generate", "train the text generator (SimpleRNN / LSTM, char or word)"),
        "chat": ("seqbot.commands.train_chat", "train the dialogue seq2seq model on Friends + chatterbot-corpus"),
        "classify": ("seqbot.commands.train_classify", "train a classifier (spam, Reuters, IMDB, NSMC, Naive Bayes)"),
        "calibrate": ("seqbot.commands.train_calibrate", "fit a classifier's temperature or a translator's confidence on validation data"),
    }),
    "eval": ("evaluate a checkpoint on held-out data", {
        "translate": ("seqbot.commands.eval_translate", "score the translator: chrF, BLEU, exact match, char accuracy"),
        "classify": ("seqbot.commands.eval_classify", "score classifiers: accuracy, macro-F1, spam precision/recall"),
        "sentiment": ("seqbot.commands.eval_sentiment", "sentiment on reviews and short messages: accuracy, log-loss, calibration"),
        "chat": ("seqbot.commands.eval_chat", "score the chat model: distinct replies, distinct-1/2, hits@1 of 10, perplexity"),
    }),
}
APP_MODULE = "seqbot.commands.app"
# Installed only by the `train` extra; the base install is inference only.
TRAINING_MODULES = ("tensorflow", "keras", "tensorboard", "scipy", "yaml", "chatterbot_corpus")
TRAINING_HINT = 'this needs the training libraries, which the base install leaves out: pip install -e ".[train]"'


def _add_command(subparsers, name: str, module_name: str, help_text: str, training: bool = False) -> None:
    module = importlib.import_module(module_name)
    parser = subparsers.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip(),
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    module.add_arguments(parser)
    parser.set_defaults(_run=module.run, _training=training)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqbot",
        description="English-to-French character-level translation chat, with the RNN lecture's classifiers.",
    )
    parser.add_argument("--version", action="version", version=f"seqbot {__version__}")
    try:
        app = importlib.import_module(APP_MODULE)
    except ModuleNotFoundError:
        app = None
    if app is not None:
        app.add_arguments(parser)
        parser.set_defaults(_run=app.run)
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        _add_command(subparsers, name, module_name, help_text)
    for group, (help_text, members) in GROUPS.items():
        if not members:
            continue
        group_parser = subparsers.add_parser(group, help=help_text, description=help_text)
        group_subparsers = group_parser.add_subparsers(title="what", metavar="WHAT", required=True)
        for name, (module_name, member_help) in members.items():
            _add_command(group_subparsers, name, module_name, member_help, training=group == "train")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help()
        return 0
    if getattr(args, "_training", False) and find_spec("tensorflow") is None:
        print(f"seqbot: error: {TRAINING_HINT}", file=sys.stderr)
        return 2
    try:
        return int(run(args) or 0)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in TRAINING_MODULES:
            raise
        print(f"seqbot: error: {TRAINING_HINT} ({error.name} is missing)", file=sys.stderr)
        return 2
    except SeqbotError as error:
        print(f"seqbot: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("seqbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
