"""Fit a classifier checkpoint's temperature on validation texts, scored by the NumPy engine as it serves them.

    calibrate_checkpoint(path, texts, labels, output)                        # one temperature
    calibrate_checkpoint(path, texts, labels, output, short=(messages, hand_labels))   # and one for short messages
    calibrate_classifier(config, data, corpora, path, output)               # a recipe's own validation texts

The recipes with `calibrate=True` (the IMDB ones) are calibrated on their validation texts
(seqbot.training.classify.calibration_texts) after training: `seqbot train classify` hands
calibrate_classifier to the trainer, and `seqbot train calibrate` calls it on a checkpoint (see
seqbot.engine.calibration for the metrics and the temperature fit). NumPy only: no TensorFlow here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqbot.contract import keys
from seqbot.data.short_messages import MAX_WORDS
from seqbot.engine.calibration import calibration_report, fit_temperature, with_temperature


def calibrate_classifier(config, data, corpora: str | None, path: str | Path, output: str | Path, log=print) -> dict:
    """Fit the temperature(s) of the classifier at `path`, trained by recipe `config` (a
    seqbot.training.classify.ClassifyConfig) on `data`, on the recipe's validation texts; write the
    calibrated artifact to `output` (it may be `path`). Returns what calibrate_checkpoint returns."""
    from seqbot.training.classify import calibration_texts

    chosen = calibration_texts(config, data, corpora, log)
    return calibrate_checkpoint(path, chosen.texts, chosen.labels, output, {"fitted_on": chosen.fitted_on},
                                short=chosen.short, log=log)


def calibrate_checkpoint(path: str | Path, texts: list[str], labels: list[int], output: str | Path,
                         extra_metadata: dict | None = None, short: tuple[list[str], list[int]] | None = None,
                         short_words: int = MAX_WORDS, log=print) -> dict:
    """Fit temperatures for the classifier at `path`, scored by the NumPy engine exactly as it serves
    texts, and write the artifact with them to `output`. Without `short`: one temperature fitted on
    (texts, labels). With `short` (messages of at most `short_words` words whose labels say what the
    message itself says): the temperature of longer texts is fitted on the texts of (texts, labels)
    longer than that, and a short-message temperature on `short`. Label ids follow the checkpoint's
    label order. Returns {"temperature": ..., ("short_temperature": ...)}."""
    from seqbot.artifact import load_artifact, save_artifact
    from seqbot.engine.classifier import NeuralClassifier

    artifact = load_artifact(path)
    if artifact.kind != "classifier":
        raise ValueError(f"{path} holds a {artifact.kind!r} model; only neural classifiers take a temperature")
    for key in keys.TEMPERATURES:  # fit on the raw logits, whatever the file had
        artifact.config.pop(key, None)
    classifier = NeuralClassifier(artifact, Path(path).stem)
    sets = {keys.TEMPERATURE: (list(texts), list(labels))}
    if short is not None:
        long_rows = [i for i, text in enumerate(texts) if len(text.split()) > short_words]
        sets = {keys.TEMPERATURE: ([texts[i] for i in long_rows], [labels[i] for i in long_rows]),
                keys.SHORT_TEMPERATURE: (list(short[0]), list(short[1]))}
    fitted, record = {}, {}
    for key, (set_texts, set_labels) in sets.items():
        raw = classifier.probabilities_batch(set_texts)
        set_labels = np.asarray(set_labels)
        fitted[key] = temperature = fit_temperature(raw, set_labels)
        before = calibration_report(raw, set_labels)
        after = calibration_report(with_temperature(raw, temperature), set_labels)
        log(f"{key.replace('_', ' ')} {temperature:.3f} on {len(set_labels)} validation texts: log-loss "
            f"{before['log_loss']:.4f} -> {after['log_loss']:.4f}, ECE {before['ece']:.4f} -> {after['ece']:.4f}")
        artifact.config[key] = round(temperature, 4)
        record[key] = {"value": round(temperature, 4), "validation_texts": int(len(set_labels)),
                       "before": rounded(before), "after": rounded(after)}
    if short is not None:
        artifact.config[keys.SHORT_WORDS] = short_words
    artifact.metadata["calibration"] = {**record, **(extra_metadata or {})}
    save_artifact(Path(output), artifact)
    return fitted


def rounded(report: dict) -> dict:
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in report.items()}
