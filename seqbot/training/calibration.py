"""Fit a classifier checkpoint's temperature on validation texts, scored by the NumPy engine as it serves them.

    calibrate_checkpoint("runs/classify-imdb_lstm_cnn_crops/imdb.npz", texts, labels, "runs/.../imdb.npz")

The IMDB recipes with `calibrate=True` call it on their validation texts after training (see
seqbot.engine.calibration for the metrics and the temperature fit). NumPy only: no TensorFlow here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqbot.engine.calibration import calibration_report, fit_temperature, with_temperature


def calibrate_checkpoint(path: str | Path, texts: list[str], labels: list[int], output: str | Path,
                         extra_metadata: dict | None = None, log=print) -> float:
    """Fit a temperature for the classifier at `path` on (texts, labels), scored by the NumPy engine
    exactly as it serves them, and write the artifact with that temperature to `output`. Label ids
    follow the checkpoint's label order. Returns the temperature."""
    from seqbot.artifact import load_artifact, save_artifact
    from seqbot.engine.classifier import NeuralClassifier

    artifact = load_artifact(path)
    if artifact.kind != "classifier":
        raise ValueError(f"{path} holds a {artifact.kind!r} model; only neural classifiers take a temperature")
    artifact.config.pop("temperature", None)  # fit on the raw logits, whatever the file had
    raw = NeuralClassifier(artifact, Path(path).stem).probabilities_batch(list(texts))
    labels = np.asarray(labels)
    temperature = fit_temperature(raw, labels)
    before = calibration_report(raw, labels)
    after = calibration_report(with_temperature(raw, temperature), labels)
    log(f"temperature {temperature:.3f} on {len(labels)} validation texts: log-loss {before['log_loss']:.4f} -> "
        f"{after['log_loss']:.4f}, ECE {before['ece']:.4f} -> {after['ece']:.4f}")
    artifact.config["temperature"] = round(temperature, 4)
    artifact.metadata["calibration"] = {"temperature": round(temperature, 4), "validation_texts": int(len(labels)),
                                        "before": rounded(before), "after": rounded(after), **(extra_metadata or {})}
    save_artifact(Path(output), artifact)
    return temperature


def rounded(report: dict) -> dict:
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in report.items()}
