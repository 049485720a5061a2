"""NumPy inference for the lecture's classifiers (artifact kinds "classifier" and "naive_bayes"),
with no TensorFlow.

    classifiers = ClassifierSet.load()            # every checkpoint in checkpoints/ that loads
    for prediction in classifiers.classify("WINNER!! claim your free prize now"):
        print(prediction.model, prediction.label, prediction.probability)
    classifiers.errors                            # {"imdb": "checkpoint not found: ..."} for the ones that did not

A "classifier" artifact is a layer stack (see seqbot.models.classifiers.export_artifact) replayed
here layer by layer: Embedding, SimpleRNN / LSTM / GRU, Bidirectional, Conv1D, MaxPooling1D,
Dropout (identity at inference), Dense and the Bahdanau attention block. Texts become ids with
the artifact's own preprocessing (word vocabulary, Korean cleaning, or a sentencepiece model).
Text with Hangul (syllables or jamo such as ㅋㅋ) goes to the Korean models (NSMC), text with Latin
words to the English ones, a message mixing both to both (seqbot.data.scripts.languages_of).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqbot.artifact import Artifact, load_artifact
from seqbot.contract import keys
from seqbot.contract.shipped import panel_classifiers
from seqbot.data.scripts import languages_of, script_of, unread_scripts  # noqa: F401  (the script rules live in data)
from seqbot.data.text_encoding import TextEncoder, keep_tokens  # noqa: F401  (the text contract lives in data)
from seqbot.data.word_vocab import text_to_words as keras_words  # noqa: F401  Keras' text_to_word_sequence
from seqbot.engine import layers
from seqbot.engine.calibration import with_temperature
from seqbot.engine.naive_bayes import NaiveBayes
from seqbot.engine.news_domain import NOT_NEWS_LIKE, REUTERS_CORPUS, REUTERS_GATE, known_word_coverage
from seqbot.errors import CheckpointError, SeqbotError
from seqbot.paths import checkpoints_dir

# The classifiers ClassifierSet loads by default, in the side panel's order (seqbot/contract/shipped.py).
SHIPPED = tuple(model.name for model in panel_classifiers())
MAX_TEXT_CHARS = 20_000  # longer input is cut (the models see at most a few hundred tokens anyway)
MAX_EXPLAINED_WORDS = 64  # occlusion runs the model once per distinct word: cheap for a message, not a book
EXPLANATION_WORDS = 8  # the strongest words kept in a prediction
MIN_WORD_SCORE = 0.01  # a word that moved the log-odds less than this explains nothing and is left out


@dataclass
class Prediction:
    model: str
    task: str  # "spam" | "sentiment" | "topic"
    label: str
    probability: float
    top: list[tuple[str, float]]
    explanation: list[tuple[str, float]] | None = None
    language: str = "en"
    coverage: float | None = None  # topic models: the share of the message's words the model knows


def prepare_text(text: str) -> str:
    """What every classifier reads: at most MAX_TEXT_CHARS characters, compatibility forms folded (NFKC:
    fullwidth "ｆｒｅｅ" is "free", "ﬁ" is "fi"), lone surrogates (undecodable bytes) replaced."""
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS])
    return text.encode("utf-8", "replace").decode("utf-8")


# --- the layer stack ---

class LayerStack:
    """Replays the exported Keras layers on a batch of id sequences (0 = padding)."""

    def __init__(self, layer_configs: list[dict], weights: dict[str, np.ndarray]):
        self.layers = []
        for config in layer_configs:
            arrays = []
            for i in range(int(config.get("weights", 0))):
                key = f"{config['name']}/{i}"
                if key not in weights:
                    raise CheckpointError(f"the checkpoint lacks weight {key!r}")
                arrays.append(weights[key].astype(np.float32))
            self.layers.append((config, arrays))
        self._pad_cache: dict[int, dict] = {}
        self._recording: dict | None = None

    def _pad_reference(self, length: int) -> None:
        """Models without masking see every text left-padded to a fixed length, so a short message starts
        with hundreds of padding steps whose values never change: run an all-padding input once and keep,
        per recurrent layer, its inputs and the state after every step."""
        if length in self._pad_cache:
            return
        self._recording = {}
        try:
            self(np.zeros((1, length), dtype=np.int64))
            references = {}
            for index, x in self._recording.items():
                config, weights = self.layers[index]
                projected = layers.input_projection(config["cell"], x, weights)
                state = layers.zero_state(config["cell"], 1, weights[1].shape[0])
                trajectory = [state]
                for t in range(x.shape[1]):
                    state = layers.cell_step(config["cell"], projected[:, t], state, weights)
                    trajectory.append(state)
                references[index] = (x, trajectory)
        finally:
            self._recording = None
        self._pad_cache[length] = references

    def _rnn_after_padding(self, index: int, cell: str, x: np.ndarray, weights):
        """The recurrent layer's final output, starting from the cached state after the steps whose input
        is bitwise the all-padding input (so the result is exactly that of the full run)."""
        reference = next((cache[index] for cache in self._pad_cache.values()
                          if index in cache and cache[index][0].shape == x.shape), None)
        if reference is None:
            return layers.rnn(cell, x, weights)
        padded_input, trajectory = reference
        differs = np.flatnonzero((x[0] != padded_input[0]).any(axis=-1))
        start = int(differs[0]) if differs.size else x.shape[1]
        if start == x.shape[1]:
            state = trajectory[-1]
            return state[0], state
        return layers.rnn(cell, x[:, start:], weights, initial_state=[s.copy() for s in trajectory[start]])

    @property
    def masks_padding(self) -> bool:
        return bool(self.layers) and self.layers[0][0]["type"] == "embedding" and self.layers[0][0].get("mask_zero", False)

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        x, mask, states = np.asarray(ids), None, None
        if not self.masks_padding and x.shape[0] == 1 and self._recording is None:
            self._pad_reference(x.shape[1])
        for index, (config, weights) in enumerate(self.layers):
            if self._recording is not None and config["type"] == "rnn":
                self._recording[index] = x
            kind = config["type"]
            if kind == "embedding":
                if config.get("mask_zero"):
                    mask = x != 0
                x = layers.embedding(x, weights[0])
            elif kind == "rnn" and mask is None and x.shape[0] == 1 and not config.get("return_sequences", False):
                x, final = self._rnn_after_padding(index, config["cell"], x, weights)
                states = [final[0]]
            elif kind == "rnn":
                return_sequences = config.get("return_sequences", False)
                x, final = layers.rnn(config["cell"], x, weights, mask=mask, return_sequences=return_sequences)
                states = [final[0]]
                mask = mask if return_sequences else None
            elif kind == "bidirectional":
                half = len(weights) // 2
                return_sequences = config.get("return_sequences", False)
                # Keras' Bidirectional zeroes the outputs at masked steps (zero_output_for_mask).
                forward, forward_state = layers.rnn(config["cell"], x, weights[:half], mask=mask,
                                                    return_sequences=return_sequences, zero_output_for_mask=return_sequences)
                backward, backward_state = layers.rnn(config["cell"], x, weights[half:], mask=mask, return_sequences=return_sequences,
                                                      go_backwards=True, zero_output_for_mask=return_sequences)
                if return_sequences:
                    backward = backward[:, ::-1]
                if config.get("merge_mode", "concat") != "concat":
                    raise CheckpointError(f"Bidirectional merge_mode {config.get('merge_mode')!r} is not supported (only concat)")
                x = np.concatenate([forward, backward], axis=-1)
                states = [forward_state[0], backward_state[0]]
                mask = mask if return_sequences else None
            elif kind == "conv1d":
                x = layers.conv1d(x, weights[0], weights[1], config.get("activation"))
                mask = None
            elif kind == "max_pooling1d":
                x = layers.max_pooling1d(x, int(config["pool_size"]))
            elif kind == "dropout":
                pass  # identity at inference
            elif kind == "dense":
                x = layers.dense(x, weights[0], weights[1] if len(weights) > 1 else None, config.get("activation"))
            elif kind == "bahdanau_attention":
                if states is None:
                    raise CheckpointError("the attention layer needs a recurrent layer before it")
                key_kernel, key_bias, query_kernel, query_bias, score_kernel, _score_bias = weights
                query = np.concatenate(states, axis=-1)
                x, _ = layers.additive_attention(
                    query, x @ key_kernel + key_bias + query_bias, x, query_kernel, score_kernel[:, 0], mask=mask)
                mask = None
            else:
                raise CheckpointError(f"unknown layer type {kind!r} in the checkpoint")
        return x


def log_odds(probability):
    probability = np.clip(probability, 1e-9, 1 - 1e-9)
    return np.log(probability) - np.log1p(-probability)


def explained_label(probabilities: np.ndarray) -> int:
    """The label word scores push toward: the second of two (spam, positive), else the predicted one."""
    return 1 if len(probabilities) == 2 else int(np.argmax(probabilities))


def strongest(explanation: list[tuple[str, float]] | None) -> list[tuple[str, float]] | None:
    """The EXPLANATION_WORDS strongest words of a ranked explanation, without those that barely moved it."""
    if explanation is None:
        return None
    return [(word, score) for word, score in explanation if abs(score) >= MIN_WORD_SCORE][:EXPLANATION_WORDS] or None


class NeuralClassifier:
    """One exported Keras classifier."""

    def __init__(self, artifact: Artifact, name: str):
        config = artifact.config
        try:
            self.name = name
            self.architecture = config.get("name", name)  # the builder in seqbot.models.classifiers
            self.labels = list(config["labels"])
            self.task = config.get("task", "sentiment")
            self.language = config.get("language", "en")
            self.max_length = int(config["max_length"])
            self.padding = config.get("padding", "pre")
            self.keep = config.get("keep", "first")  # which end of a long text the model reads
            self.encoder = TextEncoder(config["preprocessing"], artifact.blobs)
            self.stack = LayerStack(config["layers"], artifact.weights)
            # Temperature scaling fitted on validation texts (seqbot.evaluation.calibration): one for texts of more
            # than `short_words` words, one for shorter messages (the same one when the artifact has a single).
            self.temperature = float(config.get(keys.TEMPERATURE, 1.0))
            self.short_temperature = float(config.get(keys.SHORT_TEMPERATURE, self.temperature))
            self.short_words = int(config.get(keys.SHORT_WORDS, 0))
        except KeyError as error:
            raise CheckpointError(f"classifier checkpoint {name} lacks {error}") from None
        self.metadata = artifact.metadata
        for value in (self.temperature, self.short_temperature):
            if not (value > 0 and np.isfinite(value)):
                raise CheckpointError(f"classifier checkpoint {name} has temperature {value!r}; it must be a positive number")

    def temperature_for(self, text: str) -> float:
        return self.short_temperature if len(text.split()) <= self.short_words else self.temperature

    def _calibrated(self, probabilities: np.ndarray, temperature) -> np.ndarray:
        """`temperature`: one for every row, or one per row."""
        return probabilities if np.all(temperature == 1.0) else with_temperature(probabilities, temperature)

    def ids(self, text: str) -> np.ndarray:
        """(1, length) ids: the first (or, keep="last", the last) `max_length` tokens; padded to max_length
        when the model does not mask."""
        return self._padded(self.encoder.encode(text))

    def _padded(self, ids: list[int]) -> np.ndarray:
        ids = keep_tokens(ids, self.max_length, self.keep)
        if self.stack.masks_padding:
            return np.array([ids or [0]], dtype=np.int64)
        padded = np.zeros((1, self.max_length), dtype=np.int64)
        if ids:
            if self.padding == "pre":
                padded[0, self.max_length - len(ids):] = ids
            else:
                padded[0, : len(ids)] = ids
        return padded

    def probabilities(self, text: str) -> np.ndarray:
        """P(label) for every label (calibrated when the artifact has a temperature)."""
        return self._calibrated(self._output_probabilities(self.stack(self.ids(text))), self.temperature_for(text))[0]

    def probabilities_batch(self, texts: list[str], batch_size: int = 256, calibrated: bool = True) -> np.ndarray:
        """(n, labels) probabilities of many texts; texts of similar length run together (evaluation).
        `calibrated=False`: the model's own, without the artifact's temperatures."""
        encoded = [self.ids(text)[0] for text in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        result = np.zeros((len(texts), len(self.labels)))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            batch = np.zeros((len(rows), max(len(encoded[i]) for i in rows)), dtype=np.int64)
            for r, i in enumerate(rows):
                batch[r, : len(encoded[i])] = encoded[i]  # masked models: padding after the text is ignored
            result[rows] = self._output_probabilities(self.stack(batch))
        if calibrated:
            result = self._calibrated(result, np.array([self.temperature_for(text) for text in texts]))
        return result

    def _output_probabilities(self, output: np.ndarray) -> np.ndarray:
        output = output.astype(np.float64)
        if len(self.labels) == 2 and output.shape[-1] == 1:
            return np.concatenate([1.0 - output, output], axis=-1)
        return output

    def _probabilities_of_ids(self, variants: list[list[int]]) -> np.ndarray:
        """(len(variants), labels): masked models run as one batch (padding after each is ignored);
        unmasked ones one at a time, where the cached all-padding prefix makes each run short."""
        if not self.stack.masks_padding:
            return np.concatenate([self._output_probabilities(self.stack(self._padded(ids))) for ids in variants])
        kept = [keep_tokens(ids, self.max_length, self.keep) or [0] for ids in variants]
        batch = np.zeros((len(kept), max(len(ids) for ids in kept)), dtype=np.int64)
        for row, ids in enumerate(kept):
            batch[row, : len(ids)] = ids
        return self._output_probabilities(self.stack(batch))

    def explain(self, text: str, probabilities: np.ndarray) -> list[tuple[str, float]] | None:
        """Leave-one-word-out occlusion: for each distinct word, the model is run on the text without it
        (every occurrence). A word's score is how much it moved the log-odds of the explained label:
        log-odds(with the word) - log-odds(without). The explained label is the second of two (spam,
        positive; + pushes toward it, - toward the other, like Naive Bayes' word pushes) or, with more
        labels, the predicted one. Strongest first; None for a text with more than MAX_EXPLAINED_WORDS
        distinct words or none the model knows."""
        words = self.encoder.words(text)
        distinct = list(dict.fromkeys(word for word, ids in words if word and ids))
        if not distinct or len(distinct) > MAX_EXPLAINED_WORDS:
            return None
        target = explained_label(probabilities)
        variants = [[i for other, ids in words if other != word for i in ids] for word in distinct]
        without = self._calibrated(self._probabilities_of_ids(variants), self.temperature_for(text))[:, target]
        pushes = log_odds(probabilities[target]) - log_odds(without)
        return sorted(zip(distinct, (float(push) for push in pushes)), key=lambda item: (-abs(item[1]), item[0]))

    def predict(self, text: str) -> Prediction:
        probabilities = self.probabilities(text)
        order = np.argsort(-probabilities)
        top = [(self.labels[i], float(probabilities[i])) for i in order[:5]]
        explanation = strongest(self.explain(text, probabilities))
        prediction = Prediction(self.name, self.task, top[0][0], top[0][1], top, explanation, self.language)
        if self.metadata.get("corpus") == REUTERS_CORPUS:
            # The model names a topic for anything; out of its domain it says so instead.
            prediction.coverage = known_word_coverage(self.encoder, text)
            if not REUTERS_GATE.news_like(prediction.probability, prediction.coverage):
                prediction.label = NOT_NEWS_LIKE
        return prediction


class NaiveBayesClassifier:
    """The NumPy Naive Bayes spam filter, with the words behind its decision."""

    def __init__(self, artifact: Artifact, name: str):
        self.name = name
        self.model = NaiveBayes.from_artifact(artifact)
        self.task = artifact.config.get("task", "spam")
        self.language = artifact.config.get("language", "en")
        self.labels = self.model.classes
        default_positive = "spam" if "spam" in self.labels else "positive"
        self.positive = artifact.config.get("positive") if artifact.config.get("positive") in self.labels else default_positive
        self.metadata = artifact.metadata

    def probabilities_batch(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        return self.model.predict_proba(texts)

    def explain(self, text: str, probabilities: np.ndarray) -> list[tuple[str, float]] | None:
        """More than two classes: leave-one-word-out occlusion as for the neural models (the text's known
        words re-joined without one of them; exact for counts and TF-IDF alike). Two classes use the
        model's own word pushes, which are the same log-odds changes in closed form."""
        tokens = [word for word in self.model.bag.tokenize(text) if word in self.model.bag.index]
        distinct = list(dict.fromkeys(tokens))
        if not distinct or len(distinct) > MAX_EXPLAINED_WORDS:
            return None
        target = explained_label(probabilities)
        without = self.model.predict_proba([" ".join(t for t in tokens if t != word) for word in distinct])[:, target]
        pushes = log_odds(probabilities[target]) - log_odds(without)
        return sorted(zip(distinct, (float(push) for push in pushes)), key=lambda item: (-abs(item[1]), item[0]))

    def predict(self, text: str) -> Prediction:
        probabilities = self.model.predict_proba([text])[0]
        order = np.argsort(-probabilities)
        top = [(self.labels[i], float(probabilities[i])) for i in order[:5]]
        if len(self.labels) == 2 and self.positive in self.labels:
            explanation = strongest(self.model.word_pushes(text, self.positive))
        else:
            explanation = strongest(self.explain(text, probabilities))
        # No Reuters domain gate here: its thresholds were chosen on the neural Reuters model's confidences.
        return Prediction(self.name, self.task, top[0][0], top[0][1], top, explanation, self.language)


def load_classifier(path: str | Path, name: str | None = None):
    """One classifier from its artifact; CheckpointError if it is missing, corrupt or not a classifier."""
    path = Path(path)
    name = name or path.stem
    artifact = load_artifact(path)
    try:
        if artifact.kind == keys.NAIVE_BAYES:
            return NaiveBayesClassifier(artifact, name)
        if artifact.kind == keys.CLASSIFIER:
            return NeuralClassifier(artifact, name)
    except CheckpointError as error:
        raise CheckpointError(f"{path}: {error}") from None
    except (ValueError, IndexError, TypeError) as error:
        raise CheckpointError(f"{path} is not a usable classifier ({type(error).__name__}: {error})") from None
    raise CheckpointError(f"{path} holds a {artifact.kind!r} model, not a classifier")


class ClassifierSet:
    """Every shipped classifier that loads; the ones that do not are listed in `errors`."""

    def __init__(self, classifiers: dict, errors: dict[str, str]):
        self.classifiers = classifiers
        self.errors = errors

    @classmethod
    def load(cls, checkpoints: str | Path | None = None, names=SHIPPED) -> "ClassifierSet":
        directory = checkpoints_dir(checkpoints)
        classifiers, errors = {}, {}
        for name in names:
            try:
                classifiers[name] = load_classifier(directory / f"{name}.npz", name)
            except CheckpointError as error:
                errors[name] = str(error)
            except Exception as error:  # a broken file may fail in many ways; the others must still run
                errors[name] = f"{directory / f'{name}.npz'} could not be loaded ({type(error).__name__}: {error})"
        return cls(classifiers, errors)

    @property
    def names(self) -> list[str]:
        return list(self.classifiers)

    def models_for(self, languages) -> list[str]:
        """The loaded models for any of `languages` ("en", "ko", or several), in display order."""
        languages = {languages} if isinstance(languages, str) else set(languages)
        return [name for name, model in self.classifiers.items() if model.language in languages]

    def classify(self, text: str) -> list[Prediction]:
        """Every classifier for the text's languages (languages_of: English, Korean, or both for a mixed
        message). Raises SeqbotError for text with nothing to classify."""
        if not isinstance(text, str):
            raise SeqbotError(f"expected text, got {type(text).__name__}")
        text = prepare_text(text)
        if not text.strip():
            raise SeqbotError("empty message: nothing to classify")
        if not re.search(r"\w", text):
            raise SeqbotError("no words to classify (the message has only symbols or emoji)")
        unread = unread_scripts(text)
        if unread:
            raise SeqbotError(f"no model reads this script ({', '.join(unread)}): the classifiers read English and Korean")
        return [self.classifiers[name].predict(text) for name in self.models_for(languages_of(text))]
