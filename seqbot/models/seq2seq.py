"""Character-level encoder-decoder with teacher forcing, optionally with attention (Keras 3).

The architecture is the one the NumPy engine runs (seqbot/engine/seq2seq.py):

    source ids -> source_embedding -> encoder layers -> outputs ("memory"), final state
    <start>+target ids -> target_embedding -> decoder layers (the first starts from the encoder's state)
    attention over the memory, queried by the top decoder output ("dot" or "bahdanau")
    combine = tanh(Dense([decoder output, context])) -> output logits

Encoder layer l (LSTM|GRU of `units`): unidirectional, or with `bidirectional` a forward and a
backward RNN whose concatenated outputs a Dense projection ("encoder_projection") brings back to
`units`; the same projection maps the two final states to the decoder's initial state. Layers
after the first (encoder or decoder) add their output to their input (residual) and read it
through dropout; encoder layers' final states add up the same way. Decoder layers after the first start from zeros.

Attention sits after the decoder RNN (Luong et al. 2015), so teacher-forced training runs
every time step in parallel. `export_weights` maps the Keras layers to the artifact's names
(docs/architecture.md); `layer_name("encoder", 2)` is "encoder_2", layer 1 keeps "encoder".

    model = build_seq2seq(Seq2SeqConfig(source_vocab_size=90, target_vocab_size=110, attention="dot"))
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from seqbot.models.keras_setup import import_keras

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
    dropout: float = 0.0  # on the embeddings, between layers and before the output layer; training only
    bidirectional: bool = False
    encoder_layers: int = 1
    decoder_layers: int = 1

    def __post_init__(self):
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        if self.attention not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}, got {self.attention!r}")
        if self.encoder_layers < 1 or self.decoder_layers < 1:
            raise ValueError(f"encoder_layers and decoder_layers must be at least 1, got {self.encoder_layers}, {self.decoder_layers}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_artifact_config(cls, config: dict, dropout: float = 0.0) -> "Seq2SeqConfig":
        """The model an exported artifact's config describes (dropout is training-only, so not in it)."""
        return cls(len(config["source_vocab"]), len(config["target_vocab"]), config["cell"], config["units"],
                   config["embedding_dim"], config["attention"], config["attention_units"], dropout=dropout,
                   bidirectional=bool(config.get("bidirectional", False)),
                   encoder_layers=int(config.get("encoder_layers", 1)), decoder_layers=int(config.get("decoder_layers", 1)))


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
        # The softmax in float32 even under mixed precision (bfloat16 keeps 8 bits of mantissa).
        scores = ops.cast(scores, "float32")
        scores = ops.where(source_mask, scores, ops.full_like(scores, -1e9))
        weights = ops.cast(ops.softmax(scores, axis=-1), keys.dtype)
        return ops.einsum("bts,bsu->btu", weights, keys), weights

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return super().get_config() | {"kind": self.kind, "attention_units": self.attention_units}


def _embedding(name: str, vocab_size: int, config: Seq2SeqConfig):
    if config.one_hot:
        return keras.layers.Embedding(vocab_size, vocab_size, embeddings_initializer="identity", trainable=False, mask_zero=True, name=name)
    return keras.layers.Embedding(vocab_size, config.embedding_dim, mask_zero=True, name=name)


def layer_name(side: str, index: int) -> str:
    """Name of recurrent layer `index` (1-based) of "encoder" or "decoder": encoder, encoder_2, ..."""
    return side if index == 1 else f"{side}_{index}"


def _rnn(name: str, config: Seq2SeqConfig, go_backwards: bool = False):
    layer = keras.layers.LSTM if config.cell == "lstm" else keras.layers.GRU
    return layer(config.units, return_sequences=True, return_state=True, go_backwards=go_backwards, name=name)


