"""Checkpoint averaging: exact means, and refusal to mix different models."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.engine.seq2seq import random_artifact
from seqbot.errors import SeqbotError
from seqbot.training.average import average_last_rounds


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
