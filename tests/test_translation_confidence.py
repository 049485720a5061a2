"""How sure the translator is (seqbot.engine.confidence): each character's probability is the model's,
checked against a teacher-forced reference forward pass; word scores, the length normalisation, the
beam's alternatives, and the calibrator's fit and round trip through an artifact. Random weights only.

    python -m pytest tests/test_translation_confidence.py -q
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_engine_seq2seq import reference_forward

from seqbot.artifact import load_artifact, save_artifact
from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.tokens import END, START
from seqbot.data.placeholders import Swap
from seqbot.engine import decoding
from seqbot.engine.confidence import (BEAM_FEATURES, GREEDY_FEATURES, Calibrator, ConfidenceFeatures,
                                      ConfidenceModel, auroc, binary_ece, word_scores)
from seqbot.engine.seq2seq import random_artifact
from seqbot.engine.translator import Translator, best_combinations
from seqbot.errors import CheckpointError, SeqbotError

SENTENCES = ["hello there.", "i love this movie, it is good.", "where is it?", "a", "yes. no. maybe so."]


def model_artifact(seed: int = 2):
    return random_artifact(seed=seed, end_bias=1.5, attention="dot", cell="gru", max_target_length=40,
                           target_chars="abcdefghijklmnopqrstuvwxyzéèàçT .,!?'")


def make_translator(seed: int = 2, **decoding_values) -> Translator:
    artifact = model_artifact(seed)
    artifact.config["decoding"] = DecodingConfig(**decoding_values).to_dict()
    return Translator(artifact)


@pytest.fixture(scope="module")
def translator() -> Translator:
    return make_translator()


def reference_log_probs(translator: Translator, result, seed: int = 2) -> np.ndarray:
    """Each scored token's log-probability (output characters, then <end>), teacher-forced through the
    reference forward pass (seqbot.engine.layers, written apart from the engine's decoder)."""
    tokens = [translator.model.target_vocab.index(char) for char in result.text]
    source = np.array([[translator.model.source_vocab.index(char) for char in result.source]])
    log_probs, _ = reference_forward(model_artifact(seed), source, np.array([[START] + tokens]))
    return np.array([log_probs[0, t, token] for t, token in enumerate(tokens + [END])], dtype=np.float64)


@pytest.mark.parametrize("beam", [1, 4])
def test_character_probabilities_are_the_models_own(translator, beam):
    """A planted change to the decoder's softmax, or to how scores become probabilities, fails here."""
    for sentence in SENTENCES[:3]:
        result = translator.translate(sentence, beam=beam)
        assert result.char_probs is not None and len(result.char_probs) == len(result.text)
        assert np.all((result.char_probs > 0) & (result.char_probs <= 1))
        expected = reference_log_probs(translator, result)
        np.testing.assert_allclose(result.char_probs, np.exp(expected[:-1]), rtol=1e-4, atol=1e-6)
        assert result.log_prob == pytest.approx(expected.sum(), rel=1e-4, abs=1e-4)  # <end> included


def test_length_normalisation_is_the_mean_log_probability_per_scored_token(translator):
    result = translator.translate(SENTENCES[1], beam=4)
    expected = reference_log_probs(translator, result)
    assert result.features.scored == len(result.text) + 1
    assert result.features.mean_log_prob == pytest.approx(expected.mean(), rel=1e-4)
    assert result.features.values()["mean_log_prob"] == pytest.approx(expected.mean(), rel=1e-4)


def test_greedy_batch_single_and_stream_give_the_same_scores(translator):
    batch = translator.translate_batch(SENTENCES, beam=1)
    for sentence, together in zip(SENTENCES, batch):
        alone = translator.translate(sentence, beam=1)
        streamed = translator.stream_scored(sentence)
        pieces, probabilities = [], []
        while True:
            try:
                piece, scores = next(streamed)
            except StopIteration as stop:
                final = stop.value
                break
            assert len(piece) == len(scores)
            pieces.append(piece)
            probabilities += scores
        assert together.text == alone.text == final.text == "".join(pieces)
        np.testing.assert_allclose(together.char_probs, alone.char_probs, rtol=1e-5)
        np.testing.assert_allclose(final.char_probs, probabilities, rtol=1e-5)
        np.testing.assert_allclose(final.char_probs, alone.char_probs, rtol=1e-5)


def test_beam_search_records_each_tokens_log_probability():
    model = make_translator().model
    source = np.array([[5, 6, 7, 8, 9, 10]])
    wide = DecodingConfig(beam=4)
    for hypotheses in (decoding.decode(model, source, wide, max_lengths=[30], keep_attention=True, nbest=True)[0],
                       decoding.decode(model, np.repeat(source, 2, axis=0), wide, max_lengths=[30, 30], nbest=True)[0],
                       decoding.decode(model, source, DecodingConfig(beam=1), max_lengths=30)):
        for hypothesis in hypotheses:
            assert len(hypothesis.token_log_probs) == hypothesis.length
            assert hypothesis.token_log_probs.sum() == pytest.approx(hypothesis.log_prob, abs=1e-9)


def test_a_restored_name_takes_its_stand_ins_scores(translator):
    prepared = translator.prepare("xavier is here")
    prepared.swaps = [Swap("Xavier", "Tom", ("Tom",))]
    chars = "Tom est"
    tokens = np.array([translator.model.target_vocab.index(char) for char in chars])
    scored = np.log(np.array([0.9, 0.5, 0.8, 0.7, 0.6, 0.95, 0.99, 0.9]))
    result = translator._translation(prepared, decoding.Hypothesis(tokens, float(scored.sum()), None, True, scored))
    assert result.text == "Xavier est"
    assert len(result.char_probs) == len(result.text)
    assert result.words[0].word == "Xavier" and result.words[0].score == pytest.approx(0.5)
    np.testing.assert_allclose(result.char_probs[-3:], [0.6, 0.95, 0.99])


def test_word_scores_are_the_minimum_of_their_characters():
    words = word_scores("l'homme est-ce, oui ?", np.array([0.9] * 7 + [1.0, 0.2] + [0.8] * 12))
    assert [w.word for w in words] == ["l'homme", "est-ce", "oui"]
    assert words[0].score == pytest.approx(0.9) and words[1].score == pytest.approx(0.2)
    assert (words[1].start, words[1].end) == (8, 14)
    with pytest.raises(ValueError, match="one probability per character"):
        word_scores("abc", np.array([0.5]))


def test_joined_sentences_keep_one_score_per_character(translator):
    result = translator.translate(SENTENCES[4], beam=1)
    assert len(result.char_probs) == len(result.text)
    pieces = [translator.translate(piece, beam=1) for piece in translator.segments(SENTENCES[4])]
    assert result.features.log_prob == pytest.approx(sum(piece.log_prob for piece in pieces))
    assert result.features.scored == sum(piece.features.scored for piece in pieces)


def test_alternatives_are_distinct_sorted_and_start_with_the_plain_translation():
    translator = make_translator(seed=5, beam=4, alpha=1.0, penalty="average")
    for sentence in SENTENCES:
        plain = translator.translate(sentence)
        found = translator.alternatives(sentence, 4)
        assert 1 <= len(found) <= 4
        assert found[0].text == plain.text
        texts = [result.text for result in found]
        assert len(set(texts)) == len(texts)
        scores = [result.score for result in found]
        assert scores == sorted(scores, reverse=True)
        if len(translator.segments(sentence)) == 1:
            for result in found:  # average / alpha 1: log P per scored token (<end> included when it ended)
                assert result.features.scored >= len(result.text)  # <unk> tokens are scored, not shown
                assert result.score == pytest.approx(result.log_prob / result.features.scored, rel=1e-6)
    with pytest.raises(SeqbotError, match="alternatives"):
        translator.alternatives("hello", 0)
    assert translator.alternatives("😀", 4) == []


def test_best_combinations_are_ranked_by_mean_score():
    options = [[(-0.1, "a"), (-0.5, "b")], [(-0.2, "x"), (-0.3, "y"), (-0.9, "z")]]
    found = best_combinations(options, 4)
    assert [picks for _, picks in found] == [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")]
    assert [score for score, _ in found] == pytest.approx([-0.15, -0.2, -0.35, -0.4])


def synthetic(count: int = 400, seed: int = 0):
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(count, len(BEAM_FEATURES)))
    truth = 1 / (1 + np.exp(-(0.5 + 2.0 * matrix[:, 0] - 1.0 * matrix[:, 6])))
    return matrix, rng.random(count) < truth, truth


def test_the_calibrator_fits_a_logistic_model_and_its_metrics():
    matrix, labels, truth = synthetic(4000)
    calibrator = Calibrator.fit(matrix, labels, BEAM_FEATURES)
    assert calibrator.weights[0] == pytest.approx(2.0, abs=0.25) and calibrator.weights[6] == pytest.approx(-1.0, abs=0.2)
    probabilities = calibrator.probabilities(matrix)
    assert np.abs(probabilities - truth).mean() < 0.03
    assert binary_ece(probabilities, labels) < 0.03
    assert auroc(probabilities, labels) == pytest.approx(auroc(truth, labels), abs=0.01)
    assert auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert auroc([0.5, 0.5], [0, 1]) == pytest.approx(0.5)
    assert binary_ece([0.05, 0.95], [0, 1]) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="good and bad"):
        Calibrator.fit(matrix[:50], np.ones(50), BEAM_FEATURES)


