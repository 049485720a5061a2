"""Temperature scaling and the calibration metrics (seqbot.engine.calibration), the engine applying an
artifact's temperature on every path, and calibrate_checkpoint writing it (NumPy only)."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.engine.calibration import (calibration_report, expected_calibration_error, fit_temperature, log_loss,
                                       with_temperature)
from seqbot.engine.classifier import NeuralClassifier, load_classifier
from seqbot.errors import CheckpointError
from seqbot.paths import checkpoints_dir


def sampled(temperature: float, n: int = 20000, seed: int = 0):
    """Probabilities whose logits are `temperature` times too large for labels drawn from the true ones."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 2, n)
    labels = (rng.random(n) < 1 / (1 + np.exp(-logits))).astype(int)
    shown = 1 / (1 + np.exp(-logits * temperature))
    return np.stack([1 - shown, shown], axis=1), labels


@pytest.mark.parametrize("true_temperature", [0.5, 1.0, 3.0])
def test_fit_temperature_recovers_how_over_or_under_confident_the_logits_are(true_temperature):
    probabilities, labels = sampled(true_temperature)
    assert fit_temperature(probabilities, labels) == pytest.approx(true_temperature, rel=0.08)


def test_temperature_keeps_the_ranking_and_lowers_the_log_loss_and_ece_of_an_overconfident_model():
    probabilities, labels = sampled(3.0)
    fixed = with_temperature(probabilities, fit_temperature(probabilities, labels))
    assert np.array_equal(fixed.argmax(axis=1), probabilities.argmax(axis=1))
    assert log_loss(fixed, labels) < log_loss(probabilities, labels) - 0.05
    assert expected_calibration_error(fixed, labels) < 0.02 < expected_calibration_error(probabilities, labels)
    assert np.allclose(with_temperature(probabilities, 1.0), probabilities)


def test_report_counts_texts_whose_right_class_reaches_70_percent():
    probabilities = np.array([[0.2, 0.8], [0.35, 0.65], [0.9, 0.1], [0.25, 0.75]])
    report = calibration_report(probabilities, np.array([1, 1, 1, 0]))
    assert report["accuracy"] == 0.5 and report["right_confident"] == 0.25
    assert report["log_loss"] == pytest.approx(-np.mean(np.log([0.8, 0.65, 0.1, 0.25])))
    with pytest.raises(ValueError):
        calibration_report(np.zeros((0, 2)), np.zeros(0, dtype=int))


def spam_rnn_artifact():
    path = checkpoints_dir() / "spam_rnn.npz"
    if not path.exists():
        pytest.skip("checkpoints/spam_rnn.npz is not here")
    return load_artifact(path)


def test_the_engine_applies_an_artifacts_temperature_on_every_path():
    artifact = spam_rnn_artifact()
    texts = ["WINNER!! claim your free prize now", "are we still on for lunch?", "call me"]
    plain = NeuralClassifier(artifact, "spam_rnn")
    artifact.config["temperature"] = 2.5
    warm = NeuralClassifier(artifact, "spam_rnn")
    expected = with_temperature(plain.probabilities_batch(texts), 2.5)
    assert np.allclose(warm.probabilities_batch(texts), expected, atol=1e-6)
    assert np.allclose(warm.probabilities(texts[0]), expected[0], atol=1e-6)
    assert warm.predict(texts[0]).probability == pytest.approx(expected[0].max(), abs=1e-6)
    artifact.config["temperature"] = -1
    with pytest.raises(CheckpointError, match="temperature"):
        NeuralClassifier(artifact, "spam_rnn")


def test_calibrate_checkpoint_writes_a_new_file_with_the_fitted_temperature(tmp_path):
    from seqbot.evaluation.calibration import calibrate_checkpoint

    source = tmp_path / "spam_rnn.npz"
    save_artifact(source, spam_rnn_artifact())
    before = source.read_bytes()
    texts = ["free entry win cash now", "txt STOP to claim your prize", "see you at 6", "ok thanks mum", "URGENT call now"]
    labels = [1, 1, 0, 0, 1]
    output = tmp_path / "out" / "spam_rnn.npz"
    fitted = calibrate_checkpoint(source, texts, labels, output, log=lambda line: None)
    assert source.read_bytes() == before
    calibrated = load_classifier(output)
    assert calibrated.temperature == calibrated.short_temperature == pytest.approx(fitted["temperature"], abs=1e-4)
    record = calibrated.metadata["calibration"]["temperature"]
    assert record["validation_texts"] == 5 and record["after"]["log_loss"] <= record["before"]["log_loss"] + 1e-6


def test_a_short_message_temperature_is_fitted_on_its_own_set_and_served_by_length(tmp_path):
    from seqbot.evaluation.calibration import calibrate_checkpoint

    source = tmp_path / "spam_rnn.npz"
    save_artifact(source, spam_rnn_artifact())
    long_texts = ["you have won a guaranteed cash prize call now to claim it today", "sorry i will be late tonight, "
                  "the bus is stuck in traffic again and my phone is dying", "free entry in a weekly competition to win "
                  "tickets text WIN now", "can you pick up some milk on your way home after work please"]
    short = (["free prize", "see you soon", "win cash now", "ok"], [1, 0, 1, 0])
    output = tmp_path / "calibrated.npz"
    fitted = calibrate_checkpoint(source, long_texts + short[0], [1, 0, 1, 0] * 2, output, short=short, short_words=3,
                                  log=lambda line: None)
    model = load_classifier(output)
    assert model.short_words == 3 and model.metadata["calibration"]["temperature"]["validation_texts"] == 4
    assert model.short_temperature == pytest.approx(fitted["short_temperature"], abs=1e-4) != model.temperature
    raw = model.probabilities_batch(["free prize", long_texts[0]], calibrated=False)
    served = model.probabilities_batch(["free prize", long_texts[0]])
    assert np.allclose(served[0], with_temperature(raw[:1], model.short_temperature)[0], atol=1e-6)
    assert np.allclose(served[1], with_temperature(raw[1:], model.temperature)[0], atol=1e-6)
    assert np.allclose(model.probabilities("free prize"), served[0], atol=1e-6)


def test_models_info_lists_each_fitted_temperature():
    from seqbot.commands.model_info import info_fields

    fit = {"value": 0.52, "validation_texts": 102, "before": {"log_loss": 0.39}, "after": {"log_loss": 0.35}}
    fields = info_fields({"calibration": {"short_temperature": fit, "fitted_on": "hand-checked snippets"}})
    assert fields["calibration"] == {"short temperature": "0.52 on 102 validation texts (log-loss 0.39 -> 0.35)",
                                     "fitted on": "hand-checked snippets"}
    assert "calibration" not in info_fields({})
