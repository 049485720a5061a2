"""What a long conversation costs the app: resident memory per message and keypress latency.

Drives the real SeqbotApp headless (Textual's pilot: every frame is still laid out and rendered,
only not written to a terminal) on the shipped models (greedy, classifiers on, the conversation
kept in a throwaway store), sends --messages messages into one conversation, each answered before
the next, and reports:

- resident memory (VmRSS) after a few warm-up messages and after the N messages, and the growth
  per message;
- how long a key typed into the input takes to be shown: from the key's arrival to the first
  frame drawn with it in the input (median and worst of --keys keys), on the empty conversation
  (the baseline, in the same run) and after the N messages.

Issue 21 measured 0.8 MB a message (127 -> 370 MB over 300 messages) and a keypress shown after
0.17 s; the target is <= 0.1 MB a message and <= 0.1 s after 1,000 messages. --window N mounts up
to N turns (widgets/turn_list.py; default its WINDOW): a large N shows the cost of mounting all.

    python bench/bench_long_conversation.py                   # 1,000 messages
    python bench/bench_long_conversation.py --messages 30     # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "Thank you very much for your help.",
    "I would like a cup of tea, please.",
    "Where is the train station?",
    "My brother lives in a small house near the river.",
    "We are going to the beach tomorrow if the weather is nice.",
    "She reads a book every evening before going to bed.",
    "Win a free cruise now!",
    "I loved this movie, the acting was wonderful.",
    "Can you tell me what time it is?",
    "The children are playing in the garden.",
    "He forgot his keys at the office again.",
    "This soup is too hot to eat.",
]
WARM_UP = 5
KEYS = "abcdefghij"


def resident_mb() -> float:
    """This process's resident memory now (Linux's /proc); elsewhere its peak, which only grows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


async def send(app, pilot, text: str) -> None:
    """Type `text` (pasted) and Enter, and wait until its reply and verdicts are in."""
    from textual import events

    from seqbot.app.widgets.message_input import MessageInput

    count = len(app.turns)
    app.query_one(MessageInput).value = text
    enter = events.Key("enter", "\r")
    enter.set_sender(app)
    app._driver.send_message(enter)  # as the terminal driver delivers it (the pilot's press waits for much more)
    while not (len(app.turns) > count and app.turns[-1].finished and app.turns[-1].classified
               and app.active is None):
        await asyncio.sleep(0.002)


async def keypress_seconds(app, key: str) -> float:
    """Seconds from a key's arrival (as the terminal driver delivers it) to the first frame drawn
    with it in the input. Frames are timed where the app hands them to the terminal driver."""
    from textual import events

    from seqbot.app.widgets.message_input import MessageInput

    message_input = app.query_one(MessageInput)
    before = message_input.text
    shown: list[float] = []
    display = app._display

    def timed_display(screen, renderable) -> None:
        display(screen, renderable)
        if not shown and message_input.text != before:
            shown.append(time.perf_counter())

    app._display = timed_display
    try:
        event = events.Key(key, key)
        event.set_sender(app)
        started = time.perf_counter()
        app._driver.send_message(event)
        while not shown:
            if time.perf_counter() - started > 10:
                raise RuntimeError(f"the key {key!r} was not shown within 10 s")
            await asyncio.sleep(0.0005)
    finally:
        app._display = display
    return shown[0] - started


async def keypresses(app, pilot, count: int) -> list[float]:
    from seqbot.app.widgets.message_input import MessageInput

    await pilot.pause(0.3)  # let the last reply's redraws settle
    seconds = []
    for index in range(count):
        seconds.append(await keypress_seconds(app, KEYS[index % len(KEYS)]))
        await asyncio.sleep(0.05)  # a person types about 10 keys a second at most
    app.query_one(MessageInput).value = ""
    return seconds


async def run(checkpoints: Path, messages: int, keys: int, window: int | None) -> dict:
    from seqbot.app.app import Conversation, SeqbotApp
    from seqbot.app.engines import EngineHub
    from seqbot.app.store import ConversationStore
    from seqbot.app.widgets.turn_view import TurnView

    with tempfile.TemporaryDirectory() as home:
        store = ConversationStore.open(Path(home))
        app = SeqbotApp(EngineHub.from_checkpoints(checkpoints), store=store)
        async with app.run_test(size=(120, 40)) as pilot:
            if window is not None:
                app.query_one(Conversation).window = window
            for name in ("translator", "classifiers"):
                app.hub.get(name)  # loaded before anything is timed
            baseline_keys = await keypresses(app, pilot, keys)
            for index in range(WARM_UP):
                await send(app, pilot, SENTENCES[index % len(SENTENCES)])
            await pilot.pause(0.3)
            gc.collect()
            before = resident_mb()
            started = time.perf_counter()
            for index in range(messages):
                await send(app, pilot, SENTENCES[index % len(SENTENCES)])
                if (index + 1) % 100 == 0:
                    print(f"  {index + 1} messages, {resident_mb():.0f} MB, {time.perf_counter() - started:.0f} s",
                          file=sys.stderr)
            seconds = time.perf_counter() - started
            await pilot.pause(0.3)
            gc.collect()
            after = resident_mb()
            final_keys = await keypresses(app, pilot, keys)
            mounted = len(app.query(TurnView))
            answered = sum(turn.status == "done" for turn in app.turns)
        store.close()
    return {"before": before, "after": after, "seconds": seconds, "baseline_keys": baseline_keys,
            "final_keys": final_keys, "mounted": mounted, "answered": answered, "turns": WARM_UP + messages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000, help="messages sent after the warm-up (default 1,000)")
    parser.add_argument("--keys", type=int, default=20, help="keys timed before and after (default 20)")
    parser.add_argument("--window", type=int, default=None, help="turns mounted at most (default: the app's)")
    parser.add_argument("--checkpoints", default=None, help="checkpoint folder (default: the shipped one)")
    args = parser.parse_args()
    if args.messages < 1 or args.keys < 1:
        parser.error("--messages and --keys must be at least 1")

    from seqbot.paths import checkpoints_dir

    result = asyncio.run(run(checkpoints_dir(args.checkpoints), args.messages, args.keys, args.window))
    per_message = (result["after"] - result["before"]) / args.messages
    print(f"messages: {args.messages} after {WARM_UP} warm-up ({result['answered']} of {result['turns']} answered), "
          f"{result['seconds'] / args.messages * 1000:.0f} ms each; turns mounted at the end: {result['mounted']}")
    print(f"resident memory: {result['before']:.1f} MB -> {result['after']:.1f} MB, "
          f"{per_message:.3f} MB per message (target <= 0.1)")
    for label, seconds in (("empty conversation (baseline)", result["baseline_keys"]),
                           (f"after {args.messages} messages", result["final_keys"])):
        print(f"keypress shown, {label}: median {statistics.median(seconds) * 1000:.1f} ms, "
              f"worst {max(seconds) * 1000:.1f} ms of {len(seconds)} (target <= 100 ms)")


if __name__ == "__main__":
    main()