def _encode(x, config: Seq2SeqConfig, dropout):
    """The encoder stack: (memory (b, s, units), initial decoder state [h] or [h, c])."""
    state = None
    for index in range(1, config.encoder_layers + 1):
        name = layer_name("encoder", index)
        layer_input = x if index == 1 else dropout(f"{name}_dropout")(x)
        if config.bidirectional:
            both = keras.layers.Bidirectional(_rnn(name, config), backward_layer=_rnn(f"{name}_backward", config, True),
                                              merge_mode="concat", name=f"{name}_bidirectional")
            outputs, *states = both(layer_input)
            half = len(states) // 2
            projection = keras.layers.Dense(config.units, name=f"{name}_projection")
            outputs = projection(outputs)
            layer_state = [projection(keras.layers.Concatenate()([forward, backward]))
                           for forward, backward in zip(states[:half], states[half:])]
        else:
            outputs, *layer_state = _rnn(name, config)(layer_input)
        if index == 1:
            x, state = outputs, layer_state
        else:  # residual: outputs and final states both add up over the layers
            x = keras.layers.Add(name=f"{name}_residual")([x, outputs])
            state = [keras.layers.Add()([old, new]) for old, new in zip(state, layer_state)]
    return x, state


def build_seq2seq(config: Seq2SeqConfig) -> keras.Model:
    """The teacher-forced training model: (source ids, decoder input ids) -> logits."""
    source = keras.Input(shape=(None,), dtype="int32", name="source")
    target_in = keras.Input(shape=(None,), dtype="int32", name="target_in")
    def dropout(name):
        return keras.layers.Dropout(config.dropout, name=name) if config.dropout else (lambda x: x)

    source_embedded = dropout("source_dropout")(_embedding("source_embedding", config.source_vocab_size, config)(source))
    target_embedded = dropout("target_dropout")(_embedding("target_embedding", config.target_vocab_size, config)(target_in))
    encoder_outputs, encoder_state = _encode(source_embedded, config, dropout)
    decoder_outputs, *_ = _rnn("decoder", config)(target_embedded, initial_state=encoder_state)
    for index in range(2, config.decoder_layers + 1):
        name = layer_name("decoder", index)
        outputs, *_ = _rnn(name, config)(dropout(f"{name}_dropout")(decoder_outputs))
        decoder_outputs = keras.layers.Add(name=f"{name}_residual")([decoder_outputs, outputs])
    features = decoder_outputs
    if config.attention != "none":
        context, _ = LuongAttention(config.attention, config.attention_units, name="attention")([decoder_outputs, encoder_outputs, source])
        features = keras.layers.Dense(config.units, activation="tanh", name="combine")(
            keras.layers.Concatenate(name="decoder_and_context")([decoder_outputs, context])
        )
    # float32 logits under mixed precision too: the loss and the softmax need them.
    logits = keras.layers.Dense(config.target_vocab_size, name="output", dtype="float32")(dropout("features_dropout")(features))
    return keras.Model([source, target_in], logits, name=f"seq2seq_{config.cell}_{config.attention}")


def masked_loss(y_true, logits, label_smoothing: float = 0.0):
    """Per-character cross-entropy averaged over real characters only (id 0 = padding).

    With `label_smoothing` e the target is (1 - e) on the right character and e spread evenly
    over the whole vocabulary (Szegedy et al. 2016).

    Keras averages what a loss returns over every position, padding included (the
    decoder's mask does not reach a compiled loss here), so the real positions are scaled
    by positions / real positions: the batch mean is then the per-character mean.
    """
    loss = keras.losses.sparse_categorical_crossentropy(y_true, logits, from_logits=True)
    if label_smoothing:
        uniform = -ops.mean(ops.log_softmax(logits, axis=-1), axis=-1)
        loss = (1.0 - label_smoothing) * loss + label_smoothing * uniform
    real = ops.cast(ops.not_equal(y_true, 0), loss.dtype)
    scale = ops.cast(ops.size(real), loss.dtype) / ops.maximum(ops.sum(real), 1.0)
    return loss * real * scale


