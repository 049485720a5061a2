"""Beam search ranks finished hypotheses of different lengths by log P / length (or the GNMT penalty),
where length counts <end>: checked against numbers computed by hand on tiny hand-made models, not
with the code's own `Hypothesis.length`."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.contract.decoding import DecodingConfig
from seqbot.engine.decoding import Hypothesis, decode, normalised_score

PAD, START, END, UNKNOWN, A, B, C, D = range(8)


def beam_search(model, source, width, alpha, penalty) -> list[Hypothesis]:
    """decode's hypotheses of one sentence, best first."""
    return decode(model, source[None, :], DecodingConfig(beam=width, alpha=alpha, penalty=penalty), nbest=True)[0]


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


class LengthModel(HandModel):
    """A short and a long answer whose ranking depends on the length penalty.

    <start> -> a -0.5, b -0.6;  a -> <end> -0.5;  b -> c -0.2;  c -> d -0.2;  d -> <end> -0.3.
    Width 2: "a" finishes at step 2 with log P -1.0 (length 2 with <end>), "b c d" at step 4 with
    log P -1.3 (length 4). By hand:
        average, alpha 1:   "a" -1.0 / 2 = -0.5            "b c d" -1.3 / 4 = -0.325     -> "b c d"
        average, alpha 0:   "a" -1.0                       "b c d" -1.3                  -> "a"
        gnmt, alpha 1:      "a" -1.0 / (7 / 6) = -0.8571   "b c d" -1.3 / (9 / 6) = -0.8667 -> "a"
        gnmt, alpha 0.5:    "a" -1.0 / sqrt(7 / 6) = -0.9258   "b c d" -1.3 / sqrt(9 / 6) = -1.0614 -> "a"
    (gnmt without <end> in the length would rank "b c d" first: -1.3 / (8 / 6) = -0.975 > -1.0.)
    """

    TRANSITIONS = {START: {A: -0.5, B: -0.6}, A: {END: -0.5}, B: {C: -0.2}, C: {D: -0.2}, D: {END: -0.3}}


@pytest.mark.parametrize("penalty,alpha,first,first_score", [
    ("average", 1.0, [B, C, D], -0.325), ("average", 0.0, [A], -1.0),
    ("gnmt", 1.0, [A], -1.0 / (7 / 6)), ("gnmt", 0.5, [A], -1.0 / (7 / 6) ** 0.5)])
def test_the_length_penalty_decides_between_a_short_and_a_long_answer(penalty, alpha, first, first_score):
    hypotheses = beam_search(LengthModel(), np.array([4]), width=2, alpha=alpha, penalty=penalty)
    assert sorted(list(h.tokens) for h in hypotheses) == [[A], [B, C, D]]
    assert [h.log_prob for h in hypotheses] == pytest.approx([-1.0, -1.3] if first == [A] else [-1.3, -1.0], abs=1e-6)
    assert list(hypotheses[0].tokens) == first
    assert normalised_score(hypotheses[0].log_prob, hypotheses[0].length, alpha, penalty) == pytest.approx(first_score, abs=1e-6)


def test_gnmt_penalty_formula_at_a_fractional_alpha():
    # ((5 + 13) / 6) ** 0.5 = sqrt(3); (5 + length) ** alpha / (5 + 1) ** alpha is the same number.
    assert normalised_score(-6.0, 13, alpha=0.5, penalty="gnmt") == pytest.approx(-6.0 / 3 ** 0.5)
    assert normalised_score(-6.0, 13, alpha=0.5, penalty="gnmt") == pytest.approx(-6.0 * 6 ** 0.5 / 18 ** 0.5)
    assert normalised_score(-6.0, 13, alpha=0.0, penalty="gnmt") == -6.0
