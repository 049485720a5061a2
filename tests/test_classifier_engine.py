"""The NumPy classifier engine against Keras: tiny randomly initialised models, one per layer
type (no training needed), must give the same outputs within 1e-5."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.engine.classifier import LayerStack, NeuralClassifier, Prediction
from seqbot.models.classifiers import BahdanauAttention, export_artifact
from seqbot.models.keras_setup import import_tensorflow

tf = import_tensorflow(threads=1)
keras = tf.keras
VOCAB = 30


def padded_batch(seed: int, length: int = 9) -> np.ndarray:
    """Ids with different amounts of padding (post-padded, one row unpadded, one with a single token)."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, VOCAB, size=(4, length))
    for row, keep in enumerate([length, 5, 1, 7]):
        ids[row, keep:] = 0
    return ids


def recurrent_model(cell, mask_zero, bidirectional=False, classes=1):
    tokens = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(VOCAB, 6, mask_zero=mask_zero, name="embedding")(tokens)
    rnn = cell(5, name="rnn")
    x = keras.layers.Bidirectional(rnn, name="birnn")(x) if bidirectional else rnn(x)
    activation = "sigmoid" if classes == 1 else "softmax"
    return keras.Model(tokens, keras.layers.Dense(classes, activation=activation, name="output")(x))


def cnn_model():
    tokens = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(VOCAB, 6, name="embedding")(tokens)
    x = keras.layers.Dropout(0.5, name="dropout")(x)
    x = keras.layers.Conv1D(4, 3, activation="relu", name="conv")(x)
    x = keras.layers.MaxPooling1D(2, name="pool")(x)
    x = keras.layers.LSTM(3, name="rnn")(x)
    return keras.Model(tokens, keras.layers.Dense(1, activation="sigmoid", name="output")(x))


def attention_model():
    tokens = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(VOCAB, 6, mask_zero=True, name="embedding")(tokens)
    lstm = keras.layers.LSTM(4, return_sequences=True, return_state=True)
    sequence, forward_h, _, backward_h, _ = keras.layers.Bidirectional(lstm, name="birnn")(x)
    query = keras.layers.Concatenate(name="query")([forward_h, backward_h])
    padding_mask = keras.layers.Lambda(lambda ids: keras.ops.not_equal(ids, 0), name="padding_mask")(tokens)
    x = BahdanauAttention(5, name="attention")(sequence, query, mask=padding_mask)
    x = keras.layers.Dense(3, activation="relu", name="hidden")(x)
    x = keras.layers.Dropout(0.5, name="dropout")(x)
    return keras.Model(tokens, keras.layers.Dense(1, activation="sigmoid", name="output")(x))


CASES = {
    "simplernn_masked": lambda: recurrent_model(keras.layers.SimpleRNN, True),
    "simplernn_unmasked": lambda: recurrent_model(keras.layers.SimpleRNN, False),
    "lstm_softmax": lambda: recurrent_model(keras.layers.LSTM, True, classes=4),
    "gru_masked": lambda: recurrent_model(keras.layers.GRU, True),
    "bidirectional_gru": lambda: recurrent_model(keras.layers.GRU, True, bidirectional=True),
    "bidirectional_lstm_unmasked": lambda: recurrent_model(keras.layers.LSTM, False, bidirectional=True),
    "conv_pool_lstm": cnn_model,
    "bilstm_attention": attention_model,
}


