"""A folder that does not exist is named as such, not reported as an unknown model or an empty list."""

from __future__ import annotations

import pytest

from seqbot.cli import main
from seqbot.errors import CheckpointError
from seqbot.paths import checkpoints_dir


@pytest.mark.parametrize("argv", [["models", "summary", "imdb"], ["eval", "classify", "imdb"], ["classify", "hi"]])
def test_a_checkpoint_folder_that_does_not_exist_is_named(argv, tmp_path, capsys):
    missing = tmp_path / "nonexistent"
    assert main(argv + ["--checkpoints", str(missing)]) == 2
    error = capsys.readouterr().err
    assert f"checkpoint folder {missing} does not exist" in error
    assert "unknown model" not in error and "none found" not in error


def test_the_environment_variable_and_a_file_given_as_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQBOT_CHECKPOINTS", str(tmp_path / "gone"))
    with pytest.raises(CheckpointError, match=r"\$SEQBOT_CHECKPOINTS .*gone does not exist"):
        checkpoints_dir()
    afile = tmp_path / "file.npz"
    afile.write_bytes(b"x")
    with pytest.raises(CheckpointError, match="is a file, not a folder"):
        checkpoints_dir(afile)
    assert checkpoints_dir(tmp_path) == tmp_path
