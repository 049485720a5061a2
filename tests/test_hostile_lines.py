"""Hostile input through every line-oriented command (translate, chat, classify), on stdin and as
arguments: exactly one output line per input line, exit status 0, no traceback.

Stdin goes through a real process (one per command, every line at once) because that is where
bytes are decoded; arguments go through `cli.main` in this process, as Python hands them over
(undecodable bytes as lone surrogates, os.fsdecode). A NUL byte cannot be an argument and a
1 MB argument exceeds the kernel's limit, so those two are tested on stdin only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from seqbot import cli
from seqbot.paths import PROJECT_ROOT

HOSTILE = [
    b"",
    b"   \t  ",
    "😀😀😀 🎉".encode(),
    "مرحبا بالعالم".encode(),
    "שלום עולם".encode(),
    "你好，世界".encode(),
    "नमस्ते दुनिया".encode(),
    b"\x1b[31mred\x1b[0m \x07bell\x08 back\tend",
    b"caf\xc3 \xff\xfe broken utf-8",
    "e\u0301te\u0301 de\u0301compose\u0301".encode(),  # decomposed accents
    "ＦＲＥＥ ｐｒｉｚｅ".encode(),
    b"\xe2\x80\xae reversed \xe2\x80\xac",  # right-to-left override
    b"I love this movie.",
]
STDIN_ONLY = [b"nul\x00byte\x00", b"x" * 1_000_000, b"carriage\rreturn inside"]
COMMANDS = {"translate": ["translate"], "chat": ["chat", "--beam", "1"], "classify": ["classify", "--json"]}


def run_stdin(arguments: list[str], data: bytes) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), LC_ALL="C.UTF-8")
    return subprocess.run([sys.executable, "-m", "seqbot", *arguments], input=data, capture_output=True,
                          timeout=120, env=environment, cwd=PROJECT_ROOT)


@pytest.mark.parametrize("command", COMMANDS)
def test_hostile_stdin_gives_one_line_per_line_and_no_traceback(command):
    lines = HOSTILE + STDIN_ONLY
    if command == "translate":
        # The translator reads every character of a long line, piece by piece (nothing is cut): a 1 MB line
        # takes about a minute, so the test gives it 20 KB; bench/bench_translator_targets.py times 1 MB.
        lines = [b"x" * 20_000 if line == b"x" * 1_000_000 else line for line in lines]
    completed = run_stdin(COMMANDS[command], b"\n".join(lines) + b"\n")
    stderr = completed.stderr.decode("utf-8", "replace")
    assert completed.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stderr
    out = completed.stdout.decode("utf-8").split("\n")
    assert out[-1] == "" and len(out) - 1 == len(lines), f"{len(out) - 1} lines out for {len(lines)} in"
    assert out[0] == "" or command == "classify", "a blank line in gives a blank line out"
    assert stderr.count("not valid UTF-8") == 1, "bad bytes are reported once"
    if command == "translate":
        assert "characters are translated" not in stderr and len(out[-3]) > 200  # the long line, read whole
    if command == "classify":
        results = [json.loads(line) for line in out[:-1]]
        assert [r["text"] for r in results][-3] == "nul\x00byte\x00"
        assert len(results[-2]["text"]) == 1_000_000, "the JSON text is given whole"


@pytest.mark.parametrize("command", COMMANDS)
def test_hostile_arguments_give_one_line_each_and_no_traceback(command, capfd):
    arguments = [os.fsdecode(line) for line in HOSTILE]
    assert cli.main(COMMANDS[command] + ["--"] + arguments) == 0
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    assert captured.out.count("\n") == len(arguments)
    assert captured.err.count("not valid UTF-8") == 1


def test_bad_bytes_in_a_korean_line_still_classify_it():
    completed = run_stdin(["classify", "--json"], "이 영화 ".encode() + b"\xff" + " 좋아요\n".encode())
    result = json.loads(completed.stdout)
    assert result["models"] == ["nsmc"] and result["text"] == "이 영화 \ufffd 좋아요"
