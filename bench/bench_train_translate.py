"""Training throughput of the translator.

Default: the shipped translator's recipe (BiGRU 512, 2 residual GRU decoder layers, dot attention,
dropout 0.25, label smoothing 0.1, Adam 5e-4 clipnorm 5, started from checkpoints/translator.npz) on
a seeded sample of the novel split's training pairs, under each training setting below, each in its
own process (oneDNN is fixed when TensorFlow is imported):

    float32, oneDNN off      how the shipped checkpoint was trained
    float32, oneDNN on
    mixed_bfloat16, oneDNN on   (what `seqbot train translate` uses now)
    mixed_bfloat16, oneDNN on, batches of 256

For each: pairs/s over --steps batches after --warmup (tracing), and the validation loss (the
training loss, label smoothing included, computed in float32) after the same number of training
pairs, from the same start and the same batches: a faster setting is kept only if it learns the same.

    python bench/bench_train_translate.py                     # SEQBOT_CORPORA or corpora/ must hold fra-eng
    python bench/bench_train_translate.py --steps 40 --pairs 12800

--keras-example: the older comparison, in the same run, on the same fra-eng training pairs, pairs per second of `model.fit` for:
- keras-example: the keras-io lstm_seq2seq settings (one-hot characters, LSTM 256, no attention,
  rmsprop, batch 64) with every batch padded to the longest sentence of the corpus, as that example does;
- keras-example, bucketed: the same model fed seqbot's length-bucketed batches (what `--preset keras-example` runs);
- seqbot: the shipped architecture (GRU, dot attention, embeddings 64, dropout 0.25) at --units and --batch-size,
  with length-bucketed batches and the masked loss.

    python bench/bench_train_translate.py --keras-example --units 256 --steps 20

Each line is measured after a warm-up (tracing) of --warmup steps, on --threads TensorFlow threads.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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

    from seqbot.models.keras_setup import dataset_options

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


SETTINGS = [
    ("float32, oneDNN off (the shipped run)", dict(precision="float32", onednn=False, batch_size=128)),
    ("float32, oneDNN on", dict(precision="float32", onednn=True, batch_size=128)),
    ("mixed_bfloat16, oneDNN on", dict(precision="mixed_bfloat16", onednn=True, batch_size=128)),
    ("mixed_bfloat16, oneDNN on, batch 256", dict(precision="mixed_bfloat16", onednn=True, batch_size=256)),
]


def recipe_worker(setting: dict, args) -> dict:
    """Train the shipped recipe from the shipped weights under `setting`; pairs/s and validation loss."""
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if setting["onednn"] else "0"
    from seqbot.artifact import load_artifact
    from seqbot.data.char_vocab import CharVocabulary
    from seqbot.models.keras_setup import import_tensorflow
    from seqbot.training.translate import TRANSLATOR_RECIPE, novel_translation_data

    import_tensorflow(threads=args.threads)
    import keras

    from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq, compile_seq2seq, load_exported_weights

    start = load_artifact(args.checkpoint, kind="seq2seq")
    source_vocab, target_vocab = CharVocabulary(start.config["source_vocab"]), CharVocabulary(start.config["target_vocab"])
    data = novel_translation_data(args.corpora, augment=False)
    rng = np.random.default_rng(0)
    train = [data.train[i] for i in rng.choice(len(data.train), size=args.pairs, replace=False)]
    encode = lambda pairs: ([source_vocab.encode(s) for s, _ in pairs], [target_vocab.encode(t) for _, t in pairs])  # noqa: E731
    sources, targets = encode(train)
    val_sources, val_targets = encode(data.validation[:args.validation_pairs])
    recipe = TRANSLATOR_RECIPE

    def model_under(policy: str, dropout: float):
        keras.mixed_precision.set_global_policy(policy)
        config = Seq2SeqConfig.from_artifact_config(start.config, dropout=dropout)
        model = build_seq2seq(config)
        load_exported_weights(model, start.weights, config)
        optimizer = keras.optimizers.Adam(recipe["learning_rate"], clipnorm=recipe["clipnorm"])
        return compile_seq2seq(model, optimizer, label_smoothing=recipe["label_smoothing"]), config

    keras.utils.set_random_seed(1)
    model, config = model_under(setting["precision"], recipe["dropout"])
    batches = list(make_batches(sources, targets, setting["batch_size"], np.random.default_rng(1)))
    for (source, target_in), target_out in batches[:args.warmup]:
        model.train_on_batch((source, target_in), target_out)
    started, pairs = time.perf_counter(), 0
    for (source, target_in), target_out in batches[args.warmup:]:
        model.train_on_batch((source, target_in), target_out)
        pairs += len(target_out)
    seconds = time.perf_counter() - started

    from seqbot.models.seq2seq import export_weights

    trained = export_weights(model, config)
    evaluator, _ = model_under("float32", 0.0)
    load_exported_weights(evaluator, trained, config)
    losses, weights = [], []
    for (source, target_in), target_out in make_batches(val_sources, val_targets, 128, None):
        losses.append(float(evaluator.evaluate((source, target_in), target_out, verbose=0, return_dict=True)["loss"]))
        weights.append(int((target_out != 0).sum()))
    return {"pairs_per_s": pairs / seconds, "trained_pairs": sum(len(y) for _, y in batches),
            "val_loss": float(np.average(losses, weights=weights))}


def recipe_table(args) -> None:
    print(f"the shipped translator's recipe from {args.checkpoint}: {args.pairs:,} seeded novel-split training pairs "
          f"(all of them trained on, the first {args.warmup} batches not timed), {args.validation_pairs:,} validation pairs, "
          f"{args.threads} thread(s), load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    results = []
    for name, setting in SETTINGS:
        command = [sys.executable, __file__, "--worker", json.dumps(setting), "--pairs", str(args.pairs),
                   "--warmup", str(args.warmup), "--threads", str(args.threads), "--checkpoint", args.checkpoint,
                   "--validation-pairs", str(args.validation_pairs)] + (["--corpora", args.corpora] if args.corpora else [])
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        results.append((name, result))
        print(f"{name:<40} {result['pairs_per_s']:7.1f} pairs/s   validation loss {result['val_loss']:.4f} "
              f"after {result['trained_pairs']:,} pairs", flush=True)
    base = results[0][1]
    for name, result in results[1:]:
        print(f"{name}: {result['pairs_per_s'] / base['pairs_per_s']:.2f}x the pairs/s of the shipped run's setting, "
              f"validation loss {100 * (result['val_loss'] / base['val_loss'] - 1):+.2f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keras-example", action="store_true", help="the older comparison with the keras-io example")
    parser.add_argument("--checkpoint", default="checkpoints/translator.npz", help="weights the recipe rows start from")
    parser.add_argument("--validation-pairs", type=int, default=1000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--units", type=int, default=512, help="seqbot model size (shipped: 512)")
    parser.add_argument("--batch-size", type=int, default=256, help="seqbot batch size (shipped: 256)")
    parser.add_argument("--pairs", type=int, default=None,
                        help="training pairs (a seeded sample); default 6,000 for --keras-example, 12,800 for the recipe")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=15, help="--keras-example: timed batches")
    parser.add_argument("--threads", type=int, default=None, help="TensorFlow threads (default: 1 for --keras-example, 2 else)")
    parser.add_argument("--corpora")
    args = parser.parse_args()
    if args.worker:
        args.threads = args.threads or 2
        print(json.dumps(recipe_worker(json.loads(args.worker), args)))
        return
    if not args.keras_example:
        args.pairs, args.threads = args.pairs or 12_800, args.threads or 2
        recipe_table(args)
        return
    args.pairs, args.threads = args.pairs or 6000, args.threads or 1

    from seqbot.data.char_vocab import CharVocabulary
    from seqbot.models.keras_setup import import_tensorflow

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
