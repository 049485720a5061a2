"""NumPy runner for exported seq2seq artifacts (kind "seq2seq": the translator and the chat model).

The layout (docs/architecture.md, built by seqbot/models/seq2seq.py): embedding -> encoder layers
(each forward, or forward + backward with a projection of both back to `units`; layers after the
first residual, outputs and final states summed) -> decoder layers (the first started from the encoder's final state, later ones
residual, from zeros) -> optional Luong-style attention after the top decoder layer ("dot" or
"bahdanau") -> tanh(combine) -> output logits. The engine splits it into two calls so any decoder
can drive it:

    model = Seq2SeqModel.from_artifact(load_artifact("checkpoints/translator.npz", kind="seq2seq"))
    state = model.encode(source_ids)                      # (batch, source_steps) int, 0 = padding
    log_probs, state, attention = model.step(token_ids, state)   # one decoder step for every row
    state = state.select([0, 0, 1])                       # reorder / repeat rows (beam search)

Work done once rather than per step: the encoder input projection of the whole source (layers.rnn),
the Bahdanau key projection of every source position, and the decoder's embedding @ kernel + bias
folded into one (target_vocab, gates * units) table so a decoder step starts with a row lookup.
Everything is float32. The decoder's weight matrices are layers.BlockedMatrix: a step with a few rows
(beam search: 4) multiplies them block by block in OpenBLAS's small-matrix kernel instead of repacking
each whole matrix every step; one row (greedy) or many rows use the plain product.

`random_artifact()` makes an artifact with random weights of the right shapes, for tests and benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqbot.artifact import Artifact
from seqbot.contract import keys
from seqbot.contract.tokens import END, PAD, SPECIALS, START
from seqbot.engine import layers
from seqbot.errors import CheckpointError

KIND = keys.SEQ2SEQ
CELLS = {"lstm": 4, "gru": 3}  # gates per cell
ATTENTIONS = ("none", "dot", "bahdanau")
REQUIRED_CONFIG = ("cell", "units", "embedding_dim", "attention", "source_vocab", "target_vocab",
                   "max_source_length", "max_target_length")


@dataclass(slots=True)
class DecoderState:
    """Everything a decoder step needs, one row per sequence being decoded.

    rnn_state: [h] (GRU) or [h, c] (LSTM) of each decoder layer, flattened in layer order, each (batch, units).
    mask: (batch, source_steps) True where the source has a real character.
    mask_bias: 0 on real characters, -1e9 on padding; added to attention scores (None: no padding).
    memory_combined: encoder outputs @ the context half of combine/kernel, + combine/bias
        (batch, source_steps, units), so a step's context needs no product of its own:
        context @ W + b = weights @ (memory @ W + b), as the attention weights sum to 1.
    memory: encoder outputs (batch, source_steps, units), kept for dot attention's scores.
    keys_projected: memory @ key_kernel + key_bias (batch, source_steps, attention_units), Bahdanau only.
    Arrays that a model without attention does not need are None.
    shared_source: every row decodes the same sentence (beam search), so the source arrays keep batch
        size 1 and broadcast; select() then only reorders the recurrent state.
    """

    rnn_state: list
    mask: np.ndarray
    mask_bias: np.ndarray | None = None
    memory_combined: np.ndarray | None = None
    memory: np.ndarray | None = None
    keys_projected: np.ndarray | None = None
    shared_source: bool = False

    @property
    def batch_size(self) -> int:
        return self.rnn_state[0].shape[0]

    def select(self, indices, sources=None) -> "DecoderState":
        """A state holding rows `indices` (any order, repeats allowed): beam reordering, dropping finished rows.

        With a shared source (beam search), the source arrays stay as they are, or keep the sentences
        `sources` when given (dropping finished sentences; `indices` must then be grouped the same way)."""
        indices = np.asarray(indices, dtype=np.intp)
        rnn_state = [part[indices] for part in self.rnn_state]
        if self.shared_source and sources is None:
            return DecoderState(rnn_state, self.mask, self.mask_bias, self.memory_combined, self.memory,
                                self.keys_projected, True)
        picked = indices if sources is None else np.asarray(sources, dtype=np.intp)

        def pick(array):
            return None if array is None else array[picked]

        return DecoderState(rnn_state, pick(self.mask), pick(self.mask_bias), pick(self.memory_combined),
                            pick(self.memory), pick(self.keys_projected), self.shared_source)

    def repeat(self, width: int) -> "DecoderState":
        """Each sentence's recurrent state `width` times in a row (sentence-major), the source arrays once:
        the start of a batched beam search."""
        rnn_state = [np.repeat(part, width, axis=0) for part in self.rnn_state]
        return DecoderState(rnn_state, self.mask, self.mask_bias, self.memory_combined, self.memory,
                            self.keys_projected, True)

    def share_source(self) -> "DecoderState":
        """This one-sentence state, marked so that select() repeats only the recurrent state (beam search)."""
        if self.batch_size != 1:
            raise ValueError(f"share_source needs a state of one sentence, not {self.batch_size}")
        return DecoderState(self.rnn_state, self.mask, self.mask_bias, self.memory_combined, self.memory,
                            self.keys_projected, True)


class Seq2SeqModel:
    """Runs the exported layout; see the module docstring.

    The recurrent cells use sigmoid(x) = 0.5 * tanh(x / 2) + 0.5 with the 1/2 folded into the sigmoid
    gates' weight columns, so all gates of a step are one tanh call (the step is bound by NumPy call
    overhead at batch size 1). tests/test_engine_seq2seq.py checks it against layers.rnn / cell_step.

    `block_columns`: the column-block width of the recurrent, decoder-input and attention-output
    matrices (layers.BlockedMatrix); 0 multiplies every matrix whole (the plain products, for comparison).
    """

    def __init__(self, config: dict, weights: dict[str, np.ndarray], block_columns: int = layers.BLOCK_COLUMNS):
        _check(config, weights)
        self.config = config
        self.cell = config["cell"]
        self.units = units = int(config["units"])
        self.attention = config["attention"]
        self.source_vocab = list(config["source_vocab"])
        self.target_vocab = list(config["target_vocab"])
        self.max_source_length = int(config["max_source_length"])
        self.max_target_length = int(config["max_target_length"])
        w = {name: np.asarray(value, dtype=np.float32) for name, value in weights.items()}
        if self.cell == "lstm":  # gates i, f, c, o: sigmoid, sigmoid, tanh, sigmoid
            gate_scale = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=np.float32), units)
            gate_shift = np.repeat(np.array([0.5, 0.5, 0.0, 0.5], dtype=np.float32), units)
        else:  # GRU gates z, r, h: sigmoid, sigmoid, tanh (applied later, after the reset gate)
            gate_scale = np.repeat(np.array([0.5, 0.5, 1.0], dtype=np.float32), units)
            gate_shift = None
        self._gate_scale, self._gate_shift = gate_scale, gate_shift
        self.bidirectional = bool(config.get("bidirectional", False))
        self.encoder_layers = int(config.get("encoder_layers", 1))
        self.decoder_layers = int(config.get("decoder_layers", 1))
        self._state_parts = 2 if self.cell == "lstm" else 1
        self.block_columns = block_columns

        def rnn_weights(name):
            return [w[f"{name}/kernel"], w[f"{name}/recurrent_kernel"], w[f"{name}/bias"]]

        # Per encoder layer: [(input weights, scaled recurrent) per direction], projection (kernel, bias) or None.
        self._encoder = []
        for index in range(1, self.encoder_layers + 1):
            name = layer_name("encoder", index)
            directions = [name, f"{name}_backward"] if self.bidirectional else [name]
            projection = (w[f"{name}_projection/kernel"], w[f"{name}_projection/bias"]) if self.bidirectional else None
            self._encoder.append(([(rnn_weights(d), self._recurrent(rnn_weights(d))) for d in directions], projection))
        self._decoder = [(rnn_weights(layer_name("decoder", i)), self._recurrent(rnn_weights(layer_name("decoder", i))))
                         for i in range(1, self.decoder_layers + 1)]
        # Decoder layers after the first: their input projection, gate scaling folded in (exact: 0.5 and 1).
        self._decoder_inputs = [self._scaled_projection(weights) for weights, _ in self._decoder[1:]]
        # Embedding lookup followed by the input projection is a lookup in their product.
        self._source_inputs = [self._scaled(layers.input_projection(self.cell, w["source_embedding"], weights))
                               for weights, _ in self._encoder[0][0]]
        self._target_inputs = self._scaled(layers.input_projection(self.cell, w["target_embedding"], self._decoder[0][0]))
        if self.attention == "bahdanau":
            self.key_kernel, self.key_bias = w["attention/key_kernel"], w["attention/key_bias"]
            self.attention_v = w["attention/v"]
        if self.attention != "none":
            combine = w["combine/kernel"]
            self._combine_context = np.ascontiguousarray(combine[units:])
            # Every product of the decoder output h in one call: [query_kernel | combine's h half].
            query = [w["attention/query_kernel"]] if self.attention == "bahdanau" else []
            self._output_projection = layers.BlockedMatrix(np.concatenate(query + [combine[:units]], axis=1),
                                                           block_columns)
            self.combine_bias = w["combine/bias"]
        self.output_kernel, self.output_bias = w["output/kernel"], w["output/bias"]

    def _scaled(self, array):
        return np.ascontiguousarray(array * self._gate_scale, dtype=np.float32)

    def _recurrent(self, weights):
        """(scaled recurrent kernel as a BlockedMatrix, scaled recurrent bias or None)."""
        bias = self._scaled(weights[2][1]) if self.cell == "gru" else None
        return layers.BlockedMatrix(self._scaled(weights[1]), self.block_columns), bias

    def _scaled_projection(self, weights):
        """(scaled input kernel as a BlockedMatrix, scaled input bias): x @ kernel + bias is
        _scaled(input_projection(x)) with the scaling done once; the scales are 0.5 and 1, so scaling
        before the product rounds exactly as scaling after it."""
        bias = weights[2][0] if self.cell == "gru" else weights[2]
        return layers.BlockedMatrix(self._scaled(weights[0]), self.block_columns), self._scaled(bias)

    def _run(self, inputs_scaled, mask, recurrent, backwards: bool):
        """One direction of one encoder layer over (batch, steps, gates) scaled inputs: (outputs, final state)."""
        batch, steps, _ = inputs_scaled.shape
        state = [np.zeros((batch, self.units), dtype=np.float32) for _ in range(self._state_parts)]
        outputs = np.zeros((batch, steps, self.units), dtype=np.float32)
        padded_steps = ~mask.all(axis=0)
        for t in (range(steps - 1, -1, -1) if backwards else range(steps)):
            new_state = self._cell(inputs_scaled[:, t], state, recurrent)
            if padded_steps[t]:  # as Keras: a masked step keeps the previous state (and output)
                keep = mask[:, t, None]
                new_state = [np.where(keep, new, old) for new, old in zip(new_state, state)]
            state = new_state
            outputs[:, t] = state[0]
        return outputs, state

    @classmethod
    def from_artifact(cls, artifact: Artifact, block_columns: int = layers.BLOCK_COLUMNS) -> "Seq2SeqModel":
        if artifact.kind != KIND:
            raise CheckpointError(f"this checkpoint holds a {artifact.kind!r} model, not a {KIND!r} model")
        return cls(artifact.config, artifact.weights, block_columns)

    def _cell(self, x_scaled, state, recurrent):
        """One recurrent step from the scaled input projection; returns the new [h] or [h, c]."""
        kernel, bias = recurrent
        h = state[0]
        units = self.units
        if self.cell == "lstm":
            z = kernel.product(h)
            z += x_scaled
            np.tanh(z, out=z)
            z *= self._gate_scale
            z += self._gate_shift
            c = z[:, units:2 * units] * state[1]
            c += z[:, :units] * z[:, 2 * units:3 * units]
            return [z[:, 3 * units:] * np.tanh(c), c]
        inner = kernel.product(h)
        inner += bias
        gates = np.tanh(x_scaled[:, :2 * units] + inner[:, :2 * units])
        gates *= 0.5
        gates += 0.5
        candidate = np.tanh(x_scaled[:, 2 * units:] + gates[:, units:] * inner[:, 2 * units:])
        return [candidate + gates[:, :units] * (h - candidate)]

    def encode(self, source_ids) -> DecoderState:
        """Run the encoder over (batch, source_steps) ids, right-padded with 0."""
        source_ids = np.asarray(source_ids, dtype=np.intp)
        if source_ids.ndim != 2:
            raise ValueError(f"source_ids must be (batch, steps), got shape {source_ids.shape}")
        batch, steps = source_ids.shape
        mask = source_ids != PAD
        padded_steps = ~mask.all(axis=0)
        memory = None
        for index, (directions, projection) in enumerate(self._encoder):
            results = []
            for direction, (weights, recurrent) in enumerate(directions):
                if index == 0:  # the whole source's input projection, by lookup
                    inputs = self._source_inputs[direction][source_ids]
                else:
                    inputs = self._scaled(layers.input_projection(self.cell, memory, weights))
                results.append(self._run(inputs, mask, recurrent, backwards=direction == 1))
            if projection is None:
                outputs, state = results[0]
            else:
                kernel, bias = projection
                outputs = np.concatenate([results[0][0], results[1][0]], axis=-1) @ kernel + bias
                state = [np.concatenate([forward, backward], axis=-1) @ kernel + bias
                         for forward, backward in zip(results[0][1], results[1][1])]
            if memory is None:
                memory, final_state = outputs, state
            else:  # residual layers: outputs and final states add up
                memory = memory + outputs
                final_state = [old + new for old, new in zip(final_state, state)]
        state = final_state
        state = state + [np.zeros((batch, self.units), dtype=np.float32)
                         for _ in range(self._state_parts * (self.decoder_layers - 1))]
        if self.attention == "none":
            return DecoderState(rnn_state=state, mask=mask)
        return DecoderState(
            rnn_state=state,
            mask=mask,
            mask_bias=np.where(mask, np.float32(0.0), np.float32(-1e9)).astype(np.float32) if padded_steps.any() else None,
            # The softmax weights sum to 1, so the combine bias can ride along with every source position.
            memory_combined=memory @ self._combine_context + self.combine_bias,
            memory=memory if self.attention == "dot" else None,
            keys_projected=memory @ self.key_kernel + self.key_bias if self.attention == "bahdanau" else None,
        )

    def step(self, token_ids, state: DecoderState):
        """Feed one token per row. Returns (log_probs (batch, target_vocab), new state, attention (batch, source_steps) or None)."""
        x_scaled = self._target_inputs[np.asarray(token_ids, dtype=np.intp)]
        parts = self._state_parts
        rnn_state = self._cell(x_scaled, state.rnn_state[:parts], self._decoder[0][1])
        output = rnn_state[0]
        for index in range(1, self.decoder_layers):
            kernel, bias = self._decoder_inputs[index - 1]
            inputs = kernel.product(output)
            inputs += bias
            layer_state = self._cell(inputs, state.rnn_state[index * parts:(index + 1) * parts], self._decoder[index][1])
            rnn_state = rnn_state + layer_state
            output = output + layer_state[0]
        weights = None
        if self.attention != "none":
            projected = self._output_projection.product(output)
            # Rows are grouped by sentence: `group` consecutive rows read one sentence's memory (beam
            # search), so each sentence's attention is one batched product without copying its memory.
            sentences = state.memory_combined.shape[0]
            group = output.shape[0] // sentences
            queries = output.reshape(sentences, group, -1)
            if self.attention == "dot":
                scores = np.matmul(queries, state.memory.transpose(0, 2, 1))  # (sentences, group, source_steps)
                combine_part = projected
            else:
                attention_units = self.key_kernel.shape[1]
                energy = state.keys_projected[:, None] + projected[:, None, :attention_units].reshape(sentences, group, 1, -1)
                np.tanh(energy, out=energy)
                scores = energy @ self.attention_v
                combine_part = projected[:, attention_units:]
            if state.mask_bias is not None:
                scores += state.mask_bias[:, None, :]
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores, out=scores)
            weights /= weights.sum(axis=-1, keepdims=True)
            combined = np.matmul(weights, state.memory_combined).reshape(output.shape[0], -1)
            combined += combine_part
            output = np.tanh(combined, out=combined)
            weights = weights.reshape(output.shape[0], -1)
        logits = output @ self.output_kernel
        logits += self.output_bias
        logits -= logits.max(axis=-1, keepdims=True)
        logits -= np.log(np.exp(logits).sum(axis=-1, keepdims=True))  # log-softmax
        new_state = DecoderState(rnn_state, state.mask, state.mask_bias, state.memory_combined, state.memory,
                                 state.keys_projected, state.shared_source)
        return logits, new_state, weights


def padded_ids(rows: list) -> np.ndarray:
    """Id sequences right-padded with <pad> into one (rows, longest) int64 array."""
    ids = np.full((len(rows), max((len(row) for row in rows), default=0)), PAD, dtype=np.int64)
    for index, row in enumerate(rows):
        ids[index, :len(row)] = row
    return ids


def teacher_forced(model: "Seq2SeqModel", sources: list, targets: list,
                   keep_attention: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """log p(target | source) of each row (id sequences; a target includes its <end>), the model fed
    the true previous token at every step; with `keep_attention`, the first row's attention weights
    (one row per target token, one column per source token), else None."""
    state = model.encode(padded_ids(sources))
    return forced_log_probs(model, state, padded_ids(targets), len(sources[0]) if keep_attention else 0)


def forced_log_probs(model: "Seq2SeqModel", state: "DecoderState", target_ids: np.ndarray,
                     attention_columns: int = 0) -> tuple[np.ndarray, np.ndarray | None]:
    """teacher_forced from an encoded `state` (one row per target row) and right-padded `target_ids`;
    with `attention_columns`, that many columns of the first row's attention at each of its tokens."""
    previous = np.full(len(target_ids), START, dtype=np.int64)
    scores, rows = np.zeros(len(target_ids)), []
    for t in range(target_ids.shape[1]):
        log_probs, state, weights = model.step(previous, state)
        live = np.flatnonzero(target_ids[:, t] != PAD)
        scores[live] += log_probs[live, target_ids[live, t]]
        previous = np.where(target_ids[:, t] != PAD, target_ids[:, t], END)
        if attention_columns and weights is not None and target_ids[0, t] != PAD:
            rows.append(weights[0, :attention_columns].copy())
    return scores, (np.stack(rows) if rows else None)


