"""layers.BlockedMatrix: products with few rows, block by block, equal the plain product (bit for bit
on the paths that stay plain, to float32 round-off on the blocked one), and the seq2seq engine decodes
the same with and without blocks."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.contract.decoding import DecodingConfig
from seqbot.engine import decoding, layers
from seqbot.engine.seq2seq import Seq2SeqModel, random_artifact


def _matrix(inputs, outputs, seed=0):
    return (np.random.default_rng(seed).normal(size=(inputs, outputs)) / np.sqrt(inputs)).astype(np.float32)


@pytest.mark.parametrize("inputs,outputs,block_columns", [(512, 1536, 128), (512, 512, 128), (64, 200, 48),
                                                          (512, 1536, 384)])
def test_a_blocked_product_equals_the_plain_product(inputs, outputs, block_columns):
    matrix = _matrix(inputs, outputs)
    blocked = layers.BlockedMatrix(matrix, block_columns)
    assert blocked.max_rows >= 2
    rng = np.random.default_rng(1)
    for rows in range(1, blocked.max_rows + 3):
        x = rng.normal(size=(rows, inputs)).astype(np.float32)
        plain, ours = x @ matrix, blocked.product(x)
        assert ours.shape == plain.shape and ours.dtype == np.float32
        if rows == 1 or rows > blocked.max_rows:  # the plain product itself
            np.testing.assert_array_equal(ours, plain)
        else:  # another BLAS kernel: another summation order, same values to round-off
            np.testing.assert_allclose(ours, plain, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("outputs,block_columns", [(1536, 128), (200, 48), (100, 30)])
def test_every_column_comes_from_its_own_block(outputs, block_columns):
    """One-hot rows pick rows of the matrix exactly whatever the summation order: a block put in the
    wrong place, a column dropped or the uneven last block forgotten shows as a difference."""
    matrix = np.arange(64 * outputs, dtype=np.float32).reshape(64, outputs)
    blocked = layers.BlockedMatrix(matrix, block_columns)
    picks = np.array([3, 0, 63, 17, 3])
    np.testing.assert_array_equal(blocked.product(np.eye(64, dtype=np.float32)[picks]), matrix[picks])


def test_block_sizes_follow_the_small_kernel_limit_and_bad_widths_are_refused():
    assert layers.BlockedMatrix(np.zeros((512, 1536)), 128).max_rows == 15  # 15 x 128 x 512 <= 100 ** 3
    assert layers.BlockedMatrix(np.zeros((512, 1536)), 384).max_rows == 5
    assert layers.BlockedMatrix(np.zeros((512, 1536)), 0).max_rows == 0  # blocking off: always plain
    assert layers.BlockedMatrix(np.zeros((512, 113)), 128).max_rows == 0  # narrower than one block
    assert layers.BlockedMatrix(np.zeros((4096, 1536)), 256).max_rows == 0  # even 2 rows would not fit
    with pytest.raises(ValueError, match="block_columns"):
        layers.BlockedMatrix(np.zeros((4, 4)), -1)
    with pytest.raises(ValueError, match="2-D"):
        layers.BlockedMatrix(np.zeros(4), 2)


@pytest.mark.parametrize("cell,attention", [("gru", "dot"), ("lstm", "bahdanau")])
def test_the_engine_decodes_the_same_with_and_without_blocks(cell, attention):
    artifact = random_artifact(cell=cell, attention=attention, units=32, seed=7, end_bias=1.0,
                               bidirectional=True, decoder_layers=2)
    plain = Seq2SeqModel(artifact.config, artifact.weights, block_columns=0)
    blocked = Seq2SeqModel(artifact.config, artifact.weights, block_columns=16)
    assert blocked._decoder[1][1][0].max_rows >= 4 and blocked._decoder_inputs[0][0].max_rows >= 4
    sources = np.random.default_rng(3).integers(4, len(plain.source_vocab), size=(3, 9))
    sources[1, 6:] = 0
    plain_state, blocked_state = (model.encode(sources).select([0, 0, 1, 1, 2]) for model in (plain, blocked))
    tokens = np.array([1, 5, 6, 7, 8])
    for _ in range(4):
        plain_log_probs, plain_state, _ = plain.step(tokens, plain_state)
        blocked_log_probs, blocked_state, _ = blocked.step(tokens, blocked_state)
        np.testing.assert_allclose(blocked_log_probs, plain_log_probs, atol=1e-5)
        tokens = plain_log_probs.argmax(-1)
    for source in sources:
        source = source[source > 0]
        expected = decoding.decode(plain, source[None, :], DecodingConfig(beam=4))[0]
        found = decoding.decode(blocked, source[None, :], DecodingConfig(beam=4))[0]
        np.testing.assert_array_equal(found.tokens, expected.tokens)
        assert found.log_prob == pytest.approx(expected.log_prob, abs=1e-4)
    for found, expected in zip(decoding.decode(blocked, sources, DecodingConfig(beam=4)),
                               decoding.decode(plain, sources, DecodingConfig(beam=4))):
        np.testing.assert_array_equal(found.tokens, expected.tokens)


def test_the_shipped_translator_translates_the_probes_the_same_with_blocks():
    """Beam 4 and batched greedy (whose last rows are few) of every probe sentence, with and without
    blocks: the blocked products may round differently, the text must not change."""
    from seqbot.artifact import load_artifact
    from seqbot.data.translation_probes import EVERYDAY, build_probes
    from seqbot.engine.seq2seq import KIND
    from seqbot.engine.translator import Translator

    translator = Translator.load()
    assert translator.model.block_columns == layers.BLOCK_COLUMNS
    english = [probe.english for probe in build_probes([])] + [probe.english for probe in EVERYDAY]
    blocked = {beam: [r.text for r in translator.translate_batch(english, beam=beam)] for beam in (1, 4)}
    translator.model = Seq2SeqModel.from_artifact(load_artifact(translator.path, kind=KIND), block_columns=0)
    for beam in (1, 4):
        plain = [r.text for r in translator.translate_batch(english, beam=beam)]
        changed = [(text, ours, theirs) for text, ours, theirs in zip(english, blocked[beam], plain) if ours != theirs]
        assert not changed, f"beam {beam}: blocked products changed these translations (english, blocked, plain): {changed}"