def mismatch_loss(y_true, logits, weight: float):
    """masked_loss on the true pairs plus `weight` x a loss for reading the message (issue 23).

    The batch is doubled by make_batches(mismatched=True): rows B.. hold the first B rows' replies
    after other rows' messages, their targets negated. The true rows pay the cross-entropy; each
    reply also pays softplus(log p(reply | other message) - log p(reply | its message)), the logistic
    loss of telling its message from another by the reply's probability, which is what hits@1 by
    mutual information asks of the model. A batch without negated targets (validation) gets
    masked_loss alone, so val_loss keeps its meaning.
    """
    ids = ops.abs(y_true)
    cross_entropy = keras.losses.sparse_categorical_crossentropy(ids, logits, from_logits=True)
    true_rows = ops.cast(ops.greater(y_true, 0), cross_entropy.dtype)
    size = ops.cast(ops.size(true_rows), cross_entropy.dtype)
    loss = cross_entropy * true_rows * size / ops.maximum(ops.sum(true_rows), 1.0)
    sequence_log_probs = -ops.sum(cross_entropy * ops.cast(ops.not_equal(ids, 0), cross_entropy.dtype), axis=1)
    half = ops.shape(y_true)[0] // 2
    mismatched = ops.cast(ops.any(ops.less(y_true, 0)), cross_entropy.dtype)
    pair_loss = ops.softplus(sequence_log_probs[half:2 * half] - sequence_log_probs[:half]) * mismatched
    # spread each pair's loss over its true row's positions: Keras averages what a loss returns over all of them
    rows = ops.concatenate([pair_loss, ops.zeros_like(sequence_log_probs[half:])], axis=0)
    positions = ops.cast(ops.shape(y_true)[1], cross_entropy.dtype)
    return loss + weight * ops.expand_dims(rows, 1) * (size / positions) / ops.cast(ops.maximum(half, 1), cross_entropy.dtype)


@keras.saving.register_keras_serializable(package="seqbot")
class MaskedAccuracy(keras.metrics.Metric):
    """Share of real (non-padding) target characters predicted right, over the whole epoch."""

    def __init__(self, name="masked_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.correct = self.add_variable(shape=(), initializer="zeros", name="correct")
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, y_true, logits, sample_weight=None):
        y_true = ops.cast(y_true, "int32")
        real = ops.cast(ops.greater(y_true, 0), "float32")  # mismatched rows (negated, mismatch_loss) are not counted
        hits = ops.cast(ops.equal(ops.cast(ops.argmax(logits, axis=-1), "int32"), y_true), "float32")
        self.correct.assign_add(ops.sum(hits * real))
        self.total.assign_add(ops.sum(real))

    def result(self):
        return self.correct / ops.maximum(self.total, 1.0)

    def reset_state(self):
        self.correct.assign(0.0)
        self.total.assign(0.0)


def compile_seq2seq(model: keras.Model, optimizer="adam", learning_rate: float | None = None,
                    label_smoothing: float = 0.0, clipnorm: float | None = None, mismatch_weight: float = 0.0) -> keras.Model:
    if isinstance(optimizer, str):
        config = {"learning_rate": learning_rate} if learning_rate else {}
        if clipnorm:
            config["clipnorm"] = clipnorm
        optimizer = keras.optimizers.get({"class_name": optimizer, "config": config} if config else optimizer)
    loss = masked_loss
    if label_smoothing:
        def loss(y_true, logits):
            return masked_loss(y_true, logits, label_smoothing)
    if mismatch_weight:
        if label_smoothing:
            raise ValueError("the mismatch loss is not combined with label smoothing")

        def loss(y_true, logits):
            return mismatch_loss(y_true, logits, mismatch_weight)
    model.compile(optimizer=optimizer, loss=loss, metrics=[MaskedAccuracy()])
    return model


def recurrent_layers(config: Seq2SeqConfig) -> list[tuple[str, str]]:
    """(artifact name, Keras layer path) of every recurrent layer, in the artifact's order."""
    names = []
    for index in range(1, config.encoder_layers + 1):
        name = layer_name("encoder", index)
        if config.bidirectional:
            names += [(name, f"{name}_bidirectional/forward"), (f"{name}_backward", f"{name}_bidirectional/backward")]
        else:
            names.append((name, name))
    names += [(layer_name("decoder", index),) * 2 for index in range(1, config.decoder_layers + 1)]
    return names


def _layer(model: keras.Model, path: str):
    name, _, part = path.partition("/")
    layer = model.get_layer(name)
    return getattr(layer, f"{part}_layer") if part else layer


def _dense_layers(config: Seq2SeqConfig) -> list[str]:
    names = [f"{layer_name('encoder', i)}_projection" for i in range(1, config.encoder_layers + 1)] if config.bidirectional else []
    return names + (["combine"] if config.attention != "none" else []) + ["output"]


