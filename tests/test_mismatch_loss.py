"""Issue 23: the mismatch loss that teaches the chat model to read the message
(seqbot.models.seq2seq.mismatch_loss) and the doubled batches it reads (make_batches mismatched)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import log_softmax

from seqbot.models.keras_setup import import_tensorflow

tf = import_tensorflow(1)

from seqbot.models.seq2seq import masked_loss, mismatch_loss  # noqa: E402
from seqbot.training.translate import make_batches  # noqa: E402


def by_hand(y_true: np.ndarray, logits: np.ndarray, weight: float) -> float:
    """Cross-entropy per real character of the true rows + weight x mean softplus(log p(r | other) - log p(r | own))."""
    log_probs = log_softmax(logits.astype(np.float64), axis=-1)
    ids = np.abs(y_true)
    picked = np.take_along_axis(log_probs, ids[..., None], axis=-1)[..., 0] * (ids != 0)
    half = len(y_true) // 2
    true_rows = y_true > 0
    cross_entropy = -picked[true_rows].sum() / true_rows.sum()
    sequence = picked.sum(axis=1)
    return cross_entropy + weight * np.mean(np.log1p(np.exp(sequence[half:] - sequence[:half])))


def batch(seed: int = 0, rows: int = 4, steps: int = 6, vocab: int = 9):
    rng = np.random.default_rng(seed)
    targets = rng.integers(3, vocab, size=(rows, steps))
    targets[np.arange(rows), rng.integers(2, steps, size=rows)] = 2
    for row in range(rows):  # padding after <end>
        end = int(np.flatnonzero(targets[row] == 2)[0])
        targets[row, end + 1:] = 0
    y_true = np.concatenate([targets, -targets])
    logits = rng.normal(size=(2 * rows, steps, vocab)).astype(np.float32)
    return y_true, logits


@pytest.mark.parametrize("weight", [0.0, 0.3, 2.0])
def test_the_mismatch_loss_is_its_formula(weight):
    """Keras averages what a loss returns over every position: that mean is the formula. A sign
    error (own minus other), a mean over the mismatched rows' characters or the pair term spread
    over the wrong rows fails."""
    y_true, logits = batch()
    keras_mean = float(np.mean(mismatch_loss(tf.constant(y_true), tf.constant(logits), weight)))
    assert keras_mean == pytest.approx(by_hand(y_true, logits, weight), rel=1e-5)


def test_without_mismatched_rows_it_is_the_masked_loss():
    """Validation batches hold no negated targets: val_loss keeps its meaning."""
    y_true, logits = batch(seed=3)
    plain, plain_logits = y_true[:4], logits[:4]
    ours = np.asarray(mismatch_loss(tf.constant(plain), tf.constant(plain_logits), 0.5))
    assert np.allclose(ours, np.asarray(masked_loss(tf.constant(plain), tf.constant(plain_logits))), atol=1e-6)


def test_mismatched_batches_pair_each_reply_with_another_message():
    sources = [[5, 6, 7], [8, 9], [10, 11, 12, 13], [14], [15, 16]]
    targets = [[20, 21], [22], [23, 24, 25], [26, 27], [28]]
    plain = list(make_batches(sources, targets, 5, None))
    doubled = list(make_batches(sources, targets, 5, None, mismatched=True))
    assert len(plain) == len(doubled) == 1
    (source, target_in), target_out = plain[0]
    (source2, target_in2), target_out2 = doubled[0]
    assert np.array_equal(source2[:5], source) and np.array_equal(source2[5:], np.roll(source, 1, axis=0))
    assert np.array_equal(target_in2, np.concatenate([target_in, target_in]))
    assert np.array_equal(target_out2, np.concatenate([target_out, -target_out]))
    assert all(not np.array_equal(source2[row], source2[row + 5]) for row in range(5))
    (single, _), single_out = next(make_batches(sources[:1], targets[:1], 5, None, mismatched=True))
    assert len(single) == 1 and single_out.min() >= 0  # one pair has no other message


def test_train_chat_refuses_a_negative_mismatch_weight(capsys):
    from seqbot.cli import main

    assert main(["train", "chat", "--mismatch-weight", "-0.5", "--max-pairs", "10"]) == 2
    assert "--mismatch-weight" in capsys.readouterr().err
