"""The one training loop (seqbot.training.loop), the run metadata and the export guard, on a
tiny dense model: resume keeps the optimizer step count, halving and counters survive a resume,
no "ran out of data", the same loop under JAX, and exports that never destroy a file.

    PYTHONPATH=$PWD python -m pytest tests/test_training_loop.py -q
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from seqbot.errors import SeqbotError
from seqbot.training.metadata import run_metadata
from seqbot.training.outputs import export_copy, run_folder

TINY = """
import numpy as np
from seqbot.models.keras_setup import import_keras
keras = import_keras()
from seqbot.training.loop import LoopConfig, fit, make_optimizer

def tiny(learning_rate=1e-2):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(make_optimizer("adam", learning_rate, clipnorm=5.0), "binary_crossentropy", metrics=["accuracy"])
    return model

def arrays(rows=160, seed=0):
    x = np.random.default_rng(seed).normal(size=(rows, 4)).astype("float32")
    return x, (x.sum(1) > 0).astype("float32")[:, None]
"""


def tiny_namespace():
    namespace = {}
    exec(TINY, namespace)
    return namespace


def datasets(namespace, batch=16, flipped=False):
    """(train, validation); `flipped` validation labels get worse as training learns, every epoch."""
    import tensorflow as tf

    x, y = namespace["arrays"]()
    valid_x, valid_y = namespace["arrays"](40, seed=1)
    valid_y = 1 - valid_y if flipped else valid_y
    return (tf.data.Dataset.from_tensor_slices((x, y)).batch(batch),
            tf.data.Dataset.from_tensor_slices((valid_x, valid_y)).batch(batch))


def test_a_second_call_resumes_with_the_optimizer_step_count(tmp_path):
    space = tiny_namespace()
    train, valid = datasets(space)
    LoopConfig, fit = space["LoopConfig"], space["fit"]
    first = fit(space["tiny"](), train, valid, LoopConfig(epochs=2, patience=None), tmp_path, log=lambda line: None)
    assert first.updates == 2 * 10 and first.epochs == 2
    lines = []
    second = fit(space["tiny"](), train, valid, LoopConfig(epochs=4, patience=None), tmp_path, log=lines.append)
    assert second.updates == 4 * 10
    assert [entry["epoch"] for entry in second.history] == [1, 2, 3, 4]
    assert lines[0].startswith("resuming") and sum(line.startswith("epoch ") for line in lines) == 2
    exported = []
    third = fit(space["tiny"](), train, valid, LoopConfig(epochs=4, patience=None), tmp_path, log=lines.append,
                export=lambda model, result: exported.append(result.updates) or tmp_path / "x.npz")
    assert exported == [40] and third.exported == tmp_path / "x.npz"  # finished: exports, trains nothing
    assert len((tmp_path / "log.csv").read_text().strip().splitlines()) == 1 + 4


def test_best_weights_are_restored_and_halving_survives_a_resume(tmp_path):
    space = tiny_namespace()
    train, valid = datasets(space, flipped=True)
    LoopConfig, fit = space["LoopConfig"], space["fit"]
    config = LoopConfig(epochs=3, patience=None, plateau_factor=0.5)
    model = space["tiny"]()
    fit(model, train, valid, config, tmp_path, log=lambda line: None)
    state = json.loads((tmp_path / "loop_state.json").read_text())
    rates = [entry["learning_rate"] for entry in state["history"]]
    resumed = space["tiny"]()
    result = fit(resumed, train, valid, LoopConfig(epochs=5, patience=None, plateau_factor=0.5), tmp_path, log=lambda line: None)
    after = [entry["learning_rate"] for entry in result.history]
    assert after[:3] == rates
    assert rates == pytest.approx([1e-2, 5e-3, 2.5e-3])  # every epoch is worse than the first: halved each time
    assert after[3:] == pytest.approx([1.25e-3, 6.25e-4])  # the lowered rate and the counters came back on resume
    best = min(result.history, key=lambda entry: entry["val_loss"])
    assert result.best_epoch == best["epoch"]
    loss = resumed.evaluate(valid, verbose=0, return_dict=True)["loss"]
    assert loss == pytest.approx(best["val_loss"], rel=1e-4)  # the model holds the best epoch's weights


def test_steps_per_epoch_never_runs_out_of_data(tmp_path, capfd):
    space = tiny_namespace()
    train, valid = datasets(space)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = space["fit"](space["tiny"](), train, valid, space["LoopConfig"](epochs=3, steps_per_epoch=7, patience=None),
                              tmp_path, log=print)
    assert result.updates == 21
    output = capfd.readouterr()
    assert "ran out of data" not in output.out + output.err + " ".join(str(w.message) for w in caught)
    assert len([line for line in output.out.splitlines() if line.startswith("epoch ")]) == 3


def test_early_stopping_ends_the_run_and_a_rerun_does_not_train_again(tmp_path):
    space = tiny_namespace()
    train, valid = datasets(space)
    train, valid = datasets(space, flipped=True)
    config = space["LoopConfig"](epochs=30, patience=2, plateau_factor=1.0)
    result = space["fit"](space["tiny"](), train, valid, config, tmp_path, log=lambda line: None)
    assert result.stopped == "early_stopping" and result.epochs == 3 and result.best_epoch == 1
    again = space["fit"](space["tiny"](), train, valid, config, tmp_path, log=lambda line: None)
    assert again.epochs == result.epochs and again.updates == result.updates


def test_the_same_loop_runs_under_jax(tmp_path):
    pytest.importorskip("jax")
    code = TINY + textwrap.dedent(f"""
        x, y = arrays()
        class Batches(keras.utils.PyDataset):
            def __len__(self): return 10
            def __getitem__(self, i): return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]
        result = fit(tiny(), Batches(), Batches(), LoopConfig(epochs=2, patience=None, average_last=2), {str(tmp_path)!r})
        print("RESULT", keras.backend.backend(), result.updates, result.epochs)
    """)
    env = dict(os.environ, KERAS_BACKEND="jax", PYTHONPATH=os.getcwd())
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "RESULT jax 20 2" in completed.stdout


def test_run_metadata_records_recipe_command_data_and_code(tmp_path):
    data = tmp_path / "corpus.txt"
    data.write_bytes(b"some corpus\n")
    metadata = run_metadata({"units": 8}, [data], time_s=12.34, scores={"accuracy": 0.5}, recipe_name="tiny")
    assert metadata["data_sha256"] == {"corpus.txt": hashlib.sha256(b"some corpus\n").hexdigest()}
    assert metadata["recipe"] == {"units": 8} and metadata["recipe_name"] == "tiny"
    assert metadata["training_time_s"] == 12.3 and metadata["scores"] == {"accuracy": 0.5}
    assert len(metadata["code_version"].split("+")[0]) in (40, 7) or metadata["code_version"] == "unknown"
    assert metadata["date"].endswith("+00:00") and "T" in metadata["date"]
    assert metadata["hardware"]["cpus"] == os.cpu_count()


def test_export_needs_force_to_replace_and_keeps_the_old_file(tmp_path):
    new, target = tmp_path / "run" / "model.npz", tmp_path / "checkpoints" / "model.npz"
    new.parent.mkdir()
    new.write_bytes(b"new")
    assert export_copy(new, target, log=lambda line: None).read_bytes() == b"new"
    new.write_bytes(b"newer")
    with pytest.raises(SeqbotError, match="--force"):
        export_copy(new, target, log=lambda line: None)
    assert target.read_bytes() == b"new"
    export_copy(new, target, force=True, log=lambda line: None)
    kept = [path for path in target.parent.iterdir() if path.name.startswith("model.npz.bak-")]
    assert target.read_bytes() == b"newer" and [path.read_bytes() for path in kept] == [b"new"]


def test_run_folders_live_under_seqbot_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQBOT_RUNS", str(tmp_path / "elsewhere"))
    assert run_folder("classify-x") == tmp_path / "elsewhere" / "classify-x"
    with pytest.raises(SeqbotError, match="plain folder name"):
        run_folder("../checkpoints")
