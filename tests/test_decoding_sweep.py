"""`seqbot eval translate --sweep-alpha`: the length penalty is chosen on validation pairs only, every
setting is really decoded with, and the everyday probe (greedy vs beam) is part of the report."""

from __future__ import annotations

import json

import pytest

from seqbot.artifact import save_artifact
from seqbot.cli import main
from seqbot.commands import decoding_sweep, eval_translate
from seqbot.contract.decoding import DecodingConfig
from seqbot.engine.seq2seq import random_artifact

ENGLISH = ["hello.", "good night!", "where is it?", "i see."]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    artifact = random_artifact(source_chars="abcdefghijklmnopqrstuvwxyz .,!?'", end_bias=-1.0, max_target_length=12,
                               seed=2, scale=1.0)
    return save_artifact(tmp_path_factory.mktemp("ckpt") / "translator.npz", artifact)


@pytest.fixture
def validation_only(monkeypatch):
    """The novel split stands in as four pairs, and only its validation part may be asked for."""
    asked = []

    def fake_novel_pairs(corpora, part):
        asked.append(part)
        return [(english, "bonjour.") for english in ENGLISH]

    monkeypatch.setattr(eval_translate, "novel_pairs", fake_novel_pairs)
    return asked


def test_the_sweep_scores_each_alpha_on_validation_and_names_the_best(checkpoint, validation_only, capsys):
    arguments = ["eval", "translate", "--checkpoint", str(checkpoint), "--sweep-alpha", "0,0.6,1", "--sweep-beam", "2,3"]
    assert main(arguments + ["--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert validation_only == ["validation"]
    assert [row["decoding"] for row in report["rows"]] == [
        "greedy", "beam 4, average alpha 1",
        "beam 2, gnmt alpha 0", "beam 2, gnmt alpha 0.6", "beam 2, gnmt alpha 1",
        "beam 3, gnmt alpha 0", "beam 3, gnmt alpha 0.6", "beam 3, gnmt alpha 1"]
    assert report["rows"][0]["worse_than_greedy"] == 0
    best = max(report["rows"][1:], key=lambda row: (row["chrF"], row["BLEU"]))
    assert report["best"] == best["setting"] and report["best"]["beam"] > 1
    assert main(arguments + ["--penalty", "average"]) == 0
    text = capsys.readouterr().out
    assert "beam 3, average alpha 0.6" in text and "best on validation: beam" in text


@pytest.mark.parametrize("extra, message", [
    (["--split", "novel"], "validation pairs only"), (["--split", "train"], "validation pairs only"),
    (["--pairs", "pairs.txt"], "validation pairs only"), (["--sweep-beam", "1"], "beam widths of 2 or more"),
    (["--sweep-beam", "4,x"], "comma-separated numbers"), (["--alpha", "0.5"], "do not go together"),
    (["--sweep-beam", "99"], "beam width")])
def test_the_sweep_refuses_test_pairs_and_bad_values(checkpoint, validation_only, capsys, extra, message):
    assert main(["eval", "translate", "--checkpoint", str(checkpoint), "--sweep-alpha", "0.5"] + extra) == 2
    assert message in capsys.readouterr().err
    assert validation_only == []  # refused before any pair was read


def test_each_row_is_decoded_with_its_own_setting_and_the_translator_is_restored():
    class Result:
        def __init__(self, text):
            self.text = text

    class Recorder:
        decoding = DecodingConfig()

        def __init__(self):
            self.seen = []

        def translate(self, translator, texts):
            self.seen.append(translator.decoding)
            # greedy gets every reference right, beam the first sentence wrong
            right = translator.decoding.beam == 1
            return [Result(text if right or i else "rien") for i, text in enumerate(texts)]

    recorder = Recorder()
    settings = decoding_sweep.sweep_settings(recorder.decoding, [0.5, 1.0], [4], "gnmt")
    rows = decoding_sweep.run_sweep(recorder, ["un.", "deux."], ["un.", "deux."], settings, recorder.translate)
    assert recorder.seen == settings and recorder.decoding == DecodingConfig()
    assert [row["worse_than_greedy"] for row in rows] == [0, 1, 1, 1]
    assert rows[0]["chrF"] == 100.0 > rows[1]["chrF"]


def test_eval_reports_greedy_against_beam_on_the_everyday_probe(checkpoint, tmp_path, capsys):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("".join(f"{english}\tbonjour.\n" for english in ENGLISH), encoding="utf-8")
    base = ["eval", "translate", "--checkpoint", str(checkpoint), "--pairs", str(pairs), "--corpora", str(tmp_path)]
    assert main(base + ["--json", "--penalty", "gnmt", "--alpha", "0.6"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["decoding"] == "beam 4, gnmt alpha 0.6"
    everyday = report["everyday"]
    assert everyday["probes"] == 30 and everyday["decoding"] == "beam 4, gnmt alpha 0.6"
    assert everyday["beam_at_least_greedy"] == (everyday["beam_chrF"] >= everyday["greedy_chrF"])
    assert main(base + ["--beam", "1"]) == 0  # a greedy run still compares greedy with a beam of 4
    assert "everyday       30 sentences, sentence chrF: greedy" in capsys.readouterr().out
    assert main(base + ["--alpha", "-1"]) == 2
    assert "alpha" in capsys.readouterr().err
