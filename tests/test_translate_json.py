"""`seqbot translate --json [--alternatives K]`: one valid JSON object per input line, for every line of
the hostile input of tests/test_hostile_lines.py (stdin through a real process, and arguments), with the
confidence and word scores of the translation; the plain output stays one line of text per line.

    python -m pytest tests/test_translate_json.py -q
"""

from __future__ import annotations

import json
import os

import pytest
from test_hostile_lines import HOSTILE, STDIN_ONLY, run_stdin

from seqbot import cli


def check_record(record: dict, alternatives: int | None) -> None:
    assert isinstance(record["text"], str)
    assert record["confidence"] is None or 0.0 <= record["confidence"] <= 1.0
    for word, score in record["words"]:
        assert word in record["text"] and 0.0 <= score <= 1.0
    if alternatives:
        found = record["alternatives"]
        assert len(found) <= alternatives
        texts = [other["text"] for other in found]
        assert len(set(texts)) == len(texts)
        assert [other["score"] for other in found] == sorted((other["score"] for other in found), reverse=True)
        assert not found or found[0]["text"] == record["text"]
    else:
        assert "alternatives" not in record


@pytest.mark.parametrize("alternatives", [None, 2])
def test_every_hostile_stdin_line_gives_one_json_object(alternatives):
    long_line = b"x" * (20_000 if alternatives is None else 2_000)  # alternatives decode each sentence on its own
    lines = [long_line if line == b"x" * 1_000_000 else line for line in HOSTILE + STDIN_ONLY]
    arguments = ["translate", "--json"] + (["--alternatives", str(alternatives)] if alternatives else [])
    completed = run_stdin(arguments, b"\n".join(lines) + b"\n")
    stderr = completed.stderr.decode("utf-8", "replace")
    assert completed.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stderr
    out = completed.stdout.decode("utf-8").split("\n")
    assert out[-1] == "" and len(out) - 1 == len(lines)
    records = [json.loads(line) for line in out[:-1]]
    for record in records:
        check_record(record, alternatives)
    assert records[0]["text"] == "" and records[0]["words"] == [] and records[0]["confidence"] is None
    assert records[2]["not_translated"]  # emoji only: not decoded, said so
    assert records[-2]["text"] and records[-2]["words"]  # the long line, read whole


def test_hostile_arguments_give_one_json_object_each(capfd):
    arguments = [os.fsdecode(line) for line in HOSTILE]
    assert cli.main(["translate", "--json", "--"] + arguments) == 0
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert len(records) == len(arguments)
    for record in records:
        check_record(record, None)
    assert records[-1]["words"] and records[-1]["text"]  # "I love this movie."


def test_alternatives_need_json_and_a_sensible_count(capsys):
    assert cli.main(["translate", "--alternatives", "2", "Hello."]) == 2
    assert "--alternatives goes with --json" in capsys.readouterr().err
    assert cli.main(["translate", "--json", "--alternatives", "0", "Hello."]) == 2
    assert cli.main(["translate", "Hello."]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # plain output: the translation alone
