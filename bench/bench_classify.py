"""Classifier latency: every shipped classifier on one message, NumPy engine against Keras on the same weights.

For each message, `ClassifierSet.classify` runs every classifier of the message's language (spam RNN,
spam Naive Bayes, IMDB, Reuters for English; NSMC for Korean). The target is under 50 ms per message
for all of them together, without TensorFlow. The baseline, measured in the same run on the same
weights and messages: the Keras models called directly (`model(ids, training=False)`, one message at a
time, TensorFlow already imported and warmed up), after checking both give the same probabilities.

    python bench/bench_classify.py                 # checkpoints/; a missing checkpoint gets a random stand-in
    python bench/bench_classify.py --no-keras      # engine only (no TensorFlow import at all)

Stand-ins have the lecture's sizes (e.g. NSMC Embedding(35000, 100) -> LSTM(128)) and random weights, so
the timing is realistic before every model is trained. TensorFlow runs on one thread and NumPy's BLAS
on one (OMP/OPENBLAS threads = 1), so the comparison is per core.
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from seqbot.artifact import Artifact, load_artifact  # noqa: E402
from seqbot.engine.classifier import SHIPPED, ClassifierSet, NaiveBayesClassifier, NeuralClassifier  # noqa: E402
from seqbot.errors import CheckpointError  # noqa: E402
from seqbot.paths import checkpoints_dir  # noqa: E402

ENGLISH = [
    "WINNER!! As a valued network customer you have been selected to receive a £900 prize reward! Call 09061701461.",
    "see you at lunch?",
    "Oil prices rose sharply today after OPEC agreed to cut crude output by two million barrels a day.",
    "I loved this movie, the acting was wonderful and the story kept me hooked until the very end.",
    "Terrible film. Boring plot, wooden actors, and far too long. I want my two hours back.",
    "The company said net profit for the quarter rose 12 pct to 45 mln dlrs on revenues of 300 mln.",
    "Ok lar... Joking wif u oni...",
    "Free entry in 2 a wkly comp to win FA Cup final tkts. Text FA to 87121 to receive entry question",
    ("This is one of those films that grows on you. At first the pacing seems slow, but the characters are "
     "written with such care that by the middle you are completely invested. ") * 8,  # a ~500-word review
    "Hello, how are you?",
]
KOREAN = ["이 영화 정말 재밌어요", "최악의 영화 시간 아깝다", "배우들 연기가 너무 좋았고 스토리도 감동적이었다", "그냥 그랬어요"]

# Lecture sizes of the shipped models, for random stand-ins: layer stack, vocabulary, labels, max length.
STANDINS = {
    "spam_rnn": ("simplernn", 8921, 32, 32, ["ham", "spam"], 189, "spam", "en"),
    "imdb": ("lstm_cnn", 5000, 120, 55, ["negative", "positive"], 500, "sentiment", "en"),
    "reuters": ("lstm", 1000, 120, 120, [f"topic{i}" for i in range(46)], 100, "topic", "en"),
    "nsmc": ("lstm", 35000, 100, 128, ["negative", "positive"], 30, "sentiment", "ko"),
}


def standin_artifact(name: str, vocabulary: list[str]) -> Artifact:
    cell, vocab_size, dim, units, labels, max_length, task, language = STANDINS[name]
    rng = np.random.default_rng(0)
    classes = 1 if len(labels) == 2 else len(labels)

    def normal(*shape):
        return (rng.normal(size=shape) * 0.1).astype(np.float32)

    layers = [{"name": "embedding", "type": "embedding", "mask_zero": cell != "lstm_cnn", "weights": 1}]
    weights = {"embedding/0": normal(vocab_size, dim)}
    rnn_input = dim
    if cell == "lstm_cnn":
        layers += [{"name": "dropout", "type": "dropout", "weights": 0},
                   {"name": "conv", "type": "conv1d", "activation": "relu", "weights": 2},
                   {"name": "pool", "type": "max_pooling1d", "pool_size": 4, "weights": 0}]
        weights.update({"conv/0": normal(5, dim, 64), "conv/1": normal(64)})
        rnn_input, cell = 64, "lstm"
    gates = {"simplernn": 1, "lstm": 4}[cell]
    layers += [{"name": "rnn", "type": "rnn", "cell": cell, "units": units, "return_sequences": False, "weights": 3},
               {"name": "output", "type": "dense", "activation": "sigmoid" if classes == 1 else "softmax", "weights": 2}]
    weights.update({"rnn/0": normal(rnn_input, gates * units), "rnn/1": normal(units, gates * units),
                    "rnn/2": normal(gates * units), "output/0": normal(units, classes), "output/1": normal(classes)})
    vocab = ([""] + vocabulary + [f"w{i}" for i in range(vocab_size)])[:vocab_size]
    kind = "korean_words" if language == "ko" else "words"
    config = {"name": {"spam_rnn": "spam_rnn", "imdb": "imdb_lstm_cnn", "reuters": "reuters_lstm", "nsmc": "nsmc_lstm"}[name],
              "layers": layers, "labels": labels, "max_length": max_length, "task": task, "language": language,
              "padding": "pre", "preprocessing": {"type": kind, "vocab": vocab, "oov_id": None, "stopwords": []}}
    return Artifact("classifier", config, weights, {"standin": True})


def load_set(directory) -> tuple[ClassifierSet, list[str]]:
    """The shipped classifiers, with random lecture-size stand-ins for the missing neural ones."""
    loaded = ClassifierSet.load(directory)
    standins = []
    words = sorted({w.lower().strip(".,!?") for text in ENGLISH + KOREAN for w in text.split()})
    for name, message in list(loaded.errors.items()):
        if name in STANDINS:
            loaded.classifiers[name] = NeuralClassifier(standin_artifact(name, words), name)
            standins.append(name)
            del loaded.errors[name]
    order = {name: i for i, name in enumerate(SHIPPED)}
    loaded.classifiers = dict(sorted(loaded.classifiers.items(), key=lambda item: order.get(item[0], 99)))
    return loaded, standins


def time_engine(classifiers: ClassifierSet, messages: list[str], repeats: int) -> tuple[list[float], dict[str, float]]:
    per_message, per_model = [], {name: [] for name in classifiers.names}
    for _ in range(repeats):
        for text in messages:
            start = time.perf_counter()
            classifiers.classify(text)
            per_message.append(time.perf_counter() - start)
            for name in classifiers.models_for(classifiers_language(text)):
                t0 = time.perf_counter()
                classifiers.classifiers[name].predict(text)
                per_model[name].append(time.perf_counter() - t0)
    return per_message, {name: statistics.median(v) for name, v in per_model.items() if v}


def classifiers_language(text: str) -> tuple[str, ...]:
    from seqbot.data.scripts import languages_of

    return languages_of(text)


def keras_models(classifiers: ClassifierSet):
    """Keras twins of the neural classifiers, with the engine's weights copied in."""
    from seqbot.models.classifiers import build
    from seqbot.models.keras_setup import import_tensorflow

    import_tensorflow(threads=1)
    twins = {}
    for name, classifier in classifiers.classifiers.items():
        if not isinstance(classifier, NeuralClassifier):
            continue
        configs = classifier.stack.layers
        architecture = classifier_architecture(classifier)
        vocab = configs[0][1][0].shape[0]
        output = configs[-1][1][0].shape[1]
        model = build(architecture, vocab_size=vocab, classes=output, max_length=classifier.max_length,
                      variable_length=classifier.stack.masks_padding)
        for config, arrays in configs:
            if arrays:
                model.get_layer(config["name"]).set_weights(arrays)
        twins[name] = model
    return twins


