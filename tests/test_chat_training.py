"""Dialogue pairs from the original Friends .tab layout and chatterbot-corpus, the utterance split,
the engine perplexity, and a tiny training run through the seq2seq trainer with task="chat"."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seqbot.contract.tokens import END, START
from seqbot.engine.chat import Chatbot
from seqbot.engine.seq2seq import Seq2SeqModel, random_artifact
from seqbot.evaluation.chat_scores import perplexity
from seqbot.training.chat import ChatTrainingConfig, chat_data, chatterbot_pairs, friends_pairs


def test_friends_pairs_are_consecutive_lines_of_one_episode_by_different_speakers(fixtures_dir):
    pairs = friends_pairs(fixtures_dir / "generate" / "friends" / "friends-transcripts.tab", max_length=60)
    assert pairs == [
        ("Hi! How are you?", "I'm fine, thanks. And you?"),
        ("I said, and you?", "Never better."),
        ("Where is everybody?", "At the coffee house."),
        ("At the coffee house.", "Let's go!"),
    ]


def test_friends_pairs_keep_stage_directions_and_stop_at_an_empty_line(tmp_path):
    """The pairs the shipped chat model was trained on (its held-out split depends on them)."""
    header = "Season\tEpisode\tSeason & Episode\tTitle\tAuthor\tQuote\nd\td\td\td\td\tstring\n\t\t\t\t\tinclude=True\n"
    rows = [("Monica", " Hi! (waves) How\u2019s it going?"), ("Ross", " Fine."), ("Joey", "   "),
            ("Chandler", " Anyone?"), ("Ross", " Me.")]
    path = tmp_path / "friends-transcripts.tab"
    path.write_text(header + "".join(f"01\t01\t0101\tThe One\t{author}\t{quote}\n" for author, quote in rows),
                    encoding="utf-8")
    assert friends_pairs(path, max_length=60) == [("Hi! (waves) How's it going?", "Fine."), ("Anyone?", "Me.")]
    assert friends_pairs(path, max_length=10) == [("Anyone?", "Me.")]


def test_chat_data_splits_by_utterance_and_keeps_each_pair_once(fixtures_dir):
    data = chat_data(str(fixtures_dir / "generate"), max_length=60, validation_fraction=0.2, seed=3)
    assert data.task == "chat" and data.validation and data.train
    assert not {u for u, _ in data.train} & {u for u, _ in data.validation}
    everything = data.train + data.validation
    assert len(everything) == len(set(everything))
    assert set(chatterbot_pairs(60)) <= set(everything)
    assert all(len(u) <= 60 and len(r) <= 60 for u, r in everything)


def test_batched_perplexity_equals_one_pair_at_a_time():
    artifact = random_artifact(seed=4)
    pairs = [("hello there", "bonjour"), ("a", "oui, c'est ca."), ("how are you?", "ca va")]
    model = Seq2SeqModel.from_artifact(artifact)
    index = {c: i for i, c in enumerate(artifact.config["source_vocab"])}
    target_index = {c: i for i, c in enumerate(artifact.config["target_vocab"])}
    total, count = 0.0, 0
    for utterance, reply in pairs:
        state = model.encode(np.array([[index[c] for c in utterance]]))
        previous = START
        for token in [target_index[c] for c in reply] + [END]:
            log_probs, state, _ = model.step(np.array([previous]), state)
            total -= log_probs[0, token]
            count += 1
            previous = token
    assert math.isclose(perplexity(artifact, pairs, batch_size=2), math.exp(total / count), rel_tol=1e-5)


def test_tiny_chat_training_exports_a_scored_chat_model(fixtures_dir, tmp_path):
    from seqbot.evaluation.chat_scores import score_and_export
    from seqbot.training.chat import train_chat
    from seqbot.training.translate import TrainSettings

    settings = TrainSettings(units=8, embedding_dim=4, attention="dot", epochs=1, batch_size=16, threads=1, min_char_count=1)
    config = ChatTrainingConfig(corpora=str(fixtures_dir / "generate"), max_length=30, max_pairs=16, samples=1,
                                run_dir=str(tmp_path / "run"), export=str(tmp_path / "chat.npz"))
    model_path, data = train_chat(config, settings, log=lambda line: None)
    result = score_and_export(model_path, data, config.samples, config.export, log=lambda line: None)
    bot = Chatbot.load(tmp_path / "chat.npz")
    assert bot.config["task"] == "chat"
    assert math.isclose(bot.metadata["scores"]["val_perplexity_per_char"], result["perplexity"])
    assert len(bot.metadata["samples"]) == 1 and result["perplexity"] > 1
    assert isinstance(bot.reply("Hi!", beam=3), str)


def test_rescoring_a_checkpoint_never_rewrites_it(fixtures_dir, tmp_path, monkeypatch):
    """The chat card's metric command (then `python -m seqbot.training.chat checkpoints/chat.npz`, now
    seqbot.evaluation.chat_scores) rewrote the shipped checkpoint in place (issue 20); the rescored
    copy now goes to the runs folder."""
    from seqbot.artifact import load_artifact, save_artifact
    from seqbot.evaluation.chat_scores import main

    artifact = random_artifact(seed=5)
    artifact.config["task"] = "chat"
    shipped = save_artifact(tmp_path / "checkpoints" / "chat.npz", artifact)
    before = shipped.read_bytes()
    monkeypatch.setenv("SEQBOT_RUNS", str(tmp_path / "runs"))
    assert main([str(shipped), "--corpora", str(fixtures_dir / "generate"), "--samples", "1"]) == 0
    assert shipped.read_bytes() == before
    rescored = load_artifact(tmp_path / "runs" / "rescore-chat" / "chat.npz", kind="seq2seq")
    assert rescored.metadata["scores"]["val_perplexity_per_char"] > 1 and len(rescored.metadata["samples"]) == 1


def test_train_chat_command_runs_the_recipe_with_overrides_into_the_runs_folder(fixtures_dir, tmp_path, monkeypatch):
    """`seqbot train chat` reads the chat recipe (seqbot/training/recipes.py); options override only what is given."""
    from seqbot.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["train", "chat", "--corpora", str(fixtures_dir / "generate"), "--units", "8", "--embedding-dim", "4",
                 "--epochs", "1", "--batch-size", "16", "--max-pairs", "16", "--samples", "1", "--max-length", "30",
                 "--runs", str(tmp_path / "runs")]) == 0
    bot = Chatbot.load(tmp_path / "runs" / "chat" / "model.npz")
    recipe = bot.metadata["recipe"]
    assert (recipe["units"], recipe["cell"], recipe["clipnorm"], recipe["plateau_factor"]) == (8, "lstm", 5.0, 0.5)
    assert bot.metadata["split"]["max_length"] == 30 and bot.metadata["recipe_name"] == "chat"
    assert not (tmp_path / "checkpoints").exists()


def _episode_file(path, lines):
    header = "Season\tEpisode\tSeason & Episode\tTitle\tAuthor\tQuote\nd\td\td\td\td\tstring\n\t\t\t\t\tinclude=True\n"
    rows = "".join(f"01\t01\t0101\tThe One\t{'Ross' if i % 2 else 'Monica'}\t{quote}\n" for i, quote in enumerate(lines))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + rows, encoding="utf-8")


def _friends_only(monkeypatch) -> None:
    """The chat pairs without chatterbot-corpus: the tests' Friends file alone."""
    from seqbot.training import chat

    monkeypatch.setattr(chat, "chatterbot_pairs", lambda max_length: [])
    monkeypatch.setattr(chat, "_chatterbot_conversations", lambda: [])
    monkeypatch.setattr(chat.dialogue, "chatterbot_pairs", lambda language: [])


