"""Checkpoint averaging (seqbot/training/average.py): the mean of the weights, refused across networks.

    python -m pytest tests/test_average.py -q
"""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.artifact import Artifact, load_artifact, save_artifact
from seqbot.engine.seq2seq import random_artifact
from seqbot.errors import SeqbotError
from seqbot.training.average import average_artifacts, average_last_rounds


def test_the_average_is_the_mean_of_the_weights_and_a_repeated_file_counts_twice(tmp_path):
    first = save_artifact(tmp_path / "a.npz", random_artifact(seed=1))
    second = save_artifact(tmp_path / "b.npz", random_artifact(seed=2))
    a, b = load_artifact(first), load_artifact(second)
    mean = average_artifacts([first, second])
    weighted = average_artifacts([first, first, second])
    for name in a.weights:
        np.testing.assert_allclose(mean.weights[name], (a.weights[name] + b.weights[name]) / 2, rtol=1e-6)
        np.testing.assert_allclose(weighted.weights[name], (2 * a.weights[name] + b.weights[name]) / 3, rtol=1e-6)
    assert mean.config == b.config and mean.metadata["averaged_rounds"] == ["a.npz", "b.npz"]


def test_a_shipped_checkpoint_averages_with_its_runs_rounds(tmp_path):
    """An export adds decoding settings, placeholder word lists and calibrators to the config: still the same network."""
    round_artifact = random_artifact(seed=1)
    shipped = random_artifact(seed=2)
    shipped_config = dict(shipped.config, placeholders={"known_words": ["Tom"]}, confidence={"greedy": [0.1, 0.2]},
                          decoding={"beam": 4, "greedy_candidate": True})
    shipped_path = save_artifact(tmp_path / "shipped.npz",
                                 Artifact(shipped.kind, shipped_config, shipped.weights, shipped.metadata, shipped.blobs))
    round_path = save_artifact(tmp_path / "round-001.npz", round_artifact)
    mean = average_artifacts([shipped_path, round_path])
    name = next(iter(mean.weights))
    np.testing.assert_allclose(mean.weights[name], (shipped.weights[name] + round_artifact.weights[name]) / 2, rtol=1e-6)


def test_different_networks_are_refused(tmp_path):
    small = save_artifact(tmp_path / "small.npz", random_artifact(units=16))
    wider = save_artifact(tmp_path / "wider.npz", random_artifact(units=24))
    gru = save_artifact(tmp_path / "gru.npz", random_artifact(cell="gru"))
    for other in (wider, gru):
        with pytest.raises(SeqbotError, match="not the same model"):
            average_artifacts([small, other])
    with pytest.raises(SeqbotError, match="no round artifacts"):
        average_artifacts([])


def test_average_last_rounds_needs_enough_rounds(tmp_path):
    (tmp_path / "rounds").mkdir()
    for number in (1, 2, 3):
        save_artifact(tmp_path / "rounds" / f"round-00{number}.npz", random_artifact(seed=number))
    averaged = load_artifact(average_last_rounds(tmp_path, 2))
    assert averaged.metadata["averaged_rounds"] == ["round-002.npz", "round-003.npz"]
    with pytest.raises(SeqbotError, match="holds 3 saved round"):
        average_last_rounds(tmp_path, 4)
