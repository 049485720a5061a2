"""The NumPy text generator: sampling rules, reproducibility and bad input (no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.artifact import Artifact, save_artifact
from seqbot.cli import main
from seqbot.engine.generator import MAX_LENGTH, UNKNOWN_WORD, Generator, detokenize, tokenize
from seqbot.errors import CheckpointError, SeqbotError


def random_generator_artifact(cell="lstm", level="char", units=6, seed=0) -> Artifact:
    rng = np.random.default_rng(seed)
    vocab = list("\n !',.:?KFSabcdefghiklmnoprstuwy") if level == "char" else [UNKNOWN_WORD, "\n", "the", "king", ",", ".", "good", "night"]
    gates = {"lstm": 4, "gru": 3, "simplernn": 1}[cell]
    embedding_dim = 5
    weights = {
        "embedding": rng.normal(size=(len(vocab), embedding_dim)).astype(np.float32),
        "rnn/kernel": rng.normal(scale=0.5, size=(embedding_dim, gates * units)).astype(np.float32),
        "rnn/recurrent_kernel": rng.normal(scale=0.5, size=(units, gates * units)).astype(np.float32),
        "rnn/bias": rng.normal(scale=0.1, size=((2, gates * units) if cell == "gru" else (gates * units,))).astype(np.float32),
        "output/kernel": rng.normal(size=(units, len(vocab))).astype(np.float32),
        "output/bias": np.zeros(len(vocab), dtype=np.float32),
    }
    config = {"cell": cell, "units": units, "embedding_dim": embedding_dim, "level": level, "vocab": vocab,
              "default_prompt": "First Keeper:\n" if level == "char" else "the king"}
    return Artifact(kind="generator", config=config, weights=weights)


@pytest.fixture
def generator() -> Generator:
    return Generator(random_generator_artifact())


def test_same_seed_same_text_and_other_seed_differs(generator):
    first = generator.generate("Good night", length=60, seed=3)
    assert first == generator.generate("Good night", length=60, seed=3)
    assert len(first) == 60
    others = {generator.generate("Good night", length=60, seed=s) for s in range(4, 8)}
    assert others - {first}


def test_greedy_and_top_k_1_agree_and_top_k_limits_choices(generator):
    greedy = generator.generate("the king", temperature=0, length=30)
    assert greedy == generator.generate("the king", temperature=0.7, top_k=1, length=30, seed=1)
    probabilities = generator.next_probabilities([generator.index[c] for c in "the king"])[-1]
    allowed = {generator.vocab[i] for i in np.argsort(probabilities)[-3:]}
    firsts = {generator.generate("the king", temperature=1.5, top_k=3, length=1, seed=s) for s in range(40)}
    assert firsts <= allowed and len(firsts) > 1


def test_stream_yields_one_character_at_a_time(generator):
    pieces = list(generator.stream("king", length=25, seed=0))
    assert len(pieces) == 25 and all(len(p) == 1 for p in pieces)
    assert "".join(pieces) == generator.generate("king", length=25, seed=0)


def test_bad_input_gives_notices_or_clear_errors(generator):
    plan = generator.plan("", length=10)
    assert any("empty prompt" in n for n in plan.notices)
    assert "".join(plan.prompt_tokens) == "First Keeper:\n"
    plan = generator.plan("king€€ ☃", length=MAX_LENGTH * 10)
    assert any("'€☃'" in n for n in plan.notices) and plan.length == MAX_LENGTH
    assert "".join(plan.prompt_tokens) == "king "
    assert any("greedy" in n for n in generator.plan("king", temperature=0).notices)
    for kwargs in ({"temperature": -0.5}, {"temperature": float("nan")}, {"length": 0}, {"top_k": 0}):
        with pytest.raises(SeqbotError):
            generator.plan("king", **kwargs)


def test_word_level_reads_unknown_words_as_unk_and_never_samples_it():
    generator = Generator(random_generator_artifact(level="word"))
    plan = generator.plan("the queen, good night")
    assert plan.prompt_tokens == ["the", UNKNOWN_WORD, ",", "good", "night"]
    assert any("queen" in n for n in plan.notices)
    text = generator.generate("the king", length=200, temperature=2.0, seed=0)
    assert UNKNOWN_WORD not in text
    assert detokenize(tokenize("Good night, the king.\nthe", "word"), "word") == "Good night, the king.\nthe"


@pytest.mark.parametrize("cell", ["lstm", "gru", "simplernn"])
def test_stepwise_probabilities_match_a_full_sequence_run(cell):
    generator = Generator(random_generator_artifact(cell=cell))
    ids = [generator.index[c] for c in "good king"]
    stepwise = generator.next_probabilities(ids)
    full, _ = generator._prime(ids)
    assert np.allclose(stepwise, np.exp(generator._logits(full)) / np.exp(generator._logits(full)).sum(-1, keepdims=True), atol=1e-6)


def test_cli_generate_and_its_errors(tmp_path, capsys):
    path = save_artifact(tmp_path / "generator.npz", random_generator_artifact())
    assert main(["generate", "--checkpoint", str(path), "--length", "20", "--seed", "2", "king"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("king") and len(out) == len("king") + 20 + 1
    assert main(["generate", "--checkpoint", str(path), "--temperature", "-1", "king"]) == 2
    assert "temperature" in capsys.readouterr().err
    assert main(["generate", "--checkpoint", str(tmp_path / "missing.npz"), "king"]) == 2
    assert "not found" in capsys.readouterr().err
    save_artifact(tmp_path / "other.npz", Artifact(kind="seq2seq", config={}))
    with pytest.raises(CheckpointError):
        Generator.load(tmp_path / "other.npz")


def shipped_generator() -> Generator:
    from seqbot.paths import default_checkpoint

    path = default_checkpoint("generator")
    assert path.exists(), f"the shipped {path} is tracked in git: restore it"
    return Generator.load(path)


def test_shipped_generator_is_an_lstm_and_reproducible():
    generator = shipped_generator()
    assert generator.cell == "lstm" and generator.level == "char"
    text = generator.generate("ROMEO:", length=80, seed=11)
    assert text == generator.generate("ROMEO:", length=80, seed=11)
    assert set(text) <= set(generator.vocab)


def test_shipped_generator_beats_character_frequencies_on_the_held_out_tail(real_corpora):
    from collections import Counter

    from seqbot.evaluation.generator_scores import streamed_bits_per_char
    from seqbot.training.generate import read_shakespeare, split_text

    generator = shipped_generator()
    train_text, validation_text = split_text(read_shakespeare(str(real_corpora)), 0.1)
    sample = validation_text[:6000]
    counts = Counter(train_text)
    unigram_bits = -sum(np.log2(counts[c] / len(train_text)) for c in sample if c in counts) / len(sample)
    score = streamed_bits_per_char(generator, sample, streams=8)
    assert score["bits_per_char"] < 0.6 * unigram_bits, (score, unigram_bits)
