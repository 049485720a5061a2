"""Training never touches checkpoints/ unless told to: `seqbot train classify spam_rnn` writes only
under $SEQBOT_RUNS, and --export refuses to replace a file without --force.

    PYTHONPATH=$PWD python -m pytest tests/test_training_outputs.py -q
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

from seqbot.paths import PROJECT_ROOT


def digests(folder):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir()) if path.is_file()}


def seqbot(*args, env):
    return subprocess.run([sys.executable, "-m", "seqbot", *args], capture_output=True, text=True, env=env, timeout=300)


def test_train_classify_leaves_every_checkpoint_byte_identical(tmp_path, fixtures_dir):
    corpora = tmp_path / "corpora"
    (corpora / "sms-spam").mkdir(parents=True)
    shutil.copy(fixtures_dir / "classify" / "SMSSpamCollection", corpora / "sms-spam" / "SMSSpamCollection")
    env = dict(os.environ, SEQBOT_RUNS=str(tmp_path / "runs"), PYTHONPATH=str(PROJECT_ROOT))
    checkpoints = PROJECT_ROOT / "checkpoints"
    before = digests(checkpoints)
    completed = seqbot("train", "classify", "spam_rnn", "--epochs", "1", "--corpora", str(corpora), env=env)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert digests(checkpoints) == before
    run = tmp_path / "runs" / "classify-spam_rnn"
    assert (run / "spam_rnn.npz").exists() and (run / "log.csv").exists()
    lines = completed.stdout.splitlines()
    assert sum(line.startswith("epoch 1/1:") for line in lines) == 1 and "\x1b[" not in completed.stdout

    # --export onto an existing file: refused with a clear message, nothing replaced
    target = tmp_path / "exported" / "spam_rnn.npz"
    target.parent.mkdir()
    target.write_bytes(b"an older model")
    refused = seqbot("train", "classify", "spam_rnn", "--epochs", "1", "--corpora", str(corpora), "--export", str(target), env=env)
    assert refused.returncode != 0 and "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert target.read_bytes() == b"an older model"
    forced = seqbot("train", "classify", "spam_rnn", "--epochs", "1", "--corpora", str(corpora), "--export", str(target),
                    "--force", env=env)
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert target.read_bytes() == (run / "spam_rnn.npz").read_bytes()
    kept = [path for path in target.parent.iterdir() if path.name.startswith("spam_rnn.npz.bak-")]
    assert [path.read_bytes() for path in kept] == [b"an older model"]
    assert digests(checkpoints) == before
