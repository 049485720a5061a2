"""Train the lecture's classifiers on their real corpora through the shared loop (seqbot.training.loop).

    seqbot train classify spam_nb                      # seconds
    seqbot train classify spam_rnn                     # SimpleRNN, a few minutes on one thread
    seqbot train classify reuters                      # LSTM(120) on Reuters-46
    seqbot train classify nsmc_spm_attention_98        # the shipped checkpoints/nsmc.npz recipe
    seqbot train classify imdb_lstm_cnn_crops          # the shipped checkpoints/imdb.npz recipe (reviews + snippets)
    seqbot train classify imdb_lstm_dropout            # the shipped checkpoints/imdb_lstm.npz recipe
    seqbot train classify spam_rnn --export checkpoints/spam_rnn.npz --force   # replace the shipped one

A recipe's values live in seqbot/training/recipes.py (`seqbot models recipes`); CONFIGS here holds
them as ClassifyConfig (its name is the training name; `artifact` is the checkpoint it would replace). Every run lives in runs/classify-NAME (resumable: rerun the same command) and
writes its artifact there; only --export copies it anywhere else. The corpus splits come from
seqbot.data.classify_splits, which `seqbot eval classify` uses too. TensorFlow is imported only
inside train().
"""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from seqbot.data import korean
from seqbot.data.classify_splits import (CORPUS_READERS, Dataset, corpus_files, imdb_dataset, load_dataset,  # noqa: F401
                                         newsgroups_dataset, nsmc_dataset, reuters_dataset, spam_dataset, stratified_split)
from seqbot.errors import SeqbotError
from seqbot.training.loop import LoopConfig, distribution_scope, fit, make_optimizer
from seqbot.training.metadata import run_metadata
from seqbot.training.recipes import named_recipe, recipes_for
from seqbot.training.outputs import export_copy, run_folder


# --- text -> ids ---

NSMC_STOPWORDS = list(korean.STOP_WORDS)  # the lecture's list, recorded in each NSMC artifact


def word_vocabulary(token_lists, max_words: int | None, oov: bool) -> list[str]:
    """id -> word, Keras Tokenizer style: 0 = padding, (1 = <oov>), then by frequency; `max_words` ids in all."""
    counts = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    head = ["", "<oov>"] if oov else [""]
    words = [w for w, _ in counts.most_common()]
    vocab = head + words
    return vocab[:max_words] if max_words else vocab


def make_encoder(preprocessing: dict, blobs: dict):
    """The engine's TextEncoder: training and inference turn text into ids with the same code."""
    from seqbot.data.text_encoding import TextEncoder

    return TextEncoder(preprocessing, blobs)


# --- models ---

@dataclass
class ClassifyConfig:
    """How one shipped model is trained. `spec` names the Keras builder in seqbot.models.classifiers."""

    name: str  # training name (seqbot train classify NAME)
    artifact: str  # checkpoints/<artifact>.npz
    spec: str
    corpus: str
    task: str
    language: str = "en"
    tokenizer: str = "words"  # words | korean_words | sentencepiece
    max_words: int | None = None
    oov: bool = False
    max_length: int = 100
    fixed_length: bool = False  # pad every text to max_length (models without masking)
    optimizer: str = "rmsprop"
    learning_rate: float | None = None  # None: the optimizer's Keras default (rmsprop and adam: 1e-3)
    clipnorm: float | None = None  # clip each gradient's norm (the optimizer's clipnorm)
    batch_size: int = 64
    epochs: int = 10
    patience: int = 2
    plateau_factor: float = 1.0  # multiply the learning rate by this after an epoch without a better validation loss
    validation_fraction: float = 0.2
    sentencepiece_vocab: int = 8000
    train_limit: int | None = None  # use only the first N training texts (CPU budget)
    keep: str = "first"  # which max_length tokens of a longer text: "first" or "last" (Keras' default)
    word_vectors: bool = False  # start the Embedding from PPMI-SVD vectors of the training texts (word_vectors.py)
    average_epochs: int = 0  # ship the mean of the last N epochs' weights if its validation loss is lower
    rnn_dropout: float = 0.0  # dropout on the recurrent layer's inputs while training (Embedding -> RNN stacks)
    pretrain_epochs: int = 0  # first train Embedding + RNN as a next-word model on the training texts (Dai & Le 2015)
    seed: int = 0  # initial weights and dropout masks (Keras' set_random_seed)
    crops_per_text: int = 0  # add up to N snippets of <= 12 words of each training text, labelled as it (short_messages.crops)
    crop_length: int = 0  # fixed_length models: pad snippets only to this many tokens (0: to max_length like the texts)
    calibrate: bool = False  # fit a temperature on the validation texts (and their crops) and store it in the artifact
    short_calibration: bool = False  # IMDB: a second temperature for messages, fitted on hand-checked validation snippets
    init_from: str | None = None  # start from this classifier artifact's weights (same architecture and vocabulary)


