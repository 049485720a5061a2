"""What a reply costs in the app against the same decode in the engine (`seqbot translate`'s path).

For each text and decoding it times the engine alone (Translator.translate_batch, as
`seqbot translate` runs it; median of --runs), then the app answering the same text: the real
SeqbotApp on the same checkpoint, headless (Textual's pilot, so every redraw is still laid out
and rendered), from Enter to the finished reply, classifiers off. The app should cost what the
engine costs plus the UI: issue 21 measured 15.1 s in the app against 5.05 s for a 588-character
paragraph with beam 2, and 1.2-1.4 s for a 31-character sentence with beam 4 (59 ms in the engine).

    python bench/bench_app_decode.py                      # shipped translator, greedy / beam 2 / beam 4
    python bench/bench_app_decode.py --checkpoints DIR --runs 5 --beams 1,4
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

SENTENCE = "Thank you very much for your help."
PARAGRAPH = (
    "I went to the market this morning because we had nothing left to eat. The streets were quiet and the sun "
    "was already warm. At the corner, an old man was selling flowers and fresh bread. I bought two loaves and a "
    "bunch of tulips for my mother. Then I met my neighbour, who told me that the bakery would close next month. "
    "She was sad about it, and so was I. We talked for a while about the town and how it has changed. When I came "
    "home, my brother was still asleep on the sofa. I made coffee and we had breakfast together before noon. "
    "In the afternoon we walked down to the river."
)


def time_engine(translator, text: str, beam: int, runs: int) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        translator.translate_batch([text], beam=beam)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


async def time_app(checkpoints: Path, text: str, beam: int, runs: int) -> tuple[float, float]:
    """Median seconds from Enter to the finished reply, and the reply's own timer (turn.seconds)."""
    from seqbot.app.app import SeqbotApp
    from seqbot.app.engines import EngineHub
    from seqbot.app.widgets.message_input import MessageInput

    app = SeqbotApp(EngineHub.from_checkpoints(checkpoints, classifiers=False), classify=False)
    walls, timers = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        app.hub.get("translator")  # loaded before timing
        app.action_set_beam(beam)
        for _ in range(runs):
            count = len(app.turns)
            app.query_one(MessageInput).value = text
            started = time.perf_counter()
            await pilot.press("enter")
            while not (len(app.turns) > count and app.turns[-1].finished and app.active is None):
                await asyncio.sleep(0.005)
            walls.append(time.perf_counter() - started)
            timers.append(app.turns[-1].seconds or 0.0)
    return statistics.median(walls), statistics.median(timers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", default=None, help="checkpoint folder (default: the shipped one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--beams", default="1,2,4", help="decodings to time, comma-separated (1 = greedy)")
    args = parser.parse_args()

    from seqbot.engine.translator import Translator
    from seqbot.paths import checkpoints_dir

    checkpoints = checkpoints_dir(args.checkpoints)
    translator = Translator.load(checkpoints / "translator.npz")
    print(f"{'text':>10} {'decoding':>8} {'engine s':>9} {'app s':>8} {'app timer s':>11} {'app / engine':>12}")
    for name, text in (("sentence", SENTENCE), ("paragraph", PARAGRAPH)):
        for beam in (int(value) for value in args.beams.split(",")):
            engine = time_engine(translator, text, beam, args.runs)
            wall, timer = asyncio.run(time_app(checkpoints, text, beam, args.runs))
            decoding = "greedy" if beam == 1 else f"beam {beam}"
            print(f"{name:>10} {decoding:>8} {engine:9.3f} {wall:8.3f} {timer:11.3f} {wall / engine:11.2f}x")
    print(f"({len(SENTENCE)} and {len(PARAGRAPH)} characters; median of {args.runs}; the app's greedy streams "
          "sentence by sentence, which the engine decodes together)")


if __name__ == "__main__":
    main()
