"""Teacher-forced reference scores (seqbot.engine.likelihood): on a model's own greedy output every
character is its top choice and the NLL is the search's own log-probability; smoothing mixes in the
uniform part by its formula.

    python -m pytest tests/test_likelihood.py -q
"""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.artifact import save_artifact
from seqbot.engine.likelihood import reference_scores
from seqbot.engine.seq2seq import random_artifact
from seqbot.engine.translator import Translator

TEXTS = ["hello there.", "how are you?", "a cat", "see you soon, my friend.", "thanks!", "where is it?", "good night.",
         "i am here.", "what time is it?", "no."]


@pytest.fixture(scope="module")
def translator(tmp_path_factory):
    artifact = random_artifact(attention="bahdanau", max_source_length=40, max_target_length=40, seed=7, end_bias=2.0)
    return Translator.load(save_artifact(tmp_path_factory.mktemp("ckpt") / "translator.npz", artifact))


def test_greedy_output_scores_as_the_search_scored_it(translator):
    from seqbot.contract.decoding import DecodingConfig
    from seqbot.engine import decoding

    results = translator.translate_batch(TEXTS, beam=1)
    # outputs that are their tokens exactly (a random model also writes <unk>, which the text leaves out)
    finished = [(text, result) for text, result in zip(TEXTS, results)
                if result.text and len(decoding.decode(translator.model, translator.prepare(text).ids[None, :],
                                                       DecodingConfig(beam=1), max_lengths=40)[0].tokens) == len(result.text)]
    assert len(finished) >= 2
    scores = reference_scores(translator, [(text, result.text) for text, result in finished], label_smoothing=0.0)
    assert scores.accuracy == pytest.approx(1.0)
    assert scores.characters == sum(len(result.text) + 1 for _, result in finished)  # <end> counted
    total = -sum(result.log_prob for _, result in finished)
    assert scores.nll * scores.characters == pytest.approx(total, rel=1e-4)
    assert scores.smoothed == pytest.approx(scores.nll)


def test_smoothing_mixes_the_uniform_part_by_its_formula(translator):
    pairs = [("hello there.", "bonjour !"), ("a cat", "un chat")]
    plain, smoothed = reference_scores(translator, pairs, 0.0), reference_scores(translator, pairs, 0.25)
    assert smoothed.nll == pytest.approx(plain.nll) and smoothed.uniform == pytest.approx(plain.uniform)
    assert smoothed.smoothed == pytest.approx(0.75 * plain.nll + 0.25 * plain.uniform)
    assert plain.uniform > np.log(len(translator.model.target_vocab)) - 1e-6  # mean -log p >= log V (Jensen)
    with pytest.raises(ValueError, match="label_smoothing"):
        reference_scores(translator, pairs, 1.0)