def test_the_calibrator_round_trips_through_the_artifact(tmp_path):
    matrix, labels, _ = synthetic()
    model = ConfidenceModel(Calibrator.fit(matrix[:, :len(GREEDY_FEATURES)], labels, GREEDY_FEATURES),
                            Calibrator.fit(matrix, labels, BEAM_FEATURES), fitted_on={"pairs": "synthetic"})
    artifact = random_artifact(seed=2, end_bias=1.5)
    artifact.config["confidence"] = model.to_config()
    save_artifact(tmp_path / "translator.npz", artifact)
    loaded = Translator.load(tmp_path / "translator.npz")
    for beam in (1, 4):
        result = loaded.translate("hello there.", beam=beam)
        calibrator = model.for_beam(beam)
        assert result.confidence == pytest.approx(calibrator.probability(result.features), rel=1e-12)
        assert 0 < result.confidence < 1
    assert Translator(random_artifact(seed=2)).translate("hello", beam=1).confidence is None
    damaged = load_artifact(tmp_path / "translator.npz")
    damaged.config["confidence"]["beam"]["weights"] = [1.0]
    with pytest.raises(CheckpointError, match="confidence calibrator"):
        Translator(damaged)


def test_features_of_greedy_have_no_margin_and_beam_ones_do(translator):
    greedy, beam = translator.translate("hello there.", beam=1), translator.translate("hello there.", beam=4)
    assert greedy.features.margin is None and beam.features.margin is not None and beam.features.margin >= 0
    with pytest.raises(ValueError, match="margin"):
        greedy.features.vector(BEAM_FEATURES)
    assert ConfidenceFeatures(-3.0, 3, -2.0, 5, 2, 0).values()["log_length_ratio"] == pytest.approx(math.log(3 / 6))