def export_weights(model: keras.Model, config: Seq2SeqConfig) -> dict[str, np.ndarray]:
    """Keras layers -> the artifact's weight names (docs/architecture.md), float32."""
    weights: dict[str, np.ndarray] = {
        "source_embedding": model.get_layer("source_embedding").get_weights()[0],
        "target_embedding": model.get_layer("target_embedding").get_weights()[0],
    }
    for name, path in recurrent_layers(config):
        kernel, recurrent_kernel, bias = _layer(model, path).get_weights()
        weights |= {f"{name}/kernel": kernel, f"{name}/recurrent_kernel": recurrent_kernel, f"{name}/bias": bias}
    if config.attention == "bahdanau":
        key_kernel, key_bias, query_kernel, v = model.get_layer("attention").get_weights()
        weights |= {"attention/key_kernel": key_kernel, "attention/key_bias": key_bias,
                    "attention/query_kernel": query_kernel, "attention/v": v}
    for name in _dense_layers(config):
        kernel, bias = model.get_layer(name).get_weights()
        weights |= {f"{name}/kernel": kernel, f"{name}/bias": bias}
    return {name: np.asarray(value, dtype=np.float32) for name, value in weights.items()}


def load_exported_weights(model: keras.Model, weights: dict[str, np.ndarray], config: Seq2SeqConfig | None = None) -> None:
    """The inverse of `export_weights`: set the Keras layers from an artifact's weights."""
    config = config or Seq2SeqConfig(2, 2)
    for name in ("source_embedding", "target_embedding"):
        model.get_layer(name).set_weights([weights[name]])
    for name, path in recurrent_layers(config):
        _layer(model, path).set_weights([weights[f"{name}/{part}"] for part in ("kernel", "recurrent_kernel", "bias")])
    for name in ("combine", "output", *_dense_layers(config)):
        if f"{name}/kernel" in weights:
            model.get_layer(name).set_weights([weights[f"{name}/kernel"], weights[f"{name}/bias"]])
    if "attention/v" in weights:
        model.get_layer("attention").set_weights([weights[f"attention/{part}"] for part in ("key_kernel", "key_bias", "query_kernel", "v")])


def grow_weights(model: keras.Model, config: Seq2SeqConfig, old_weights: dict[str, np.ndarray]) -> list[str]:
    """Start a bigger model from a smaller exported one so that it computes the same function.

    Weights whose names and shapes match are copied; vocabularies may have grown at their end (new
    rows keep their fresh initialisation). Layers the old model lacks start so they change
    nothing: a bidirectional projection passes the forward half through ([I; 0]) and residual
    layers after the first start with zero weights, so they output zeros. Returns the names of
    the weights that were copied.
    """
    new_weights = export_weights(model, config)
    copied = []
    for name, value in new_weights.items():
        old = old_weights.get(name)
        if old is None or old.ndim != value.ndim:
            continue
        if old.shape == value.shape:
            new_weights[name] = old
        elif name in ("source_embedding", "target_embedding") and old.shape[1:] == value.shape[1:] and old.shape[0] < value.shape[0]:
            new_weights[name][: old.shape[0]] = old
        elif name.startswith("output/") and old.shape[:-1] == value.shape[:-1] and old.shape[-1] < value.shape[-1]:
            new_weights[name][..., : old.shape[-1]] = old
            # New characters start unlikely (a low constant logit) rather than at random.
            new_weights[name][..., old.shape[-1]:] = old.min() - 5.0 if name == "output/bias" else 0.0
        else:
            continue
        copied.append(name)
    if config.bidirectional:
        for index in range(1, config.encoder_layers + 1):
            name = f"{layer_name('encoder', index)}_projection"
            if f"{name}/kernel" not in old_weights:
                units = config.units
                new_weights[f"{name}/kernel"] = np.concatenate([np.eye(units), np.zeros((units, units))]).astype(np.float32)
                new_weights[f"{name}/bias"] = np.zeros(units, np.float32)
    for side, count in (("encoder", config.encoder_layers), ("decoder", config.decoder_layers)):
        for index in range(2, count + 1):
            for name in (layer_name(side, index), f"{layer_name(side, index)}_backward"):
                if f"{name}/kernel" in new_weights and f"{name}/kernel" not in old_weights:
                    for part in ("kernel", "recurrent_kernel", "bias"):
                        new_weights[f"{name}/{part}"] = np.zeros_like(new_weights[f"{name}/{part}"])
    load_exported_weights(model, new_weights, config)
    return copied
