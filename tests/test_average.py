"""Checkpoint averaging: exact means, and refusal to mix different models."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.artifact import Artifact, load_artifact, save_artifact
from seqbot.engine.seq2seq import random_artifact
from seqbot.errors import SeqbotError
from seqbot.training.average import average_artifacts, average_last_rounds


def test_the_last_rounds_are_averaged_weight_by_weight(tmp_path):
    rounds = tmp_path / "rounds"
    for number, seed in enumerate((1, 2, 3), start=1):
        artifact = random_artifact(seed=0)
        artifact.weights = {name: np.full_like(value, float(seed)) for name, value in artifact.weights.items()}
        save_artifact(rounds / f"round-{number:03d}.npz", artifact)
    averaged = load_artifact(average_last_rounds(tmp_path, 2))
    assert all(np.all(value == 2.5) for value in averaged.weights.values())
    assert averaged.metadata["averaged_rounds"] == ["round-002.npz", "round-003.npz"]
    with pytest.raises(SeqbotError, match="cannot average the last 4"):
        average_last_rounds(tmp_path, 4)
    save_artifact(rounds / "round-004.npz", random_artifact(seed=0, units=8))
    with pytest.raises(SeqbotError, match="not the same model"):
        average_last_rounds(tmp_path, 2)


def test_rounds_written_before_and_after_a_change_of_decoding_defaults_still_average(tmp_path):
    """A resumed run's rounds may straddle a change of DecodingConfig's defaults: the same network."""
    for number, beam in enumerate((4, 5), start=1):
        artifact = random_artifact(seed=0)
        artifact.config["decoding"] = {"beam": beam}
        save_artifact(tmp_path / "rounds" / f"round-{number:03d}.npz", artifact)
    averaged = load_artifact(average_last_rounds(tmp_path, 2))
    assert averaged.config["decoding"] == {"beam": 5}  # the last round's settings


def test_a_file_listed_twice_counts_twice(tmp_path):
    """How docs/experiments.md weights a mix: 2/3 of one file and 1/3 of another."""
    paths = []
    for name, value in (("a", 1.0), ("b", 4.0)):
        artifact = random_artifact(seed=0)
        artifact.weights = {key: np.full_like(weight, value) for key, weight in artifact.weights.items()}
        paths.append(save_artifact(tmp_path / f"{name}.npz", artifact))
    weighted = average_artifacts([paths[0], paths[0], paths[1]])
    assert all(np.all(value == 2.0) for value in weighted.weights.values())
    with pytest.raises(SeqbotError, match="no round artifacts"):
        average_artifacts([])


def test_a_shipped_checkpoint_averages_with_its_runs_rounds(tmp_path):
    """An export adds decoding settings, placeholder word lists and calibrators to the config: still the same network."""
    shipped, round_artifact = random_artifact(seed=2), random_artifact(seed=1)
    exported = dict(shipped.config, placeholders={"known_words": ["Tom"]}, confidence={"greedy": [0.1, 0.2]},
                    decoding={"beam": 4, "greedy_candidate": True})
    shipped_path = save_artifact(tmp_path / "shipped.npz",
                                 Artifact(shipped.kind, exported, shipped.weights, shipped.metadata, shipped.blobs))
    mean = average_artifacts([shipped_path, save_artifact(tmp_path / "round-001.npz", round_artifact)])
    for name in mean.weights:
        np.testing.assert_allclose(mean.weights[name], (shipped.weights[name] + round_artifact.weights[name]) / 2, rtol=1e-6)
