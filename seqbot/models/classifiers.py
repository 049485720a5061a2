"""Keras builders for the lecture's text classifiers and their export to a NumPy artifact
(kind "classifier") that `seqbot.engine.classifier` runs without TensorFlow.

    model = build("spam_rnn")                 # the lecture's table: Embedding(8921, 32) -> SimpleRNN(32) -> Dense(1)
    model = build("spam_rnn", vocab_size=9016) # the same architecture sized for the real vocabulary
    rows = summary_rows(model)                 # (layer, output shape, parameters) per layer

Every model is a stack the engine replays layer by layer: Embedding, SimpleRNN / LSTM / GRU,
Bidirectional, Conv1D, MaxPooling1D, Dropout, Dense and the Bahdanau attention block
(score = v^T tanh(W1 key + W2 query); the query is the last recurrent layer's final hidden
states, forward and backward concatenated). Import only from training code (needs TensorFlow).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from seqbot.artifact import Artifact
from seqbot.contract import keys
from seqbot.errors import SeqbotError
from seqbot.models.keras_setup import import_keras


@dataclass
class ClassifierSpec:
    """One lecture model: its table's sizes and what it is trained for."""

    description: str
    vocab_size: int
    embedding_dim: int
    cell: str  # "simplernn" | "lstm" | "gru" | "lstm_cnn" | "bilstm_attention"
    units: int
    classes: int  # 1 = sigmoid (binary), else softmax
    max_length: int | None  # tokens kept per text (None: the longest text)
    mask_zero: bool = True


SPECS: dict[str, ClassifierSpec] = {
    "simplernn_toy": ClassifierSpec("SimpleRNN(3) on (2, 10) inputs, the lecture's first table", 0, 10, "simplernn", 3, 0, 2),
    "spam_rnn": ClassifierSpec("SMS spam: Embedding -> SimpleRNN(32) -> Dense(1, sigmoid)", 8921, 32, "simplernn", 32, 1, 189),
    "reuters_lstm": ClassifierSpec("Reuters-46 topics: Embedding -> LSTM(120) -> Dense(46, softmax)", 1000, 120, "lstm", 120, 46, 100),
    "imdb_lstm": ClassifierSpec("IMDB sentiment: Embedding -> LSTM(120) -> Dense(1, sigmoid)", 5000, 120, "lstm", 120, 1, 500),
    "imdb_gru": ClassifierSpec("IMDB sentiment: Embedding -> GRU(120) -> Dense(1, sigmoid)", 5000, 120, "gru", 120, 1, 500),
    "imdb_lstm_cnn": ClassifierSpec(
        "IMDB sentiment: Embedding -> Dropout -> Conv1D(64, 5) -> MaxPooling1D(4) -> LSTM(55) -> Dense(1)",
        5000, 120, "lstm_cnn", 55, 1, 500, mask_zero=False),
    "imdb_bilstm_attention": ClassifierSpec(
        "IMDB sentiment: Embedding -> BiLSTM(64) -> Bahdanau attention(64) -> Dense(20, relu) -> Dropout -> Dense(1)",
        5000, 128, "bilstm_attention", 64, 1, 500),
    "nsmc_lstm": ClassifierSpec("NSMC Korean sentiment (Okt-style words): Embedding -> LSTM(128) -> Dense(1)", 35000, 100, "lstm", 128, 1, 30),
    "nsmc_spm": ClassifierSpec("NSMC Korean sentiment (sentencepiece pieces): Embedding -> LSTM(128) -> Dense(1)", 8000, 100, "lstm", 128, 1, 60),
    "nsmc_spm_attention": ClassifierSpec(
        "NSMC Korean sentiment (sentencepiece pieces): Embedding -> BiLSTM(64) -> Bahdanau attention(64) -> Dense(20, relu) -> Dropout -> Dense(1)",
        8000, 100, "bilstm_attention", 64, 1, 60),
}


