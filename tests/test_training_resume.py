"""Resumable for real: a training run killed with SIGKILL in the middle of an epoch, rerun with the
same command, continues from its last saved epoch and ends with exactly as many optimizer updates
as a run that was never interrupted.

    PYTHONPATH=$PWD python -m pytest tests/test_training_resume.py -q
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from seqbot.artifact import load_artifact
from seqbot.paths import PROJECT_ROOT

STEPS, EPOCHS = 20, 2


def command(fixtures_dir):
    return [sys.executable, "-m", "seqbot", "train", "generate", "--units", "16", "--embedding-dim", "4",
            "--sequence-length", "20", "--window-stride", "20", "--batch-size", "4", "--steps-per-epoch", str(STEPS),
            "--epochs", str(EPOCHS), "--validation-fraction", "0.2", "--corpora", str(fixtures_dir / "generate")]


def environment(runs):
    return dict(os.environ, SEQBOT_RUNS=str(runs), PYTHONPATH=str(PROJECT_ROOT), PYTHONUNBUFFERED="1")


def updates(runs):
    artifact = load_artifact(runs / "generate-generator" / "generator.npz", kind="generator")
    return artifact.metadata["training"]["updates"], [entry["epoch"] for entry in artifact.metadata["training"]["history"]]


@pytest.mark.slow
def test_a_run_killed_mid_epoch_resumes_to_the_same_number_of_updates(fixtures_dir, tmp_path):
    killed_runs = tmp_path / "killed"
    process = subprocess.Popen(command(fixtures_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=environment(killed_runs))
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if line.startswith("epoch 1/"):  # printed once epoch 1 is saved; epoch 2 has begun
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.kill()
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "".join(seen)[-2000:]
    state = json.loads((killed_runs / "generate-generator" / "loop_state.json").read_text())
    assert state["epoch"] == 1 and state["stopped"] is None  # killed during epoch 2
    assert not (killed_runs / "generate-generator" / "generator.npz").exists()

    resumed = subprocess.run(command(fixtures_dir), capture_output=True, text=True, env=environment(killed_runs), timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "after epoch 1" in resumed.stdout and "epoch 1/" not in resumed.stdout.replace("after epoch 1", "")
    assert [line.split(":")[0] for line in resumed.stdout.splitlines() if line.startswith("epoch ")] == ["epoch 2/2"]

    straight_runs = tmp_path / "straight"
    straight = subprocess.run(command(fixtures_dir), capture_output=True, text=True, env=environment(straight_runs), timeout=600)
    assert straight.returncode == 0, straight.stderr[-2000:]
    assert updates(killed_runs) == updates(straight_runs) == (STEPS * EPOCHS, [1, 2])
