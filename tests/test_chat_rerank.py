"""Issue 23: the reply n-gram model, the MMI score of the chat search, `seqbot eval chat` and
python -m seqbot.evaluation.chat_rerank, on random-weight chat models (no TensorFlow)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.cli import main
from seqbot.contract import keys
from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.tokens import END, PAD, START, UNKNOWN
from seqbot.engine.char_lm import CharNgramLM
from seqbot.engine.chat import REPLY_LM_BLOB, Chatbot
from seqbot.engine.decoding import mmi_score
from seqbot.engine.seq2seq import random_artifact
from seqbot.errors import CheckpointError
from seqbot.evaluation import chat_eval

CHARS = "abcde .!?'"
REPLIES = ["a bad deed.", "be cab!", "dad?", "a cede.", "bead bead", "ace!", "deb", "c'est a dab."]
PAIRS = [(f"{a} {b}", REPLIES[i % len(REPLIES)]) for i, (a, b) in enumerate(zip("abcdeabcdeab", "eeeeeddddddc"))] + \
        [("cab", "bad!"), ("dab?", "a bee."), ("ace", "eddie"), ("bee", "a dea"), ("e", "ed.")]


def specials_vocab(chars: str) -> list[str]:
    return ["<pad>", "<start>", "<end>", "<unk>"] + list(chars)


def chat_artifact(seed: int = 0, lm_order: int | None = 3, **decoding):
    artifact = random_artifact(source_chars=CHARS, target_chars=CHARS, seed=seed, scale=1.0, end_bias=2.0,
                               max_target_length=16, attention="dot")
    artifact.config["task"] = "chat"
    artifact.config["decoding"] = DecodingConfig(beam=3, alpha=1.0, penalty="gnmt", repetition_ngram=2,
                                                 max_char_run=3, patience=2, **decoding).to_dict()
    if lm_order:
        artifact.blobs[REPLY_LM_BLOB] = CharNgramLM.fit(REPLIES, artifact.config["target_vocab"], lm_order).to_bytes()
    return artifact


# --- the n-gram model ------------------------------------------------------------------------

@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_ngram_probabilities_sum_to_one_over_the_vocabulary(order):
    vocab = specials_vocab(CHARS)
    lm = CharNgramLM.fit(REPLIES, vocab, order)
    index = {char: i for i, char in enumerate(vocab)}
    for context in ["", "a", "a b", "bead be", "zzz", "?!?!"]:  # seen, unseen and unknown contexts
        ids = [index.get(char, UNKNOWN) for char in context]
        distribution = lm.distribution(ids)
        assert math.isclose(distribution.sum(), 1.0, rel_tol=1e-12), (order, context)
        assert distribution[PAD] == distribution[START] == 0 and np.all(distribution[[END, UNKNOWN]] > 0)


def test_sequence_log_prob_is_the_chain_of_next_character_distributions():
    vocab = specials_vocab(CHARS)
    lm = CharNgramLM.fit(REPLIES, vocab, 4)
    ids = lm.ids("a bad cab?")
    chained = sum(math.log(lm.distribution(ids[:t])[ids[t]]) for t in range(len(ids)))
    assert math.isclose(lm.sequence_log_prob(ids), chained, rel_tol=1e-12)
    again = CharNgramLM.from_bytes(lm.to_bytes())
    assert again.sequence_log_prob(ids) == lm.sequence_log_prob(ids) and again.order == 4


def test_kneser_ney_bigram_probabilities_by_hand():
    """Replies "ab" and "b", order 2: bigrams (<s> a) (a b) (b </s>) x2 (<s> b), D2 = 3 / (3 + 2);
    continuation counts a 1, b 2, </s> 1, D1 = 2 / (2 + 2); p0 = 1/4 over <end>, <unk>, a, b."""
    lm = CharNgramLM.fit(["ab", "b"], specials_vocab("ab"), 2)
    assert np.allclose(lm.discounts, [0.5, 0.6])
    p1 = {"a": 0.5 / 4 + 0.5 * 3 / 4 / 4, "b": 1.5 / 4 + 0.5 * 3 / 4 / 4, "end": 0.5 / 4 + 0.5 * 3 / 4 / 4}
    expected = (0.4 / 2 + 0.6 * 2 / 2 * p1["a"]) * (0.4 + 0.6 * p1["b"]) * (1.4 / 2 + 0.6 / 2 * p1["end"])
    assert math.isclose(lm.text_log_prob("ab"), math.log(expected), rel_tol=1e-12)


# --- the MMI score ---------------------------------------------------------------------------

def test_mmi_score_is_its_formula():
    assert mmi_score(-10.0, -20.0, 7, 0.3, 0.5) == pytest.approx(-10.0 + 0.3 * 20.0 + 0.5 * 7)
    assert mmi_score(-10.0, -20.0, 7, 0.0, 0.0) == -10.0
    with pytest.raises(ValueError):
        DecodingConfig(rerank="mmi", mmi_lambda=1.5)
    with pytest.raises(ValueError):
        DecodingConfig(rerank="bleu")


def test_the_chat_search_ranks_its_replies_by_the_formula():
    """Every finished reply is scored log p(reply | message) - lambda log p(reply) + gamma characters,
    recomputed here from the model and the n-gram model; the reply is the best of them. A sign or
    term wrong anywhere (score, length, the n-gram model's log p) fails."""
    mmi_lambda, gamma = 0.6, 0.35
    bot = Chatbot(chat_artifact(seed=4, rerank="mmi", mmi_lambda=mmi_lambda, mmi_gamma=gamma))
    checked = 0
    for message in ["a bad", "dab dab", "cede!", "be"]:
        candidates = bot.candidates(message)
        finished = [h for h in candidates if h.ids[-1] == END]
        assert finished
        model = bot.reply_log_probs([message] * len(finished), [h.text for h in finished])
        lm_log_probs = [sum(math.log(bot.reply_lm.distribution(h.ids[1:t])[h.ids[t]]) for t in range(1, len(h.ids)))
                        for h in finished]
        expected = [m - mmi_lambda * lm + gamma * len(h.text) for m, lm, h in zip(model, lm_log_probs, finished)]
        assert np.allclose([bot.score(h) for h in finished], expected, atol=1e-4)
        assert bot.reply(message) == finished[int(np.argmax(expected))].text
        checked += len(finished)
    assert checked > 8


def test_search_log_prob_is_the_teacher_forced_log_prob_of_its_reply():
    bot = Chatbot(chat_artifact(seed=2))
    checked = 0
    for message in ["a bad", "dab dab", "cede!", "be", "a"]:
        for hypothesis in bot.candidates(message):
            if hypothesis.ids[-1] == END:  # an unfinished one has no <end> to score
                assert bot.reply_log_probs([message], [hypothesis.text])[0] == pytest.approx(hypothesis.log_prob, abs=1e-4)
                checked += 1
    assert checked >= 3
    batched = bot.reply_log_probs([m for m, _ in PAIRS], [r for _, r in PAIRS], batch_size=4)
    single = [bot.reply_log_probs([m], [r])[0] for m, r in PAIRS]
    assert np.allclose(batched, single, atol=1e-4)


def test_mmi_without_a_reply_model_is_a_checkpoint_error():
    with pytest.raises(CheckpointError, match="reply language model"):
        Chatbot(chat_artifact(lm_order=None, rerank="mmi", mmi_lambda=0.5))
    assert Chatbot(chat_artifact(lm_order=None)).reply("a bad")  # the length ranking needs none


# --- eval chat ---------------------------------------------------------------------------------

def test_eval_figures_are_reproducible_with_a_seed():
    bot = Chatbot(chat_artifact(seed=1, rerank="mmi", mmi_lambda=0.5, mmi_gamma=0.2))
    config = chat_eval.EvalConfig(messages=12, seed=3, samples=2)
    first = chat_eval.evaluate(bot, PAIRS, config)
    second = chat_eval.evaluate(Chatbot(chat_artifact(seed=1, rerank="mmi", mmi_lambda=0.5, mmi_gamma=0.2)), PAIRS, config)
    assert first == second
    assert first["messages"] == 12 and 0 <= first["hits_at_1"] <= 1 and "hits_at_1_mmi" in first
    assert first["perplexity"] > 1 and 0 < first["distinct_2"] <= 1 and len(first["samples"]) == 2
    other = chat_eval.evaluate(bot, PAIRS, chat_eval.EvalConfig(messages=12, seed=4, samples=2))
    assert [s["message"] for s in other["samples"]] != [s["message"] for s in first["samples"]]


def test_diversity_figures():
    replies = ["What?", "What?", "what??", "Oh my God!", "I passed!", "What?"]
    figures = chat_eval.diversity(replies)
    assert figures["distinct_replies"] == pytest.approx(4 / 6) and figures["distinct_replies_words"] == pytest.approx(3 / 6)
    assert figures["top5_share"] == 1.0 and figures["top5"][0] == ("What?", 3)
    # unigrams: what ? what ? what ? ? oh my god ! i passed ! what ? -> 16 tokens, 8 distinct
    assert figures["distinct_1"] == pytest.approx(8 / 16)
    assert chat_eval.distinct_n(["a b a b"], 2) == pytest.approx(2 / 3)


def test_eval_chat_command_twice_with_one_seed_prints_the_same(tmp_path, capsys):
    checkpoint = save_artifact(tmp_path / "chat.npz", chat_artifact(seed=3))
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("".join(f"{m}\t{r}\n" for m, r in PAIRS), encoding="utf-8")
    outputs = []
    for _ in range(2):
        assert main(["eval", "chat", "--checkpoint", str(checkpoint), "--pairs", str(pairs), "--messages", "10",
                     "--seed", "5", "--rerank", "mmi", "--mmi-lambda", "0.4", "--json"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    report = json.loads(outputs[0])
    assert report["decoding"]["rerank"] == "mmi" and report["messages"] == 10
    assert main(["eval", "chat", "--checkpoint", str(checkpoint), "--pairs", str(pairs), "--messages", "5"]) == 0
    assert "hits@1" in capsys.readouterr().out
    assert main(["eval", "chat", "--checkpoint", str(checkpoint), "--pairs", str(pairs), "--mmi-lambda", "3"]) == 2


# --- tuning and export -------------------------------------------------------------------------

def shipped_fixture_model(tmp_path):
    """A random-weight chat model of the fixture corpora's "short" pairs, saved as checkpoints/chat.npz."""
    letters = CHARS + "ABCDEFGHIJKLMNOPQRSTUVWXYZfghijklmnopqrstuvwxyz,"
    model = random_artifact(source_chars=letters, target_chars=letters, seed=6, end_bias=2.0, max_target_length=12,
                            attention="dot")
    model.config["task"] = "chat"
    model.metadata["split"] = {"seed": 1, "validation_fraction": 0.05, "max_length": 40}
    return save_artifact(tmp_path / "checkpoints" / "chat.npz", model)


def test_chat_rerank_tunes_on_validation_and_exports_only_with_force(fixtures_dir, tmp_path, capsys):
    from seqbot.errors import SeqbotError
    from seqbot.evaluation.chat_rerank import main as rerank_main

    shipped = shipped_fixture_model(tmp_path)
    before = shipped.read_bytes()
    options = ["--corpora", str(fixtures_dir / "generate"), "--messages", "6", "--orders", "2,3", "--beams", "2",
               "--patiences", "1", "--lambdas", "0.5,1", "--gammas", "0,0.5", "--known-words", "both",
               "--out", str(tmp_path / "out")]
    assert rerank_main([str(shipped), *options]) == 0
    assert shipped.read_bytes() == before
    assert "chosen on validation" in capsys.readouterr().out
    result = load_artifact(tmp_path / "out" / "chat.npz", kind="seq2seq")
    record = result.metadata["rerank"]
    # the checkpoint's own beam 5 / patience 4 is searched too, and beam 2 / patience 1 with and without the
    # word guard: 3 searches x (1 length row + 2 priors x 2 lambdas x 2 gammas MMI rows); the summary keeps
    # per search its length row and each prior's preferred row
    grid = json.loads((tmp_path / "out" / "rerank_grid.json").read_text())
    assert record["reply_lm"]["order"] in (2, 3) and len(grid["rows"]) == 3 * (1 + 2 * 2 * 2) and len(record["grid"]) == 9
    assert sum(row["decoding"]["known_words"] for row in grid["rows"]) == 9 and keys.REPLY_WORDS in result.blobs
    assert {row["decoding"].get("mmi_prior") for row in grid["rows"] if row["decoding"]["rerank"] == "mmi"} == {"ngram", "model"}
    background = json.loads(result.blobs[keys.BACKGROUND])
    assert len(background) == 16 and len(set(background)) == 16
    assert sum(row["chosen"] for row in record["grid"]) == 1
    beside, inside = CharNgramLM.load(tmp_path / "out" / "reply_lm.npz"), CharNgramLM.from_bytes(result.blobs[REPLY_LM_BLOB])
    assert beside.ngrams == inside.ngrams and beside.text_log_prob("Hi there") == inside.text_log_prob("Hi there")
    bot = Chatbot.load(tmp_path / "out" / "chat.npz")
    assert bot.reply_lm is not None and bot.decoding.to_dict() | record["chosen"]["decoding"] == bot.decoding.to_dict()
    assert bot.background == background
    assert isinstance(bot.reply("Hi there"), str)
    with pytest.raises(SeqbotError, match="--force"):
        rerank_main([str(shipped), *options, "--export", str(shipped)])
    assert shipped.read_bytes() == before
    assert rerank_main([str(shipped), *options, "--export", str(shipped), "--force"]) == 0
    assert list((tmp_path / "checkpoints").glob("chat.npz.bak-*"))[0].read_bytes() == before
    assert REPLY_LM_BLOB in load_artifact(shipped).blobs


def test_the_choice_keeps_no_setting_that_invents_more_words_than_the_shipped_decoding():
    from seqbot.evaluation.chat_rerank import _key, choose, length_ranked

    shipped = DecodingConfig(beam=5, patience=4, penalty="gnmt", alpha=3.0)

    def row(distinct: float, invented: float, chrf: float = 12.0, **decoding) -> dict:
        return {"decoding": _key(DecodingConfig.from_dict(shipped.to_dict(), **decoding)), "distinct_replies_words": distinct,
                "distinct_2": 0.2, "chrF": chrf, "invented_words": invented}

    reference = row(0.60, 0.01)
    assert reference["decoding"] == _key(length_ranked(shipped))
    misspelling = row(0.90, 0.08, rerank="mmi", mmi_lambda=1.0, patience=8)
    guarded = row(0.85, 0.00, rerank="mmi", mmi_lambda=0.8, patience=8, known_words=True)
    garbage = row(0.95, 0.00, chrf=11.0, rerank="mmi", mmi_lambda=0.5, known_words=True)  # below the chrF floor
    assert choose([reference, misspelling, guarded, garbage], shipped) is guarded
    assert choose([reference, misspelling], shipped) is reference  # nothing usable: the shipped decoding stays