def layer_name(side: str, index: int) -> str:
    """Artifact name of recurrent layer `index` (1-based) of "encoder" or "decoder": encoder, encoder_2, ..."""
    return side if index == 1 else f"{side}_{index}"


def limit_blas_threads(threads: int = 1) -> bool:
    """Run NumPy's BLAS on `threads` threads for the rest of the process; True if it could be set.

    The engine multiplies small matrices one step at a time; a multi-threaded BLAS spends more on waking
    its threads than on the product (3-6x slower per sentence on a busy 2-core machine). The translator
    calls this when it loads. Needs threadpoolctl; without it nothing changes (set OPENBLAS_NUM_THREADS=1).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return False
    threadpool_limits(threads, user_api="blas")
    return True


def expected_shapes(config: dict, source_dim: int | None = None, target_dim: int | None = None) -> dict[str, tuple]:
    """Weight name -> shape, as docs/architecture.md lays them out for this config.

    Each side's embedding width defaults to config["embedding_dim"]; one-hot models (the keras-example
    preset) have identity embeddings as wide as each side's vocabulary, so the caller passes the widths.
    """
    units = int(config["units"])
    source_dim = int(config["embedding_dim"]) if source_dim is None else source_dim
    target_dim = int(config["embedding_dim"]) if target_dim is None else target_dim
    gates = CELLS[config["cell"]] * units
    source_size, target_size = len(config["source_vocab"]), len(config["target_vocab"])
    bias = (2, gates) if config["cell"] == "gru" else (gates,)
    shapes = {"source_embedding": (source_size, source_dim), "target_embedding": (target_size, target_dim)}
    bidirectional = bool(config.get("bidirectional", False))
    for side, input_dim in (("encoder", source_dim), ("decoder", target_dim)):
        for index in range(1, int(config.get(f"{side}_layers", 1)) + 1):
            name = layer_name(side, index)
            directions = [name, f"{name}_backward"] if side == "encoder" and bidirectional else [name]
            for direction in directions:
                shapes.update({f"{direction}/kernel": (input_dim if index == 1 else units, gates),
                               f"{direction}/recurrent_kernel": (units, gates), f"{direction}/bias": bias})
            if len(directions) == 2:
                shapes.update({f"{name}_projection/kernel": (2 * units, units), f"{name}_projection/bias": (units,)})
    shapes.update({"output/kernel": (units, target_size), "output/bias": (target_size,)})
    if config["attention"] == "bahdanau":
        attention_units = int(config["attention_units"])
        shapes.update({
            "attention/key_kernel": (units, attention_units), "attention/key_bias": (attention_units,),
            "attention/query_kernel": (units, attention_units), "attention/v": (attention_units,),
        })
    if config["attention"] != "none":
        shapes.update({"combine/kernel": (2 * units, units), "combine/bias": (units,)})
    return shapes


def _check(config: dict, weights: dict) -> None:
    """Fail with a CheckpointError naming what is wrong, rather than deep inside a matrix product."""
    missing = [key for key in REQUIRED_CONFIG if key not in config]
    if missing:
        raise CheckpointError(f"seq2seq checkpoint config lacks {', '.join(missing)}")
    if config["cell"] not in CELLS:
        raise CheckpointError(f"seq2seq cell {config['cell']!r} is not supported; expected one of {sorted(CELLS)}")
    if config["attention"] not in ATTENTIONS:
        raise CheckpointError(f"attention {config['attention']!r} is not supported; expected one of {list(ATTENTIONS)}")
    if config["attention"] == "bahdanau" and "attention_units" not in config:
        raise CheckpointError("bahdanau seq2seq checkpoint config lacks attention_units")
    for side in ("source_vocab", "target_vocab"):
        if list(config[side][:4]) != list(SPECIALS):
            raise CheckpointError(f"{side} must start with {', '.join(SPECIALS)}; got {list(config[side][:4])}")
    widths = [np.shape(weights[name])[1] if np.ndim(weights.get(name)) == 2 else None
              for name in ("source_embedding", "target_embedding")]
    for name, shape in expected_shapes(config, *widths).items():
        if name not in weights:
            raise CheckpointError(f"seq2seq checkpoint lacks weight {name!r}")
        if tuple(np.shape(weights[name])) != shape:
            raise CheckpointError(f"seq2seq weight {name!r} has shape {tuple(np.shape(weights[name]))}, expected {shape}")


def random_artifact(
    source_chars: str = "abcdefghijklmnopqrstuvwxyz .,!?'",
    target_chars: str = "abcdefghijklmnopqrstuvwxyzéèàç .,!?'",
    cell: str = "lstm",
    attention: str = "bahdanau",
    units: int = 16,
    embedding_dim: int = 8,
    attention_units: int = 12,
    max_source_length: int = 30,
    max_target_length: int = 40,
    seed: int = 0,
    scale: float = 0.5,
    end_bias: float = 0.0,
    bidirectional: bool = False,
    encoder_layers: int = 1,
    decoder_layers: int = 1,
) -> Artifact:
    """A seq2seq artifact with random weights of the right shapes (for tests and benchmarks).

    `end_bias` is added to the output bias of <end>: positive values make sentences end sooner.
    """
    config = {
        "cell": cell, "units": units, "embedding_dim": embedding_dim, "attention": attention,
        "attention_units": attention_units,
        "source_vocab": list(SPECIALS) + list(dict.fromkeys(source_chars)),
        "target_vocab": list(SPECIALS) + list(dict.fromkeys(target_chars)),
        "max_source_length": max_source_length, "max_target_length": max_target_length, "task": "translate",
        "bidirectional": bidirectional, "encoder_layers": encoder_layers, "decoder_layers": decoder_layers,
    }
    rng = np.random.default_rng(seed)
    weights = {}
    widths = [np.shape(weights[name])[1] if np.ndim(weights.get(name)) == 2 else None
              for name in ("source_embedding", "target_embedding")]
    for name, shape in expected_shapes(config, *widths).items():
        fan_in = shape[0] if len(shape) == 2 and name.endswith("kernel") else 1
        weights[name] = (rng.normal(size=shape) * scale / np.sqrt(fan_in) * (4 if fan_in > 1 else 1)).astype(np.float32)
    weights["output/bias"][END] += end_bias
    return Artifact(kind=KIND, config=config, weights=weights,
                    metadata={"note": "random weights for tests", "seed": seed})