def randomise_biases(model, seed):
    """Keras initialises biases to zero; random ones make the test catch a dropped bias."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        layer.set_weights([w if w.ndim > 1 and "embedding" in layer.name else w + rng.normal(0, 0.3, w.shape).astype(np.float32)
                           for w in layer.get_weights()])


@pytest.mark.parametrize("case", sorted(CASES))
def test_engine_matches_keras(case):
    keras.utils.set_random_seed(1)
    model = CASES[case]()
    randomise_biases(model, 2)
    ids = padded_batch(3)
    expected = model(ids, training=False).numpy()
    artifact = export_artifact(model, case, {"type": "words", "vocab": [""]}, ["a", "b"], {}, max_length=9)
    actual = LayerStack(artifact.config["layers"], artifact.weights)(ids)
    np.testing.assert_allclose(actual, expected, atol=1e-5, rtol=0)


def test_masked_model_gives_the_same_answer_without_padding():
    """The engine runs a single message unpadded; with mask_zero that must equal the padded batch row."""
    keras.utils.set_random_seed(4)
    model = recurrent_model(keras.layers.LSTM, True)
    randomise_biases(model, 5)
    ids = padded_batch(6)
    artifact = export_artifact(model, "x", {"type": "words", "vocab": [""]}, ["a", "b"], {}, max_length=9)
    stack = LayerStack(artifact.config["layers"], artifact.weights)
    batch = stack(ids)
    single = stack(ids[1:2, :5])
    np.testing.assert_allclose(single, batch[1:2], atol=1e-6)


def test_text_prediction_uses_the_vocabulary_and_labels():
    keras.utils.set_random_seed(7)
    model = recurrent_model(keras.layers.LSTM, True, classes=3)
    vocab = ["", "<oov>"] + [f"w{i}" for i in range(VOCAB - 2)]
    preprocessing = {"type": "words", "vocab": vocab, "oov_id": 1}
    artifact = export_artifact(model, "topics", preprocessing, ["x", "y", "z"], {}, max_length=4)
    artifact.config.update(task="topic")
    classifier = NeuralClassifier(artifact, "topics")
    assert classifier.ids("W3, w4! unknown w5 w6 w7").tolist() == [[5, 6, 1, 7]]  # lower-cased, filtered, capped at 4
    prediction = classifier.predict("w3 w4")
    expected = model(np.array([[5, 6]]), training=False).numpy()[0]
    assert isinstance(prediction, Prediction)
    assert prediction.label == ["x", "y", "z"][int(expected.argmax())]
    assert prediction.probability == pytest.approx(float(expected.max()), abs=1e-5)
    assert [label for label, _ in prediction.top] == [["x", "y", "z"][i] for i in np.argsort(-expected)]


def test_keep_last_reads_the_end_of_a_long_text():
    keras.utils.set_random_seed(7)
    model = recurrent_model(keras.layers.LSTM, True)
    vocab = ["", "<oov>"] + [f"w{i}" for i in range(VOCAB - 2)]
    artifact = export_artifact(model, "reviews", {"type": "words", "vocab": vocab, "oov_id": 1}, ["neg", "pos"], {}, max_length=3)
    assert NeuralClassifier(artifact, "reviews").ids("w3 w4 w5 w6 w7").tolist() == [[5, 6, 7]]
    artifact.config["keep"] = "last"  # what imdb_lstm_cnn_last is trained with
    assert NeuralClassifier(artifact, "reviews").ids("w3 w4 w5 w6 w7").tolist() == [[7, 8, 9]]


@pytest.mark.parametrize("case", ["conv_pool_lstm", "simplernn_unmasked"])
def test_left_padded_single_message_matches_keras(case):
    """Unmasked models skip the padding prefix with a cached state; the answer must not change."""
    keras.utils.set_random_seed(8)
    model = CASES[case]()
    randomise_biases(model, 9)
    artifact = export_artifact(model, case, {"type": "words", "vocab": [""]}, ["a", "b"], {}, max_length=40)
    stack = LayerStack(artifact.config["layers"], artifact.weights)
    rng = np.random.default_rng(10)
    for length in (0, 1, 3, 17, 40):
        ids = np.zeros((1, 40), dtype=np.int64)
        if length:
            ids[0, 40 - length:] = rng.integers(1, VOCAB, size=length)
        np.testing.assert_allclose(stack(ids), model(ids, training=False).numpy(), atol=1e-5, rtol=0)
