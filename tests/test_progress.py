"""Progress lines: rewritten in place on a terminal, plain periodic lines in a log."""

from __future__ import annotations

import io

import numpy as np

from seqbot.commands.eval_classify import scored_with_progress
from seqbot.commands.progress import Progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_log_gets_a_plain_line_every_period_and_nothing_in_between():
    clock, log = Clock(), io.StringIO()
    progress = Progress("scoring imdb", 25_000, stream=log, every_seconds=10, clock=clock)
    for done, now in [(1000, 5), (2000, 10), (3000, 15), (4000, 70)]:
        clock.now = now
        progress.update(done)
    progress.finish()
    assert log.getvalue().splitlines() == ["seqbot: scoring imdb: 2,000/25,000 (8%), 10 s",
                                           "seqbot: scoring imdb: 4,000/25,000 (16%), 1 min 10 s"]


def test_a_terminal_line_is_rewritten_in_place_and_ended_once():
    clock, terminal = Clock(), Terminal()
    progress = Progress("scoring imdb", 100, stream=terminal, clock=clock)
    for done in (10, 50, 90):
        clock.now += 1
        progress.update(done)
    progress.finish()
    text = terminal.getvalue()
    assert text.count("\r\x1b[K") == 4 and text.count("\n") == 1
    assert text.endswith("100/100 (100%), 3 s\n")


def test_scoring_in_chunks_gives_the_same_probabilities():
    class Model:
        labels = ["a", "b"]

        def probabilities_batch(self, texts):
            return np.array([[len(t) / 10, 1 - len(t) / 10] for t in texts])

    texts = ["x" * (i % 10) for i in range(25)]
    np.testing.assert_array_equal(scored_with_progress(Model(), texts, "m", chunk=4), Model().probabilities_batch(texts))
