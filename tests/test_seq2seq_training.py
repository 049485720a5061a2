"""Seq2seq training: batches, masked loss/accuracy, a tiny resumable run exported for the engine,
the keras-example preset's one-hot export, and MirroredStrategy over two logical CPU devices."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from seqbot.models.keras_setup import import_tensorflow

tf = import_tensorflow(1)
import keras  # noqa: E402

from seqbot.artifact import load_artifact  # noqa: E402
from seqbot.data.fra_eng import read_pairs  # noqa: E402
from seqbot.engine.seq2seq import Seq2SeqModel  # noqa: E402
from seqbot.errors import SeqbotError  # noqa: E402
from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq, compile_seq2seq, export_weights  # noqa: E402
from seqbot.training.seq2seq_export import export_backup  # noqa: E402
from seqbot.training.translate import KERAS_EXAMPLE, PairData, TrainSettings, make_batches, train_seq2seq  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _pair_data(fixtures_dir) -> PairData:
    pairs = [(p.english, p.french) for p in read_pairs(fixtures_dir / "fra_eng" / "fra.txt") if len(p.english) <= 40]
    return PairData(train=pairs[:-4], validation=pairs[-4:], max_source_length=40, max_target_length=60,
                    corpus="fixture", split={"seed": 1})


TINY = dict(cell="gru", units=8, embedding_dim=4, attention="dot", attention_units=4, batch_size=8, min_char_count=1)


def test_batches_are_bucketed_and_framed_with_start_and_end():
    rng = np.random.default_rng(0)
    sources = [list(rng.integers(4, 20, n)) for n in rng.integers(1, 40, 200)]
    targets = [list(rng.integers(4, 20, n)) for n in rng.integers(1, 50, 200)]
    seen = []
    for (source, target_in), target_out in make_batches(sources, targets, 16, np.random.default_rng(1)):
        lengths = (source != 0).sum(axis=1)
        assert source.shape[1] % 8 == 0 and lengths.max() - lengths.min() <= 12  # sorted within chunks
        assert (target_in[:, 0] == 1).all()  # <start>
        real = (target_out != 0).sum(axis=1)
        assert (target_out[np.arange(len(real)), real - 1] == 2).all()  # <end> after the target
        assert (target_in[:, 1:] == np.where(target_out[:, :-1] == 2, 0, target_out[:, :-1])).all()  # shifted by one
        seen += [tuple(row[row != 0]) for row in source]
    assert sorted(seen) == sorted(tuple(s) for s in sources)


def test_compiled_loss_and_accuracy_count_real_characters_only():
    config = Seq2SeqConfig(source_vocab_size=12, target_vocab_size=14, cell="gru", units=8, embedding_dim=4, attention="dot")
    keras.utils.set_random_seed(0)
    model = compile_seq2seq(build_seq2seq(config))
    rng = np.random.default_rng(0)
    source = rng.integers(4, 12, (4, 6)).astype(np.int32)
    source[:, 4:] = 0
    target_in = rng.integers(4, 14, (4, 9)).astype(np.int32)
    target_in[:, 0], target_in[:, 3:] = 1, 0
    target_out = np.zeros_like(target_in)
    target_out[:, :2], target_out[:, 2] = target_in[:, 1:3], 2  # 3 real characters of 9 positions
    logits = model.predict([source, target_in], verbose=0)
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    cross_entropy = -np.take_along_axis(log_probs, target_out[..., None], -1)[..., 0]
    real = target_out != 0
    scores = model.evaluate([source, target_in], target_out, verbose=0, return_dict=True)
    assert scores["loss"] == pytest.approx(cross_entropy[real].mean(), rel=1e-4)  # not diluted by the padding
    assert scores["masked_accuracy"] == pytest.approx((logits.argmax(-1) == target_out)[real].mean())


class _Kill(keras.callbacks.Callback):
    """Stands in for Ctrl-C after the first epoch."""

    def on_epoch_end(self, epoch, logs=None):
        raise KeyboardInterrupt


def test_tiny_run_resumes_after_a_kill_and_exports_for_the_engine(fixtures_dir, tmp_path):
    data = _pair_data(fixtures_dir)
    settings = TrainSettings(epochs=2, **TINY)
    with pytest.raises(KeyboardInterrupt):
        train_seq2seq(data, settings, tmp_path / "run", callbacks=[_Kill()])
    state = json.loads((tmp_path / "run" / "loop_state.json").read_text())
    assert [h["epoch"] for h in state["history"]] == [1] and (tmp_path / "run" / "rounds" / "round-001.npz").exists()
    path = train_seq2seq(data, settings, tmp_path / "run")
    state = json.loads((tmp_path / "run" / "loop_state.json").read_text())
    assert [h["epoch"] for h in state["history"]] == [1, 2]  # epoch 1 was not trained again
    assert (tmp_path / "run" / "log.csv").read_text().count("\n") == 3  # header + 2 epochs
    assert sorted(p.name for p in (tmp_path / "run" / "rounds").iterdir()) == ["round-001.npz", "round-002.npz"]
    assert path == tmp_path / "run" / "model.npz"
    artifact = load_artifact(path, kind="seq2seq")
    assert artifact.config["task"] == "translate" and artifact.config["attention"] == "dot"
    assert artifact.config["source_vocab"][:4] == ["<pad>", "<start>", "<end>", "<unk>"]
    assert artifact.metadata["split"] == {"seed": 1} and artifact.metadata["training"]["train_pairs"] == len(data.train)
    assert artifact.metadata["training"]["best_epoch"] == state["best_epoch"]
    model = Seq2SeqModel.from_artifact(artifact)
    log_probs, _, attention = model.step(np.array([1]), model.encode(np.array([[4, 5, 6]])))
    assert np.exp(log_probs).sum() == pytest.approx(1.0, rel=1e-5) and attention.shape == (1, 3)
    with pytest.raises(SeqbotError, match="other settings"):
        train_seq2seq(data, TrainSettings(epochs=2, **(TINY | {"units": 16})), tmp_path / "run")

    # the latest backed-up epoch exports like the run's own export does
    latest = load_artifact(export_backup(tmp_path / "run", tmp_path / "latest.npz", 40, 60), kind="seq2seq")
    assert latest.config == artifact.config and latest.metadata["training"]["epochs"] == 2
    # the export holds the best epoch: the latest backup's weights are the same exactly when that was epoch 2
    same_weights = all(np.array_equal(latest.weights[name], artifact.weights[name]) for name in artifact.weights)
    assert same_weights == (artifact.metadata["training"]["best_epoch"] == 2)

    # a spent time budget stops this session only: the same command continues the run
    budget = TrainSettings(epochs=4, max_minutes=1e-6, **TINY)
    train_seq2seq(data, budget, tmp_path / "run")
    state = json.loads((tmp_path / "run" / "loop_state.json").read_text())
    assert (state["epoch"], state["stopped"]) == (3, "time")
    train_seq2seq(data, budget, tmp_path / "run")
    assert json.loads((tmp_path / "run" / "loop_state.json").read_text())["epoch"] == 4


def test_keras_example_preset_exports_identity_embeddings():
    settings = TrainSettings(**KERAS_EXAMPLE)
    assert (settings.cell, settings.units, settings.attention, settings.optimizer, settings.batch_size) == ("lstm", 256, "none", "rmsprop", 64)
    config = Seq2SeqConfig(source_vocab_size=7, target_vocab_size=9, cell="lstm", units=4, attention="none", one_hot=True)
    model = build_seq2seq(config)
    weights = export_weights(model, config)
    assert np.array_equal(weights["source_embedding"], np.eye(7)) and np.array_equal(weights["target_embedding"], np.eye(9))
    assert not model.get_layer("source_embedding").trainable
    assert "combine/kernel" not in weights and weights["output/kernel"].shape == (4, 9)


MIRRORED = """
import json, sys
from seqbot.models.keras_setup import import_tensorflow
tf = import_tensorflow()
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from seqbot.training.translate import PairData, TrainSettings, train_seq2seq
pairs = json.loads(sys.argv[2])
data = PairData(pairs[:-4], pairs[-4:], 40, 60, corpus="fixture")
strategy = tf.distribute.MirroredStrategy()
print("replicas", strategy.num_replicas_in_sync)
train_seq2seq(data, TrainSettings(epochs=1, strategy="mirrored", **json.loads(sys.argv[3])), sys.argv[1])
"""


def test_mirrored_strategy_trains_on_two_logical_cpus(fixtures_dir, tmp_path):
    data = _pair_data(fixtures_dir)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(MIRRORED), str(tmp_path / "run"), json.dumps(data.train + data.validation), json.dumps(TINY)],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "replicas 2" in result.stdout
    assert load_artifact(tmp_path / "run" / "model.npz", kind="seq2seq").metadata["training"]["epochs"] == 1
