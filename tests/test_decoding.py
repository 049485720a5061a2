"""decoding.decode, greedy, beam and streaming: the properties that must hold whatever the weights."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.tokens import END, START
from seqbot.engine import decoding
from seqbot.engine.seq2seq import DecoderState, Seq2SeqModel, random_artifact
from seqbot.errors import SeqbotError


def model_and_sources(cell="lstm", attention="bahdanau", end_bias=1.5, seed=0, lengths=(9, 3, 12, 6, 1), scale=0.5):
    model = Seq2SeqModel.from_artifact(random_artifact(cell=cell, attention=attention, end_bias=end_bias, seed=seed,
                                                       max_target_length=25, scale=scale))
    rng = np.random.default_rng(seed)
    sources = [rng.integers(4, len(model.source_vocab), size=length) for length in lengths]
    return model, sources


def greedy_search(model, sources, max_length=None) -> list[decoding.Hypothesis]:
    """decode's greedy over (batch, steps) sources."""
    return decoding.decode(model, sources, DecodingConfig(beam=1), max_lengths=max_length)


def beam_search(model, source, width, alpha=1.0, penalty="average", max_length=None, on_step=None, force_beam=False):
    """decode's beam search over one sentence (steps,): its hypotheses, best first; `on_step` sees
    the best so far after each step. `force_beam`: width 1 through the beam search, not greedy's argmax."""
    config = DecodingConfig(beam=width, alpha=alpha, penalty=penalty)
    allow = (lambda sentence, tokens: True) if force_beam else None  # a filter that refuses nothing
    report = None if on_step is None else (lambda step: on_step(step.best(0)))
    return decoding.decode(model, source[None, :], config, max_lengths=max_length, allow=allow, boundary_tokens=(),
                           keep_attention=True, nbest=True, on_step=report)[0]


def stream_greedy(model, source):
    """(token, attention row) of each step of decode's greedy on one sentence, <end> left out."""
    steps = []
    decoding.decode(model, source[None, :], DecodingConfig(beam=1), on_step=steps.append)
    return [(int(step.tokens[0]), None if step.attention is None else step.attention[0])
            for step in steps if step.tokens[0] != END]


def forced_log_prob(model, source, tokens, finished=True):
    """Score a token sequence by teacher forcing it through model.step."""
    state = model.encode(source[None, :])
    total, previous = 0.0, START
    for token in list(tokens) + ([END] if finished else []):
        log_probs, state, _ = model.step(np.array([previous]), state)
        total += float(log_probs[0, token])
        previous = token
    return total


class MarkovModel:
    """A hand-made model (encode/step/select) whose next-token probabilities depend on the last token only.

    After <start>: "a" 0.55, "b" 0.45. After "a": eight tokens at about 0.12 each; after any of those, <end>.
    After "b": <end> 0.95, "a" 0.05. Greedy takes "a" and ends at log(0.55 * 0.12); beam finds "b" (0.45 * 0.95).
    """

    target_vocab = ["<pad>", "<start>", "<end>", "<unk>", "a", "b"] + list("cdefghij")
    max_target_length = 6

    def __init__(self):
        size = len(self.target_vocab)
        table = np.full((size, size), 1e-6)
        table[START, 4], table[START, 5] = 0.55, 0.45
        table[4, 6:14] = 0.12
        table[5, END], table[5, 4] = 0.95, 0.05
        table[6:14, END] = 0.9
        table[END, END] = 1.0
        self.log_table = np.log(table / table.sum(axis=1, keepdims=True)).astype(np.float32)

    def encode(self, source_ids):
        source_ids = np.asarray(source_ids)
        return DecoderState(rnn_state=[np.zeros((source_ids.shape[0], 1), np.float32)], mask=source_ids != 0)

    def step(self, token_ids, state):
        return self.log_table[np.asarray(token_ids)], state, None


def test_beam_search_finds_a_better_sentence_than_greedy_on_a_constructed_case():
    model = MarkovModel()
    source = np.array([5, 6])
    greedy = greedy_search(model, source[None, :])[0]
    assert list(greedy.tokens[:1]) == [4], "greedy must take the locally best first token"
    best = beam_search(model, source, width=3)[0]
    assert list(best.tokens) == [5]
    assert best.finished
    score = lambda h: decoding.normalised_score(h.log_prob, h.length)
    assert score(best) > score(greedy) + 0.3
    np.testing.assert_allclose(best.log_prob, np.log(0.45 * 0.95), atol=1e-4)


