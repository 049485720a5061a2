"""Keras text-generation models against the NumPy engine, and a tiny resumable training run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.engine.generator import Generator
from seqbot.models.textgen import TextGenConfig, build_model, export_artifact
from seqbot.training.generate import GenerateTrainingConfig, split_text, train
from seqbot.training.tf_setup import import_tensorflow

VOCAB = list("\n !',:?FGKSTabcdefghiklmnoprstuwy")


@pytest.mark.parametrize("cell", ["lstm", "simplernn", "gru"])
def test_next_token_probabilities_match_keras(cell, tmp_path):
    import_tensorflow(threads=1)
    import keras

    keras.utils.set_random_seed(7)
    config = TextGenConfig(cell=cell, units=12, embedding_dim=6, level="char")
    model = build_model(config, len(VOCAB))
    # Non-zero biases so a layout mistake in them cannot hide.
    for layer_name in ("rnn", "output"):
        layer = model.get_layer(layer_name)
        layer.set_weights([w + np.random.default_rng(1).normal(scale=0.3, size=w.shape) for w in layer.get_weights()])
    path = save_artifact(tmp_path / "generator.npz", export_artifact(model, config, VOCAB, "First:\n", {}))
    generator = Generator.load(path)
    text = "Good morrow, friend; what news?"
    ids = [generator.index[c] for c in text if c in generator.index]
    logits = model(np.array([ids]), training=False).numpy()[0].astype(np.float64)
    expected = np.exp(logits - logits.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    assert np.abs(generator.next_probabilities(ids) - expected).max() < 1e-5


def test_tiny_training_run_exports_and_resumes(fixtures_dir, tmp_path):
    config = GenerateTrainingConfig(
        cell="lstm", units=8, embedding_dim=4, sequence_length=20, batch_size=4, steps_per_epoch=2, epochs=1,
        minutes=5, validation_fraction=0.2, corpora=str(fixtures_dir / "generate"),
        run_dir=str(tmp_path / "run"), output=str(tmp_path / "generator.npz"),
    )
    first = train(config, log=lambda line: None)
    assert first["epoch"] == 1 and np.isfinite(first["val_bits_per_char"])
    config.resume, config.epochs = True, 2
    second = train(config, log=lambda line: None)
    assert second["epoch"] == 2
    state = json.loads((tmp_path / "run" / "state.json").read_text())
    assert [h["epoch"] for h in state["history"]] == [1, 2]
    artifact = load_artifact(tmp_path / "generator.npz", kind="generator")
    assert artifact.metadata["training"]["epochs"] == 2
    text = (fixtures_dir / "generate" / "tinyshakespeare" / "input.txt").read_text()
    train_text, validation_text = split_text(text, 0.2)
    assert train_text + validation_text == text and train_text.endswith("\n")
    assert set(artifact.config["vocab"]) == set(train_text)
    assert artifact.config["default_prompt"] == text.split("\n", 1)[0] + "\n"
    assert len(Generator.load(tmp_path / "generator.npz").generate("Good", length=15, seed=0)) == 15
