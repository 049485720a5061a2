"""A smoke run of each trainer's recipe at tiny sizes under every installed Keras backend
(TensorFlow and JAX): the command finishes and its artifact loads in the NumPy engine.

    PYTHONPATH=$PWD python -m pytest tests/test_training_backends.py -q
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from seqbot.artifact import load_artifact
from seqbot.paths import PROJECT_ROOT

BACKENDS = [backend for backend in ("tensorflow", "jax") if importlib.util.find_spec(backend)]


def smoke(args, backend, tmp_path):
    env = dict(os.environ, KERAS_BACKEND=backend, SEQBOT_RUNS=str(tmp_path / "runs"), PYTHONPATH=str(PROJECT_ROOT))
    completed = subprocess.run([sys.executable, "-m", "seqbot", "train", *args], capture_output=True, text=True,
                               env=env, timeout=400)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_classify_and_generate_recipes_train_under_each_backend(backend, tmp_path, fixtures_dir):
    corpora = tmp_path / "corpora"
    (corpora / "sms-spam").mkdir(parents=True)
    shutil.copy(fixtures_dir / "classify" / "SMSSpamCollection", corpora / "sms-spam" / "SMSSpamCollection")
    smoke(["classify", "spam_rnn", "--epochs", "1", "--corpora", str(corpora)], backend, tmp_path)
    classifier = load_artifact(tmp_path / "runs" / "classify-spam_rnn" / "spam_rnn.npz", kind="classifier")
    assert classifier.metadata["hardware"]["backend"] == backend
    output = smoke(["generate", "--units", "8", "--embedding-dim", "4", "--sequence-length", "20", "--batch-size", "4",
                    "--steps-per-epoch", "2", "--epochs", "1", "--validation-fraction", "0.2",
                    "--corpora", str(fixtures_dir / "generate")], backend, tmp_path)
    generator = load_artifact(tmp_path / "runs" / "generate-generator" / "generator.npz", kind="generator")
    assert generator.metadata["hardware"]["backend"] == backend and generator.metadata["training"]["updates"] == 2
    assert "ran out of data" not in output
