"""Train a character- or word-level RNN language model on tiny Shakespeare through the shared loop
(seqbot.training.loop) and export it as a generator artifact.

    seqbot train generate                              # the shipped checkpoints/generator.npz recipe
    seqbot train generate cpu                          # the 15-minute CPU recipe
    seqbot train generate simplernn                    # the SimpleRNN sibling
    seqbot train generate word                         # word level
    seqbot train generate --epochs 1 --steps-per-epoch 5 --units 32    # a smoke run
    seqbot train generate --export checkpoints/generator.npz --force

The last `validation_fraction` of the text (its tail, never seen in training) is held out;
validation loss is reported in bits per character (word level: total nats of the tail / its
characters / ln 2, so the two levels compare). The run lives in runs/generate-NAME (rerun the same
command to resume) and writes generator.npz there; only --export copies it elsewhere.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from seqbot.artifact import save_artifact
from seqbot.data.generator_text import UNKNOWN_WORD, tokenize
from seqbot.errors import SeqbotError
from seqbot.paths import corpora_dir
from seqbot.training.loop import LoopConfig, distribution_scope, fit, make_optimizer
from seqbot.training.metadata import run_metadata
from seqbot.training.recipes import named_recipe, recipes_for
from seqbot.training.outputs import export_copy, run_folder


@dataclass
class GenerateConfig:
    """A generator recipe's settings. The defaults are a fallback for what a recipe leaves out; the
    recipes themselves (the shipped checkpoints/generator.npz first) are in seqbot/training/recipes.py."""

    cell: str = "lstm"
    level: str = "char"
    units: int = 256
    embedding_dim: int = 64
    sequence_length: int = 100
    window_stride: int = 25  # a training window starts every N tokens (sequence_length: no overlap)
    batch_size: int = 128
    learning_rate: float = 3e-3
    clipnorm: float = 5.0
    steps_per_epoch: int | None = 156
    epochs: int = 32
    patience: int | None = 5
    plateau_factor: float = 0.5
    max_minutes: float | None = None  # this session's training time; rerun to continue (seqbot.training.loop)
    validation_fraction: float = 0.1
    max_words: int = 6000
    seed: int = 0


GenerateTrainingConfig = GenerateConfig  # the name tools/gpu_train.py imports

# name -> GenerateConfig: a view of the recipe registry (seqbot/training/recipes.py)
RECIPES = {name: GenerateConfig(**recipe.settings) for name, recipe in recipes_for("generate").items()}


def recipe(name: str = "generator", overrides: dict | None = None) -> GenerateConfig:
    config = named_recipe(RECIPES, name, overrides, "generator")
    if config.level not in ("char", "word"):
        raise SeqbotError(f"--level must be char or word, not {config.level!r}")
    if not 0.0 < config.validation_fraction < 0.5:
        raise SeqbotError("--validation-fraction must be between 0 and 0.5")
    if config.window_stride < 1 or config.sequence_length < 2:
        raise SeqbotError("--window-stride must be at least 1 and --sequence-length at least 2")
    return config


def loop_config(config: GenerateConfig) -> LoopConfig:
    """The shared loop's settings for a generator recipe."""
    return LoopConfig(epochs=config.epochs, patience=config.patience, plateau_factor=config.plateau_factor,
                      steps_per_epoch=config.steps_per_epoch, max_minutes=config.max_minutes)


def read_shakespeare(corpora: str | None = None) -> str:
    """tiny Shakespeare as one string, through helper A's reader (karpathy/char-rnn `input.txt`)."""
    from seqbot.data.shakespeare import DEFAULT_FILE, read_text

    return read_text(corpora_dir(corpora) / DEFAULT_FILE)


def split_text(text: str, validation_fraction: float) -> tuple[str, str]:
    """Train on the head, validate on the tail; the cut moves to a line start so no line is split."""
    cut = int(len(text) * (1.0 - validation_fraction))
    newline = text.rfind("\n", 0, cut)
    cut = newline + 1 if newline > 0 else cut
    return text[:cut], text[cut:]


