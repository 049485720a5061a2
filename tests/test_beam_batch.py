"""decoding.decode on a batch: every sentence gets what it gets searched alone (tokens and
log-probability), with mixed lengths, both cells and both attention kinds, under both rule sets; its
caps and its candidate filter do what they say."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.tokens import END
from seqbot.engine.decoding import decode
from seqbot.engine.seq2seq import Seq2SeqModel, random_artifact


def beam_search_batch(model, source, width, max_lengths=None, allow=None, boundary_tokens=None, rules="fairseq"):
    return decode(model, source, DecodingConfig(beam=width), max_lengths=max_lengths, allow=allow,
                  boundary_tokens=boundary_tokens, rules=rules)


def refuse_nothing(sentence, tokens):
    return True


def _sources(model, seed, count=6):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 20, size=count)
    source = np.zeros((count, lengths.max()), dtype=np.int64)
    for row, length in enumerate(lengths):
        source[row, :length] = rng.integers(4, len(model.source_vocab), size=length)
    return source, lengths


@pytest.mark.parametrize("cell, attention, layout", [("gru", "dot", (False, 1, 1)), ("lstm", "bahdanau", (False, 1, 1)),
                                                     ("gru", "dot", (True, 1, 2))])
@pytest.mark.parametrize("width", [1, 3, 5])
@pytest.mark.parametrize("rules", ["fairseq", "chat"])
def test_batch_equals_one_by_one(cell, attention, layout, width, rules):
    bidirectional, encoder_layers, decoder_layers = layout
    for seed in range(2):
        model = Seq2SeqModel.from_artifact(random_artifact(
            cell=cell, attention=attention, seed=seed, end_bias=1.5, bidirectional=bidirectional,
            encoder_layers=encoder_layers, decoder_layers=decoder_layers))
        source, lengths = _sources(model, seed)
        # A filter that refuses nothing: width 1 goes through the beam search too.
        batch = beam_search_batch(model, source, width=width, allow=refuse_nothing, rules=rules)
        for row, hypothesis in enumerate(batch):
            alone = beam_search_batch(model, source[row:row + 1, :lengths[row]], width=width, allow=refuse_nothing,
                                      rules=rules)[0]
            assert list(hypothesis.tokens) == list(alone.tokens)
            assert hypothesis.log_prob == pytest.approx(alone.log_prob, abs=1e-4)


def test_caps_are_per_sentence():
    model = Seq2SeqModel.from_artifact(random_artifact(seed=3, end_bias=-5.0))  # rarely ends by itself
    source, _ = _sources(model, 3, count=3)
    hypotheses = beam_search_batch(model, source, width=3, max_lengths=np.array([4, 9, 100]))
    assert [len(h.tokens) for h in hypotheses][:2] == [4, 9]
    assert len(hypotheses[2].tokens) <= model.max_target_length


def test_filter_refuses_candidates():
    model = Seq2SeqModel.from_artifact(random_artifact(seed=4, end_bias=1.0))
    source, _ = _sources(model, 4, count=4)
    plain = beam_search_batch(model, source, width=3)
    banned = {int(h.tokens[0]) for h in plain if len(h.tokens)}
    asked = []

    def allow(sentence, tokens):
        asked.append(sentence)
        return int(tokens[0]) not in banned if len(tokens) else True

    filtered = beam_search_batch(model, source, width=3, allow=allow, boundary_tokens=range(4, len(model.target_vocab)))
    assert asked and set(asked) <= {0, 1, 2, 3}
    for hypothesis in filtered:
        assert not len(hypothesis.tokens) or int(hypothesis.tokens[0]) not in banned
    assert all(h.tokens.size == 0 or h.tokens[-1] != END for h in filtered)
