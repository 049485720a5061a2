"""Open the seqbot chat app (what `seqbot` with no subcommand does).

    seqbot                               translate mode, shipped checkpoints
    seqbot --mode chat                   start in chat mode
    seqbot --checkpoints DIR             use the models in DIR
    seqbot --no-classifiers              no side-panel classification

Conversations, input history and settings are kept in $SEQBOT_HOME (default
$XDG_DATA_HOME/seqbot, else ~/.local/share/seqbot); `seqbot history` lists them.

This module is imported for every `seqbot` command, so it imports nothing heavy: Textual is
imported only in run(), and the models load inside the app, after its first frame.
"""

from __future__ import annotations

import argparse

from seqbot.contract.shipped import MODES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("app options (when no command is given)")
    group.add_argument(
        "--checkpoints", metavar="DIR", default=None,
        help="folder of model checkpoints (default: $SEQBOT_CHECKPOINTS, then the shipped checkpoints/)",
    )
    group.add_argument("--mode", choices=MODES, default=MODES[0], help=f"mode to start in (default: {MODES[0]})")
    group.add_argument(
        "--no-classifiers", action="store_true",
        help="do not load the spam / sentiment / topic classifiers of the side panel",
    )


def run(args: argparse.Namespace) -> int:
    from seqbot.errors import SeqbotError
    from seqbot.paths import checkpoints_dir

    directory = checkpoints_dir(getattr(args, "checkpoints", None))
    if getattr(args, "checkpoints", None) and not directory.is_dir():
        raise SeqbotError(f"--checkpoints {directory}: no such folder (it should hold translator.npz and the other models)")

    from seqbot.app.app import SeqbotApp
    from seqbot.app.engines import EngineHub

    from seqbot.app.store import ConversationStore

    classify = not getattr(args, "no_classifiers", False)
    hub = EngineHub.from_checkpoints(directory, classifiers=classify)
    store, problem = None, None
    try:
        store = ConversationStore.open()
    except (OSError, SeqbotError) as error:  # the app still runs; it says why nothing is kept
        problem = f"{error}; this session is kept in memory only"
    app = SeqbotApp(hub, mode=getattr(args, "mode", None) or MODES[0], classify=classify,
                    store=store, store_problem=problem)
    try:
        app.run()
    finally:
        if store is not None:
            store.close()
    return 0
