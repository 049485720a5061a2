"""The NumPy chatbot: the repetition guard holds for every reply, greedy streaming matches beam 1,
and the command handles its input (random-weight models, no TensorFlow)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from seqbot.artifact import save_artifact
from seqbot.cli import main
from seqbot.contract.tokens import END, START, UNKNOWN
from seqbot.engine.chat import Chatbot
from seqbot.engine.decoding import RepetitionGuard, has_repeated_ngram
from seqbot.engine.seq2seq import random_artifact
from seqbot.errors import CheckpointError

MESSAGES = ["hello there", "how are you?", "what", "i don't know."]


def chat_artifact(seed: int, attention: str = "bahdanau"):
    # A small target alphabet makes random models loop ("ab ab ab", "dddd"), which is what the guard is for.
    artifact = random_artifact(target_chars="abcde .!", seed=seed, scale=1.0, attention=attention, max_target_length=40)
    artifact.config["task"] = "chat"
    return artifact


def violates(text: str, guard: RepetitionGuard) -> bool:
    run = re.search(r"(.)\1{%d}" % guard.max_char_run, text)
    return bool(run) or has_repeated_ngram(text, guard.ngram)


@pytest.mark.parametrize("ngram", [2, 3])
def test_guarded_replies_never_repeat_an_ngram_but_unguarded_ones_do(ngram):
    guard = RepetitionGuard(ngram=ngram, max_char_run=3)
    unguarded_violations = 0
    for seed in range(6):
        bot = Chatbot(chat_artifact(seed, attention=("bahdanau", "dot")[seed % 2]), guard=guard)
        for message in MESSAGES:
            for beam in (1, 4):
                reply = bot.reply(message, beam=beam)
                assert not violates(reply, guard), (seed, message, beam, reply)
                unguarded_violations += violates(bot.search(message, beam, guard=False).text, guard)
            assert not violates("".join(bot.stream(message)), guard)
    assert unguarded_violations > 0  # the models do loop; the guard is what stops them


def test_stream_equals_greedy_reply():
    for seed in range(6):
        bot = Chatbot(chat_artifact(seed))
        for message in MESSAGES:
            assert "".join(bot.stream(message)) == bot.reply(message, beam=1)


class _HandState:
    def select(self, rows):
        return self


class HandModel:
    """Next-character log-probabilities that depend on the previous one only (unlisted: -30):
    <start> -> "a" log 0.55, "b" log 0.45; "a" -> each of "cdefghij" log 0.12; those -> <end> log 0.9;
    "b" -> <end> log 0.95. Greedy takes "a", then "c", then <end>: log P = log(0.55 * 0.12 * 0.9) = log 0.0594 = -2.8235;
    the reply "b" has log P = log(0.45 * 0.95) = -0.8498, better by any length penalty."""

    target_vocab = ["<pad>", "<start>", "<end>", "<unk>", "a", "b"] + list("cdefghij")
    max_target_length = 40

    def __init__(self):
        self.table = np.full((14, 14), -30.0)
        self.table[START, 4], self.table[START, 5] = np.log(0.55), np.log(0.45)
        self.table[4, 6:14] = np.log(0.12)
        self.table[6:14, END] = np.log(0.9)
        self.table[5, END] = np.log(0.95)

    def encode(self, source):
        return _HandState()

    def step(self, tokens, state):
        return self.table[np.asarray(tokens)].copy(), state, None


def test_beam_finds_the_better_reply_that_greedy_misses():
    bot = Chatbot(chat_artifact(0))
    bot.model, bot.target_vocab = HandModel(), HandModel.target_vocab
    greedy, beam = bot.search("hi", beam=1), bot.search("hi", beam=4)
    assert (greedy.text, beam.text) == ("ac", "b")
    assert greedy.log_prob == pytest.approx(-2.8235, abs=1e-4)
    assert beam.log_prob == pytest.approx(-0.8498, abs=1e-4)


def test_input_is_cleaned_and_truncated():
    bot = Chatbot(chat_artifact(0))
    ids, fed = bot.encode_text("  h\u00e9llo \u2019  \u2603 there " + "x" * 100)
    assert fed.startswith("h\u00e9llo ' \u2603 there ") and len(fed) == bot.max_source_length
    assert ids.shape == (1, bot.max_source_length)
    assert ids[0, 1] == UNKNOWN and ids[0, 0] == bot.source_index["h"] and ids[0, 6] == bot.source_index["'"]
    assert bot.unknown_characters("héllo ☃") == ["é", "☃"]
    assert isinstance(bot.reply("☃☃☃", beam=3), str)  # nothing known left: still a reply, no error


def test_translator_checkpoint_is_not_a_chatbot(tmp_path):
    artifact = random_artifact()  # task "translate"
    with pytest.raises(CheckpointError, match="not a chat model"):
        Chatbot(artifact)


def test_cli_chat_arguments_stdin_and_errors(tmp_path, capsys, monkeypatch):
    path = save_artifact(tmp_path / "chat.npz", chat_artifact(1))
    bot = Chatbot.load(path)
    assert main(["chat", "--checkpoint", str(path), "--beam", "3", "hello there", "what"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [bot.reply("hello there", beam=3), bot.reply("what", beam=3)]
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO("how are you?\n\nwhat\n"))
    assert main(["chat", "--checkpoint", str(path), "--beam", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [bot.reply("how are you?", beam=1), "", bot.reply("what", beam=1)]  # a blank stays blank
    assert main(["chat", "--checkpoint", str(path), "--beam", "0", "hi"]) == 2
    assert "--beam" in capsys.readouterr().err
    assert main(["chat", "--checkpoint", str(tmp_path / "nope.npz"), "hi"]) == 2
    assert "not found" in capsys.readouterr().err


def test_stream_reply_shows_the_search_best_so_far_and_ends_on_the_reply():
    overtaken = 0
    for seed in range(4):
        bot = Chatbot(chat_artifact(seed, attention=("bahdanau", "dot")[seed % 2]))
        for message in MESSAGES:
            for beam in (1, 4):
                streamed = list(bot.stream_reply(message, beam=beam))
                assert streamed[-1] == bot.reply(message, beam=beam)
                assert all(before != after for before, after in zip(streamed, streamed[1:]))
                assert not any(violates(text, bot.guard) for text in streamed)  # guarded all along
                overtaken += any(not after.startswith(before) for before, after in zip(streamed, streamed[1:]))
    assert overtaken > 0  # the best so far is replaced, not only extended


def context_artifact(seed: int, context_length: int = 10, attention: str = "dot"):
    """A chat model whose metadata says it was trained with `context_length` characters of the previous line."""
    artifact = random_artifact(source_chars="abcdefghijklmnopqrstuvwxyz .,!?'\n", target_chars="abcde .!", seed=seed,
                               scale=1.0, attention=attention, max_source_length=30, max_target_length=40)
    artifact.config["task"] = "chat"
    artifact.metadata["split"] = {"pairs": "all", "context_length": context_length}
    return artifact


def test_a_context_model_reads_the_line_before_and_a_plain_model_ignores_it():
    plain = Chatbot(chat_artifact(2))
    assert plain.fed_text("how are you?", context="hi.") == "how are you?"
    assert plain.reply("how are you?", beam=3, context="hello") == plain.reply("how are you?", beam=3)
    bot = Chatbot(context_artifact(2))
    assert (bot.context_length, bot.message_length) == (10, 30 - 11)
    # the line before cut to its last sentences that fit, the separator, the message cut to its last sentences
    assert bot.fed_text("well, you know. what is new?", context="hello there. i am fine") == "i am fine\nwhat is new?"
    assert bot.fed_text("what") == "\nwhat"
    scores = bot.reply_log_probs(["what", "what"], ["ab", "ab"], contexts=["hello", "i don't know."])
    assert scores[0] != pytest.approx(scores[1])  # the context changes what the model predicts
    assert bot.reply_log_probs(["what"], ["ab"], contexts=["hello"])[0] == pytest.approx(scores[0])
    replies = {bot.reply("what", beam=3, context=context) for context in ("hello", "no way!", "i know.", "", "bad")}
    assert len(replies) > 1
    assert "".join(bot.stream("what", context="no way!")) == bot.reply("what", beam=1, context="no way!")
    with pytest.raises(CheckpointError, match="no room for a message"):
        Chatbot(context_artifact(2, context_length=29))


def test_attention_of_a_reply_has_a_row_per_reply_character_over_what_was_fed():
    bot = Chatbot(context_artifact(3))
    fed, weights = bot.attention("what", "ab c", context="hello")
    assert fed == "hello\nwhat"
    assert weights.shape == (len("ab c") + 1, len(fed))  # the reply's characters, then <end>
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-6)
    assert Chatbot(chat_artifact(3, attention="none")).attention("what", "ab")[1] is None


def test_cli_chat_messages_are_one_conversation_for_a_context_model(tmp_path, capsys):
    path = save_artifact(tmp_path / "chat.npz", context_artifact(4))
    bot = Chatbot.load(path)
    assert main(["chat", "--checkpoint", str(path), "--beam", "3", "hello there", "what"]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert (first, second) == (bot.reply("hello there", beam=3), bot.reply("what", beam=3, context=first))
    assert second != bot.reply("what", beam=3)  # (this model answers differently without the line before)
    assert main(["chat", "--checkpoint", str(path), "--beam", "3", "--no-context", "hello there", "what"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == bot.reply("what", beam=3)
    assert main(["chat", "--checkpoint", str(path), "--beam", "1", "hello there", "what"]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert second == bot.reply("what", beam=1, context=first) != bot.reply("what", beam=1)


def test_chat_eval_reads_each_message_after_its_line_before_for_a_context_model():
    import itertools
    import math

    from seqbot.evaluation import chat_eval

    bot = Chatbot(context_artifact(5))
    replies = ["".join(letters) for letters in itertools.permutations("abc", 2)] + ["a.", "b!", "c d", "e", "dab", "ce."]
    pairs = [(f"message number {word}", reply) for word, reply in zip("one two six ten hat cat dog pig owl fox elk yak".split(), replies)]
    contexts = {pair: f"what about {pair[0][-3:]}?" for pair in pairs}
    config = chat_eval.EvalConfig(messages=len(pairs), seed=1, samples=0)
    read = chat_eval.evaluate(bot, pairs, config, contexts=contexts)
    alone = chat_eval.evaluate(bot, pairs, config)
    scores = bot.reply_log_probs([m for m, _ in pairs], [r for _, r in pairs], contexts=[contexts[p] for p in pairs])
    assert read["perplexity"] == pytest.approx(math.exp(-scores.sum() / sum(len(r) + 1 for _, r in pairs)))
    assert read["perplexity"] != pytest.approx(alone["perplexity"])


def test_invented_words_count_replies_with_a_word_no_training_reply_has():
    from seqbot.evaluation import chat_eval

    known = {word for reply in ["I'm in the bathroom.", "Good morning!"] for word in chat_eval.words(reply)}
    replies = ["Good morning, I'm in the bathroom!", "I'm in the bathoon.", "Good mornin'", "12 bathroom"]
    assert chat_eval.invented_share(replies, known) == 0.5  # "bathoon", "mornin'"; digits are not words
    bot = Chatbot(chat_artifact(1))
    pairs = [(f"message {word}", reply) for word, reply in zip("one two six ten hat cat dog pig owl fox elk".split(),
                                                                 ["ab", "ba", "a.", "b!", "c d", "e", "dab", "ce.", "dd", "ec", "be"])]
    config = chat_eval.EvalConfig(messages=len(pairs), seed=1, samples=len(pairs))
    report = chat_eval.evaluate(bot, pairs, config, known_words={"ab", "ba"})
    replies = [sample["reply"] for sample in report["samples"]]
    assert report["invented_words"] == chat_eval.invented_share(replies, {"ab", "ba"})
    assert "invented_words" not in chat_eval.evaluate(bot, pairs, config)


def test_the_word_guard_keeps_words_no_training_reply_has_out_of_the_replies():
    from seqbot.contract import keys
    from seqbot.contract.decoding import DecodingConfig
    from seqbot.engine.chat import reply_words_blob

    artifact = chat_artifact(0)
    free = Chatbot(artifact)
    replies = [free.reply(message, beam=beam) for message in MESSAGES for beam in (1, 3, 5)]
    words = {word for reply in replies for word in re.findall(r"[a-z']+", reply)}
    banned = max(words, key=lambda word: sum(word in re.findall(r"[a-z']+", reply) for reply in replies))
    artifact.blobs[keys.REPLY_WORDS] = reply_words_blob([" ".join(sorted(words - {banned}))])
    guarded = Chatbot(artifact, decoding=DecodingConfig.from_dict(free.decoding.to_dict(), known_words=True))
    assert not guarded.known(f"{banned} ") and not guarded.known(f"ab {banned}", finished=True)
    assert guarded.known(f"ab {banned}")  # a word still being written is not judged yet
    assert free.known(f"{banned} ")  # without known_words every word may be written
    changed = 0
    for message in MESSAGES:
        hypothesis = guarded.search(message, beam=3)
        finished = hypothesis.ids[-1] == END
        if finished:
            assert banned not in re.findall(r"[a-z']+", hypothesis.text)
        changed += hypothesis.text != free.reply(message, beam=3)
    assert changed > 0
    with pytest.raises(CheckpointError, match="word list"):
        Chatbot(chat_artifact(0), decoding=DecodingConfig.from_dict(free.decoding.to_dict(), known_words=True))
