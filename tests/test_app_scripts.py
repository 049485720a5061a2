"""Pilot tests of what the app does with the script a message is written in: Hangul (jamo included)
gets the Korean verdict, mixed Hangul and Latin words both verdicts (on real ClassifierSet routing over
small NumPy-built checkpoints), and text with no Latin letter gets a notice instead of a translation.

    python -m pytest tests/test_app_scripts.py -q
"""

from __future__ import annotations

import pytest

from seqbot.app.app import SeqbotApp
from seqbot.app.engines import EngineHub
from seqbot.engine.classifier import ClassifierSet
from test_app import SIZE, panel_text, run_async, send_and_wait, turn_texts
from test_app_fakes import FakeChatbot, FakeGenerator, FakeTranslator
from test_classify_command import write_small_classifiers


@pytest.fixture
def small_classifiers(tmp_path):
    return write_small_classifiers(tmp_path)


def app_with(classifiers_dir, translator: FakeTranslator | None = None) -> SeqbotApp:
    hub = EngineHub({
        "translator": lambda: translator or FakeTranslator(),
        "classifiers": lambda: ClassifierSet.load(classifiers_dir),
        "chat": FakeChatbot,
        "generator": FakeGenerator,
    }, description="fake translator, real classifier routing")
    return SeqbotApp(hub)


@run_async
async def test_hangul_jamo_get_the_korean_verdict_and_mixed_messages_both(small_classifiers):
    app = app_with(small_classifiers)
    async with app.run_test(size=SIZE) as pilot:
        for jamo in ("ㅋㅋㅋ", "ㅉㅉ", "ㄷ", "ㅎ;ㅎOO"):
            turn = await send_and_wait(pilot, jamo)
            assert [p.model for p in turn.predictions] == ["nsmc"], jamo
            shown = panel_text(app)
            assert "NSMC" in shown and "Korean message" in shown and "spam_rnn" not in shown
        turn = await send_and_wait(pilot, "휴잭맨 look down on me")
        assert [p.model for p in turn.predictions] == ["spam_rnn", "spam_nb", "imdb", "reuters", "nsmc"]
        shown = panel_text(app)
        assert "NSMC" in shown and "RNN · spam_rnn" in shown and "Korean and English words" in shown


@run_async
async def test_a_missing_korean_model_is_reported_for_a_jamo_message(small_classifiers):
    (small_classifiers / "nsmc.npz").unlink()
    app = app_with(small_classifiers)
    async with app.run_test(size=SIZE) as pilot:
        turn = await send_and_wait(pilot, "ㅋㅋ")
        assert turn.predictions == [] and "nsmc" in turn.classifier_errors
        assert "nsmc" in panel_text(app)


class CountingTranslator(FakeTranslator):
    """Records every text given to a decoder: a refused message must reach none of them."""

    def __init__(self) -> None:
        super().__init__()
        self.decoded: list[str] = []

    def translate(self, text: str, beam: int = 1, progress=None):
        self.decoded.append(text)
        return super().translate(text, beam, progress)

    def stream(self, text: str):
        self.decoded.append(text)
        yield from super().stream(text)


@run_async
@pytest.mark.parametrize("message, written_in", [("안녕하세요?", "Hangul"), ("🙂🎉👍!", "no letters"),
                                                 ("Привет!", "Cyrillic"), ("?! ... ?! :-)", "no letters")])
async def test_a_message_without_latin_letters_gets_a_notice_not_a_translation(small_classifiers, message, written_in):
    translator = CountingTranslator()
    app = app_with(small_classifiers, translator)
    async with app.run_test(size=SIZE) as pilot:
        turn = await send_and_wait(pilot, message)
        assert translator.decoded == [] and turn.reply == "" and turn.status == "done"
        shown = turn_texts(app, 1)
        assert "not translated" in shown["notice"] and written_in in shown["notice"]
        assert "no translation" in shown["reply"]
        assert "unknown to the model" not in shown["user-meta"]  # the notice says it all, not a red list
        ordinary = await send_and_wait(pilot, "Hello.")
        assert ordinary.reply == FakeTranslator().translate("Hello.", beam=app.beam).text and translator.decoded


@run_async
async def test_in_a_message_of_several_lines_only_the_unreadable_line_is_left_out(small_classifiers):
    translator = CountingTranslator()
    app = app_with(small_classifiers, translator)
    async with app.run_test(size=SIZE) as pilot:
        turn = await send_and_wait(pilot, "Hello.\n안녕하세요!")
        assert turn.reply == FakeTranslator().translate("Hello.", beam=app.beam).text + "\n"
        assert set(translator.decoded) == {"Hello."}  # the Korean line reached no decoder
        assert "line 2: not translated" in turn_texts(app, 1)["notice"]
