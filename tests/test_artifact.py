"""The artifact format: round trip, atomic writes, clear errors for missing or damaged files."""

import os

import numpy as np
import pytest

from seqbot.artifact import Artifact, load_artifact, save_artifact
from seqbot.errors import CheckpointError


def make_artifact():
    return Artifact(
        kind="classifier",
        config={"labels": ["ham", "spam"], "vocab": ["é", "한"]},
        weights={"dense/kernel": np.arange(6, dtype=np.float32).reshape(2, 3)},
        metadata={"accuracy": 0.99},
        blobs={"sentencepiece": b"\x00\x01model"},
    )


def test_round_trip_keeps_everything(tmp_path):
    path = save_artifact(tmp_path / "model.npz", make_artifact())
    loaded = load_artifact(path, kind="classifier")
    assert loaded.config == {"labels": ["ham", "spam"], "vocab": ["é", "한"]}
    np.testing.assert_array_equal(loaded.weights["dense/kernel"], np.arange(6).reshape(2, 3))
    assert loaded.metadata["accuracy"] == 0.99
    assert loaded.blobs["sentencepiece"] == b"\x00\x01model"
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left behind
    assert os.stat(path).st_mode & 0o044, "a checkpoint should be readable like any file, not 0600"


def test_wrong_kind_is_named(tmp_path):
    path = save_artifact(tmp_path / "model.npz", make_artifact())
    with pytest.raises(CheckpointError, match="holds a 'classifier' model, not a 'seq2seq' model"):
        load_artifact(path, kind="seq2seq")


def test_missing_truncated_and_foreign_files_are_clear_errors(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load_artifact(tmp_path / "nothing.npz")
    path = save_artifact(tmp_path / "model.npz", make_artifact())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        load_artifact(path)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.zeros(3))
    with pytest.raises(CheckpointError, match="not a seqbot checkpoint"):
        load_artifact(foreign)


def test_junk_and_directories_get_messages_that_name_the_problem(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="not a seqbot checkpoint") as raised:
        load_artifact(junk)
    assert "pickle" not in str(raised.value)
    with pytest.raises(CheckpointError, match="is a directory"):
        load_artifact(tmp_path)