def build_vocabulary(tokens: list[str], level: str, max_words: int) -> list[str]:
    counts = Counter(tokens)
    if level == "char":
        return sorted(counts)
    most_common = [token for token, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return [UNKNOWN_WORD] + most_common[: max_words - 1]


def encode(tokens: list[str], vocab: list[str]) -> np.ndarray:
    index = {token: i for i, token in enumerate(vocab)}
    unknown = index.get(UNKNOWN_WORD, 0)
    return np.array([index.get(token, unknown) for token in tokens], dtype=np.int32)


def windows(ids: np.ndarray, sequence_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping (input, next-token target) windows."""
    count = (len(ids) - 1) // sequence_length
    usable = ids[: count * sequence_length + 1]
    inputs = usable[:-1].reshape(count, sequence_length)
    targets = usable[1:].reshape(count, sequence_length)
    return inputs, targets


def strided_windows(ids: np.ndarray, sequence_length: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """(input, next-token target) windows starting every `stride` tokens."""
    if stride >= sequence_length:
        return windows(ids, sequence_length)
    starts = np.arange(0, len(ids) - sequence_length - 1, stride)
    inputs = np.stack([ids[s:s + sequence_length] for s in starts])
    targets = np.stack([ids[s + 1:s + sequence_length + 1] for s in starts])
    return inputs, targets


def train(name: str = "generator", overrides: dict | None = None, corpora: str | None = None, export: str | None = None,
          force: bool = False, threads: int = 1, strategy: str = "default", runs: str | None = None, log=print) -> dict:
    """Train recipe NAME in runs/generate-NAME; returns the final scores and the artifact path."""
    config = recipe(name, overrides)
    from seqbot.models.keras_setup import dataset_options, import_tensorflow

    tf = import_tensorflow(threads=threads)
    import keras

    scope = distribution_scope(strategy)  # before any other TensorFlow op: collectives are set up at start-up

    from seqbot.models.textgen import TextGenConfig, build_model, export_artifact
    from seqbot.data.shakespeare import DEFAULT_FILE

    text = read_shakespeare(corpora)
    train_text, validation_text = split_text(text, config.validation_fraction)
    train_tokens = tokenize(train_text, config.level)
    validation_tokens = tokenize(validation_text, config.level)
    run_dir = run_folder(f"generate-{name}", runs)
    vocab_path = run_dir / "vocab.json"
    if vocab_path.exists():  # resume with the same vocabulary
        vocab = json.loads(vocab_path.read_text())
    else:
        vocab = build_vocabulary(train_tokens, config.level, config.max_words)
        vocab_path.write_text(json.dumps(vocab, ensure_ascii=False))
    model_config = TextGenConfig(config.cell, config.units, config.embedding_dim, config.level)
    train_x, train_y = strided_windows(encode(train_tokens, vocab), config.sequence_length, config.window_stride)
    validation_x, validation_y = windows(encode(validation_tokens, vocab), config.sequence_length)
    # Validation tail in bits per character: nats per token * tokens / characters / ln 2.
    tokens_per_char = validation_x.size / max(1, len(detokenized_span(validation_text, validation_x.size, len(validation_tokens))))
    log(f"{config.level} level: vocabulary {len(vocab)}, {len(train_x)} training windows, "
        f"validation {len(validation_x)} windows from the last {len(validation_text)} characters")
    options = dataset_options()
    train_data = (tf.data.Dataset.from_tensor_slices((train_x, train_y)).shuffle(len(train_x), seed=config.seed)
                  .batch(config.batch_size, drop_remainder=True).with_options(options))
    validation_data = tf.data.Dataset.from_tensor_slices((validation_x, validation_y)).batch(config.batch_size).with_options(options)
    keras.utils.set_random_seed(config.seed)
    with scope:
        model = build_model(model_config, len(vocab))
        model.compile(optimizer=make_optimizer("adam", config.learning_rate, config.clipnorm),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    default_prompt = train_text.split("\n", 1)[0] + "\n"
    loop = loop_config(config)
    scores = {}

    def export_run(model, result):
        validation_loss = float(model.evaluate(validation_data, verbose=0))
        scores.update(val_loss_nats_per_token=validation_loss,
                      val_bits_per_char=validation_loss * tokens_per_char / math.log(2), epochs=result.epochs)
        log(f"validation tail: {scores['val_bits_per_char']:.4f} bits/char")
        metadata = run_metadata(config, [corpora_dir(corpora) / DEFAULT_FILE], result.time_s,
                                {k: v for k, v in scores.items() if k != "epochs"}, recipe_name=name,
                                corpus="tinyshakespeare/input.txt",
                                split={"validation": f"last {config.validation_fraction:.0%} of the text (line-aligned)",
                                       "train_characters": len(train_text), "validation_characters": len(validation_text)},
                                training=result.summary())
        return save_artifact(result.run_dir / "generator.npz", export_artifact(model, model_config, vocab, default_prompt, metadata))

    result = fit(model, train_data, validation_data, loop, run_dir, export=export_run, log=log)
    path = result.exported
    if path is not None and export:
        path = export_copy(path, export, force, log)
    return {**scores, "path": path, "updates": result.updates}


def detokenized_span(text: str, used_tokens: int, total_tokens: int) -> str:
    """The part of `text` covered by the first `used_tokens` of its `total_tokens` (approximated by
    proportion for words; exact for characters)."""
    if used_tokens >= total_tokens:
        return text
    return text[: round(len(text) * used_tokens / total_tokens)]
