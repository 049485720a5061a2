"""Pilot tests of the Reuters "not news-like" verdict in the app: when the gate rejects a message, the
side panel's topic verdict is "not news-like" with the closest topic as a dim note (no second bar, no
percentage that reads as its probability), and the Ctrl+S exports and the stored conversation say the
same; a news-like message keeps its three topic bars. The real ClassifierSet and gate run, on small
NumPy-built checkpoints.

    python -m pytest tests/test_app_news_gate.py -q
"""

from __future__ import annotations

import json
import re

import pytest

from seqbot.app.app import SeqbotApp
from seqbot.app.conversation import prediction_to_dict
from seqbot.app.engines import EngineHub
from seqbot.app.store import StoredPrediction
from seqbot.app.widgets.bars import LabelledBar
from seqbot.app.widgets.side_panel import SidePanel
from seqbot.artifact import save_artifact
from seqbot.engine.classifier import ClassifierSet
from seqbot.engine.news_domain import NOT_NEWS_LIKE, REUTERS_CORPUS
from seqbot.training.naive_bayes import fit_naive_bayes
from test_app import SIZE, panel_text, run_async, send_and_wait
from test_app_fakes import FakeChatbot, FakeGenerator, FakeTranslator
from test_classify_command import ENGLISH_WORDS, KOREAN_WORDS, neural_artifact

TOPICS = ["earn", "acq", "crude"]


@pytest.fixture
def checkpoints(tmp_path):
    english = ["", "<oov>"] + ENGLISH_WORDS
    save_artifact(tmp_path / "spam_rnn.npz", neural_artifact("spam_rnn", english, ["ham", "spam"], "spam", "en", "simplernn"))
    save_artifact(tmp_path / "imdb.npz", neural_artifact("imdb", english, ["negative", "positive"], "sentiment", "en", "gru"))
    reuters = neural_artifact("reuters", english, TOPICS, "topic", "en")
    reuters.metadata["corpus"] = REUTERS_CORPUS  # the domain gate applies to this model
    save_artifact(tmp_path / "reuters.npz", reuters)
    save_artifact(tmp_path / "nsmc.npz", neural_artifact("nsmc", ["", "<oov>"] + KOREAN_WORDS, ["negative", "positive"],
                                                         "sentiment", "ko"))
    nb = fit_naive_bayes(["free prize call now", "see you at lunch"], ["spam", "ham"])
    save_artifact(tmp_path / "spam_nb.npz", nb.to_artifact({"corpus": "test"}))
    return tmp_path


def app_on(checkpoints, export_dirs=None) -> SeqbotApp:
    hub = EngineHub({"translator": FakeTranslator, "classifiers": lambda: ClassifierSet.load(checkpoints),
                     "chat": FakeChatbot, "generator": FakeGenerator}, description="real classifiers, small")
    return SeqbotApp(hub, export_dirs=export_dirs)


def bars(app) -> list[str]:
    return [bar.label for bar in app.query_one(SidePanel).query(LabelledBar)]


def reuters_of(turn):
    return next(p for p in turn.predictions if p.model == "reuters")


@run_async
async def test_a_rejected_message_shows_not_news_like_as_the_verdict_with_the_closest_topic_as_a_note(checkpoints, tmp_path):
    exports = tmp_path / "exports"
    app = app_on(checkpoints, export_dirs=[exports])
    async with app.run_test(size=SIZE) as pilot:
        turn = await send_and_wait(pilot, "Hello there, how is it?")  # no word the topic model knows
        reuters = reuters_of(turn)
        assert reuters.label == NOT_NEWS_LIKE and reuters.coverage == 0.0
        closest, share = reuters.top[0]
        shown = panel_text(app)
        assert shown.count(NOT_NEWS_LIKE) == 1
        assert f"closest topic {closest} {share:.0%}; 0% of the words known" in shown
        assert NOT_NEWS_LIKE not in bars(app) and not set(TOPICS) & set(bars(app))  # no topic bar at all
        assert len(bars(app)) == 3  # spam RNN, Naive Bayes, IMDB: one bar each

        await pilot.press("ctrl+s")
        await pilot.pause()
        [markdown] = exports.glob("seqbot-conversation-*.md")
        [exported] = exports.glob("seqbot-conversation-*.json")
        text = markdown.read_text(encoding="utf-8")
        assert f"{NOT_NEWS_LIKE} (closest topic {closest} {share:.0%}; 0% of the words known)" in text
        assert not re.search(rf"{NOT_NEWS_LIKE} \d+%", text)  # no percentage that reads as its probability
        [topic] = [c for c in json.loads(exported.read_text(encoding="utf-8"))["turns"][0]["classifications"]
                   if c["task"] == "topic"]
        assert topic["label"] == NOT_NEWS_LIKE and topic["coverage"] == 0.0 and topic["top"][0][0] == closest

        # A conversation read back from the store keeps the coverage, so its panel says the same.
        stored = StoredPrediction.from_dict(prediction_to_dict(reuters))
        assert stored.coverage == reuters.coverage
        turn.predictions = [stored if p is reuters else p for p in turn.predictions]
        app.refresh_panel()
        await pilot.pause()
        assert f"closest topic {closest} {share:.0%}; 0% of the words known" in panel_text(app)


@run_async
async def test_a_news_like_message_keeps_its_three_topic_bars(checkpoints):
    app = app_on(checkpoints)
    async with app.run_test(size=SIZE) as pilot:
        turn = await send_and_wait(pilot, "oil price now")  # every word known: coverage 100 %
        reuters = reuters_of(turn)
        assert reuters.label in TOPICS and reuters.coverage == 1.0
        assert bars(app)[-3:] == [label for label, _ in reuters.top[:3]]
        assert NOT_NEWS_LIKE not in panel_text(app)
