"""Character-level encoder-decoder with teacher forcing, optionally with attention (Keras 3).

The architecture is the one the NumPy engine runs (seqbot/engine/seq2seq.py):

    source ids -> source_embedding -> encoder (LSTM|GRU) -> outputs, final state
    <start>+target ids -> target_embedding -> decoder (LSTM|GRU, starts from the encoder's state)
    attention over the encoder outputs, queried by each decoder output ("dot" or "bahdanau")
    combine = tanh(Dense([decoder output, context])) -> output logits

Attention sits after the decoder RNN (Luong et al. 2015), so teacher-forced training runs
every time step in parallel. `export_weights` maps the Keras layers to the artifact's names.

    model = build_seq2seq(Seq2SeqConfig(source_vocab_size=90, target_vocab_size=110, attention="dot"))
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from seqbot.training.tf_setup import import_keras

keras = import_keras()
from keras import ops  # noqa: E402

CELLS = ("lstm", "gru")
ATTENTIONS = ("none", "dot", "bahdanau")


@dataclass
class Seq2SeqConfig:
    source_vocab_size: int
    target_vocab_size: int
    cell: str = "lstm"
    units: int = 256
    embedding_dim: int = 64
    attention: str = "dot"
    attention_units: int = 128
    one_hot: bool = False  # keras-io example: one-hot characters instead of learned embeddings
    dropout: float = 0.0  # on the embeddings and before the output layer; training only, no weights

    def __post_init__(self):
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        if self.attention not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}, got {self.attention!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_artifact_config(cls, config: dict, dropout: float = 0.0) -> "Seq2SeqConfig":
        """The model an exported artifact's config describes (dropout is training-only, so not in it)."""
        return cls(len(config["source_vocab"]), len(config["target_vocab"]), config["cell"], config["units"],
                   config["embedding_dim"], config["attention"], config["attention_units"], dropout=dropout)


@keras.saving.register_keras_serializable(package="seqbot")
class LuongAttention(keras.layers.Layer):
    """Attention of each decoder output over the encoder outputs, padding masked out.

    dot:      score = query . key
    bahdanau: score = v . tanh(key @ key_kernel + key_bias + query @ query_kernel)
    Inputs: [queries (b, t, u), keys (b, s, u), source ids (b, s)]; returns (context, weights).
    """

    def __init__(self, kind: str = "dot", attention_units: int = 128, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind
        self.attention_units = attention_units

    def build(self, input_shape):
        if self.kind == "bahdanau":
            units = input_shape[1][-1]
            self.key_kernel = self.add_weight(name="key_kernel", shape=(units, self.attention_units), initializer="glorot_uniform")
            self.key_bias = self.add_weight(name="key_bias", shape=(self.attention_units,), initializer="zeros")
            self.query_kernel = self.add_weight(name="query_kernel", shape=(input_shape[0][-1], self.attention_units), initializer="glorot_uniform")
            self.v = self.add_weight(name="v", shape=(self.attention_units,), initializer="glorot_uniform")

    def call(self, inputs):
        queries, keys, source_ids = inputs
        if self.kind == "dot":
            scores = ops.einsum("btu,bsu->bts", queries, keys)
        else:
            keys_projected = ops.matmul(keys, self.key_kernel) + self.key_bias
            queries_projected = ops.matmul(queries, self.query_kernel)
            hidden = ops.tanh(keys_projected[:, None, :, :] + queries_projected[:, :, None, :])
            scores = ops.einsum("btsa,a->bts", hidden, self.v)
        source_mask = ops.not_equal(source_ids, 0)[:, None, :]
        scores = ops.where(source_mask, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1)
        return ops.einsum("bts,bsu->btu", weights, keys), weights

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return super().get_config() | {"kind": self.kind, "attention_units": self.attention_units}


def _embedding(name: str, vocab_size: int, config: Seq2SeqConfig):
    if config.one_hot:
        return keras.layers.Embedding(vocab_size, vocab_size, embeddings_initializer="identity", trainable=False, mask_zero=True, name=name)
    return keras.layers.Embedding(vocab_size, config.embedding_dim, mask_zero=True, name=name)


def _rnn(name: str, config: Seq2SeqConfig):
    layer = keras.layers.LSTM if config.cell == "lstm" else keras.layers.GRU
    return layer(config.units, return_sequences=True, return_state=True, name=name)


def build_seq2seq(config: Seq2SeqConfig) -> keras.Model:
    """The teacher-forced training model: (source ids, decoder input ids) -> logits."""
    source = keras.Input(shape=(None,), dtype="int32", name="source")
    target_in = keras.Input(shape=(None,), dtype="int32", name="target_in")
    def dropout(name):
        return keras.layers.Dropout(config.dropout, name=name) if config.dropout else (lambda x: x)

    source_embedded = dropout("source_dropout")(_embedding("source_embedding", config.source_vocab_size, config)(source))
    target_embedded = dropout("target_dropout")(_embedding("target_embedding", config.target_vocab_size, config)(target_in))
    encoder_outputs, *encoder_state = _rnn("encoder", config)(source_embedded)
    decoder_outputs, *_ = _rnn("decoder", config)(target_embedded, initial_state=encoder_state)
    features = decoder_outputs
    if config.attention != "none":
        context, _ = LuongAttention(config.attention, config.attention_units, name="attention")([decoder_outputs, encoder_outputs, source])
        features = keras.layers.Dense(config.units, activation="tanh", name="combine")(
            keras.layers.Concatenate(name="decoder_and_context")([decoder_outputs, context])
        )
    logits = keras.layers.Dense(config.target_vocab_size, name="output")(dropout("features_dropout")(features))
    return keras.Model([source, target_in], logits, name=f"seq2seq_{config.cell}_{config.attention}")


def masked_loss(y_true, logits):
    """Per-character cross-entropy averaged over real characters only (id 0 = padding).

    Keras averages what a loss returns over every position, padding included (the
    decoder's mask does not reach a compiled loss here), so the real positions are scaled
    by positions / real positions: the batch mean is then the per-character mean.
    """
    loss = keras.losses.sparse_categorical_crossentropy(y_true, logits, from_logits=True)
    real = ops.cast(ops.not_equal(y_true, 0), loss.dtype)
    scale = ops.cast(ops.size(real), loss.dtype) / ops.maximum(ops.sum(real), 1.0)
    return loss * real * scale


@keras.saving.register_keras_serializable(package="seqbot")
class MaskedAccuracy(keras.metrics.Metric):
    """Share of real (non-padding) target characters predicted right, over the whole epoch."""

    def __init__(self, name="masked_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.correct = self.add_variable(shape=(), initializer="zeros", name="correct")
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, y_true, logits, sample_weight=None):
        y_true = ops.cast(y_true, "int32")
        real = ops.cast(ops.not_equal(y_true, 0), "float32")
        hits = ops.cast(ops.equal(ops.cast(ops.argmax(logits, axis=-1), "int32"), y_true), "float32")
        self.correct.assign_add(ops.sum(hits * real))
        self.total.assign_add(ops.sum(real))

    def result(self):
        return self.correct / ops.maximum(self.total, 1.0)

    def reset_state(self):
        self.correct.assign(0.0)
        self.total.assign(0.0)


def compile_seq2seq(model: keras.Model, optimizer="adam", learning_rate: float | None = None) -> keras.Model:
    if isinstance(optimizer, str):
        optimizer = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}} if learning_rate else optimizer)
    model.compile(optimizer=optimizer, loss=masked_loss, metrics=[MaskedAccuracy()])
    return model


