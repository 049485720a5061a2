"""Issue 23: MMI with the chat model's own p(reply), its mean over background messages
(seqbot.engine.reply_prior), in the search, in hits@1 and in the artifact; random-weight models."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.special import logsumexp

from seqbot.contract import keys
from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.tokens import END
from seqbot.engine.chat import Chatbot, background_blob
from seqbot.errors import CheckpointError
from seqbot.evaluation import chat_eval
from seqbot.training.chat import background_messages
from tests.test_chat_rerank import PAIRS, chat_artifact

BACKGROUND = ["a bad", "cede!", "dab dab", "e", "bee bee bee"]  # of different lengths: padding is exercised


def model_prior_artifact(seed: int = 4, **decoding):
    artifact = chat_artifact(seed=seed, rerank="mmi", mmi_prior="model", **decoding)
    artifact.blobs[keys.BACKGROUND] = background_blob(BACKGROUND)
    return artifact


def by_hand(bot: Chatbot, replies: list[str]) -> np.ndarray:
    """log mean_k p(reply | background k), each pair teacher-forced on its own."""
    per_message = np.array([[bot.reply_log_probs([message], [reply])[0] for message in BACKGROUND] for reply in replies])
    return logsumexp(per_message, axis=1) - np.log(len(BACKGROUND))


def test_the_prior_is_the_mean_probability_over_the_background_messages():
    """Batched over replies and messages at once (rows grouped by message), it equals each pair scored
    alone; a sum instead of a mean, or rows read against the wrong message, fails."""
    bot = Chatbot(model_prior_artifact())
    replies = ["a bad deed.", "be", "dad?", "c'est a dab.", "a"]
    prior = bot.model_prior()
    assert np.allclose(prior.log_probs([bot.reply_ids(reply) for reply in replies]), by_hand(bot, replies), atol=1e-4)
    assert np.allclose(bot.prior_log_probs(replies), by_hand(bot, replies), atol=1e-4)
    one_message = bot.model_prior(BACKGROUND[:1])
    alone = [bot.reply_log_probs([BACKGROUND[0]], [reply])[0] for reply in replies]
    assert np.allclose(bot.prior_log_probs(replies, one_message), alone, atol=1e-4)


def test_the_search_ranks_by_the_formula_with_the_models_own_prior():
    mmi_lambda, gamma = 0.8, 0.25
    bot = Chatbot(model_prior_artifact(mmi_lambda=mmi_lambda, mmi_gamma=gamma))
    checked = 0
    for message in ["a bad", "dab dab", "cede!", "be"]:
        finished = [h for h in bot.candidates(message) if h.ids[-1] == END]
        model = bot.reply_log_probs([message] * len(finished), [h.text for h in finished])
        expected = model - mmi_lambda * by_hand(bot, [h.text for h in finished]) + gamma * np.array([len(h.text) for h in finished])
        assert np.allclose([bot.score(h) for h in finished], expected, atol=1e-4)
        assert bot.reply(message) == finished[int(np.argmax(expected))].text
        checked += len(finished)
    assert checked > 8


def test_a_model_prior_needs_background_messages():
    artifact = chat_artifact(rerank="mmi", mmi_prior="model", mmi_lambda=0.5)
    with pytest.raises(CheckpointError, match="background messages"):
        Chatbot(artifact)
    artifact.blobs[keys.BACKGROUND] = b"\xff not json"
    with pytest.raises(CheckpointError, match="unreadable"):
        Chatbot(artifact)
    artifact.blobs[keys.BACKGROUND] = json.dumps({"a": 1}).encode()
    with pytest.raises(CheckpointError, match="list of texts"):
        Chatbot(artifact)
    with pytest.raises(ValueError, match="mmi_prior"):
        DecodingConfig(rerank="mmi", mmi_prior="unigram")


def test_hits_at_1_by_mutual_information_is_the_share_it_says():
    bot = Chatbot(model_prior_artifact(mmi_lambda=0.5))
    chosen = chat_eval.choose_messages(PAIRS, 8, 2)
    distractors = chat_eval.distractor_sets(chosen, PAIRS, 4, 2)
    report = chat_eval.hits_at_1(bot, chosen, distractors, background=BACKGROUND)
    replies = [[true] + others for (_, true), others in zip(chosen, distractors)]
    pmi = np.array([[bot.reply_log_probs([message], [reply])[0] for reply in row] - by_hand(bot, row)
                    for (message, _), row in zip(chosen, replies)])
    assert report["hits_at_1_pmi"] == np.mean(pmi[:, 0] > pmi[:, 1:].max(axis=1))
    assert report["background_messages"] == len(BACKGROUND)
    assert "hits_at_1_pmi" not in chat_eval.hits_at_1(bot, chosen, distractors)


def test_background_messages_are_distinct_training_sources_drawn_with_a_seed():
    train = [(f"message {i % 30}", f"reply {i}") for i in range(100)]
    drawn = background_messages(train, 16, seed=5)
    assert len(set(drawn)) == 16 and set(drawn) <= {source for source, _ in train}
    assert drawn == background_messages(list(reversed(train)), 16, seed=5)  # the order of the pairs does not matter
    assert drawn != background_messages(train, 16, seed=6)
    with pytest.raises(ValueError, match="30"):
        background_messages(train, 31)


def test_streaming_ends_on_the_reply_and_remembering_changes_nothing():
    bot = Chatbot(model_prior_artifact(mmi_lambda=0.7, mmi_gamma=0.3))
    for message in ["a bad", "dab dab", "cede!"]:
        streamed = list(bot.stream_reply(message))
        assert streamed[-1] == bot.reply(message)
        bot.reply_prior.forget()
        assert bot.reply(message) == streamed[-1]
