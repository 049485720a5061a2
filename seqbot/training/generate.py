"""Train a character- or word-level RNN language model on tiny Shakespeare and export it.

    seqbot train generate --cell lstm --units 256 --minutes 15 --output checkpoints/generator.npz
    seqbot train generate --cell simplernn --output runs/generate-simplernn/generator.npz
    seqbot train generate --cell lstm --level word --minutes 8 --output runs/generate-word/generator.npz

The last `--validation-fraction` of the text (its tail, never seen in training) is held out;
validation loss is reported in bits per character (word level: total nats of the tail / its
characters / ln 2, so the two levels compare). Every epoch saves the Keras model and the state
under `--run-dir` and exports the artifact, so a killed run resumes with `--resume`.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from seqbot.artifact import save_artifact
from seqbot.engine.generator import UNKNOWN_WORD, tokenize
from seqbot.errors import SeqbotError
from seqbot.paths import corpora_dir


@dataclass
class GenerateTrainingConfig:
    cell: str = "lstm"
    level: str = "char"
    units: int = 256
    embedding_dim: int = 64
    sequence_length: int = 100
    batch_size: int = 64
    learning_rate: float = 0.002
    steps_per_epoch: int = 100
    epochs: int = 1000  # upper bound; `minutes` usually stops training first
    minutes: float = 15.0
    validation_fraction: float = 0.1
    max_words: int = 6000
    seed: int = 0
    threads: int = 1
    corpora: str | None = None
    run_dir: str = "runs/generate"
    output: str = "checkpoints/generator.npz"
    resume: bool = False


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


def train(config: GenerateTrainingConfig, log=print) -> dict:
    from seqbot.training.tf_setup import dataset_options, import_tensorflow

    tf = import_tensorflow(threads=config.threads)
    import keras

    from seqbot.models.textgen import TextGenConfig, build_model, export_artifact

    if config.level not in ("char", "word"):
        raise SeqbotError(f"--level must be char or word, not {config.level!r}")
    if not 0.0 < config.validation_fraction < 0.5:
        raise SeqbotError("--validation-fraction must be between 0 and 0.5")
    text = read_shakespeare(config.corpora)
    train_text, validation_text = split_text(text, config.validation_fraction)
    train_tokens = tokenize(train_text, config.level)
    validation_tokens = tokenize(validation_text, config.level)

    run_dir = Path(config.run_dir)
    state_path, model_path = run_dir / "state.json", run_dir / "model.keras"
    model_config = TextGenConfig(config.cell, config.units, config.embedding_dim, config.level)
    if config.resume and state_path.exists() and model_path.exists():
        state = json.loads(state_path.read_text())
        if state["model"] != asdict(model_config):
            raise SeqbotError(f"{run_dir} holds a {state['model']} run; not resuming it with {asdict(model_config)}")
        vocab = state["vocab"]
        model = keras.models.load_model(model_path)
        log(f"resuming {run_dir} at epoch {state['epoch']} ({state['elapsed_s']:.0f} s trained)")
    else:
        vocab = build_vocabulary(train_tokens, config.level, config.max_words)
        keras.utils.set_random_seed(config.seed)
        model = build_model(model_config, len(vocab))
        model.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=5.0),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        state = {"model": asdict(model_config), "vocab": vocab, "epoch": 0, "elapsed_s": 0.0, "history": []}
    run_dir.mkdir(parents=True, exist_ok=True)

    train_ids, validation_ids = encode(train_tokens, vocab), encode(validation_tokens, vocab)
    train_x, train_y = windows(train_ids, config.sequence_length)
    validation_x, validation_y = windows(validation_ids, config.sequence_length)
    # Validation tail in bits per character: nats per token * tokens / characters / ln 2.
    tokens_per_char = validation_x.size / max(1, len(detokenized_span(validation_text, validation_x.size, len(validation_tokens))))
    log(f"{config.level} level: vocabulary {len(vocab)}, train {len(train_ids)} tokens ({len(train_x)} windows), "
        f"validation {len(validation_ids)} tokens from the last {len(validation_text)} characters")

    options = dataset_options()
    train_data = (tf.data.Dataset.from_tensor_slices((train_x, train_y))
                  .shuffle(len(train_x), seed=config.seed + state["epoch"]).repeat()
                  .batch(config.batch_size, drop_remainder=True).with_options(options))
    validation_data = (tf.data.Dataset.from_tensor_slices((validation_x, validation_y))
                       .batch(config.batch_size).with_options(options))

    budget_s = config.minutes * 60.0
    started = time.perf_counter()
    default_prompt = train_text.split("\n", 1)[0] + "\n"

    class Progress(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if state["elapsed_s"] + (time.perf_counter() - started) > budget_s:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            elapsed = state["elapsed_s"] + (time.perf_counter() - started)
            loss = float(logs["loss"])
            validation_loss = float(logs.get("val_loss", float("nan")))
            bpc = validation_loss * tokens_per_char / math.log(2)
            state["history"].append({"epoch": epoch + 1, "loss": loss, "val_loss": validation_loss,
                                     "val_bits_per_char": bpc, "elapsed_s": elapsed})
            state["epoch"] = epoch + 1
            log(f"epoch {epoch + 1}: loss {loss:.4f}  val_loss {validation_loss:.4f} nats/{config.level}  "
                f"val {bpc:.4f} bits/char  ({elapsed:.0f} s)")
            self.model.save(model_path)
            best = min(state["history"], key=lambda h: h["val_loss"])
            saved = dict(state, elapsed_s=elapsed)
            state_path.write_text(json.dumps(saved))
            metadata = {
                "corpus": "tinyshakespeare/input.txt",
                "split": {"validation": f"last {config.validation_fraction:.0%} of the text (line-aligned)",
                          "train_characters": len(train_text), "validation_characters": len(validation_text)},
                "training": {"epochs": epoch + 1, "steps_per_epoch": config.steps_per_epoch,
                             "batch_size": config.batch_size, "sequence_length": config.sequence_length,
                             "time_s": round(elapsed, 1), "threads": config.threads},
                "scores": {"val_loss_nats_per_token": validation_loss, "val_bits_per_char": bpc,
                           "best_val_bits_per_char": best["val_bits_per_char"]},
                "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            save_artifact(config.output, export_artifact(self.model, model_config, vocab, default_prompt, metadata))

    model.fit(train_data, epochs=config.epochs, initial_epoch=state["epoch"], steps_per_epoch=config.steps_per_epoch,
              validation_data=validation_data, callbacks=[Progress()], verbose=0, shuffle=False)
    final = state["history"][-1] if state["history"] else {}
    log(f"done: {json.dumps(final)}; exported {config.output}")
    return final


def detokenized_span(text: str, used_tokens: int, total_tokens: int) -> str:
    """The part of `text` covered by the first `used_tokens` of its `total_tokens` (approximated by
    proportion for words; exact for characters)."""
    if used_tokens >= total_tokens:
        return text
    return text[: round(len(text) * used_tokens / total_tokens)]


def streamed_bits_per_char(generator, text: str, streams: int = 64) -> dict:
    """Bits per character of `text` under a generator checkpoint, run by the NumPy engine as
    `streams` long contiguous pieces (state carried through each piece, unlike the 100-token
    training windows), so a model's use of long context counts. Word level: total nats of the
    tokens / characters of the text / ln 2 (optimistic: rare words all share <unk>)."""
    from seqbot.engine import layers

    tokens = [t for t in tokenize(text, generator.level)]
    unknown = generator.index.get(UNKNOWN_WORD)
    ids = np.array([generator.index.get(t, unknown) for t in tokens if t in generator.index or unknown is not None])
    piece = len(ids) // streams
    grid = ids[: piece * streams].reshape(streams, piece)
    outputs, _ = layers.rnn(generator.cell, layers.embedding(grid[:, :-1], generator.embedding),
                            generator.rnn_weights, return_sequences=True)
    log_probs = layers.log_softmax(generator._logits(outputs).astype(np.float64))
    nats = -np.take_along_axis(log_probs, grid[:, 1:, None], axis=-1).sum()
    predicted = grid[:, 1:].size
    characters = len(text) * predicted / len(tokens)
    return {"bits_per_char": float(nats / characters / math.log(2)), "nats_per_token": float(nats / predicted),
            "tokens": int(predicted), "streams": streams}


def main(argv: list[str] | None = None) -> int:
    """python -m seqbot.training.generate CHECKPOINT...: streamed bits per character of each
    checkpoint on the held-out tail of tiny Shakespeare (SEQBOT_CORPORA or corpora/)."""
    import argparse

    from seqbot.engine.generator import Generator

    parser = argparse.ArgumentParser(prog="python -m seqbot.training.generate", description=main.__doc__)
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--validation-fraction", type=float, default=0.1)
    parser.add_argument("--corpora")
    args = parser.parse_args(argv)
    _, validation_text = split_text(read_shakespeare(args.corpora), args.validation_fraction)
    for path in args.checkpoints:
        generator = Generator.load(path)
        windowed = generator.metadata.get("scores", {}).get("val_bits_per_char", float("nan"))
        score = streamed_bits_per_char(generator, validation_text)
        print(f"{path}: {generator.cell} {generator.level} units {generator.units}, "
              f"trained {generator.metadata.get('training', {}).get('time_s')} s: validation tail "
              f"{score['bits_per_char']:.4f} bits/char streamed, {windowed:.4f} in 100-token windows (Keras)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