def test_all_pairs_cut_long_turns_and_never_train_on_a_benchmark_message(tmp_path, monkeypatch):
    """--pairs all: a long reply keeps its first sentences, a long message its last; every pair whose
    message is one of the "short" split's held-out messages stays out of training, and the held-out
    pairs' validation half is the run's validation."""
    from seqbot.training import chat

    monkeypatch.setattr(chat, "chatterbot_pairs", lambda max_length: [])
    monkeypatch.setattr(chat.dialogue, "chatterbot_pairs", lambda language: [])
    lines = [f"Line number {i} here." for i in range(400)]
    lines[10] = "I waited for an hour in the rain. Where were you?"  # 50 characters
    lines[11] = "Sorry! The bus never came, so I walked all the way."
    _episode_file(tmp_path / "friends" / "friends-transcripts.tab", lines)
    assert chat.cut_pair(lines[10], lines[11], 40) == ("Where were you?", "Sorry!")
    assert chat.cut_pair("Fine.", "A reply of one sentence far too long to fit.", 40) is None

    short = chat.chat_data(str(tmp_path), pairs="short")
    data = chat.chat_data(str(tmp_path), pairs="all")
    assert ("Where were you?", "Sorry!") in data.train
    assert ("Where were you?", "Sorry!") not in short.train + short.validation
    heldout_messages = {utterance for utterance, _ in short.validation}
    assert heldout_messages and not heldout_messages & {utterance for utterance, _ in data.train}
    halves = chat.benchmark(str(tmp_path))
    assert data.validation == halves["validation"] and halves["test"]
    assert sorted(halves["validation"] + halves["test"]) == sorted(short.validation)
    assert data.split["pairs"] == "all" and data.split["heldout"] == chat.BENCHMARK_SPLIT
    assert chat.chat_data_from_split(data.split, str(tmp_path)).train == data.train


