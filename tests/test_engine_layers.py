"""The NumPy recurrent layers match Keras' LSTM, GRU and SimpleRNN, masked and not."""

import numpy as np
import pytest

from seqbot.engine import layers

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("cell", ["lstm", "gru", "simplernn"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_rnn_matches_keras_with_mask(cell, go_backwards):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 7, 5)).astype("float32")
    lengths = np.array([7, 4, 1])
    mask = np.arange(7)[None, :] < lengths[:, None]
    layer_class = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "simplernn": keras.layers.SimpleRNN}[cell]
    layer = layer_class(6, return_sequences=True, return_state=True, go_backwards=go_backwards)
    keras_out = layer(x, mask=mask)
    weights = [w.numpy() if hasattr(w, "numpy") else np.asarray(w) for w in layer.get_weights()]
    ours, state = layers.rnn(cell, x, weights, mask=mask, return_sequences=True, go_backwards=go_backwards)
    np.testing.assert_allclose(ours, np.asarray(keras_out[0]), atol=1e-5)
    np.testing.assert_allclose(state[0], np.asarray(keras_out[1]), atol=1e-5)
    if cell == "lstm":
        np.testing.assert_allclose(state[1], np.asarray(keras_out[2]), atol=1e-5)


def test_sigmoid_is_stable_for_large_inputs():
    x = np.array([-1000.0, 0.0, 1000.0], dtype="float32")
    with np.errstate(over="raise"):
        np.testing.assert_allclose(layers.sigmoid(x), [0.0, 0.5, 1.0])
