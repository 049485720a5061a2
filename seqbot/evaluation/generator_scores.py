"""The generator's bits per character on the held-out tail of tiny Shakespeare, run by the NumPy
engine as long streams (the training loop reports them in 100-token windows).

    python -m seqbot.evaluation.generator_scores checkpoints/generator.npz
    streamed_bits_per_char(Generator.load(path), validation_text)

The held-out tail is the generator recipe's (seqbot.training.generate.split_text).
"""

from __future__ import annotations

import math

import numpy as np

from seqbot.data.generator_text import UNKNOWN_WORD, tokenize
from seqbot.engine import layers
from seqbot.engine.generator import Generator
from seqbot.training.generate import read_shakespeare, split_text


def streamed_bits_per_char(generator, text: str, streams: int = 64) -> dict:
    """Bits per character of `text` under a generator checkpoint, run by the NumPy engine as
    `streams` long contiguous pieces (state carried through each piece, unlike the 100-token
    training windows), so a model's use of long context counts. Word level: total nats of the
    tokens / characters of the text / ln 2 (optimistic: rare words all share <unk>)."""
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
    """python -m seqbot.evaluation.generator_scores CHECKPOINT...: streamed bits per character of each
    checkpoint on the held-out tail of tiny Shakespeare (SEQBOT_CORPORA or corpora/)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m seqbot.evaluation.generator_scores", description=main.__doc__)
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
