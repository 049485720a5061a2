"""One search per translation (issue 20 item 3, issue 22): the alternatives come from the search that
made the translation, in the engine, the CLI (`--json --alternatives K`) and the app's F7 screen; the
streaming reports are part of decoding.decode, not of its callers.

    python -m pytest tests/test_one_search.py -q
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from seqbot.app.screens.alternatives import find_alternatives
from seqbot.artifact import save_artifact
from seqbot.cli import main
from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.tokens import END
from seqbot.engine import decoding
from seqbot.engine.seq2seq import Seq2SeqModel, random_artifact
from seqbot.engine.translator import Translator

TEXTS = ["hello there.", "where is it? see you soon, my friend.", "good night"]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    artifact = random_artifact(attention="dot", cell="gru", max_source_length=40, max_target_length=40, seed=5,
                               end_bias=1.5, target_chars="abcdefghijklmnopqrstuvwxyzéèàç .,!?'")
    artifact.config["decoding"] = DecodingConfig(beam=2).to_dict()
    return save_artifact(tmp_path_factory.mktemp("ckpt") / "translator.npz", artifact)


@pytest.fixture()
def translator(checkpoint):
    return Translator.load(checkpoint)


def counted_steps(translator, run) -> tuple[object, int]:
    """run()'s value and how many decoder steps it made."""
    count, step = 0, translator.model.step

    def counting(*args, **kwargs):
        nonlocal count
        count += 1
        return step(*args, **kwargs)

    translator.model.step = counting
    try:
        return run(), count
    finally:
        del translator.model.step


def test_the_alternatives_come_from_the_translations_own_search(translator):
    for text in TEXTS:
        plain, plain_steps = counted_steps(translator, lambda: translator.translate_batch([text], beam=4))
        both, both_steps = counted_steps(translator, lambda: translator.translate_batch([text], beam=2, alternatives=4))
        assert both_steps == plain_steps  # one search, 4 wide, not a translation and then a second search
        result = both[0]
        assert result.text == plain[0].text and result.alternatives
        assert result.alternatives[0].text == result.text
        assert result.alternatives[0].confidence == result.confidence
        assert [other.text for other in result.alternatives] == [other.text for other in translator.alternatives(text, 4, beam=2)]


def test_the_cli_decodes_each_line_once_for_its_translation_and_alternatives(checkpoint, capsys, monkeypatch):
    calls = []
    original = Translator.translate_batch

    def recording(self, texts, *args, **kwargs):
        calls.append(kwargs.get("alternatives"))
        return original(self, texts, *args, **kwargs)

    monkeypatch.setattr(Translator, "translate_batch", recording)
    monkeypatch.setattr(Translator, "alternatives", lambda *args, **kwargs: pytest.fail("a second search"))
    assert main(["translate", "--checkpoint", str(checkpoint), "--json", "--alternatives", "3", *TEXTS]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert calls == [3]
    assert len(records) == len(TEXTS)
    for record in records:
        assert record["alternatives"] and record["alternatives"][0]["text"] == record["text"]


def test_f7_reuses_the_alternatives_the_replys_search_kept(translator, monkeypatch):
    lines = ["hello there.", "", "good night"]
    searched = [translator.translate(line, beam=4, alternatives=4) if line else None for line in lines]
    monkeypatch.setattr(Translator, "alternatives", lambda *args, **kwargs: pytest.fail("decoded again"))
    found = find_alternatives(translator, "\n".join(lines), beam=4, searched=searched)
    assert found[0].text == "\n".join(result.text if result else "" for result in searched)
    assert len({item.text for item in found}) == len(found)


def test_streamed_greedy_steps_are_the_result():
    model = Seq2SeqModel.from_artifact(random_artifact(attention="dot", seed=2, end_bias=1.0, max_target_length=20))
    source = np.array([[5, 6, 7, 8]])
    steps = []
    result = decoding.decode(model, source, DecodingConfig(beam=1), on_step=steps.append)[0]
    chosen = [int(step.tokens[0]) for step in steps]
    assert chosen[:len(result.tokens)] == list(result.tokens)
    assert np.array_equal(np.array([step.token_log_probs[0] for step in steps]), result.token_log_probs)
    assert (chosen[-1] == END) == result.finished


def test_decode_refuses_what_it_cannot_do():
    model = Seq2SeqModel.from_artifact(random_artifact(seed=1))
    with pytest.raises(ValueError, match="rules"):
        decoding.decode(model, np.array([[5, 6]]), DecodingConfig(), rules="greedy-ish")
    with pytest.raises(ValueError, match="reply_lm"):
        decoding.decode(model, np.array([[5, 6]]), DecodingConfig(rerank="mmi"))
    with pytest.raises(ValueError, match="shape"):
        decoding.decode(model, np.array([5, 6]), DecodingConfig())