def export_weights(model: keras.Model, config: Seq2SeqConfig) -> dict[str, np.ndarray]:
    """Keras layers -> the artifact's weight names (notes/INTERFACES.md), float32."""
    weights: dict[str, np.ndarray] = {
        "source_embedding": model.get_layer("source_embedding").get_weights()[0],
        "target_embedding": model.get_layer("target_embedding").get_weights()[0],
    }
    for name in ("encoder", "decoder"):
        kernel, recurrent_kernel, bias = model.get_layer(name).get_weights()
        weights |= {f"{name}/kernel": kernel, f"{name}/recurrent_kernel": recurrent_kernel, f"{name}/bias": bias}
    if config.attention == "bahdanau":
        key_kernel, key_bias, query_kernel, v = model.get_layer("attention").get_weights()
        weights |= {"attention/key_kernel": key_kernel, "attention/key_bias": key_bias,
                    "attention/query_kernel": query_kernel, "attention/v": v}
    if config.attention != "none":
        kernel, bias = model.get_layer("combine").get_weights()
        weights |= {"combine/kernel": kernel, "combine/bias": bias}
    kernel, bias = model.get_layer("output").get_weights()
    weights |= {"output/kernel": kernel, "output/bias": bias}
    return {name: np.asarray(value, dtype=np.float32) for name, value in weights.items()}


def load_exported_weights(model: keras.Model, weights: dict[str, np.ndarray]) -> None:
    """The inverse of `export_weights`: set the Keras layers from an artifact's weights."""
    for name in ("source_embedding", "target_embedding"):
        model.get_layer(name).set_weights([weights[name]])
    for name in ("encoder", "decoder"):
        model.get_layer(name).set_weights([weights[f"{name}/{part}"] for part in ("kernel", "recurrent_kernel", "bias")])
    for name in ("combine", "output"):
        if f"{name}/kernel" in weights:
            model.get_layer(name).set_weights([weights[f"{name}/kernel"], weights[f"{name}/bias"]])
    if "attention/v" in weights:
        model.get_layer("attention").set_weights([weights[f"attention/{part}"] for part in ("key_kernel", "key_bias", "query_kernel", "v")])
