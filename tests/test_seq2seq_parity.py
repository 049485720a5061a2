"""Keras training model vs the NumPy engine on the same exported weights, for every attention kind.

A tiny model is trained for a few steps on the fra-eng fixture (so the weights are not just the
initialisers), exported with export_weights, and run both ways: Keras' teacher-forced log-probabilities
must match the engine's step-by-step ones within 1e-5, and greedy decoding must give the same characters.
"""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.models.keras_setup import import_tensorflow

tf = import_tensorflow(1)
import keras  # noqa: E402

from seqbot.artifact import Artifact  # noqa: E402
from seqbot.contract.tokens import END, START  # noqa: E402
from seqbot.data.char_vocab import CharVocabulary  # noqa: E402
from seqbot.data.fra_eng import read_pairs  # noqa: E402
from seqbot.contract.decoding import DecodingConfig  # noqa: E402
from seqbot.engine.decoding import decode  # noqa: E402
from seqbot.engine.seq2seq import Seq2SeqModel  # noqa: E402
from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq, compile_seq2seq, export_weights  # noqa: E402
from seqbot.training.translate import make_batches  # noqa: E402

MAX_TARGET = 24


@pytest.fixture(scope="module")
def corpus(fixtures_dir):
    pairs = [(p.english, p.french) for p in read_pairs(fixtures_dir / "fra_eng" / "fra.txt") if len(p.english) <= 40]
    source_vocab = CharVocabulary.build(s for s, _ in pairs)
    target_vocab = CharVocabulary.build(t for _, t in pairs)
    sources = [source_vocab.encode(s) for s, _ in pairs]
    targets = [target_vocab.encode(t) for _, t in pairs]
    return source_vocab, target_vocab, sources, targets


def _trained(corpus, cell, attention, layout=(False, 1, 1)):
    source_vocab, target_vocab, sources, targets = corpus
    bidirectional, encoder_layers, decoder_layers = layout
    config = Seq2SeqConfig(source_vocab_size=len(source_vocab), target_vocab_size=len(target_vocab), cell=cell,
                           units=12, embedding_dim=6, attention=attention, attention_units=5,
                           bidirectional=bidirectional, encoder_layers=encoder_layers, decoder_layers=decoder_layers)
    keras.utils.set_random_seed(3)
    model = compile_seq2seq(build_seq2seq(config), learning_rate=1e-2)
    model.run_eagerly = True  # a few tiny steps: tracing a tf.function would cost more than it saves
    for (source, target_in), target_out in make_batches(sources, targets, 8, np.random.default_rng(0)):
        model.train_on_batch([source, target_in], target_out)
    artifact = Artifact("seq2seq", {
        "task": "translate", "cell": cell, "units": 12, "embedding_dim": 6, "attention": attention,
        "attention_units": 5, "source_vocab": source_vocab.to_list(), "target_vocab": target_vocab.to_list(),
        "max_source_length": 40, "max_target_length": MAX_TARGET,
        "bidirectional": bidirectional, "encoder_layers": encoder_layers, "decoder_layers": decoder_layers,
    }, export_weights(model, config), {})
    return model, Seq2SeqModel.from_artifact(artifact)


def _keras_greedy(model, source):
    """Greedy decoding by rerunning the teacher-forced model on the growing prefix (fine for a test)."""
    prefix = np.full((len(source), 1), START, dtype=np.int32)
    for _ in range(MAX_TARGET):
        logits = model([source, prefix], training=False).numpy()[:, -1]
        logits[:, :START + 1] = -np.inf  # the engine never emits <pad> or <start>
        prefix = np.concatenate([prefix, logits.argmax(-1)[:, None].astype(np.int32)], axis=1)
    outputs = []
    for row in prefix[:, 1:]:
        ends = np.flatnonzero(row == END)
        outputs.append(row[:ends[0]] if len(ends) else row)
    return outputs


@pytest.mark.parametrize("cell, attention, layout", [
    ("lstm", "none", (False, 1, 1)), ("lstm", "dot", (False, 1, 1)), ("gru", "bahdanau", (False, 1, 1)),
    ("gru", "dot", (False, 1, 1)),
    # bidirectional encoders and stacked (residual) layers: (bidirectional, encoder layers, decoder layers)
    ("gru", "dot", (True, 1, 2)), ("lstm", "bahdanau", (True, 2, 2)), ("gru", "none", (False, 2, 3)),
])
def test_engine_matches_keras(corpus, cell, attention, layout):
    model, engine = _trained(corpus, cell, attention, layout)
    _, _, sources, targets = corpus
    (source, target_in), target_out = next(make_batches(sources[:10], targets[:10], 10, None))  # padded, mixed lengths

    logits = model([source, target_in], training=False).numpy().astype(np.float64)
    keras_log_probs = logits - logits.max(-1, keepdims=True)
    keras_log_probs -= np.log(np.exp(keras_log_probs).sum(-1, keepdims=True))
    state = engine.encode(source)
    for t in range(target_in.shape[1]):
        engine_log_probs, state, weights = engine.step(target_in[:, t], state)
        real = target_out[:, t] != 0
        np.testing.assert_allclose(engine_log_probs[real], keras_log_probs[real, t], atol=1e-5, rtol=0)
        if attention != "none":
            assert np.allclose(weights.sum(-1), 1) and not weights[source == 0].any()  # padding gets no attention

    keras_outputs = _keras_greedy(model, source)
    engine_outputs = decode(engine, source, DecodingConfig(beam=1), max_lengths=MAX_TARGET)
    assert [list(o) for o in keras_outputs] == [list(h.tokens) for h in engine_outputs]
