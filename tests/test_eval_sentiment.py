"""`seqbot eval sentiment` on the real corpora and the shipped checkpoints: every set is scored, the
hand-checked set is exactly the sample's clear rows, the figures agree with the engine, and no
TensorFlow is imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from seqbot.data.short_messages import CHECKED_FILE
from seqbot.paths import checkpoints_dir


def test_eval_sentiment_reports_every_set_without_tensorflow(real_corpora):
    if not (checkpoints_dir() / "imdb.npz").exists():
        pytest.skip("checkpoints/imdb.npz is not here")
    code = ("import sys; from seqbot.cli import main; "
            f"code = main(['eval', 'sentiment', 'imdb', '--sample', '60', '--json', '--corpora', {str(real_corpora)!r}]); "
            "print('TF', 'tensorflow' in sys.modules); sys.exit(code)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    output, tensorflow = completed.stdout.rsplit("TF ", 1)
    assert tensorflow.strip() == "False"
    report = json.loads(output)
    rows = {}
    for row in report["rows"]:  # the first row of a set is as served; a calibrated model adds a raw one
        rows.setdefault(row["set"], row)
    clear = sum(line.endswith(("\tpositive", "\tnegative")) for line in CHECKED_FILE.read_text().splitlines())
    assert rows["IMDB reviews"]["texts"] == 60
    assert rows["IMDB short (review's label)"]["texts"] == 2000
    assert rows["IMDB short, hand-checked"]["texts"] == clear
    for row in rows.values():
        assert 0.5 < row["accuracy"] <= 1 and 0 <= row["ece"] < 0.5 and row["log_loss"] > 0
        assert row["right_confident"] <= row["accuracy"]
    assert any("hand-checked sample: 300 messages" in note for note in report["notes"])
    neither = 300 - clear
    assert any(note.startswith("imdb: ") and f"of the {neither} hand-checked messages that say neither" in note
               for note in report["notes"])
