"""Training throughput of the translator: seqbot's model and batching against the keras-io example's.

In the same run, on the same fra-eng training pairs, pairs per second of `model.fit` for:
- keras-example: the keras-io lstm_seq2seq settings (one-hot characters, LSTM 256, no attention,
  rmsprop, batch 64) with every batch padded to the longest sentence of the corpus, as that example does;
- keras-example, bucketed: the same model fed seqbot's length-bucketed batches (what `--preset keras-example` runs);
- seqbot: the shipped architecture (GRU, dot attention, embeddings 64, dropout 0.25) at --units and --batch-size,
  with length-bucketed batches and the masked loss.

    python bench/bench_train_translate.py                       # SEQBOT_CORPORA or corpora/ must hold fra-eng
    python bench/bench_train_translate.py --units 256 --steps 20

Each line is measured after a warm-up (tracing) of --warmup steps, on --threads TensorFlow threads.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from seqbot.training.translate import make_batches, translation_data


def full_length_batches(sources, targets, batch_size, source_length, target_length, rng):
    """The keras-io example's batches: every sentence padded to the corpus' longest, shuffled."""
    for (source, target_in), target_out in make_batches(sources, targets, batch_size, rng):
        pad = lambda array, length: np.pad(array, ((0, 0), (0, length - array.shape[1])))  # noqa: E731
        yield (pad(source, source_length), pad(target_in, target_length)), pad(target_out, target_length)


def pairs_per_second(model, batches, warmup: int, steps: int) -> float:
    import tensorflow as tf

    from seqbot.training.tf_setup import dataset_options

    first = next(batches)
    spec = tf.TensorSpec(shape=(None, None), dtype=tf.int32)
    dataset = tf.data.Dataset.from_generator(lambda: ((x, y) for x, y in [first] + list(batches)),
                                             output_signature=((spec, spec), spec)).with_options(dataset_options())
    iterator = iter(dataset.repeat())
    pairs = 0
    for step in range(warmup + steps):
        if step == warmup:
            started = time.perf_counter()
        x, y = next(iterator)
        model.train_on_batch(x, y)
        if step >= warmup:
            pairs += int(y.shape[0])
    return pairs / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=512, help="seqbot model size (shipped: 512)")
    parser.add_argument("--batch-size", type=int, default=256, help="seqbot batch size (shipped: 256)")
    parser.add_argument("--pairs", type=int, default=6000, help="training pairs (a seeded sample) to draw batches from")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--corpora")
    args = parser.parse_args()

    from seqbot.data.char_vocab import CharVocabulary
    from seqbot.training.tf_setup import import_tensorflow

    import_tensorflow(threads=args.threads)
    import keras

    from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq, compile_seq2seq

    data = translation_data(args.corpora, max_english_length=50, max_french_length=70)
    # A seeded sample: the split keeps the corpus order, shortest sentences first.
    picked = np.random.default_rng(0).choice(len(data.train), size=min(args.pairs, len(data.train)), replace=False)
    train = [data.train[i] for i in picked]
    source_vocab = CharVocabulary.build((s for s, _ in data.train), 1)
    target_vocab = CharVocabulary.build((t for _, t in data.train), 1)
    sources = [source_vocab.encode(s) for s, _ in train]
    targets = [target_vocab.encode(t) for _, t in train]
    print(f"{len(train):,} fra-eng training pairs (seeded sample), vocabularies {len(source_vocab)}/{len(target_vocab)}, "
          f"{args.threads} TensorFlow thread(s), load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    def keras_example():
        config = Seq2SeqConfig(len(source_vocab), len(target_vocab), "lstm", 256, attention="none", one_hot=True)
        return compile_seq2seq(build_seq2seq(config), "rmsprop", 1e-3)

    def shipped():
        config = Seq2SeqConfig(len(source_vocab), len(target_vocab), "gru", args.units, 64, "dot", dropout=0.25)
        return compile_seq2seq(build_seq2seq(config), keras.optimizers.Adam(2e-3, clipnorm=5.0))

    rng = lambda: np.random.default_rng(0)  # noqa: E731
    rows = [
        ("keras-example, full-length batches of 64", keras_example,
         lambda: full_length_batches(sources, targets, 64, 56, 72, rng())),
        ("keras-example, bucketed batches of 64", keras_example, lambda: make_batches(sources, targets, 64, rng())),
        (f"seqbot GRU {args.units} dot attention, bucketed batches of {args.batch_size}", shipped,
         lambda: make_batches(sources, targets, args.batch_size, rng())),
    ]
    results = {}
    for name, build, batches in rows:
        keras.utils.set_random_seed(1)
        results[name] = pairs_per_second(build(), batches(), args.warmup, args.steps)
        print(f"{name:<58} {results[name]:8.1f} pairs/s")
    baseline = results[rows[0][0]]
    for name, _, _ in rows[1:]:
        print(f"{name}: {results[name] / baseline:.2f}x the keras-io example's pairs per second")


if __name__ == "__main__":
    main()
