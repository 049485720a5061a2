"""Keras text-generation models against the NumPy engine, and a tiny resumable training run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.engine.generator import Generator
from seqbot.models.keras_setup import import_tensorflow
from seqbot.models.textgen import TextGenConfig, build_model, export_artifact
from seqbot.training.generate import RECIPES, split_text, train

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
    tiny = {"cell": "lstm", "units": 8, "embedding_dim": 4, "sequence_length": 20, "batch_size": 4, "steps_per_epoch": 2,
            "epochs": 1, "validation_fraction": 0.2}
    runs = str(tmp_path / "runs")
    first = train("generator", tiny, str(fixtures_dir / "generate"), runs=runs, log=lambda line: None)
    assert first["epochs"] == 1 and np.isfinite(first["val_bits_per_char"]) and first["updates"] == 2
    second = train("generator", {**tiny, "epochs": 2}, str(fixtures_dir / "generate"), runs=runs,
                   export=str(tmp_path / "generator.npz"), log=lambda line: None)
    assert second["epochs"] == 2 and second["updates"] == 4
    state = json.loads((tmp_path / "runs" / "generate-generator" / "loop_state.json").read_text())
    assert [h["epoch"] for h in state["history"]] == [1, 2]
    artifact = load_artifact(tmp_path / "generator.npz", kind="generator")
    assert artifact.metadata["training"]["epochs"] == 2 and artifact.metadata["recipe"]["units"] == 8
    assert artifact.metadata["recipe"]["learning_rate"] == RECIPES["generator"].learning_rate  # not overridden
    text = (fixtures_dir / "generate" / "tinyshakespeare" / "input.txt").read_text()
    train_text, validation_text = split_text(text, 0.2)
    assert train_text + validation_text == text and train_text.endswith("\n")
    assert set(artifact.config["vocab"]) == set(train_text)
    assert artifact.config["default_prompt"] == text.split("\n", 1)[0] + "\n"
    assert len(Generator.load(tmp_path / "generator.npz").generate("Good", length=15, seed=0)) == 15


def test_the_default_recipe_is_the_shipped_generators():
    """GenerateConfig's defaults match what checkpoints/generator.npz records of its training."""
    from seqbot.paths import default_checkpoint

    shipped = load_artifact(default_checkpoint("generator"), kind="generator")
    options, recipe = shipped.metadata["training"]["options"], RECIPES["generator"]
    assert (recipe.cell, recipe.units, recipe.batch_size, recipe.learning_rate) == \
        (options["cell"], options["units"], options["batch_size"], options["learning_rate"])
    assert recipe.embedding_dim == shipped.config["embedding_dim"] and recipe.epochs == shipped.metadata["training"]["rounds"]
    assert recipe.sequence_length == shipped.metadata["training"]["sequence_length"]