@pytest.mark.parametrize("cell,attention", [("lstm", "bahdanau"), ("gru", "dot"), ("lstm", "none")])
def test_beam_width_one_is_greedy(cell, attention):
    model, sources = model_and_sources(cell, attention)
    for source in sources:
        greedy = greedy_search(model, source[None, :])[0]
        beam = beam_search(model, source, width=1, force_beam=True)
        assert len(beam) == 1
        np.testing.assert_array_equal(beam[0].tokens, greedy.tokens)
        assert beam[0].finished == greedy.finished
        assert beam[0].log_prob == pytest.approx(greedy.log_prob, abs=1e-4)
        if attention != "none":
            np.testing.assert_allclose(beam[0].attention, greedy.attention, atol=1e-6)


def test_beam_hypotheses_are_ranked_and_scored_consistently():
    model, sources = model_and_sources(end_bias=2.5, seed=4)
    for alpha, penalty in [(1.0, "average"), (0.6, "gnmt")]:
        hypotheses = beam_search(model, sources[0], width=4, alpha=alpha, penalty=penalty)
        scores = [decoding.normalised_score(h.log_prob, h.length, alpha, penalty) for h in hypotheses]
        assert scores == sorted(scores, reverse=True)
        assert len(hypotheses) >= 4
        for hypothesis in hypotheses[:3]:
            assert hypothesis.log_prob == pytest.approx(
                forced_log_prob(model, sources[0], hypothesis.tokens, hypothesis.finished), abs=1e-3)
            assert hypothesis.attention.shape == (len(hypothesis.tokens), len(sources[0]))
            np.testing.assert_allclose(hypothesis.attention.sum(axis=1), 1.0, atol=1e-5)


def test_normalised_score_formulas():
    assert decoding.normalised_score(-6.0, 3, alpha=1.0) == pytest.approx(-2.0)
    assert decoding.normalised_score(-6.0, 3, alpha=0.0) == pytest.approx(-6.0)
    assert decoding.normalised_score(-6.0, 7, alpha=1.0, penalty="gnmt") == pytest.approx(-3.0)
    with pytest.raises(SeqbotError, match="length penalty"):
        decoding.normalised_score(-1.0, 1, penalty="shortest")
    with pytest.raises(ValueError, match="beam width must be a whole number from 1"):
        beam_search(MarkovModel(), np.array([4]), width=0)


@pytest.mark.parametrize("cell,attention,seed,end_bias", [("lstm", "bahdanau", 5, 1.0), ("gru", "none", 4, 2.0)])
def test_batched_greedy_equals_one_by_one(cell, attention, seed, end_bias):
    # Seeds chosen so rows finish at different steps: the batch drops finished rows on the way.
    model, sources = model_and_sources(cell, attention, end_bias, seed, lengths=(9, 3, 12, 6, 1, 7, 2, 10), scale=1.0)
    batch = np.zeros((len(sources), max(map(len, sources))), dtype=np.int64)
    for row, source in enumerate(sources):
        batch[row, : len(source)] = source
    together = greedy_search(model, batch)
    lengths = {len(h.tokens) for h in together}
    assert len(lengths) > 2, "the case should mix short and long outputs"
    for source, hypothesis in zip(sources, together):
        alone = greedy_search(model, source[None, :])[0]
        np.testing.assert_array_equal(hypothesis.tokens, alone.tokens)
        assert hypothesis.finished == alone.finished
        assert hypothesis.log_prob == pytest.approx(alone.log_prob, abs=1e-4)
        assert hypothesis.log_prob == pytest.approx(forced_log_prob(model, source, alone.tokens, alone.finished), abs=1e-3)
        if attention != "none":
            np.testing.assert_allclose(hypothesis.attention[:, : len(source)], alone.attention, atol=1e-5)


def test_greedy_stops_at_max_length_without_end():
    model, sources = model_and_sources(end_bias=-50.0)
    hypothesis = greedy_search(model, sources[0][None, :], max_length=7)[0]
    assert len(hypothesis.tokens) == 7 and not hypothesis.finished
    assert beam_search(model, sources[0], width=3, max_length=7)[0].finished is False