RECURRENT_LAYERS = {"simplernn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}  # cell -> keras.layers class


def spec(name: str) -> ClassifierSpec:
    if name not in SPECS:
        raise SeqbotError(f"unknown classifier {name!r}; known: {', '.join(SPECS)}")
    return SPECS[name]


def build(name: str, vocab_size: int | None = None, classes: int | None = None, max_length: int | None = None,
          variable_length: bool = False, rnn_dropout: float = 0.0):
    """The Keras model of the lecture's `name`; sizes default to the lecture's table.

    `variable_length` builds it for batches of any length (training pads each batch only to
    its longest text); the weights are the same. `rnn_dropout` drops inputs of an
    Embedding -> RNN stack's recurrent layer while training (no weights, nothing at inference).
    """
    keras = import_keras()
    s = spec(name)
    if s.cell == "simplernn" and name == "simplernn_toy":
        inputs = keras.Input(shape=(2, 10), name="inputs")
        outputs = keras.layers.SimpleRNN(3, name="rnn")(inputs)
        return keras.Model(inputs, outputs, name=name)
    vocab_size = vocab_size or s.vocab_size
    classes = classes or s.classes
    length = max_length or s.max_length
    tokens = keras.Input(shape=(None if variable_length else length,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocab_size, s.embedding_dim, mask_zero=s.mask_zero, name="embedding")(tokens)
    if s.cell in RECURRENT_LAYERS:
        x = getattr(keras.layers, RECURRENT_LAYERS[s.cell])(s.units, dropout=rnn_dropout, name="rnn")(x)
    elif s.cell == "lstm_cnn":
        x = keras.layers.Dropout(0.25, name="dropout")(x)
        x = keras.layers.Conv1D(64, 5, padding="valid", activation="relu", name="conv")(x)
        x = keras.layers.MaxPooling1D(pool_size=4, name="pool")(x)
        x = keras.layers.LSTM(s.units, name="rnn")(x)
    elif s.cell == "bilstm_attention":
        lstm = keras.layers.LSTM(s.units, return_sequences=True, return_state=True)
        sequence, forward_h, _, backward_h, _ = keras.layers.Bidirectional(lstm, name="birnn")(x)
        query = keras.layers.Concatenate(name="query")([forward_h, backward_h])
        padding_mask = keras.layers.Lambda(lambda ids: keras.ops.not_equal(ids, 0), name="padding_mask")(tokens)
        x = BahdanauAttention(s.units, name="attention")(sequence, query, mask=padding_mask)
        x = keras.layers.Dense(20, activation="relu", name="hidden")(x)
        x = keras.layers.Dropout(0.5, name="dropout")(x)
    else:
        raise SeqbotError(f"unknown cell {s.cell!r}")
    activation = "sigmoid" if classes == 1 else "softmax"
    outputs = keras.layers.Dense(classes, activation=activation, name="output")(x)
    return keras.Model(tokens, outputs, name=name)


def build_language_model(name: str, vocab_size: int | None = None):
    """A next-word model with the classifier `name`'s Embedding and recurrent layer: Embedding ->
    RNN (every step's output) -> Dense(vocab_size) logits, compiled (Adam 1e-3, clipnorm 5,
    cross-entropy on the logits) for both trainers to pretrain.

    Pretraining it on the training texts and copying the two layers into the classifier
    (`copy_pretrained`) is Dai & Le's (2015) "LM-LSTM" start. On IMDB it made the lecture's
    LSTM(120) worse (84.74 % against 87.88 % from a random start; README, Classifiers).
    """
    keras = import_keras()
    s = spec(name)
    if s.cell not in RECURRENT_LAYERS or name == "simplernn_toy":
        raise SeqbotError(f"{name} is not an Embedding -> RNN -> Dense stack; only those can start from a language model")
    vocab_size = vocab_size or s.vocab_size
    tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocab_size, s.embedding_dim, mask_zero=True, name="embedding")(tokens)
    x = getattr(keras.layers, RECURRENT_LAYERS[s.cell])(s.units, return_sequences=True, name="rnn")(x)
    logits = keras.layers.Dense(vocab_size, name="next_word")(x)
    model = keras.Model(tokens, logits, name=f"{name}_language_model")
    model.compile(optimizer=keras.optimizers.Adam(1e-3, clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def copy_pretrained(language_model, classifier) -> None:
    """Start the classifier's Embedding and recurrent layer from the language model's."""
    for layer in ("embedding", "rnn"):
        classifier.get_layer(layer).set_weights(language_model.get_layer(layer).get_weights())


def _attention_class():
    keras = import_keras()

    class BahdanauAttention(keras.layers.Layer):
        """score = v^T tanh(W1 key + W2 query); context = sum softmax(score) key (padding masked)."""

        def __init__(self, units: int, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.key_dense = keras.layers.Dense(units, name="key")
            self.query_dense = keras.layers.Dense(units, name="query")
            self.score_dense = keras.layers.Dense(1, name="score")
            self.supports_masking = True

        def call(self, keys, query, mask=None):
            ops = keras.ops
            scores = self.score_dense(ops.tanh(self.key_dense(keys) + ops.expand_dims(self.query_dense(query), 1)))
            scores = ops.squeeze(scores, -1)
            if mask is not None:
                scores = ops.where(mask, scores, -1e9)
            weights = ops.softmax(scores, axis=-1)
            return ops.sum(ops.expand_dims(weights, -1) * keys, axis=1)

        def compute_mask(self, inputs, mask=None):
            return None

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return BahdanauAttention


def BahdanauAttention(units: int, **kwargs):
    return _attention_class()(units, **kwargs)


def summary_rows(model) -> list[tuple[str, str, int]]:
    """(layer name (class), output shape, parameter count) for every layer but the input."""
    rows = []
    for layer in model.layers:
        if layer.__class__.__name__ == "InputLayer":
            continue
        try:
            shape = layer.output.shape if not isinstance(layer.output, (list, tuple)) else layer.output[0].shape
            shape_text = str(tuple(shape))
        except (AttributeError, ValueError):
            shape_text = "?"
        rows.append((f"{layer.name} ({layer.__class__.__name__})", shape_text, int(layer.count_params())))
    return rows


def export_artifact(model, name: str, preprocessing: dict, labels: list[str], metadata: dict, max_length: int,
                    blobs: dict | None = None) -> Artifact:
    """Copy the Keras weights into the layer-stack layout `seqbot.engine.classifier` runs.

    `preprocessing` says how text becomes ids (e.g. {"type": "words", "vocab": [...], ...});
    the engine reads it back, so the artifact alone is enough at inference time.
    """
    layers_config, weights = [], {}
    for layer in model.layers:
        kind = layer.__class__.__name__
        if kind in ("InputLayer", "Concatenate") or layer.name == "padding_mask":
            continue
        entry = {"name": layer.name}
        arrays = layer.get_weights()
        if kind == "Embedding":
            entry.update(type="embedding", mask_zero=bool(layer.mask_zero))
        elif kind in ("SimpleRNN", "LSTM", "GRU"):
            entry.update(type="rnn", cell=kind.lower(), units=layer.units, return_sequences=bool(layer.return_sequences))
        elif kind == "Bidirectional":
            cell = layer.forward_layer.__class__.__name__.lower()
            entry.update(type="bidirectional", cell=cell, units=layer.forward_layer.units,
                         return_sequences=bool(layer.return_sequences), merge_mode=layer.merge_mode)
        elif kind == "Conv1D":
            entry.update(type="conv1d", activation=layer.get_config()["activation"])
        elif kind == "MaxPooling1D":
            entry.update(type="max_pooling1d", pool_size=int(layer.pool_size[0]))
        elif kind == "Dropout":
            entry.update(type="dropout")
        elif kind == "Dense":
            entry.update(type="dense", activation=layer.get_config()["activation"])
        elif kind == "BahdanauAttention":
            entry.update(type="bahdanau_attention", units=layer.units)
        else:
            raise SeqbotError(f"layer {layer.name} ({kind}) has no NumPy counterpart in seqbot.engine.classifier")
        for index, array in enumerate(arrays):
            weights[f"{layer.name}/{index}"] = array
        entry["weights"] = len(arrays)
        layers_config.append(entry)
    config = {
        "name": name,
        "spec": asdict(SPECS[name]) if name in SPECS else None,
        "layers": layers_config,
        "preprocessing": preprocessing,
        "labels": list(labels),
        "max_length": int(max_length),
    }
    return Artifact(kind=keys.CLASSIFIER, config=config, weights=weights, metadata=metadata, blobs=blobs or {})


def load_artifact_weights(model, artifact: Artifact) -> list[str]:
    """Start `model` from an exported classifier's weights (the inverse of export_artifact): every layer
    the artifact names gets its arrays; a missing layer or a shape that differs is a SeqbotError.
    Returns the names of the layers set."""
    names = []
    for entry in artifact.config["layers"]:
        count = int(entry.get("weights", 0))
        if not count:
            continue
        try:
            layer = model.get_layer(entry["name"])
        except ValueError:
            raise SeqbotError(f"the model has no layer {entry['name']!r} to take the checkpoint's weights") from None
        arrays = [artifact.weights[f"{entry['name']}/{index}"] for index in range(count)]
        expected = [tuple(w.shape) for w in layer.get_weights()]
        if [tuple(a.shape) for a in arrays] != expected:
            raise SeqbotError(f"layer {entry['name']}: the checkpoint's weights {[a.shape for a in arrays]} do not fit "
                              f"{expected}; warm starts need the same architecture and vocabulary")
        layer.set_weights(arrays)
        names.append(entry["name"])
    return names
