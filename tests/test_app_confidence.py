"""How sure a translation is, in the app (issue 22): low-confidence words dim and underlined (a setting
turns it off), an "unsure" mark on a reply below 0.5 with the number in the F3 view, F7 lists the beam's
alternatives with their confidence and copies one, and the scores are kept in the conversation store.

    python -m pytest tests/test_app_confidence.py -q
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import OptionList, Static

from seqbot.app.app import SeqbotApp
from seqbot.app.conversation import conversation_to_json
from seqbot.app.screens.alternatives import AlternativesScreen, find_alternatives
from seqbot.app.screens.attention import AttentionScreen
from seqbot.app.settings import AppSettings
from seqbot.app.store import ConversationStore
from seqbot.engine.confidence import word_scores
from test_app import SIZE, run_async, send_and_wait, wait_for
from test_app_fakes import FakeTranslator, fake_hub

# The app's default beam search: the fake answers "Salut." and "J'aime ce film." (greedy: "Bonjour.", "J'adore ce film.").
SURE_TEXT, UNSURE_TEXT = "Hello.", "I love this movie."


@dataclass
class ScoredTranslation:
    source: str
    text: str
    attention: list | None
    unknown_chars: list[str]
    truncated: bool
    confidence: float | None = None
    score: float | None = None
    words: list = field(default_factory=list)


class ScoredTranslator(FakeTranslator):
    """The fake translator with scores: the first word of every translation is unsure (0.3), the
    rest sure; "I love this movie." is an unsure translation (0.3), others sure (0.9)."""

    def translate(self, text: str, beam: int = 1, progress=None):
        plain = super().translate(text, beam, progress)
        return self.scored(plain.source, plain.text, plain.attention, plain.unknown_chars, plain.truncated)

    def scored(self, source, text, attention=None, unknown=(), truncated=False, score=None):
        first = text.split(" ")[0]
        probabilities = [0.3 if i < len(first) else 0.9 for i in range(len(text))]
        return ScoredTranslation(source, text, attention, list(unknown), truncated,
                                 0.3 if source == UNSURE_TEXT else 0.9, score, word_scores(text, probabilities))

    def alternatives(self, text: str, count: int = 4, beam=None):
        best = self.translate(text, beam=beam or 4).text
        texts = list(dict.fromkeys([best, self.translate(text).text, best.rstrip(".") + " !", best.upper()]))[:count]
        return [self.scored(text, other, score=-0.1 * (i + 1)) for i, other in enumerate(texts)]


def reply_text(app, number: int) -> Text:
    return app.views[number].query_one(".reply", Static).content


def shaded_words(text: Text) -> list[str]:
    return [text.plain[span.start:span.end] for span in text.spans if "underline" in str(span.style)]


@run_async
async def test_unsure_words_are_shaded_and_an_unsure_reply_is_marked():
    app = SeqbotApp(fake_hub(ScoredTranslator()))
    async with app.run_test(size=SIZE) as pilot:
        sure = await send_and_wait(pilot, SURE_TEXT)
        unsure = await send_and_wait(pilot, UNSURE_TEXT)
        assert sure.confidence == 0.9 and unsure.confidence == 0.3
        assert shaded_words(reply_text(app, sure.number)) == ["Salut"]
        assert shaded_words(reply_text(app, unsure.number)) == ["J'aime"]
        assert all("dim" in str(span.style) for span in reply_text(app, unsure.number).spans)
        meta = lambda number: str(app.views[number].query_one(".reply-meta", Static).content)  # noqa: E731
        assert "unsure" in meta(unsure.number) and "unsure" not in meta(sure.number)
        app.apply_settings(AppSettings.from_dict({**app.settings.to_dict(), "shade_words": False}))
        await pilot.pause()
        assert shaded_words(reply_text(app, sure.number)) == [] and reply_text(app, sure.number).plain == sure.reply
        assert app.store.settings()["shade_words"] is False


@run_async
async def test_the_f3_view_gives_the_number_and_f7_copies_an_alternative():
    app = SeqbotApp(fake_hub(ScoredTranslator()))
    async with app.run_test(size=SIZE) as pilot:
        turn = await send_and_wait(pilot, UNSURE_TEXT)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, AttentionScreen))
        line = str(app.screen.query_one("#confidence", Static).content)
        assert "30%" in line and "unsure" in line
        await pilot.press("escape")
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, AlternativesScreen) and app.screen.alternatives)
        screen = app.screen
        texts = [item.text for item in screen.alternatives]
        assert 2 <= len(texts) <= 4 and len(set(texts)) == len(texts)
        assert screen.query_one(OptionList).option_count == len(texts)
        assert all(item.confidence == 0.3 for item in screen.alternatives)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, AlternativesScreen))
        assert app.clipboard == texts[1] and turn.reply == texts[0]  # the reply is the search's best


def test_alternatives_of_a_message_of_several_lines_keep_its_lines():
    found = find_alternatives(ScoredTranslator(), f"{SURE_TEXT}\n\n{UNSURE_TEXT}", beam=None, count=4)
    assert found[0].text.split("\n") == ["Salut.", "", "J'aime ce film."]
    assert [item.score for item in found] == sorted((item.score for item in found), reverse=True)
    assert len({item.text for item in found}) == len(found) and all(item.confidence == 0.3 for item in found)
    assert find_alternatives(ScoredTranslator(), "😀", beam=None) == []


@run_async
async def test_scores_are_kept_in_the_store_and_exported(tmp_path):
    store = ConversationStore.open(tmp_path)
    app = SeqbotApp(fake_hub(ScoredTranslator()), store=store)
    async with app.run_test(size=SIZE) as pilot:
        turn = await send_and_wait(pilot, f"{SURE_TEXT}\n{UNSURE_TEXT}")
        assert turn.confidence == 0.3  # the least sure line's
        assert [turn.reply[start:end] for start, end, _ in turn.word_scores] == ["Salut", "J'aime", "ce", "film"]
        conversation = app.conversation_id
    (_, stored), = ConversationStore.open(tmp_path).turns(conversation)
    assert stored.confidence == 0.3 and stored.word_scores == [(s, e, round(v, 4)) for s, e, v in turn.word_scores]
    exported = json.loads(conversation_to_json([stored]))["turns"][0]
    assert exported["confidence"] == 0.3 and exported["words"][0] == ["Salut", 0.3]
