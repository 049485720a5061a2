"""NumPy forward passes of the Keras 3 layers seqbot uses, with Keras' weight layouts.

Weights are passed exactly as Keras stores them (`layer.get_weights()` order):
- LSTM: kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u); gates i, f, c, o.
- GRU (reset_after=True, Keras' default): kernel (in, 3u), recurrent_kernel (u, 3u),
  bias (2, 3u) = input bias and recurrent bias; gates z, r, h.
- SimpleRNN: kernel (in, u), recurrent_kernel (u, u), bias (u).
Batches are the leading axis; sequences are (batch, time, features).
The input projection of a whole sequence is one matrix product; only the recurrent
product runs step by step.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    # Split by sign so neither branch overflows in exp.
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    exp_x = np.exp(x[~positive])
    out[~positive] = exp_x / (1.0 + exp_x)
    return out


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    exp_x = np.exp(shifted)
    return exp_x / exp_x.sum(axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


ACTIVATIONS = {
    None: lambda x: x,
    "linear": lambda x: x,
    "sigmoid": sigmoid,
    "softmax": softmax,
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0.0),
}


def activation(name: str | None):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation {name!r} is not supported by the engine; known: {sorted(k for k in ACTIVATIONS if k)}")
    return ACTIVATIONS[name]


def embedding(ids: np.ndarray, table: np.ndarray) -> np.ndarray:
    return table[ids]


# OpenBLAS (0.3.x on AVX-512 x86-64) multiplies C = A @ B without repacking B when
# rows * columns * inner <= 100 ** 3: its "small matrix" kernel. Above that it copies B into packed
# panels on every call, which for a (512, 1536) weight and a handful of rows costs more than the product.
SMALL_PRODUCT_WORK = 100 ** 3
BLOCK_COLUMNS = 128  # 15 rows x 128 x 512 inputs fit SMALL_PRODUCT_WORK: beams up to 15 rows stay small


class BlockedMatrix:
    """A weight matrix (inputs, outputs) for products `x @ matrix` with few rows of x.

    It is split once, at load, into contiguous column blocks of `block_columns` (the last `outputs %
    block_columns` columns stay a block of their own), so that a product with 2..max_rows rows is
    one batched NumPy call whose per-block products each fit OpenBLAS's small-matrix kernel and skip
    the repacking of the whole weight that a plain product pays every call (beam search: 4 rows a step).
    A product with one row (BLAS gemv, no repacking: greedy decoding of one sentence) or more rows
    than max_rows uses the whole matrix as before, so its result is bit-for-bit `x @ matrix`.
    A blocked product equals `x @ matrix` up to float32 round-off (the kernels sum in a different
    order; tests/test_engine_layers.py). `block_columns=0` turns blocking off (the plain product).
    """

    def __init__(self, matrix: np.ndarray, block_columns: int = BLOCK_COLUMNS):
        if block_columns < 0:
            raise ValueError(f"block_columns must be 0 (no blocks) or a positive width, got {block_columns}")
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        if self.matrix.ndim != 2:
            raise ValueError(f"a blocked matrix must be 2-D (inputs, outputs), got shape {self.matrix.shape}")
        inputs, outputs = self.matrix.shape
        self.block_columns = block_columns
        self.full_blocks = outputs // block_columns if block_columns else 0
        self.max_rows = SMALL_PRODUCT_WORK // (block_columns * inputs) if self.full_blocks else 0
        if self.max_rows < 2:  # nothing to gain: no row count both needs and fits the small kernel
            self.full_blocks, self.max_rows = 0, 0
        split = self.full_blocks * block_columns
        # (blocks, inputs, block_columns): block b is matrix[:, b * block_columns:(b + 1) * block_columns].
        self._blocks = np.ascontiguousarray(
            self.matrix[:, :split].reshape(inputs, self.full_blocks, block_columns).transpose(1, 0, 2)
        ) if self.max_rows else None
        self._rest = np.ascontiguousarray(self.matrix[:, split:]) if self.max_rows and split < outputs else None

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def product(self, x: np.ndarray) -> np.ndarray:
        """x @ matrix for x of shape (rows, inputs) (any other shape: the plain product)."""
        if not self.max_rows or x.ndim != 2 or not 2 <= x.shape[0] <= self.max_rows:
            return x @ self.matrix
        rows = x.shape[0]
        out = np.empty((rows, self.matrix.shape[1]), dtype=np.result_type(x, self.matrix))
        split = self.full_blocks * self.block_columns
        # out's first `split` columns seen as (blocks, rows, block_columns): one batched product writes them all.
        blocked_view = out[:, :split].reshape(rows, self.full_blocks, self.block_columns).transpose(1, 0, 2)
        np.matmul(x, self._blocks, out=blocked_view)
        if self._rest is not None:
            np.matmul(x, self._rest, out=out[:, split:])
        return out


def dense(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None, act: str | None = None) -> np.ndarray:
    y = x @ kernel
    if bias is not None:
        y = y + bias
    return activation(act)(y)


# --- one recurrent step; `x_proj` is the input already multiplied by the kernel, plus bias ---

def lstm_step(x_proj, h, c, recurrent_kernel):
    """One LSTM step. Returns (h, c)."""
    z = x_proj + h @ recurrent_kernel
    units = h.shape[-1]
    i = sigmoid(z[:, :units])
    f = sigmoid(z[:, units:2 * units])
    g = np.tanh(z[:, 2 * units:3 * units])
    o = sigmoid(z[:, 3 * units:])
    c = f * c + i * g
    return o * np.tanh(c), c


def gru_step(x_proj, h, recurrent_kernel, recurrent_bias):
    """One GRU step (reset_after=True). Returns h."""
    units = h.shape[-1]
    inner = h @ recurrent_kernel + recurrent_bias
    z = sigmoid(x_proj[:, :units] + inner[:, :units])
    r = sigmoid(x_proj[:, units:2 * units] + inner[:, units:2 * units])
    candidate = np.tanh(x_proj[:, 2 * units:] + r * inner[:, 2 * units:])
    return z * h + (1.0 - z) * candidate


def simple_rnn_step(x_proj, h, recurrent_kernel):
    return np.tanh(x_proj + h @ recurrent_kernel)


def cell_step(cell: str, x_proj, state: list[np.ndarray], weights: list[np.ndarray]) -> list[np.ndarray]:
    """Advance any cell one step. `state` is [h] or [h, c]; returns the new state."""
    if cell == "lstm":
        return list(lstm_step(x_proj, state[0], state[1], weights[1]))
    if cell == "gru":
        return [gru_step(x_proj, state[0], weights[1], weights[2][1])]
    if cell == "simplernn":
        return [simple_rnn_step(x_proj, state[0], weights[1])]
    raise ValueError(f"unknown recurrent cell {cell!r}; expected lstm, gru or simplernn")


def input_projection(cell: str, x: np.ndarray, weights: list[np.ndarray]) -> np.ndarray:
    """x @ kernel + input bias for every time step at once."""
    kernel, bias = weights[0], weights[2]
    if cell == "gru":
        bias = bias[0]
    return x @ kernel + bias


def zero_state(cell: str, batch: int, units: int) -> list[np.ndarray]:
    n = 2 if cell == "lstm" else 1
    return [np.zeros((batch, units), dtype=np.float32) for _ in range(n)]


def rnn(
    cell: str,
    x: np.ndarray,
    weights: list[np.ndarray],
    mask: np.ndarray | None = None,
    initial_state: list[np.ndarray] | None = None,
    return_sequences: bool = False,
    go_backwards: bool = False,
    zero_output_for_mask: bool = False,
):
    """Run a Keras recurrent layer over (batch, time, features).

    Returns (output, final_state): output is (batch, time, units) with return_sequences,
    else (batch, units). Masked steps keep the previous state, as in Keras.
    """
    batch, steps, _ = x.shape
    units = weights[1].shape[0]
    state = initial_state if initial_state is not None else zero_state(cell, batch, units)
    projected = input_projection(cell, x, weights)
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    outputs = []
    output = np.zeros((batch, units), dtype=np.float32)
    for t in order:
        new_state = cell_step(cell, projected[:, t], state, weights)
        if mask is not None:
            keep = mask[:, t][:, None]
            new_state = [np.where(keep, new, old) for new, old in zip(new_state, state)]
            step_output = np.where(keep, new_state[0], 0.0 if zero_output_for_mask else output)
        else:
            step_output = new_state[0]
        state, output = new_state, step_output
        if return_sequences:
            outputs.append(step_output)
    if return_sequences:
        return np.stack(outputs, axis=1), state
    return state[0] if mask is None else output, state


def conv1d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, act: str | None = None) -> np.ndarray:
    """Conv1D with padding='valid', strides=1. kernel is (width, in, out)."""
    width = kernel.shape[0]
    steps = x.shape[1] - width + 1
    # (b, steps, in, width) view -> (b, steps, width * in) rows: one BLAS product instead of an einsum.
    windows = np.lib.stride_tricks.sliding_window_view(x, width, axis=1).transpose(0, 1, 3, 2)
    y = windows.reshape(x.shape[0], steps, -1) @ kernel.reshape(-1, kernel.shape[2]) + bias
    return activation(act)(y)


def max_pooling1d(x: np.ndarray, pool_size: int) -> np.ndarray:
    """MaxPooling1D with strides=pool_size and padding='valid'."""
    steps = x.shape[1] // pool_size
    trimmed = x[:, : steps * pool_size]
    return trimmed.reshape(x.shape[0], steps, pool_size, x.shape[2]).max(axis=2)


def dot_attention(query: np.ndarray, keys: np.ndarray, mask: np.ndarray | None = None):
    """Luong dot-product attention. query (b, d), keys (b, t, d) -> (context (b, d), weights (b, t))."""
    scores = np.einsum("bd,btd->bt", query, keys)
    return _attend(scores, keys, mask)


def additive_attention(query: np.ndarray, keys_projected: np.ndarray, keys: np.ndarray, query_kernel: np.ndarray, v: np.ndarray, mask=None):
    """Bahdanau attention: score = v^T tanh(W1 key + W2 query).

    `keys_projected` is W1 key (+ bias), computed once per input sentence.
    """
    scores = np.tanh(keys_projected + (query @ query_kernel)[:, None, :]) @ v
    return _attend(scores.reshape(scores.shape[0], -1), keys, mask)


def _attend(scores, keys, mask):
    if mask is not None:
        scores = np.where(mask, scores, -1e9)
    weights = softmax(scores, axis=-1)
    return np.einsum("bt,btd->bd", weights, keys), weights
