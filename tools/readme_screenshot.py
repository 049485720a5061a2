"""The README's screenshot: the app on the shipped checkpoints, after one message, with the side panel
explaining each verdict (the words that moved it highlighted). Writes an SVG (Textual's own export).

    python tools/readme_screenshot.py                                   # docs/images/verdict-explained.svg
    python tools/readme_screenshot.py --message "..." --output FILE.svg --checkpoints DIR

Runs the real models in Textual's headless test driver at 110x34, so the figures in the picture are
those the shipped checkpoints give; rerun it after replacing a checkpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSAGE = "I loved this movie, the acting was wonderful."


async def screenshot(message: str, output: Path, checkpoints: Path, size=(110, 34)) -> None:
    from seqbot.app.app import SeqbotApp
    from seqbot.app.engines import EngineHub
    from seqbot.app.store import ConversationStore
    from seqbot.app.widgets.message_input import MessageInput

    with tempfile.TemporaryDirectory() as home:
        store = ConversationStore.open(Path(home))
        app = SeqbotApp(EngineHub.from_checkpoints(checkpoints), store=store)
        async with app.run_test(size=size) as pilot:
            for _ in range(1500):  # the models load in a worker
                if all(app.hub.status(name) not in ("loading", "not loaded") for name in app.hub.names):
                    break
                await pilot.pause(0.02)
            app.query_one(MessageInput).cursor_blink = False
            app.query_one(MessageInput).focus()
            app.query_one(MessageInput).text = message
            await pilot.press("enter")
            for _ in range(1500):
                if app.turns and app.turns[-1].finished and app.active is None:
                    break
                await pilot.pause(0.02)
            await pilot.pause(0.5)
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(app.export_screenshot(title="seqbot"), encoding="utf-8")
        store.close()
    print(f"wrote {output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--message", default=MESSAGE)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "images" / "verdict-explained.svg")
    parser.add_argument("--checkpoints", type=Path, help="checkpoint folder (default: the shipped checkpoints)")
    args = parser.parse_args()
    from seqbot.paths import checkpoints_dir

    asyncio.run(screenshot(args.message, args.output, checkpoints_dir(args.checkpoints)))


if __name__ == "__main__":
    main()
