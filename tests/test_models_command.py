"""`seqbot models info` / `summary` without a NAME, and `seqbot models list`, name every checkpoint
a NAME can be, translator, chat and generator included (issue 21 item 9: the error pointed to
`seqbot models list`, which listed only the classifier architectures).

    python -m pytest tests/test_models_command.py -q
"""

from __future__ import annotations

import pytest

from seqbot.cli import main

SHIPPED = ("chat", "generator", "imdb", "spam_nb", "translator")


@pytest.fixture
def checkpoints(tmp_path):
    for name in SHIPPED:
        (tmp_path / f"{name}.npz").write_bytes(b"")  # only the names are read
    return tmp_path


@pytest.mark.parametrize("action", ["info", "summary"])
def test_no_name_lists_the_checkpoints_it_could_be(action, checkpoints, capsys):
    assert main(["models", action, "--checkpoints", str(checkpoints)]) == 2
    error = capsys.readouterr().err
    assert "needs a NAME" in error and str(checkpoints) in error and "Traceback" not in error
    for name in SHIPPED:
        assert name in error


def test_models_list_shows_the_checkpoints_after_the_architectures(checkpoints, capsys):
    assert main(["models", "list", "--checkpoints", str(checkpoints)]) == 0
    out = capsys.readouterr().out
    architectures, listed = out.split("Checkpoints in", 1)
    assert "spam_rnn" in architectures and "translator" not in architectures
    assert listed.split("\n", 1)[1].split() == ["chat,", "generator,", "imdb,", "spam_nb,", "translator"]