def test_the_benchmark_is_the_same_test_half_for_short_and_all_models(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from seqbot.evaluation import chat_eval
    from seqbot.training import chat

    monkeypatch.setattr(chat, "chatterbot_pairs", lambda max_length: [])
    monkeypatch.setattr(chat.dialogue, "chatterbot_pairs", lambda language: [])
    _episode_file(tmp_path / "friends" / "friends-transcripts.tab", [f"Line {i}." for i in range(300)])
    shipped = SimpleNamespace(metadata={"split": dict(chat.BENCHMARK_SPLIT)})
    retrained = SimpleNamespace(metadata={"split": chat.chat_data(str(tmp_path), pairs="all").split})
    assert chat_eval.heldout_parts(shipped, str(tmp_path)) == chat_eval.heldout_parts(retrained, str(tmp_path))
    assert chat_eval.heldout_parts(shipped, str(tmp_path))["test"]


def test_train_chat_pairs_all_records_its_split_and_keeps_the_benchmark_for_validation(tmp_path, monkeypatch):
    from seqbot.cli import main
    from seqbot.training import chat

    monkeypatch.setattr(chat, "chatterbot_pairs", lambda max_length: [])
    monkeypatch.setattr(chat.dialogue, "chatterbot_pairs", lambda language: [])
    _episode_file(tmp_path / "friends" / "friends-transcripts.tab", [f"Line number {i}. Fine." for i in range(300)])
    monkeypatch.chdir(tmp_path)
    assert main(["train", "chat", "--pairs", "all", "--corpora", str(tmp_path), "--units", "8", "--embedding-dim", "4",
                 "--epochs", "1", "--batch-size", "16", "--samples", "1", "--runs", str(tmp_path / "runs")]) == 0
    split = Chatbot.load(tmp_path / "runs" / "chat" / "model.npz").metadata["split"]
    assert split["pairs"] == "all" and split["heldout"] == chat.BENCHMARK_SPLIT
    assert split["sizes"]["validation"] == len(chat.benchmark(str(tmp_path))["validation"])


def test_context_pairs_read_the_line_before_and_the_benchmark_gets_its_own(tmp_path, monkeypatch):
    """--context-length: each source is the previous line (cut to its last sentences), a separator,
    then the message; the benchmark's validation pairs get the line before them in the transcript,
    and the benchmark's messages still never reach training."""
    from seqbot.contract.text import CONTEXT_SEPARATOR, context_text
    from seqbot.training import chat

    _friends_only(monkeypatch)
    lines = [f"Line number {i} here." for i in range(400)]
    lines[9] = "Long story. I lost my keys."
    _episode_file(tmp_path / "friends" / "friends-transcripts.tab", lines)
    plain = chat.chat_data(str(tmp_path), pairs="all")
    data = chat.chat_data(str(tmp_path), pairs="all", context_length=20)
    assert ("I lost my keys." + CONTEXT_SEPARATOR + "Line number 10 here.", "Line number 11 here.") in data.train
    assert (CONTEXT_SEPARATOR + "Line number 0 here.", "Line number 1 here.") in data.train  # the episode's start
    assert [source.rpartition(CONTEXT_SEPARATOR)[2] for source, _ in data.train] == [m for m, _ in plain.train]
    assert data.split["context_length"] == 20 and "context_length" not in plain.split
    contexts = chat.benchmark_contexts(str(tmp_path))
    messages = {message for message, _ in chat.benchmark(str(tmp_path))["validation"]}
    assert contexts[("Line number 12 here.", "Line number 13 here.")] == "Line number 11 here."
    assert contexts[("Line number 0 here.", "Line number 1 here.")] == ""
    assert [(source.partition(CONTEXT_SEPARATOR)[2], reply) for source, reply in data.validation] == plain.validation
    assert [source.partition(CONTEXT_SEPARATOR)[0] for source, _ in data.validation] == [
        context_text(contexts[pair], 20) for pair in plain.validation]
    assert not messages & {source.rpartition(CONTEXT_SEPARATOR)[2] for source, _ in data.train}
    assert chat.chat_data_from_split(data.split, str(tmp_path)).train == data.train
    with pytest.raises(ValueError, match="'all' pairs"):
        chat.chat_data(str(tmp_path), pairs="short", context_length=20)


def test_train_chat_with_context_writes_a_model_the_engine_feeds_the_previous_line(tmp_path, monkeypatch):
    from seqbot.cli import main
    from seqbot.training import chat

    _friends_only(monkeypatch)
    _episode_file(tmp_path / "friends" / "friends-transcripts.tab", [f"Line number {i}. Fine." for i in range(300)])
    monkeypatch.chdir(tmp_path)
    assert main(["train", "chat", "--pairs", "all", "--context-length", "12", "--corpora", str(tmp_path), "--units", "8",
                 "--embedding-dim", "4", "--epochs", "1", "--batch-size", "16", "--samples", "2",
                 "--runs", str(tmp_path / "runs")]) == 0
    bot = Chatbot.load(tmp_path / "runs" / "chat" / "model.npz")
    assert bot.metadata["split"]["context_length"] == 12 and bot.context_length == 12
    assert (bot.max_source_length, bot.message_length) == (40 + 1 + 12, 40)
    assert "\n" in bot.source_index  # the separator is a character the model was trained on
    samples = bot.metadata["samples"]
    assert all("\n" not in sample["utterance"] for sample in samples) and any(sample.get("context") for sample in samples)
    assert main(["train", "chat", "--pairs", "short", "--context-length", "12", "--corpora", str(tmp_path)]) == 2
    # "short" pairs drop the recipe's context length, so dropping context asked for is an error
    assert main(["train", "chat", "--pairs", "short", "--context-dropout", "0.2", "--corpora", str(tmp_path)]) == 2
    assert main(["train", "chat", "--context-dropout", "1.5", "--corpora", str(tmp_path)]) == 2


def test_context_dropout_blanks_a_seeded_share_of_the_training_pairs_only(tmp_path, monkeypatch):
    from seqbot.contract.text import CONTEXT_SEPARATOR
    from seqbot.training import chat

    _friends_only(monkeypatch)
    _episode_file(tmp_path / "friends" / "friends-transcripts.tab", [f"Line number {i} here." for i in range(1000)])
    full = chat.chat_data(str(tmp_path), pairs="all", context_length=40)
    dropped = chat.chat_data(str(tmp_path), pairs="all", context_length=40, context_dropout=0.25)
    blank = [source.startswith(CONTEXT_SEPARATOR) for source, _ in dropped.train]
    assert 0.18 < np.mean(blank) < 0.32 and sum(s.startswith(CONTEXT_SEPARATOR) for s, _ in full.train) == 1
    assert [source.partition(CONTEXT_SEPARATOR)[2] for source, _ in dropped.train] == [
        source.partition(CONTEXT_SEPARATOR)[2] for source, _ in full.train]
    assert dropped.validation == full.validation and dropped.split["context_dropout"] == 0.25
    assert chat.chat_data_from_split(dropped.split, str(tmp_path)).train == dropped.train
    with pytest.raises(ValueError, match="context dropout needs a context length"):
        chat.chat_data(str(tmp_path), pairs="all", context_dropout=0.25)


def test_backward_pairs_are_the_all_pairs_turned_round(tmp_path, monkeypatch):
    """--backward: the source is the reply and the target the message, the benchmark's messages stay
    out of training and its validation half, turned round, picks the best round."""
    from seqbot.training import chat

    _friends_only(monkeypatch)
    _episode_file(tmp_path / "friends" / "friends-transcripts.tab", [f"Line number {i} here." for i in range(400)])
    forward = chat.chat_data(str(tmp_path), pairs="all")
    backward = chat.chat_data(str(tmp_path), pairs="all", direction="backward")
    assert backward.train == [(reply, message) for message, reply in forward.train]
    assert backward.validation == [(reply, message) for message, reply in forward.validation]
    assert backward.split["direction"] == "backward" and "direction" not in forward.split
    assert chat.chat_data_from_split(backward.split, str(tmp_path)).train == backward.train
    with pytest.raises(ValueError, match="previous line"):
        chat.chat_data(str(tmp_path), pairs="all", context_length=40, direction="backward")
    with pytest.raises(ValueError, match="direction"):
        chat.chat_data(str(tmp_path), pairs="all", direction="sideways")


def test_train_chat_backward_drops_the_recipes_context_and_records_its_direction(tmp_path, monkeypatch):
    from seqbot.cli import main
    from seqbot.training import chat

    _friends_only(monkeypatch)
    _episode_file(tmp_path / "friends" / "friends-transcripts.tab", [f"Line number {i}. Fine." for i in range(300)])
    monkeypatch.chdir(tmp_path)
    assert main(["train", "chat", "--backward", "--corpora", str(tmp_path), "--units", "8", "--embedding-dim", "4",
                 "--epochs", "1", "--batch-size", "16", "--samples", "1", "--out", str(tmp_path / "runs" / "back")]) == 0
    bot = Chatbot.load(tmp_path / "runs" / "back" / "model.npz")
    assert bot.metadata["split"]["direction"] == "backward" and bot.context_length == 0
    assert main(["train", "chat", "--backward", "--context-length", "12", "--corpora", str(tmp_path)]) == 2
