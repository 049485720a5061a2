"""Beam search ranks finished hypotheses of different lengths by log P / length, where length counts
<end>: checked against numbers computed by hand on a tiny hand-made model, not with the code's own
`Hypothesis.length`."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.engine.decoding import Hypothesis, beam_search

PAD, START, END, UNKNOWN, A, B, C, D = range(8)


class _State:
    mask = np.ones((1, 1), dtype=bool)  # one source step

    def select(self, rows):
        return self


class HandModel:
    """Next-token log-probabilities that depend on the previous token only (unlisted ones: -30).

    <start> -> a -0.7, b -0.7;  a -> <end> -0.3, d -1.4;  b -> c -0.6, d -0.8;
    c -> <end> -0.5, d -0.9;  d -> d 0.0.
    Width 2, by hand: step 1 ranks "a <end>" -1.0, "b c" -1.3, "b d" -1.5, "a d" -2.1, so "a" finishes
    at log P -1.0; step 2 ranks "b d d" -1.5, "b c <end>" -1.8, so "b c" finishes at log P -1.8 and
    two hypotheses have finished. Scores (average, alpha 1), <end> counted:
        "a":   -1.0 / 2 = -0.5       "b c": -1.8 / 3 = -0.6      -> "a" first;
    without counting <end> they would be -1.0 and -0.9, and "b c" would come first.
    """

    target_vocab = ["<pad>", "<start>", "<end>", "<unk>", "a", "b", "c", "d"]
    max_target_length = 6
    TRANSITIONS = {START: {A: -0.7, B: -0.7}, A: {END: -0.3, D: -1.4}, B: {C: -0.6, D: -0.8},
                   C: {END: -0.5, D: -0.9}, D: {D: 0.0}}

    def __init__(self):
        self.table = np.full((8, 8), -30.0, dtype=np.float32)
        for previous, nexts in self.TRANSITIONS.items():
            for token, log_prob in nexts.items():
                self.table[previous, token] = log_prob

    def encode(self, source_ids):
        return _State()

    def step(self, token_ids, state):
        return self.table[np.asarray(token_ids)].copy(), state, None


def test_finished_hypotheses_are_ranked_with_end_counted_in_the_length():
    hypotheses = beam_search(HandModel(), np.array([4]), width=2, alpha=1.0, penalty="average")
    assert [list(h.tokens) for h in hypotheses] == [[A], [B, C]]
    assert [h.finished for h in hypotheses] == [True, True]
    assert hypotheses[0].log_prob == pytest.approx(-1.0, abs=1e-6)
    assert hypotheses[1].log_prob == pytest.approx(-1.8, abs=1e-6)


def test_length_counts_end_only_when_the_hypothesis_finished():
    assert Hypothesis(tokens=np.array([A, B, C]), log_prob=-1.0, attention=None, finished=True).length == 4
    assert Hypothesis(tokens=np.array([A, B, C]), log_prob=-1.0, attention=None, finished=False).length == 3
    assert Hypothesis(tokens=np.array([], dtype=np.int32), log_prob=-0.1, attention=None, finished=True).length == 1
