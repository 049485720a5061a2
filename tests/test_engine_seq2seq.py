"""The NumPy seq2seq runner against a plain reference written from docs/architecture.md with
seqbot.engine.layers (itself checked against Keras), for every cell, attention kind and layout
(one-way or bidirectional encoder, stacked residual layers, as the shipped translator's), plus the
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


def layer_weights(w, side: str, index: int, direction: str = "") -> list:
    """Kernel, recurrent kernel and bias of layer `index` (1, 2, ...) of `side`, named as in docs/architecture.md."""
    name = (side if index == 1 else f"{side}_{index}") + direction
    return [w[f"{name}/kernel"], w[f"{name}/recurrent_kernel"], w[f"{name}/bias"]]


def reference_encoder(config, w, source_ids, mask):
    """Memory (batch, steps, units) and final state, layer by layer as docs/architecture.md says: with
    `bidirectional`, a forward and a backward RNN whose concatenated outputs and final states a
    projection maps back to `units`; layers after the first add their outputs and states to the input's."""
    cell = config["cell"]
    inputs = layers.embedding(source_ids, w["source_embedding"])
    memory = state = None
    for index in range(1, config.get("encoder_layers", 1) + 1):
        outputs, final = layers.rnn(cell, inputs, layer_weights(w, "encoder", index), mask=mask, return_sequences=True)
        if config.get("bidirectional", False):
            backward, backward_final = layers.rnn(cell, inputs, layer_weights(w, "encoder", index, "_backward"),
                                                  mask=mask, return_sequences=True, go_backwards=True)
            name = "encoder_projection" if index == 1 else f"encoder_{index}_projection"
            kernel, bias = w[f"{name}/kernel"], w[f"{name}/bias"]
            outputs = np.concatenate([outputs, backward[:, ::-1]], axis=-1) @ kernel + bias  # back in time order
            final = [np.concatenate([f, b], axis=-1) @ kernel + bias for f, b in zip(final, backward_final)]
        if memory is None:
            memory, state = outputs, final
        else:
            memory, state = memory + outputs, [old + new for old, new in zip(state, final)]
        inputs = memory
    return memory, state


def reference_forward(artifact, source_ids, decoder_inputs):
    """Teacher-forced log-probabilities (batch, steps, vocab) and attention, computed the obvious way
    for any layout: one-way or bidirectional encoder, one or more (residual) layers on each side."""
    config, w = artifact.config, artifact.weights
    cell = config["cell"]
    mask = source_ids != 0
    memory, encoder_state = reference_encoder(config, w, source_ids, mask)
    decoder_layers = config.get("decoder_layers", 1)
    # The first decoder layer starts from the encoder's final state, the others from zeros.
    states = [encoder_state] + [layers.zero_state(cell, len(source_ids), config["units"]) for _ in range(decoder_layers - 1)]
    log_probs, attentions = [], []
    for t in range(decoder_inputs.shape[1]):
        x = layers.embedding(decoder_inputs[:, t], w["target_embedding"])
        for index in range(decoder_layers):
            weights = layer_weights(w, "decoder", index + 1)
            states[index] = layers.cell_step(cell, layers.input_projection(cell, x, weights), states[index], weights)
            x = states[index][0] if index == 0 else x + states[index][0]  # residual above the first
        h = x
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


# (bidirectional, encoder layers, decoder layers): the shipped translator is (True, 1, 2).
LAYOUTS = [(False, 1, 1), (True, 1, 1), (True, 1, 2), (True, 2, 2), (False, 2, 1)]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: "{}-enc{}-dec{}".format("bi" if layout[0] else "uni", *layout[1:]))
@pytest.mark.parametrize("cell,attention", KINDS)
def test_engine_matches_the_reference_forward_pass(cell, attention, layout):
    bidirectional, encoder_layers, decoder_layers = layout
    artifact = random_artifact(cell=cell, attention=attention, units=12, embedding_dim=6, attention_units=7, seed=3,
                               bidirectional=bidirectional, encoder_layers=encoder_layers, decoder_layers=decoder_layers)
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
