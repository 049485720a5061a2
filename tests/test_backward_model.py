"""Issue 23: MMI-bidi, a backward model p(message | reply) (seqbot.engine.backward) carried in the chat
artifact, in the search, in hits@1, in the rerank grid and in training; random-weight models."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.contract import keys
from seqbot.commands.model_info import info_fields
from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.tokens import END
from seqbot.engine.backward import carry
from seqbot.engine.chat import Chatbot
from seqbot.errors import CheckpointError
from seqbot.evaluation import chat_eval
from tests.test_chat_rerank import PAIRS, chat_artifact
from tests.test_reply_prior import by_hand, model_prior_artifact


def backward_artifact(seed: int = 9):
    artifact = chat_artifact(seed=seed, lm_order=None)
    artifact.metadata["split"] = {"pairs": "all", "direction": "backward"}
    artifact.metadata["command"] = "seqbot train chat --backward --out runs/chat-backward"
    return artifact


def bidi_artifact(**decoding):
    return carry(model_prior_artifact(**decoding), backward_artifact())


def test_the_backward_score_is_the_message_given_the_reply():
    """Batched (replies as sources, one message as the target), it equals the backward model asked
    about each pair alone, reply in and message out; the two directions swapped fails."""
    bot, backward_alone = Chatbot(bidi_artifact()), Chatbot(backward_artifact())
    messages = ["a bad", "cede!", "dab dab", "e", "bee"]
    replies = ["a bad deed.", "be", "dad?", "c'est a dab.", "ace"]
    expected = [backward_alone.reply_log_probs([reply], [message])[0] for message, reply in zip(messages, replies)]
    swapped = [backward_alone.reply_log_probs([message], [reply])[0] for message, reply in zip(messages, replies)]
    assert np.allclose(bot.message_log_probs(messages, replies), expected, atol=1e-4)
    assert not np.allclose(bot.message_log_probs(messages, replies), swapped, atol=1e-2)
    scorer = bot.backward.for_message("dab dab")
    ids = [bot.reply_ids(reply) for reply in replies]
    assert np.allclose(scorer.log_probs(ids), bot.message_log_probs(["dab dab"] * 5, replies), atol=1e-4)
    assert np.allclose(scorer.log_probs(ids[::-1]), bot.message_log_probs(["dab dab"] * 5, replies[::-1]), atol=1e-4)


def test_the_search_ranks_by_the_bidi_formula():
    """score = log p(r|m) - lambda log p(r) + beta log p(m|r) + gamma length; a planted sign error on
    the backward term fails."""
    mmi_lambda, beta, gamma = 0.6, 0.75, 0.25
    bot = Chatbot(bidi_artifact(mmi_lambda=mmi_lambda, mmi_gamma=gamma, mmi_backward=beta))
    checked, moved = 0, 0
    for message in ["a bad", "dab dab", "cede!", "be", "ace"]:
        finished = [h for h in bot.candidates(message) if h.ids[-1] == END]
        texts = [h.text for h in finished]
        forward = bot.reply_log_probs([message] * len(texts), texts)
        backward = bot.message_log_probs([message] * len(texts), texts)
        base = forward - mmi_lambda * by_hand(bot, texts) + gamma * np.array([len(text) for text in texts])
        expected = base + beta * backward
        assert np.allclose([bot.score(h, message) for h in finished], expected, atol=1e-4)
        assert not np.allclose(expected, base - beta * backward, atol=1e-3)
        assert bot.reply(message) == texts[int(np.argmax(expected))]
        with pytest.raises(ValueError, match="message"):
            bot.score(finished[0])  # without its message the backward term cannot be scored
        checked += len(finished)
        moved += int(np.argmax(expected) != np.argmax(base))
    assert checked > 8 and moved  # the backward term changed at least one reply


def test_hits_at_1_by_the_backward_model_and_by_mutual_information_both_ways_are_the_shares_they_say():
    bot = Chatbot(bidi_artifact(mmi_lambda=0.5, mmi_backward=0.5))
    chosen = chat_eval.choose_messages(PAIRS, 8, 2)
    distractors = chat_eval.distractor_sets(chosen, PAIRS, 4, 2)
    report = chat_eval.hits_at_1(bot, chosen, distractors, background=bot.background)
    rows = [[true] + others for (_, true), others in zip(chosen, distractors)]
    forward = np.array([bot.reply_log_probs([m] * len(row), row) for (m, _), row in zip(chosen, rows)])
    backward = np.array([bot.message_log_probs([m] * len(row), row) for (m, _), row in zip(chosen, rows)])
    first = lambda scores: np.mean(scores[:, 0] > scores[:, 1:].max(axis=1))  # noqa: E731
    assert report["hits_at_1_backward"] == first(backward)
    prior = np.array([by_hand(bot, row) for row in rows])
    assert report["hits_at_1_pmi_both"] == first(forward - prior + backward)
    assert report["hits_at_1_mmi"] == first(forward - 0.5 * prior + 0.5 * backward)
    assert "hits_at_1_pmi_both" not in chat_eval.hits_at_1(Chatbot(model_prior_artifact()), chosen, distractors,
                                                           background=bot.background)


def test_the_backward_model_travels_in_the_file_and_bad_ones_are_refused(tmp_path):
    path = save_artifact(tmp_path / "chat.npz", bidi_artifact(mmi_lambda=0.5, mmi_backward=0.5))
    loaded = load_artifact(path)
    assert loaded.config[keys.BACKWARD]["target_vocab"] and loaded.metadata[keys.BACKWARD]["split"]["direction"] == "backward"
    shown = info_fields(loaded.metadata)["backward model"]
    assert shown["command"] == "seqbot train chat --backward --out runs/chat-backward"  # `seqbot models info chat`
    bot = Chatbot.load(path)
    assert np.allclose(bot.message_log_probs(["dab"], ["bee"]), Chatbot(backward_artifact()).reply_log_probs(["bee"], ["dab"]),
                       atol=1e-4)
    with pytest.raises(CheckpointError, match="--backward"):
        carry(model_prior_artifact(), chat_artifact(seed=9))  # a forward model is no backward model
    asks = model_prior_artifact(mmi_lambda=0.5, mmi_backward=0.5)
    with pytest.raises(CheckpointError, match="backward model"):
        Chatbot(asks)
    broken = bidi_artifact()
    broken.weights = {name: value for name, value in broken.weights.items() if name != "backward/output/kernel"}
    with pytest.raises(CheckpointError, match="backward model is unreadable"):
        Chatbot(broken)
    with pytest.raises(ValueError, match="mmi_backward"):
        DecodingConfig(rerank="mmi", mmi_backward=-0.5)


def test_the_rerank_grid_weighs_the_backward_model_and_exports_it(tmp_path, monkeypatch):
    from seqbot.evaluation import chat_rerank

    forward = chat_artifact(seed=4)
    forward.metadata["split"] = {"pairs": "short"}
    save_artifact(tmp_path / "model.npz", forward)
    save_artifact(tmp_path / "backward.npz", backward_artifact())
    monkeypatch.setattr(chat_eval, "chat_split", lambda artifact, corpora=None: _Data(PAIRS[:12], PAIRS[12:]))
    monkeypatch.setattr(chat_eval, "heldout_parts", lambda artifact, corpora=None, data=None: {"validation": PAIRS, "test": PAIRS})
    monkeypatch.setattr(chat_eval, "heldout_contexts", lambda artifact, corpora=None: None)
    monkeypatch.setattr(chat_rerank, "background_messages", lambda train: [source for source, _ in train[:3]])
    config = chat_rerank.RerankConfig(orders=(2,), beams=(3,), patiences=(2,), lambdas=(0.0, 0.5), gammas=(0.0,),
                                      messages=6, backward=str(tmp_path / "backward.npz"), backward_weights=(0.0, 1.0))
    record = chat_rerank.rerank_chat(tmp_path / "model.npz", tmp_path / "out" / "model.npz", config, log=lambda line: None)
    rows = __import__("json").loads((tmp_path / "out" / "rerank_grid.json").read_text())["rows"]
    assert {row["decoding"]["mmi_backward"] for row in rows if row["decoding"]["rerank"] == "mmi"} == {0.0, 1.0}
    exported = Chatbot.load(tmp_path / "out" / "model.npz")
    assert exported.backward is not None
    assert exported.decoding.mmi_backward == record["chosen"]["decoding"]["mmi_backward"]


class _Data:
    def __init__(self, train, validation):
        self.train, self.validation = train, validation


def test_the_layer_table_counts_the_backward_model_as_one_row():
    from seqbot.engine.summary import layer_table

    artifact, backward = bidi_artifact(), backward_artifact()
    rows = {row.name: row for row in layer_table(artifact)}
    assert rows["backward"].kind == "seq2seq p(msg | reply)"
    assert rows["backward"].params == sum(weight.size for weight in backward.weights.values())


def test_the_streamed_preview_scores_only_finished_replies_with_the_reply_models():
    """Before a reply finishes, the preview is the likeliest live hypothesis: scoring every new prefix
    against the reply models at every step doubled the streamed time."""
    bot = Chatbot(bidi_artifact(mmi_lambda=0.5, mmi_backward=0.5))
    asked = []
    for_message = bot.backward.for_message

    def recording(message):
        scorer = for_message(message)
        log_probs = scorer.log_probs
        scorer.log_probs = lambda replies: asked.extend(list(reply) for reply in replies) or log_probs(replies)
        return scorer

    bot.backward.for_message = recording
    for message in ["a bad", "dab dab", "cede!"]:
        assert list(bot.stream_reply(message))[-1] == bot.reply(message)
    assert asked and all(reply[-1] == END for reply in asked)