@pytest.mark.corpora
def test_train_calibrate_fits_the_shipped_translator_on_validation_pairs(real_corpora, tmp_path, capsys):
    """`seqbot train calibrate translator`: both calibrators fitted on the novel split's validation pairs
    (never the test pairs), stored in the artifact's config and used by the engine; weights untouched."""
    from seqbot.cli import main
    from seqbot.paths import default_checkpoint
    from seqbot.evaluation.translation_confidence import validation_pairs

    shipped = default_checkpoint("translator")
    if not shipped.exists():
        pytest.skip("no shipped translator")
    out = tmp_path / "calibrated.npz"
    assert main(["train", "calibrate", str(shipped), "--pairs", "60", "--corpora", str(real_corpora),
                 "--runs", str(tmp_path / "runs"), "--export", str(out)]) == 0
    assert "greedy (beam 1): 60 pairs" in capsys.readouterr().out
    calibrated, original = load_artifact(out), load_artifact(shipped)
    assert set(calibrated.config["confidence"]) >= {"greedy", "beam", "good"}
    assert calibrated.metadata["confidence_calibration"]["pairs"] == "novel split (validation)"
    assert all(np.array_equal(calibrated.weights[name], original.weights[name]) for name in original.weights)
    translator = Translator.load(out)
    assert 0 < translator.translate("Where is the station?", beam=1).confidence < 1
    assert 0 < translator.translate("Where is the station?").confidence < 1
    from seqbot.commands.eval_translate import novel_pairs

    test_english = {english for english, _ in novel_pairs(str(real_corpora), "test")}
    assert not test_english & {english for english, _ in validation_pairs(str(real_corpora), 60)}