def classifier_architecture(classifier: NeuralClassifier) -> str:
    return classifier.architecture


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", help="checkpoint folder (default checkpoints/)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keras-repeats", type=int, default=1, help="passes for the (slow) Keras baseline")
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras baseline")
    args = parser.parse_args()

    start = time.perf_counter()
    classifiers, standins = load_set(checkpoints_dir(args.checkpoints))
    load_seconds = time.perf_counter() - start
    print(f"loaded {', '.join(classifiers.names)} in {load_seconds * 1000:.0f} ms"
          + (f" (random lecture-size stand-ins: {', '.join(standins)})" if standins else ""))
    for name, message in classifiers.errors.items():
        print(f"  {name}: {message}")
    messages = ENGLISH + KOREAN
    for text in messages:  # warm-up
        classifiers.classify(text)
    per_message, per_model = time_engine(classifiers, messages, args.repeats)
    engine_median = statistics.median(per_message)
    engine_p95 = sorted(per_message)[int(0.95 * (len(per_message) - 1))]
    print(f"\nengine, all classifiers per message: median {engine_median * 1000:.1f} ms, p95 {engine_p95 * 1000:.1f} ms, "
          f"max {max(per_message) * 1000:.1f} ms over {len(per_message)} messages (target < 50 ms)")
    for name, seconds in per_model.items():
        print(f"  {name:<9} median {seconds * 1000:6.2f} ms")
    print(f"  TensorFlow imported: {'tensorflow' in sys.modules}")
    if args.no_keras:
        return 0

    t0 = time.perf_counter()
    twins = keras_models(classifiers)
    print(f"\nKeras baseline: TensorFlow import + model build {time.perf_counter() - t0:.1f} s")
    keras_times = []
    for text in messages:
        for name in classifiers.models_for(classifiers_language(text)):
            if name in twins:
                ids = classifiers.classifiers[name].ids(text)
                expected = twins[name](ids, training=False).numpy()[0]
                engine = classifiers.classifiers[name].stack(ids)[0]
                if not np.allclose(engine, expected, atol=1e-4):
                    print(f"  parity FAILED for {name}: engine {engine[:3]} keras {expected[:3]}")
                    return 1
    print("  parity: engine and Keras agree within 1e-4 on every message")
    for _ in range(args.keras_repeats):
        for text in messages:
            start = time.perf_counter()
            for name in classifiers.models_for(classifiers_language(text)):
                classifier = classifiers.classifiers[name]
                if name in twins:
                    twins[name](classifier.ids(text), training=False).numpy()
                else:
                    classifier.predict(text)  # Naive Bayes has no Keras twin: same NumPy code on both sides
            keras_times.append(time.perf_counter() - start)
    keras_median = statistics.median(keras_times)
    print(f"Keras model(ids) per message: median {keras_median * 1000:.1f} ms, "
          f"p95 {sorted(keras_times)[int(0.95 * (len(keras_times) - 1))] * 1000:.1f} ms")
    print(f"engine / Keras median time: {engine_median / keras_median:.2f}x "
          f"({keras_median / engine_median:.1f}x faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
