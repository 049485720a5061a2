"""grow_weights: a bidirectional, deeper model started from a smaller exported one computes the
same function (so a warm start loses nothing the smaller model knew), with vocabularies that grew."""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.models.keras_setup import import_tensorflow

tf = import_tensorflow(1)
import keras  # noqa: E402

from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq, export_weights, grow_weights  # noqa: E402


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_grown_model_computes_the_same_function(cell):
    keras.utils.set_random_seed(1)
    small_config = Seq2SeqConfig(10, 12, cell, units=8, embedding_dim=4, attention="dot")
    small = build_seq2seq(small_config)
    big_config = Seq2SeqConfig(13, 15, cell, units=8, embedding_dim=4, attention="dot",
                               bidirectional=True, encoder_layers=2, decoder_layers=2)
    big = build_seq2seq(big_config)
    copied = grow_weights(big, big_config, export_weights(small, small_config))
    assert {"encoder/kernel", "decoder/kernel", "combine/kernel", "source_embedding", "output/kernel"} <= set(copied)
    assert "encoder_backward/kernel" not in copied

    rng = np.random.default_rng(0)
    source = rng.integers(4, 10, size=(3, 7)).astype(np.int32)
    source[0, 5:] = 0  # padding
    target_in = rng.integers(1, 12, size=(3, 6)).astype(np.int32)
    small_logits = small([source, target_in], training=False).numpy()
    big_logits = big([source, target_in], training=False).numpy()
    np.testing.assert_allclose(big_logits[..., :12], small_logits, atol=1e-5)
    # Characters the small model never had start less likely than any it knew.
    assert (big_logits[..., 12:].max(-1) < big_logits[..., :12].max(-1)).all()
