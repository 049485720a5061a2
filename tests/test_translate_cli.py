"""The Translator facade and `seqbot translate`, on a random-weight translator artifact."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest

from seqbot.artifact import save_artifact
from seqbot.cli import main
from seqbot.commands import translate as translate_command
from seqbot.engine.seq2seq import random_artifact
from seqbot.engine.translator import Translator, untranslatable
from seqbot.errors import CheckpointError, SeqbotError

SOURCE_CHARS = "abcdefghijklmnopqrstuvwxyz .,!?'"


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    # end_bias -20: random weights then never end early, so no output line is blank by accident.
    artifact = random_artifact(source_chars=SOURCE_CHARS, attention="bahdanau", end_bias=-20.0, max_source_length=20,
                               max_target_length=15, seed=1, scale=1.0)
    # Greedy by default, no guard: the tests below compare decoders character for character.
    artifact.config["decoding"] = {"beam": 1, "repetition_ngram": 0, "max_char_run": 0}
    return save_artifact(tmp_path_factory.mktemp("ckpt") / "translator.npz", artifact)


@pytest.fixture(scope="module")
def translator(checkpoint):
    return Translator.load(checkpoint)


def test_unknown_characters_are_reported_and_skipped(translator):
    result = translator.translate("hi 日本 there#")
    assert result.unknown_chars == ["日", "本", "#"]
    assert result.source == "hi there"
    assert result.text == translator.translate("hi there").text
    assert translator.unknown_characters("a#b#c~") == ["#", "~"]


def test_close_stand_ins_are_used_instead_of_skipping(translator):
    result = translator.translate("I DON\u2019T  know\tcafé")
    assert result.unknown_chars == []
    assert result.source == "i don't know cafe"


def test_a_word_longer_than_the_limit_is_read_in_parts_not_dropped(translator):
    result = translator.translate("a" * 25 + " bcd")
    assert not result.truncated
    assert result.source == "a" * 20 + " " + "aaaaa bcd"  # every character reaches the model
    assert translator.segments("a" * 25 + " bcd") == ["a" * 20, "aaaaa bcd"]


def test_a_long_sentence_without_punctuation_is_split_at_word_boundaries(translator):
    pieces = translator.segments("abc defgh ijklm nopqrstuvw")
    assert pieces == ["abc defgh ijklm", "nopqrstuvw"]
    assert all(len(piece) <= translator.max_source_length for piece in pieces)
    result = translator.translate("abc defgh ijklm nopqrstuvw")
    assert not result.truncated and result.source == "abc defgh ijklm nopqrstuvw"


def test_long_input_is_translated_sentence_by_sentence(translator):
    text = "hello there. how are you, my friend?"  # 36 characters; the model reads 20
    assert translator.segments(text) == ["hello there.", "how are you,", "my friend?"]
    pieces = [translator.translate(piece) for piece in translator.segments(text)]
    result = translator.translate(text)
    assert not result.truncated
    assert result.text == " ".join(piece.text for piece in pieces)
    assert result.source == "hello there. how are you, my friend?"
    assert "".join(translator.stream(text)) == result.text
    assert translator.translate_batch([text])[0].text == result.text
    # Block-diagonal attention: the first piece's output attends only to the first piece's source.
    first = pieces[0]
    assert result.attention.shape == (len(result.text), len(result.source))
    np.testing.assert_allclose(result.attention[:len(first.text), :len(first.source)], first.attention, atol=1e-6)
    assert not result.attention[:len(first.text), len(first.source):].any()


def test_text_in_capitals_is_read_in_sentence_case():
    from seqbot.engine.translator import sentence_case

    assert sentence_case("HELLO, HOW ARE YOU? I AM FINE.") == "Hello, how are you? I am fine."
    assert sentence_case("I LIKE NASA") == "I like nasa"
    assert sentence_case("NASA is big") == "NASA is big"  # mostly lower case: left alone
    assert sentence_case("OK") == "OK"  # too short to tell


@pytest.mark.parametrize("text", ["", "   \t ", "日本"])
def test_empty_input_gives_an_empty_translation(translator, text):
    result = translator.translate(text)
    assert result.text == "" and result.source == "" and result.attention is None
    assert list(translator.stream(text)) == []


def test_attention_has_one_row_per_output_character_and_one_column_per_source_character(translator):
    result = translator.translate("where is it?")
    assert result.text
    assert result.attention.shape == (len(result.text), len(result.source))
    np.testing.assert_allclose(result.attention.sum(axis=1), 1.0, atol=1e-5)


def test_batch_equals_one_by_one_and_stream_equals_translate(translator):
    texts = ["hello.", "", "how are you?", "a", "this is a longer sentence than most", "ok!"]
    batch = translator.translate_batch(texts)
    for text, result in zip(texts, batch):
        alone = translator.translate(text)
        assert result.text == alone.text and result.source == alone.source
        assert "".join(translator.stream(text)) == alone.text
        assert result.attention is None  # a batch keeps no attention unless asked: memory stays linear
        with_attention = translator.translate_batch([text], attention=True)[0]
        if alone.attention is not None:
            np.testing.assert_allclose(with_attention.attention, alone.attention, atol=1e-5)
    beamed = translator.translate_batch(texts, beam=3)
    assert [r.text for r in beamed] == [translator.translate(t, beam=3).text for t in texts]


def test_decoding_settings_come_from_the_artifact(tmp_path):
    from seqbot.contract.decoding import DecodingConfig

    artifact = random_artifact(source_chars=SOURCE_CHARS, attention="dot", end_bias=-20.0, max_source_length=20,
                               max_target_length=40, seed=2, scale=1.0)
    artifact.config["decoding"] = {"beam": 3, "max_length_ratio": 0.5, "max_length_extra": 2, "repetition_ngram": 0,
                                   "max_char_run": 0}
    translator = Translator(artifact)
    assert translator.decoding == DecodingConfig(beam=3, max_length_ratio=0.5, max_length_extra=2, repetition_ngram=0,
                                                 max_char_run=0)
    result = translator.translate("hello there")  # 11 characters: at most 0.5 * 11 + 2 = 7 out
    assert result.text == translator.translate("hello there", beam=3).text
    assert 0 < len(result.text) <= 7 < len(Translator(random_artifact(
        source_chars=SOURCE_CHARS, attention="dot", end_bias=-20.0, max_source_length=20, max_target_length=40, seed=2,
        scale=1.0)).translate("hello there", beam=3).text)
    artifact.config["decoding"] = {"beam": 0}
    with pytest.raises(CheckpointError, match="decoding settings"):
        Translator(artifact)


def test_the_repetition_guard_stops_a_runaway_output():
    artifact = random_artifact(source_chars=SOURCE_CHARS, attention="dot", end_bias=-20.0, max_source_length=20,
                               max_target_length=30, seed=1, scale=1.0)
    artifact.config["decoding"] = {"beam": 3, "repetition_ngram": 0, "max_char_run": 0}
    unguarded = Translator(artifact).translate("hello there").text
    artifact.config["decoding"] = {"beam": 3, "repetition_ngram": 0, "max_char_run": 1}
    guarded = Translator(artifact).translate("hello there").text
    import re
    assert re.search(r"(\D)\1", unguarded)  # random weights repeat characters...
    assert guarded and not re.search(r"(\D)\1", guarded)  # ...the guard forbids any character twice in a row


def drain(generator):
    """Everything a generator yields, and what it returns."""
    yielded = []
    while True:
        try:
            yielded.append(next(generator))
        except StopIteration as stop:
            return yielded, stop.value


@pytest.mark.parametrize("beam", [1, 3, 4])
@pytest.mark.parametrize("text", ["where is it?", "hello there. how are you, my friend?"])
def test_stream_beam_ends_on_the_beam_translation_with_earlier_pieces_fixed(translator, text, beam):
    expected = translator.translate(text, beam=beam)
    texts, returned = drain(translator.stream_beam(text, beam=beam))
    assert texts[-1] == expected.text and returned.text == expected.text and returned.source == expected.source
    np.testing.assert_allclose(returned.attention, expected.attention, atol=1e-6)
    assert all(before != after for before, after in zip(texts, texts[1:]))  # a new value only when it changes
    # Long input goes piece by piece: once a piece is done its text stays, the next one streams after it.
    pieces = [translator.translate(piece, beam=beam).text for piece in translator.segments(text)]
    for done in range(1, len(pieces)):
        fixed = " ".join(pieces[:done]) + " "
        first = next(i for i, partial in enumerate(texts) if partial.startswith(fixed))
        assert all(partial.startswith(fixed) for partial in texts[first:])
        assert len(texts[first:]) > 1  # the next piece grew on screen after the fixed ones
    if len(pieces) > 1:
        assert not texts[0].startswith(pieces[0])  # the first piece itself streamed


def test_stream_beam_of_empty_input_and_bad_beam(translator):
    assert list(translator.stream_beam("   ", beam=3)) == [""]
    with pytest.raises(SeqbotError, match="beam width"):
        list(translator.stream_beam("hello", beam=0))

def test_bad_beam_and_wrong_task_are_clear_errors(translator):
    with pytest.raises(SeqbotError, match="beam width"):
        translator.translate("hello", beam=0)
    artifact = random_artifact()
    artifact.config["task"] = "chat"
    with pytest.raises(CheckpointError, match="'chat', not a translator"):
        Translator(artifact)


def test_cli_translates_each_argument_on_its_own_line(checkpoint, translator, capsys):
    assert main(["translate", "--checkpoint", str(checkpoint), "hello.", "good night!"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [translator.translate("hello.").text, translator.translate("good night!").text]


def test_cli_stdin_keeps_order_and_blank_lines(checkpoint, translator, capsys, monkeypatch):
    lines = ["hello.", "", "how are you?", "   ", "see you", "bye"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    monkeypatch.setattr(translate_command, "LINES_PER_BATCH", 4)  # cross a batch boundary
    assert main(["translate", "--checkpoint", str(checkpoint)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(lines)
    for line, translated in zip(lines, out):
        assert translated == translator.translate(line).text
        assert (translated == "") == (line.strip() == "")


def test_cli_notices_go_to_stderr(checkpoint, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("ok\nhi 日#\n" + "b" * 30 + "\n"))
    assert main(["translate", "--checkpoint", str(checkpoint)]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 3
    assert "line 2: skipped characters the model never saw: '日' '#'" in captured.err
    assert "line 3" not in captured.err and "line 1" not in captured.err  # a long line is read whole, in parts


def test_cli_beam_option(checkpoint, translator, capsys):
    assert main(["translate", "--checkpoint", str(checkpoint), "--beam", "4", "where is it?"]) == 0
    assert capsys.readouterr().out.strip() == translator.translate("where is it?", beam=4).text
    assert main(["translate", "--checkpoint", str(checkpoint), "--beam", "0", "hi"]) == 2
    assert "beam width" in capsys.readouterr().err


def test_cli_missing_checkpoint_is_a_clear_error(tmp_path, capsys):
    assert main(["translate", "--checkpoint", str(tmp_path / "nope.npz"), "hello"]) == 2
    err = capsys.readouterr().err
    assert "checkpoint not found" in err and "nope.npz" in err


def test_cli_corrupt_checkpoint_exits_2_without_traceback(tmp_path):
    corrupt = tmp_path / "translator.npz"
    corrupt.write_bytes(b"PK\x03\x04 this is not a zip archive")
    completed = subprocess.run([sys.executable, "-m", "seqbot", "translate", "--checkpoint", str(corrupt), "hello"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert "corrupt" in completed.stderr and str(corrupt) in completed.stderr
    assert "Traceback" not in completed.stderr and completed.stdout == ""


def test_several_sentences_are_read_one_by_one_even_when_short(translator):
    assert translator.segments("hi. ok! fine?") == ["hi.", "ok!", "fine?"]
    result = translator.translate("hi. ok!")
    assert result.text == " ".join(t for t in (translator.translate("hi.").text, translator.translate("ok!").text) if t)


# Text with no Latin letter, in several scripts and none: the rule is about scripts, not sentences.
NO_LATIN_LETTERS = ["안녕하세요?", "ㅋㅋ!", "Привет, как дела?", "مرحبا!", "Γειά σου.", "你好！", "🙂🎉!", "?!", "12 + 3 = 15."]


@pytest.mark.parametrize("text", NO_LATIN_LETTERS)
def test_text_without_latin_letters_is_not_decoded(translator, text):
    """Every one of these reaches the model as punctuation at least (the random model never ends early,
    so decoding it would write something): the engine must refuse it, in every decoder, and say why."""
    refusal = untranslatable(text)
    assert refusal and refusal.startswith("not translated")
    for result in (translator.translate(text), translator.translate(text, beam=3), translator.translate_batch([text])[0]):
        assert result.text == "" and result.not_translated == refusal and result.unknown_chars == []
    assert list(translator.stream(text)) == []
    steps = translator.stream_beam(text, beam=3)
    with pytest.raises(StopIteration) as stop:
        next(steps)
    assert stop.value.value.not_translated == refusal


@pytest.mark.parametrize("text", ["hi 안녕!", "ok 🙂", "Привет, Anna!", "café", "ＨＩ!", ""])
def test_a_latin_letter_or_blank_text_is_translated_as_before(translator, text):
    assert untranslatable(text) is None
    assert translator.translate(text).not_translated is None


def test_cli_gives_a_blank_line_and_one_notice_for_each_line_without_latin_letters(checkpoint, translator, capsys, monkeypatch):
    lines = ["hello.", "안녕하세요?", "🙂🎉!", "", "12 + 3 = 15.", "hi 안녕"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["translate", "--checkpoint", str(checkpoint)]) == 0
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out == [translator.translate("hello.").text, "", "", "", "", translator.translate("hi 안녕").text]
    assert out[0] and out[-1]
    notices = [line for line in captured.err.splitlines() if "not translated" in line]
    assert [notice.split(":")[1].strip() for notice in notices] == ["line 2", "line 3", "line 5"]
    assert "Hangul" in notices[0] and "no letters" in notices[1]


def test_cli_shows_progress_on_stderr_for_a_line_of_many_sentences(checkpoint, translator, capsys, monkeypatch):
    """A line longer than one batch of sentences says how far it is (issue 21 item 9: a 20,000-character
    line with beam 4 ran 48 s with nothing on stderr); the output is the same, a short line says nothing."""
    from seqbot.engine.translator import BATCH_SIZE

    monkeypatch.setattr(translate_command, "PROGRESS_EVERY_SECONDS", 0.0)  # a line per batch, not every 10 s
    line = " ".join(f"see you {word}." for word in ["soon", "later", "now", "there"] * (BATCH_SIZE // 2))
    sentences = len(translator.segments(line))
    assert sentences > BATCH_SIZE
    assert main(["translate", "--checkpoint", str(checkpoint), "--beam", "2", line]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [translator.translate_batch([line], beam=2)[0].text]
    reports = [report for report in captured.err.splitlines() if "argument 1: sentences translated" in report]
    assert len(reports) >= 2 and reports[-1].startswith(f"seqbot: argument 1: sentences translated: {sentences}/{sentences}")
    assert main(["translate", "--checkpoint", str(checkpoint), "--beam", "2", "see you soon."]) == 0
    assert capsys.readouterr().err == ""