# Views of the recipe registry (seqbot/training/recipes.py), where every recipe's values live.
_RECIPES = recipes_for("classify")
CONFIGS = {name: ClassifyConfig(name, recipe.artifact, **recipe.settings)
           for name, recipe in _RECIPES.items() if recipe.settings.get("kind") != "naive_bayes"}
NAIVE_BAYES = {name: (recipe.settings["corpus"], recipe.settings["task"], recipe.settings["alpha"])
               for name, recipe in _RECIPES.items() if recipe.settings.get("kind") == "naive_bayes"}
# BagOfWords options per Naive Bayes model (TF-IDF for 20 Newsgroups)
NB_FEATURES = {name: {key: value for key, value in _RECIPES[name].settings.items() if key in ("weighting", "sublinear_tf")}
               for name in NAIVE_BAYES}
NAMES = list(CONFIGS) + list(NAIVE_BAYES)


def preprocessing_for(config: ClassifyConfig, texts: list[str]) -> tuple[dict, dict]:
    """Fit the tokenizer on the training texts: (preprocessing config, blobs)."""
    from seqbot.data.text_encoding import TextEncoder, keras_words

    if config.tokenizer == "words":
        vocab = word_vocabulary((keras_words(t) for t in texts), config.max_words, config.oov)
        return {"type": "words", "vocab": vocab, "oov_id": 1 if config.oov else None}, {}
    if config.tokenizer == "korean_words":
        probe = TextEncoder({"type": "korean_words", "vocab": [""], "stopwords": NSMC_STOPWORDS}, {})
        vocab = word_vocabulary((probe.tokens(t) for t in texts), config.max_words, True)
        return {"type": "korean_words", "vocab": vocab, "oov_id": 1, "stopwords": NSMC_STOPWORDS}, {}
    if config.tokenizer == "sentencepiece":
        import sentencepiece

        model = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter([t for t in texts if t.strip()]), model_writer=model,
            vocab_size=config.sentencepiece_vocab, model_type="unigram", character_coverage=0.9995,
            pad_id=-1, unk_id=0, bos_id=-1, eos_id=-1, num_threads=1, minloglevel=2)
        # piece ids shift by one so that 0 stays the padding id
        return {"type": "sentencepiece", "id_offset": 1}, {"sentencepiece": model.getvalue()}
    raise SeqbotError(f"unknown tokenizer {config.tokenizer!r}")


def encode_all(encoder, texts: list[str], max_length: int, keep: str = "first") -> list[list[int]]:
    from seqbot.data.text_encoding import keep_tokens

    return [keep_tokens(encoder.encode(t), max_length, keep) for t in texts]


def pad(sequences: list[list[int]], length: int, pre: bool) -> np.ndarray:
    out = np.zeros((len(sequences), length), dtype=np.int32)
    for row, ids in enumerate(sequences):
        ids = ids[:length]
        if ids:
            if pre:
                out[row, length - len(ids):] = ids
            else:
                out[row, :len(ids)] = ids
    return out


