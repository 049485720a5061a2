"""Distributed training on tf.distribute: two worker processes on 127.0.0.1 with TF_CONFIG train a
tiny generator for one epoch under --strategy multiworker; both finish and only the chief (worker 0)
exports.

    PYTHONPATH=$PWD python -m pytest tests/test_training_distributed.py -q
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from seqbot.artifact import load_artifact
from seqbot.paths import PROJECT_ROOT


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


@pytest.mark.slow
def test_two_workers_train_one_epoch_and_only_the_chief_exports(fixtures_dir, tmp_path):
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    export = tmp_path / "exported" / "generator.npz"
    command = [sys.executable, "-m", "seqbot", "train", "generate", "--units", "8", "--embedding-dim", "4",
               "--sequence-length", "20", "--window-stride", "20", "--batch-size", "4", "--steps-per-epoch", "3",
               "--epochs", "1", "--validation-fraction", "0.2", "--corpora", str(fixtures_dir / "generate"),
               "--strategy", "multiworker", "--export", str(export)]
    workers = []
    for index in range(2):
        env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), SEQBOT_RUNS=str(tmp_path / f"runs-{index}"),
                   TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}))
        workers.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env))
    outputs = []
    try:
        for worker in workers:
            outputs.append(worker.communicate(timeout=400)[0])
    finally:
        for worker in workers:
            worker.kill()
    assert [worker.returncode for worker in workers] == [0, 0], outputs[0][-1500:] + outputs[1][-1500:]
    for output in outputs:
        assert sum(line.startswith("epoch 1/1:") for line in output.splitlines()) == 1
    chief_run, other_run = tmp_path / "runs-0" / "generate-generator", tmp_path / "runs-1" / "generate-generator"
    assert (chief_run / "generator.npz").exists() and export.exists()
    assert load_artifact(export, kind="generator").metadata["training"]["updates"] == 3
    assert not list(other_run.rglob("generator.npz"))  # the other worker exported nothing
    assert (other_run / "worker-1" / "loop_state.json").exists()  # its state, apart from the chief's
