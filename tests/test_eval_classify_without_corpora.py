"""`seqbot eval classify all` without the corpora: stderr says which model could not be scored and
why, and that none was, instead of "scored spam_rnn ... scored imdb_lstm" over a table of errors
(issue 21 item 9).

    python -m pytest tests/test_eval_classify_without_corpora.py -q
"""

from __future__ import annotations

from seqbot.cli import main
from seqbot.commands.eval_classify import find_checkpoints


def test_every_model_failing_says_so_and_never_scored(tmp_path, capsys):
    names = list(find_checkpoints(None, str(tmp_path / "runs")))
    assert names, "no shipped classifier checkpoints"
    assert main(["eval", "classify", "all", "--corpora", str(tmp_path), "--runs", str(tmp_path / "runs")]) == 1
    captured = capsys.readouterr()
    assert "  scored " not in captured.err
    for name in names:
        assert f"could not score {name}: " in captured.err and "seqbot data fetch" in captured.err
    assert f"none of the {len(names)} models could be scored" in captured.err
    assert "Traceback" not in captured.err and "CorpusError" not in captured.out  # the message, not the class
