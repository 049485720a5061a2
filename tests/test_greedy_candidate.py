"""DecodingConfig.greedy_candidate: beam search keeps the greedy translation when the model scores it
higher than the beam's pick, so beam never returns something the model likes less than greedy's."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.tokens import SPECIALS
from seqbot.engine.decoding import Hypothesis, normalised_score, prefer_greedy
from seqbot.engine.seq2seq import random_artifact
from seqbot.engine.translator import Translator


def _hypothesis(log_prob, length, finished=True):
    return Hypothesis(np.arange(4, 4 + length, dtype=np.int32), log_prob, None, finished)


def test_the_higher_normalised_score_wins():
    # greedy: -6 over 11 scored tokens (-0.545); beam: -4 over 6 (-0.667) -> greedy
    greedy, beam = _hypothesis(-6.0, 10), _hypothesis(-4.0, 5)
    assert prefer_greedy(beam, greedy, alpha=1.0, penalty="average") is greedy
    # by log P alone (alpha 0) the shorter beam output is better
    assert prefer_greedy(beam, greedy, alpha=0.0, penalty="average") is beam


def test_an_unfinished_or_refused_greedy_never_replaces_the_beam():
    greedy, beam = _hypothesis(-1.0, 10, finished=False), _hypothesis(-40.0, 5)
    assert prefer_greedy(beam, greedy) is beam
    assert prefer_greedy(beam, _hypothesis(-1.0, 10), allowed=False) is beam


def test_a_finished_greedy_beats_an_unfinished_beam():
    assert prefer_greedy(_hypothesis(-1.0, 5, finished=False), greedy := _hypothesis(-9.0, 5)) is greedy


def _translator(seed: int) -> Translator:
    artifact = random_artifact(cell="gru", attention="dot", seed=seed, end_bias=1.0, scale=1.5)
    artifact.weights["output/bias"][SPECIALS.index("<unk>")] = -1e9  # every output token is then a character of the text
    return Translator(artifact)


@pytest.mark.parametrize("penalty, alpha", [("average", 1.0), ("gnmt", 0.6)])
def test_translations_keep_greedy_when_it_scores_higher(penalty, alpha):
    """Over random models and sentences: with the candidate, the translation is greedy's when greedy
    finished and either scores higher than the plain beam's or the beam ran into the length cap;
    otherwise it is the plain beam's."""
    texts = ["hello there", "where is the station?", "a cat, a dog.", "good night", "thanks a lot!"]
    settings = dict(beam=2, penalty=penalty, alpha=alpha, repetition_ngram=0, max_char_run=0)
    greedy_won = 0
    for seed in range(8):
        translator = _translator(seed)
        translator.decoding = DecodingConfig(**settings)
        plain = translator.translate_batch(texts)
        greedy = translator.translate_batch(texts, beam=1)
        translator.decoding = DecodingConfig(**settings, greedy_candidate=True)
        chosen = translator.translate_batch(texts)
        for text, ours, beam, first in zip(texts, chosen, plain, greedy):
            cap = translator._cap(translator.prepare(text), translator.decoding)
            finished = lambda result: len(result.text) < cap  # noqa: E731
            score = lambda result: normalised_score(result.log_prob, len(result.text) + finished(result), alpha, penalty)  # noqa: E731
            keep_greedy = finished(first) and (not finished(beam) or score(first) > score(beam) + 1e-6)
            if keep_greedy and first.text != beam.text:
                greedy_won += 1
                assert ours.text == first.text
            elif not keep_greedy:
                assert ours.text == beam.text
    assert greedy_won, "greedy never won here: the test would pass without the candidate"