def padded_batches(ids: list[list[int]], targets: np.ndarray, batch_size: int, rng=None, step: int = 50):
    """(ids, targets) batches, each padded at the end only to its longest text rounded up to `step`.

    Models with masking read the same thing whatever the padding; the few distinct widths keep
    TensorFlow from tracing a new graph for every batch (the per-text generator this replaces
    took far longer per epoch). With an `rng` the texts come in a new random order each call.
    Batches are not sorted by length: all-short and all-long batches made long LSTMs diverge.
    """
    order = rng.permutation(len(ids)) if rng is not None else np.arange(len(ids))
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        width = -(-max(1, max(len(ids[i]) for i in chunk)) // step) * step
        yield pad([ids[i] for i in chunk], width, pre=False), targets[chunk]


def mixed_width_batches(groups, batch_size: int, rng=None):
    """Batches of (ids padded at the start to their group's width, targets), never mixing groups;
    `groups` is a list of (ids, targets, width). With an `rng`, each group's texts and the order of
    all the batches are shuffled on every call.

    A model without masking reads a short text after a run of padding whose state settles within a
    few dozen steps, so snippets padded to a few hundred tokens train almost as if padded to the
    full length, at a fraction of the cost (the engine still pads them to the full length)."""
    batches = []
    for group, (ids, _, _) in enumerate(groups):
        order = rng.permutation(len(ids)) if rng is not None else np.arange(len(ids))
        batches += [(group, order[start:start + batch_size]) for start in range(0, len(ids), batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    for group, chunk in batches:
        ids, targets, width = groups[group]
        yield pad([ids[i] for i in chunk], width, pre=True), targets[chunk]


def next_word_pairs(padded: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Language-model rows from texts padded at the end: (inputs, next words, weights 1 where a next word exists)."""
    inputs, targets = padded[:, :-1], padded[:, 1:]
    return inputs.astype(np.int32), targets.astype(np.int32), (targets != 0).astype(np.float32)


def loop_config(config: ClassifyConfig) -> LoopConfig:
    """The shared loop's settings for a classifier recipe. The shipped runs stopped after `patience` + 1
    worse epochs in a row and halved after each worse epoch; Keras' patience counts the worse epochs."""
    return LoopConfig(epochs=config.epochs, patience=config.patience + 1, plateau_factor=config.plateau_factor,
                      plateau_patience=1, average_last=config.average_epochs)


def recipe(name: str, overrides: dict | None = None) -> ClassifyConfig:
    """The named recipe with command-line overrides (keys of ClassifyConfig whose value is not None)."""
    if name not in CONFIGS:
        raise SeqbotError(f"unknown classifier {name!r}; choose one of {', '.join(NAMES)}")
    return named_recipe(CONFIGS, name, overrides, "classifier")


def validation_cut(config: ClassifyConfig, data: Dataset) -> int:
    """How many of the training texts train; the rest (the tail) validate."""
    return int(len(data.train_texts) * (1 - config.validation_fraction))


def training_split(config: ClassifyConfig, data: Dataset) -> tuple[list[str], list[int], list[str], list[int]]:
    """(train texts, labels, validation texts, labels): the recipe's validation tail of the training
    texts; with `crops_per_text`, each part followed by its texts' short snippets (seqbot.data.short_messages)."""
    cut = validation_cut(config, data)
    parts = [list(data.train_texts[:cut]), list(data.train_labels[:cut]),
             list(data.train_texts[cut:]), list(data.train_labels[cut:])]
    if config.crops_per_text:
        from seqbot.data.short_messages import crops

        for texts, labels, seed in ((parts[0], parts[1], config.seed), (parts[2], parts[3], config.seed + 1)):
            extra_texts, extra_labels = crops(texts, labels, config.crops_per_text, seed)
            texts += extra_texts
            labels += extra_labels
    return parts[0], parts[1], parts[2], parts[3]


def warm_start(model, path: str, preprocessing: dict, log=print) -> None:
    """Load a classifier artifact's weights into `model`; its vocabulary must be the run's."""
    from seqbot.artifact import load_artifact
    from seqbot.models.classifiers import load_artifact_weights

    artifact = load_artifact(path)
    if artifact.kind != "classifier" or artifact.config.get("preprocessing") != preprocessing:
        raise SeqbotError(f"{path} is not a classifier with this run's vocabulary; a warm start needs the same "
                          f"preprocessing (train it with the same corpus, split and tokenizer settings)")
    layers = load_artifact_weights(model, artifact)
    log(f"starting from {path} ({', '.join(layers)})")


@dataclass
class CalibrationTexts:
    """What a recipe's temperature(s) are fitted on (seqbot.evaluation.calibration fits them through
    the engine): validation texts and their labels, and for `short_calibration` the short messages
    whose hand labels say what the message itself says."""

    texts: list[str]
    labels: list[int]
    fitted_on: str
    short: tuple[list[str], list[int]] | None = None


def calibration_texts(config: ClassifyConfig, data: Dataset, corpora: str | None, log=print) -> CalibrationTexts:
    """The recipe's validation texts (see training_split); with `short_calibration`, also the clear
    rows of the hand-checked snippets of the validation reviews (seqbot/data/imdb_short_validation_checked.tsv)."""
    _, _, texts, labels = training_split(config, data)
    one_temperature = CalibrationTexts(texts, labels, "the validation texts and their snippets")
    if not config.short_calibration:
        return one_temperature
    from seqbot.data.classify_splits import imdb_reviews
    from seqbot.data.short_messages import VALIDATION_CHECKED_FILE, VALIDATION_SET_SIZE, hand_checked, imdb_short_messages
    from seqbot.paths import corpora_dir

    if config.corpus != "imdb":
        raise SeqbotError(f"short_calibration needs hand-checked IMDB snippets; recipe {config.name} trains on {config.corpus}")
    train_reviews, _ = imdb_reviews(corpora_dir(corpora), data.split.get("seed", 0))
    validation_reviews = train_reviews[:len(data.train_texts)][validation_cut(config, data):]  # as --train-limit cut them
    try:
        messages = imdb_short_messages(validation_reviews, VALIDATION_SET_SIZE, split="train")
        checked, unmatched = hand_checked(messages, VALIDATION_CHECKED_FILE)
    except ValueError:  # too few validation reviews (a --train-limit run)
        checked, unmatched = [], VALIDATION_SET_SIZE
    clear = [c for c in checked if c.hand_label is not None]
    if unmatched or not clear:
        log(f"warning: {unmatched} hand-checked validation snippets are not in these validation reviews (a --train-limit "
            f"run or another corpus copy): one temperature for every text")
        return one_temperature
    return CalibrationTexts(texts, labels, "validation reviews; short messages: the clear hand-checked validation snippets",
                            short=([c.message.text for c in clear], [c.hand_label for c in clear]))


def pretrain_language_model(config: ClassifyConfig, model, train_ids, valid_ids, vocab_size: int, directory: Path,
                            log=print) -> dict:
    """Train the classifier's Embedding and RNN as a next-word model on the training texts for
    `config.pretrain_epochs` epochs (the shared loop, resumable in directory/language-model), then
    copy them in. Returns the loop's summary for the metadata."""
    from seqbot.models.classifiers import build_language_model, copy_pretrained
    from seqbot.models.keras_setup import dataset_options, import_tensorflow

    tf = import_tensorflow()
    language_model = build_language_model(config.spec, vocab_size)

    def dataset(ids, shuffle):
        d = tf.data.Dataset.from_tensor_slices(next_word_pairs(pad(ids, config.max_length, pre=False)))
        return (d.shuffle(len(ids), seed=config.seed) if shuffle else d).batch(config.batch_size).with_options(dataset_options())

    result = fit(language_model, dataset(train_ids, True), dataset(valid_ids, False),
                 LoopConfig(epochs=config.pretrain_epochs, patience=None), directory / "language-model",
                 log=lambda line: log(f"language model {line}"))
    copy_pretrained(language_model, model)
    log(f"embedding and {config.spec} RNN start from the language model ({result.epochs} epochs)")
    return result.summary()


def train(name: str, corpora: str | None = None, overrides: dict | None = None, export: str | None = None,
          force: bool = False, threads: int = 1, strategy: str = "default", runs: str | None = None, log=print,
          calibrate: Callable | None = None) -> Path:
    """Train recipe NAME (see NAMES) in runs/classify-NAME, write its artifact there and return the
    artifact path; with `export`, copy it there too (an existing file needs `force`). A recipe with
    `calibrate` fits its temperatures on the written artifact before any copy: `calibrate(config,
    data, corpora, path, output, log)` is seqbot.evaluation.calibration.calibrate_classifier, which
    scores through the engine (training never imports it; `seqbot train classify` passes it)."""
    if name in NAIVE_BAYES:
        return train_naive_bayes(name, corpora, export, force, runs, log)
    config = recipe(name, overrides)
    if config.calibrate and calibrate is None:
        raise SeqbotError(f"recipe {name} fits a temperature after training: pass "
                          f"calibrate=seqbot.evaluation.calibration.calibrate_classifier (seqbot train classify does)")
    from seqbot.artifact import save_artifact
    from seqbot.models.classifiers import build, export_artifact, spec, summary_rows
    from seqbot.models.keras_setup import dataset_options, import_tensorflow

    tf = import_tensorflow(threads=threads)
    import keras

    scope = distribution_scope(strategy)  # before any other TensorFlow op: collectives are set up at start-up

    data = load_dataset(config.corpus, corpora)
    if config.train_limit:
        data.train_texts, data.train_labels = data.train_texts[:config.train_limit], data.train_labels[:config.train_limit]
    directory = run_folder(f"classify-{name}", runs)
    prep_path = directory / "preprocessing.json"
    blob_path = directory / "sentencepiece.model"
    if prep_path.exists():  # resume with the same vocabulary
        preprocessing = json.loads(prep_path.read_text())
        blobs = {"sentencepiece": blob_path.read_bytes()} if blob_path.exists() else {}
    else:
        preprocessing, blobs = preprocessing_for(config, data.train_texts)
        prep_path.write_text(json.dumps(preprocessing))
        if blobs:
            blob_path.write_bytes(blobs["sentencepiece"])
    encoder = make_encoder(preprocessing, blobs)
    vocab_size = len(preprocessing["vocab"]) if "vocab" in preprocessing else encoder.processor.GetPieceSize() + 1
    log(f"{name}: {len(data.train_texts)} train / {len(data.test_texts)} test texts, vocabulary {vocab_size} "
        f"(lecture: {spec(config.spec).vocab_size})")
    cut = validation_cut(config, data)
    train_texts, train_labels, valid_texts, valid_labels = training_split(config, data)
    if config.crops_per_text:
        log(f"{name}: + {len(train_texts) - cut} training and {len(valid_texts) - (len(data.train_texts) - cut)} "
            f"validation snippets of <= 12 words")
    train_ids = encode_all(encoder, train_texts, config.max_length, config.keep)
    valid_ids = encode_all(encoder, valid_texts, config.max_length, config.keep)
    test_ids = encode_all(encoder, data.test_texts, config.max_length, config.keep)
    classes = len(data.label_names)
    out_classes = 1 if classes == 2 else classes

    def to_targets(labels):
        labels = np.asarray(labels)
        return labels.astype(np.float32)[:, None] if out_classes == 1 else np.eye(classes, dtype=np.float32)[labels]

    options = dataset_options()

    two_widths = bool(config.crop_length and config.fixed_length and config.crops_per_text)
    longest_snippet = max((len(ids) for ids in train_ids[cut:] + valid_ids[len(data.train_texts) - cut:]), default=0)
    if two_widths and longest_snippet > config.crop_length:
        raise SeqbotError(f"crop_length {config.crop_length} cuts snippets of up to {longest_snippet} tokens; raise it")

    def dataset(ids, labels, shuffle, texts: int | None = None):
        targets = to_targets(labels)
        if two_widths and texts is not None:  # `texts` whole texts, then their snippets
            groups = [(ids[:texts], targets[:texts], config.max_length), (ids[texts:], targets[texts:], config.crop_length)]
            count = sum(-(-len(group[0]) // config.batch_size) for group in groups)
            rng = np.random.default_rng(config.seed)
            return tf.data.Dataset.from_generator(
                lambda: mixed_width_batches(groups, config.batch_size, rng if shuffle else None),
                output_signature=(tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None, *targets.shape[1:]), tf.float32)),
            ).apply(tf.data.experimental.assert_cardinality(count)).with_options(options)
        if config.fixed_length:
            d = tf.data.Dataset.from_tensor_slices((pad(ids, config.max_length, pre=True), targets))
            if shuffle:
                d = d.shuffle(len(ids), seed=config.seed)
            return d.batch(config.batch_size).with_options(options)
        rng = np.random.default_rng(config.seed)
        return tf.data.Dataset.from_generator(
            lambda: padded_batches(ids, targets, config.batch_size, rng if shuffle else None),
            output_signature=(tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None, *targets.shape[1:]), tf.float32)),
        ).apply(tf.data.experimental.assert_cardinality(-(-len(ids) // config.batch_size))).with_options(options)
        # a known length: Keras warns that a generator "ran out of data" at every epoch's end otherwise

    train_data = dataset(train_ids, train_labels, True, texts=cut)
    valid_data = dataset(valid_ids, valid_labels, False, texts=len(data.train_texts) - cut)
    test_data = dataset(test_ids, data.test_labels, False)
    keras.utils.set_random_seed(config.seed)
    with scope:
        model = build(config.spec, vocab_size=vocab_size, classes=out_classes, max_length=config.max_length,
                      variable_length=not config.fixed_length or two_widths, rnn_dropout=config.rnn_dropout)
        pooling = [layer.pool_size[0] for layer in model.layers if isinstance(layer, keras.layers.MaxPooling1D)]
        if two_widths and any((config.max_length - config.crop_length) % size for size in pooling):
            raise SeqbotError(f"crop_length {config.crop_length} must differ from max_length {config.max_length} by a "
                              f"multiple of the pooling size {pooling}, so that the pooling windows end where the text "
                              f"ends at both widths")
        loss = "binary_crossentropy" if out_classes == 1 else "categorical_crossentropy"
        model.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate, config.clipnorm), loss=loss,
                      metrics=["accuracy"])
    for row in summary_rows(model):
        log(f"  {row[0]:<32} {row[1]:<20} {row[2]:>10,}")
    pretraining = None
    fresh = not (directory / "backup" / "latest.weights.h5").exists()
    if fresh and config.init_from:
        warm_start(model, config.init_from, preprocessing, log)
    elif fresh and config.word_vectors:
        from seqbot.training.word_vectors import ppmi_vectors

        t0 = time.time()
        embedding = model.get_layer("embedding")
        vectors = ppmi_vectors(pad(train_ids[:cut], config.max_length, pre=True), vocab_size, embedding.output_dim)  # reviews only
        embedding.set_weights([vectors])
        log(f"embedding starts from PPMI-SVD vectors of the {cut} training texts ({time.time() - t0:.0f}s)")
    if config.pretrain_epochs and (fresh or (directory / "language-model" / "loop_state.json").exists()):
        pretraining = pretrain_language_model(config, model, train_ids, valid_ids, vocab_size, directory, log)
        # a resumed run's backup (loaded by fit) supersedes the copied layers

    def export_run(model, result):
        test_loss, test_accuracy = model.evaluate(test_data, verbose=0)
        log(f"{name}: test accuracy {test_accuracy:.4f} (Keras)")
        training = {**result.summary(), "optimizer": config.optimizer, "batch_size": config.batch_size,
                    "embedding_start": ("ppmi-svd" if config.word_vectors else
                                        "language-model" if config.pretrain_epochs else "random"),
                    "pretraining": pretraining}
        metadata = run_metadata(config, corpus_files(config.corpus, corpora), result.time_s,
                                {"test_accuracy": round(float(test_accuracy), 4), "test_loss": round(float(test_loss), 4)},
                                recipe_name=name,
                                corpus=data.corpus, split=data.split, train_texts=cut,
                                validation_texts=len(data.train_texts) - cut, snippets=len(train_ids) - cut,
                                test_texts=len(test_ids), vocabulary_size=vocab_size,
                                lecture_vocabulary_size=spec(config.spec).vocab_size, training=training, trained_as=name)
        artifact = export_artifact(model, config.spec, preprocessing, data.label_names, metadata, config.max_length, blobs)
        artifact.config.update(task=config.task, language=config.language, keep=config.keep,
                               padding="pre" if config.fixed_length else "none", trained_as=name, corpus=data.corpus)
        path = save_artifact(result.run_dir / f"{config.artifact}.npz", artifact)
        if config.calibrate:
            calibrate(config, data, corpora, path, path, log)
        log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
        return path

    result = fit(model, train_data, valid_data, loop_config(config), directory, export=export_run, log=log)
    if result.exported is None:  # a worker that is not the chief: the chief exports
        return directory
    if export:
        return export_copy(result.exported, export, force, log)
    return result.exported


def train_naive_bayes(name: str, corpora: str | None, export: str | None = None, force: bool = False,
                      runs: str | None = None, log=print) -> Path:
    from seqbot.artifact import save_artifact
    from seqbot.data.bag_of_words import BagOfWords
    from seqbot.training.naive_bayes import fit_naive_bayes

    corpus, task, alpha = NAIVE_BAYES[name]
    data = load_dataset(corpus, corpora)
    t0 = time.time()
    model = fit_naive_bayes(data.train_texts, [data.label_names[y] for y in data.train_labels], alpha,
                            BagOfWords(**NB_FEATURES[name]))
    predicted = model.predict(data.test_texts)
    accuracy = float(np.mean([p == data.label_names[y] for p, y in zip(predicted, data.test_labels)]))
    seconds = time.time() - t0
    log(f"{name}: {len(data.train_texts)} train / {len(data.test_texts)} test, vocabulary {len(model.bag.vocabulary)}, "
        f"test accuracy {accuracy:.4f} ({seconds:.1f}s)")
    metadata = run_metadata({"corpus": corpus, "task": task, "alpha": alpha, **NB_FEATURES[name]}, corpus_files(corpus, corpora),
                            seconds, {"test_accuracy": round(accuracy, 4)}, recipe_name=name, corpus=data.corpus,
                            split=data.split, train_texts=len(data.train_texts), test_texts=len(data.test_texts), trained_as=name)
    artifact = model.to_artifact(metadata, task=task, name=name)
    artifact.config["corpus"] = data.corpus
    if task == "spam":
        artifact.config["positive"] = "spam"
    if corpus == "nsmc":
        artifact.config["language"] = "ko"
    path = save_artifact(run_folder(f"classify-{name}", runs) / f"{name}.npz", artifact)
    log(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return export_copy(path, export, force, log) if export else path
