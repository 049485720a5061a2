"""List, search and export the conversations the app kept (in $SEQBOT_HOME, else
$XDG_DATA_HOME/seqbot, else ~/.local/share/seqbot).

examples:
  seqbot history                          every conversation, newest first
  seqbot history --search cruise          only those whose messages or replies mention it
  seqbot history --export 3               conversation 3 as Markdown and JSON (in the data folder)
  seqbot history --export 3 --format json --to .
"""

from __future__ import annotations

import argparse
import sys
import time

FORMATS = ("md", "json", "both")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--search", metavar="WORDS", default="", help="only conversations that contain these words")
    parser.add_argument("--export", metavar="ID", type=int, help="write conversation ID to files (see --format, --to)")
    parser.add_argument("--format", choices=FORMATS, default="both", help="export format (default: both)")
    parser.add_argument("--to", metavar="DIR", default=None,
                        help="folder for exports (default: the exports folder in the data folder)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from seqbot.app.conversation import conversation_to_json, conversation_to_markdown, write_export
    from seqbot.app.store import DATABASE_NAME, ConversationStore, data_dir
    from seqbot.errors import SeqbotError

    folder = data_dir()
    if not (folder / DATABASE_NAME).exists():
        if args.export is not None:
            raise SeqbotError(f"there is no conversation {args.export}: none are kept yet (in {folder / DATABASE_NAME})")
        print(f"No conversations yet (they are kept in {folder / DATABASE_NAME}).")
        return 0
    store = ConversationStore.open(folder)
    try:
        if args.export is None:
            summaries = store.conversations(args.search)
            if not summaries:
                print(f"No conversation mentions {args.search!r}." if args.search.strip() else "No conversations yet.")
                return 0
            for summary in summaries:
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(summary.updated))
                title = " ".join(summary.title.split())
                print(f"{summary.id:>5}  {when}  {summary.messages:>3} message{'s' if summary.messages != 1 else ' '}  {title}")
            print(f"({len(summaries)} conversation{'s' if len(summaries) != 1 else ''} in {store.path}; "
                  "export one with: seqbot history --export ID)", file=sys.stderr)
            return 0
        if not store.exists(args.export):
            raise SeqbotError(f"there is no conversation {args.export}; `seqbot history` lists them")
        turns = [turn for _, turn in store.turns(args.export)]
        renderers = {"md": conversation_to_markdown, "json": conversation_to_json}
        chosen = renderers if args.format == "both" else {args.format: renderers[args.format]}
        directories = [Path(args.to).expanduser()] if args.to else None
        stamp = f"{args.export}-" + time.strftime("%Y%m%d-%H%M%S")
        for suffix, render in chosen.items():
            try:
                path = write_export(render(turns), suffix, directories, stamp)
            except OSError as error:
                raise SeqbotError(str(error)) from None
            print(path)
        return 0
    finally:
        store.close()
