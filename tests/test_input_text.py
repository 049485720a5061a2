"""What the models read: Unicode normal forms (NFC for translate, chat, generate; NFKC for the
classifiers), scripts no model reads, unreadable chat input, and the terminal hint on stdin."""

from __future__ import annotations

import io
import sys

import pytest

from seqbot.cli import main
from seqbot.commands import lines
from seqbot.engine.chat import Chatbot
from seqbot.engine.classifier import ClassifierSet, unread_scripts
from seqbot.engine.generator import Generator
from seqbot.engine.translator import Translator
from seqbot.errors import SeqbotError
from test_app import SIZE, run_async, send_and_wait, turn_texts

DECOMPOSED_CAFE = "cafe\u0301"


@pytest.fixture(scope="module")
def classifiers():
    return ClassifierSet.load()


@pytest.mark.parametrize("text, script", [("مرحبا بكم في البيت", "Arabic"), ("שלום לכולם", "Hebrew"),
                                          ("我爱这部电影", "CJK"), ("मुझे यह फिल्म पसंद है", "Devanagari")])
def test_scripts_no_model_reads_get_a_notice_not_a_verdict(classifiers, text, script):
    with pytest.raises(SeqbotError, match=f"no model reads this script \\({script}"):
        classifiers.classify(text)


def test_a_few_foreign_words_in_english_still_classify(classifiers):
    assert unread_scripts("I love this movie, שלום") == []
    assert [p.model for p in classifiers.classify("I love this movie, שלום")] == ["spam_rnn", "spam_nb", "imdb", "reuters"]


def test_fullwidth_letters_read_as_plain_ones(classifiers):
    fullwidth = classifiers.classify("ＦＲＥＥ ｐｒｉｚｅ! Ｃａｌｌ ｎｏｗ")
    plain = classifiers.classify("FREE prize! Call now")
    assert [(p.model, p.label, p.probability) for p in fullwidth] == [(p.model, p.label, p.probability) for p in plain]


def test_the_translator_reads_a_decomposed_accent_as_the_letter():
    translator = Translator.load()
    decomposed, composed = translator.translate(f"The {DECOMPOSED_CAFE} is open."), translator.translate("The café is open.")
    assert decomposed.unknown_chars == [] and decomposed.text == composed.text


def test_unknown_characters_reads_a_decomposed_accent_as_the_letter():
    """What the app asks before it translates (the notice "unknown to the model: ..."), NFC first too."""
    assert Translator.load().unknown_characters(f"The {DECOMPOSED_CAFE} is open.") == []


@run_async
async def test_the_app_shows_no_unknown_character_for_a_decomposed_accent():
    from seqbot.app.app import SeqbotApp
    from seqbot.app.engines import EngineHub
    from seqbot.paths import checkpoints_dir

    app = SeqbotApp(EngineHub.from_checkpoints(checkpoints_dir(None), classifiers=False), classify=False)
    async with app.run_test(size=SIZE) as pilot:
        translator = app.hub.get("translator")  # loaded before the message, so the wait is the reply's
        turn = await send_and_wait(pilot, f"The {DECOMPOSED_CAFE} is open.")
        assert turn.status == "done" and turn.unknown_chars == []
        assert "unknown" not in turn_texts(app, 1)["user-meta"]
        assert turn.reply == translator.translate("The café is open.").text


def test_chat_reads_a_decomposed_accent_as_the_letter(capsys):
    assert "é" in Chatbot.load().source_index
    assert main(["chat", "--beam", "1", f"I like the {DECOMPOSED_CAFE}"]) == 0
    assert "never saw" not in capsys.readouterr().err


def test_generate_reads_a_decomposed_accent_as_one_character():
    generator = Generator.load()
    assert generator.plan(DECOMPOSED_CAFE).notices == generator.plan("café").notices


def test_chat_input_with_nothing_readable_gets_a_notice_and_a_blank_line(capsys):
    assert main(["chat", "--beam", "1", "😀😀😀", "שלום"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "\n\n"
    assert captured.err.count("nothing the chat model can read") == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("command", ["translate", "chat", "classify"])
def test_stdin_at_a_terminal_says_how_to_type_and_end(command, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    assert main([command]) == 0
    assert "Ctrl+D to end" in capsys.readouterr().err


def test_piped_stdin_prints_no_hint(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("hello\n"))
    assert main(["translate"]) == 0
    assert "Ctrl+D" not in capsys.readouterr().err


def test_bytes_lines_lose_only_their_line_ending():
    stream = io.BytesIO(b"a\r\nb\n\n \xff\nlast")
    errors = io.StringIO()
    assert list(lines.stdin_lines(stream, errors)) == ["a", "b", "", " \ufffd", "last"]
    assert errors.getvalue().count("not valid UTF-8") == 1