def test_streaming_yields_exactly_the_greedy_output():
    model, sources = model_and_sources(cell="gru", attention="dot", end_bias=0.5, seed=2)
    for source in sources:
        streamed = list(stream_greedy(model, source))
        greedy = greedy_search(model, source[None, :])[0]
        assert [token for token, _ in streamed] == list(greedy.tokens)
        for (_, row), expected in zip(streamed, greedy.attention):
            np.testing.assert_array_equal(row, expected)


def test_pad_and_start_are_never_emitted_even_when_most_likely():
    artifact = random_artifact(attention="dot", max_target_length=10, seed=3)
    artifact.weights["output/bias"][[0, 1]] += 50.0  # <pad>, <start>
    model = Seq2SeqModel.from_artifact(artifact)
    source = np.array([5, 6, 7])
    outputs = [greedy_search(model, source[None, :])[0].tokens, beam_search(model, source, width=3)[0].tokens,
               [token for token, _ in stream_greedy(model, source)]]
    for tokens in outputs:
        assert len(tokens) > 0 and not set(np.asarray(tokens).tolist()) & {0, 1}


def test_beam_progress_reports_the_best_so_far_which_can_be_overtaken():
    # Step 1: "a" (0.55) leads "b" (0.45); step 2: "b" then <end> finishes at a better score than any "a x".
    reported = []
    best = beam_search(MarkovModel(), np.array([5, 6]), width=3, on_step=reported.append)[0]
    assert [list(h.tokens) for h in reported] == [[4], [5], [5]]
    assert [h.finished for h in reported] == [False, True, True]
    assert list(best.tokens) == [5] and reported[-1].log_prob == best.log_prob


@pytest.mark.parametrize("cell,attention,seed,end_bias,alpha,penalty",
                         [("lstm", "bahdanau", 3, 3.0, 1.0, "average"), ("gru", "dot", 6, 2.0, 0.6, "gnmt")])
def test_beam_progress_hook_ends_on_the_result_and_each_report_is_the_best_so_far(cell, attention, seed, end_bias,
                                                                                   alpha, penalty):
    # Seeds chosen so some searches end at <end> and some at max_length, and the best changes on the way.
    model, sources = model_and_sources(cell, attention, end_bias=end_bias, seed=seed, scale=1.0)
    score = lambda h: decoding.normalised_score(h.log_prob, h.length, alpha, penalty)
    overtaken = 0
    for source in sources:
        reported = []
        result = beam_search(model, source, width=4, alpha=alpha, penalty=penalty, on_step=reported.append)
        plain = beam_search(model, source, width=4, alpha=alpha, penalty=penalty)
        assert [(list(h.tokens), h.log_prob) for h in result] == [(list(h.tokens), h.log_prob) for h in plain]
        last = reported[-1]
        assert (list(last.tokens), last.log_prob, last.finished) == (list(result[0].tokens), result[0].log_prob, result[0].finished)
        for step, partial in enumerate(reported):  # the report after step `step` (0-based)
            # An alive beam has one token per step; a finished hypothesis ended at an earlier step.
            assert len(partial.tokens) == step + 1 if not partial.finished else len(partial.tokens) <= step
            assert partial.log_prob == pytest.approx(forced_log_prob(model, source, partial.tokens, partial.finished), abs=1e-3)
            if attention != "none":
                assert partial.attention.shape == (len(partial.tokens), len(source))
            # No hypothesis that had finished by then scores better.
            done_by_then = [h for h in result if h.finished and len(h.tokens) <= step]
            assert all(score(partial) >= score(h) for h in done_by_then)
        overtaken += sum(list(after.tokens[:len(before.tokens)]) != list(before.tokens)
                         for before, after in zip(reported, reported[1:]))
        streamed = decoding.decode_steps(model, source[None, :], DecodingConfig(beam=4, alpha=alpha, penalty=penalty))
        assert [list(step.best(0).tokens) for step in streamed] == [list(h.tokens) for h in reported]
    assert overtaken > 0, "the case should show a best hypothesis overtaken, not only grown"
