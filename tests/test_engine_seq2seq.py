"""The NumPy seq2seq runner against a plain reference written from docs/architecture.md with
seqbot.engine.layers (itself checked against Keras), for every cell and attention kind, plus the
checkpoint checks. Random weights of the real shapes; the Keras parity test is the trainer's."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.contract.tokens import END, START
from seqbot.engine import layers
from seqbot.engine.seq2seq import Seq2SeqModel, random_artifact
from seqbot.errors import CheckpointError

KINDS = [(cell, attention) for cell in ("lstm", "gru") for attention in ("none", "dot", "bahdanau")]


def reference_forward(artifact, source_ids, decoder_inputs):
    """Teacher-forced log-probabilities (batch, steps, vocab) and attention, computed the obvious way."""
    config, w = artifact.config, artifact.weights
    cell = config["cell"]
    mask = source_ids != 0
    encoder = [w["encoder/kernel"], w["encoder/recurrent_kernel"], w["encoder/bias"]]
    decoder = [w["decoder/kernel"], w["decoder/recurrent_kernel"], w["decoder/bias"]]
    memory, state = layers.rnn(cell, layers.embedding(source_ids, w["source_embedding"]), encoder, mask=mask,
                               return_sequences=True)
    log_probs, attentions = [], []
    for t in range(decoder_inputs.shape[1]):
        x = layers.input_projection(cell, layers.embedding(decoder_inputs[:, t], w["target_embedding"]), decoder)
        state = layers.cell_step(cell, x, state, decoder)
        h = state[0]
        if config["attention"] == "none":
            output = h
        else:
            if config["attention"] == "dot":
                context, weights = layers.dot_attention(h, memory, mask)
            else:
                keys = memory @ w["attention/key_kernel"] + w["attention/key_bias"]
                context, weights = layers.additive_attention(h, keys, memory, w["attention/query_kernel"], w["attention/v"], mask)
            output = np.tanh(np.concatenate([h, context], axis=-1) @ w["combine/kernel"] + w["combine/bias"])
            attentions.append(weights)
        log_probs.append(layers.log_softmax(output @ w["output/kernel"] + w["output/bias"]))
    return np.stack(log_probs, 1), (np.stack(attentions, 1) if attentions else None)


def padded_batch(model, lengths, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.zeros((len(lengths), max(lengths)), dtype=np.int64)
    for row, length in enumerate(lengths):
        ids[row, :length] = rng.integers(4, len(model.source_vocab), size=length)
    return ids


@pytest.mark.parametrize("cell,attention", KINDS)
def test_engine_matches_the_reference_forward_pass(cell, attention):
    artifact = random_artifact(cell=cell, attention=attention, units=12, embedding_dim=6, attention_units=7, seed=3)
    model = Seq2SeqModel.from_artifact(artifact)
    source = padded_batch(model, [9, 4, 6])  # padded rows: masking must match too
    targets = np.random.default_rng(1).integers(4, len(model.target_vocab), size=(3, 5))
    decoder_inputs = np.concatenate([np.full((3, 1), START), targets], axis=1)
    expected, expected_attention = reference_forward(artifact, source, decoder_inputs)
    state = model.encode(source)
    for t in range(decoder_inputs.shape[1]):
        log_probs, state, weights = model.step(decoder_inputs[:, t], state)
        assert log_probs.dtype == np.float32
        np.testing.assert_allclose(log_probs, expected[:, t], atol=2e-5)
        if attention == "none":
            assert weights is None
        else:
            np.testing.assert_allclose(weights, expected_attention[:, t], atol=1e-5)
            assert np.all(weights[1, 4:] < 1e-6), "padding must get no attention"


@pytest.mark.parametrize("cell,attention", [("lstm", "bahdanau"), ("gru", "dot")])
def test_a_padded_row_decodes_like_the_same_sentence_alone(cell, attention):
    model = Seq2SeqModel.from_artifact(random_artifact(cell=cell, attention=attention, seed=5))
    source = padded_batch(model, [10, 3])
    batch_state = model.encode(source)
    alone_state = model.encode(source[1:, :3])
    token = np.array([START, START])
    for _ in range(4):
        batch_log_probs, batch_state, _ = model.step(token, batch_state)
        alone_log_probs, alone_state, alone_weights = model.step(token[1:], alone_state)
        np.testing.assert_allclose(batch_log_probs[1], alone_log_probs[0], atol=1e-5)
        token = batch_log_probs.argmax(-1)


def test_select_reorders_and_repeats_rows():
    model = Seq2SeqModel.from_artifact(random_artifact(attention="bahdanau", seed=7))
    state = model.encode(padded_batch(model, [5, 8, 2]))
    tokens = np.array([5, 6, 7])
    log_probs, _, weights = model.step(tokens, state)
    order = [2, 0, 0]
    picked_log_probs, _, picked_weights = model.step(tokens[order], state.select(order))
    np.testing.assert_allclose(picked_log_probs, log_probs[order], atol=1e-6)
    np.testing.assert_allclose(picked_weights, weights[order], atol=1e-6)
    assert state.select(order).batch_size == 3


def test_artifact_round_trip_keeps_the_outputs(tmp_path):
    artifact = random_artifact(cell="gru", attention="dot", seed=11)
    path = save_artifact(tmp_path / "translator.npz", artifact)
    before = Seq2SeqModel.from_artifact(artifact)
    after = Seq2SeqModel.from_artifact(load_artifact(path, kind="seq2seq"))
    source = padded_batch(before, [7])
    a, _, _ = before.step(np.array([START]), before.encode(source))
    b, _, _ = after.step(np.array([START]), after.encode(source))
    np.testing.assert_array_equal(a, b)
    assert after.target_vocab[END] == "<end>"


def test_bad_weights_and_config_give_checkpoint_errors():
    artifact = random_artifact(attention="bahdanau")
    artifact.weights["combine/kernel"] = artifact.weights["combine/kernel"][:, :3]
    with pytest.raises(CheckpointError, match="combine/kernel.*shape"):
        Seq2SeqModel.from_artifact(artifact)
    artifact = random_artifact(attention="dot")
    del artifact.weights["output/bias"]
    with pytest.raises(CheckpointError, match="output/bias"):
        Seq2SeqModel.from_artifact(artifact)
    artifact = random_artifact()
    artifact.config["source_vocab"] = ["a", "b", "c", "d", "e"]
    with pytest.raises(CheckpointError, match="source_vocab must start with"):
        Seq2SeqModel.from_artifact(artifact)
    artifact = random_artifact()
    artifact.config["cell"] = "transformer"
    with pytest.raises(CheckpointError, match="cell 'transformer'"):
        Seq2SeqModel.from_artifact(artifact)
    artifact = random_artifact()
    artifact.kind = "generator"
    with pytest.raises(CheckpointError, match="not a 'seq2seq' model"):
        Seq2SeqModel.from_artifact(artifact)


@pytest.mark.parametrize("attention", ["dot", "bahdanau"])
def test_a_shared_source_state_steps_like_repeated_rows(attention):
    model = Seq2SeqModel.from_artifact(random_artifact(attention=attention, seed=13))
    state = model.encode(padded_batch(model, [6]))
    repeated, shared = state.select([0, 0, 0]), state.share_source().select([0, 0, 0])
    assert shared.memory_combined.shape[0] == 1  # not copied per row
    tokens = np.array([4, 5, 6])
    for _ in range(3):
        a, repeated, weights_a = model.step(tokens, repeated)
        b, shared, weights_b = model.step(tokens, shared)
        np.testing.assert_allclose(a, b, atol=1e-6)
        np.testing.assert_allclose(weights_a, weights_b, atol=1e-6)
        repeated, shared = repeated.select([2, 0, 1]), shared.select([2, 0, 1])
        tokens = a.argmax(-1)


def test_one_hot_models_with_different_vocabulary_sizes_load():
    """The keras-example preset: identity embeddings as wide as each side's vocabulary. One-hot x times
    kernel K is row x of K, so it must decode exactly like the model whose embeddings are K and whose
    input kernels are the identity."""
    rng = np.random.default_rng(0)

    def model(one_hot: bool) -> Seq2SeqModel:
        artifact = random_artifact(source_chars="abc", target_chars="abcdefg", attention="none", units=8, seed=3)
        config, weights = artifact.config, artifact.weights
        for side, part in (("source", "encoder"), ("target", "decoder")):
            kernel = np.random.default_rng(len(side)).normal(size=(len(config[f"{side}_vocab"]), 32)).astype(np.float32)
            if one_hot:
                weights[f"{side}_embedding"], weights[f"{part}/kernel"] = np.eye(len(kernel), dtype=np.float32), kernel
            else:
                weights[f"{side}_embedding"], weights[f"{part}/kernel"] = kernel, np.eye(32, dtype=np.float32)
        config["embedding_dim"] = len(config["target_vocab"]) if one_hot else 32
        return Seq2SeqModel.from_artifact(artifact)

    one_hot, dense = model(True), model(False)
    target_size = len(one_hot.target_vocab)
    source = rng.integers(4, len(one_hot.source_vocab), size=(1, 5))
    state_one_hot, state_dense = one_hot.encode(source), dense.encode(source)
    tokens = np.array([START])
    for _ in range(4):
        log_probs, state_one_hot, _ = one_hot.step(tokens, state_one_hot)
        expected, state_dense, _ = dense.step(tokens, state_dense)
        assert log_probs.shape == (1, target_size)
        np.testing.assert_allclose(log_probs, expected, atol=1e-5)
        tokens = log_probs.argmax(-1)
