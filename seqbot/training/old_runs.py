"""Run folders made by the translator trainer before the one loop, carried on by today's loop.

That trainer (seqbot/training/translate.py up to commit a781f24) ran its own `model.fit` and kept the
run's progress in run.json: "history" (one entry per round), "best_val_loss" and "best_epoch", next to
Keras' backup/ (BackupAndRestore: weights, optimizer state, the last finished round), rounds/,
model.npz and log.csv. seqbot.training.loop keeps progress in loop_state.json instead, so the first
time today's trainer opens such a folder, `adopt_translator_run` writes a loop_state.json from run.json:

- the last finished round is the backup's (run.json may lack a round that was killed before it was
  written: history stops there);
- the best validation loss and its round are run.json's (forgotten when run.json's loss is of an
  older definition), and early stopping and halving start counting again from that best;
- the training time is the sum of the rounds' seconds.

run.json, backup/, rounds/, model.npz and log.csv are left as they are; the loop then continues the
run from its last finished round, writes the same artifacts and appends to log.csv under its
header. `tests/test_translate_resume_old_run.py` resumes tests/fixtures/old_translator_run/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def adopt_translator_run(run_dir: str | os.PathLike, run: dict) -> dict | None:
    """Write run_dir/loop_state.json from an older trainer's run.json progress and return it; None
    when there is nothing to adopt (a new run, or one the loop already keeps)."""
    run_dir = Path(run_dir)
    state_path, backup = run_dir / "loop_state.json", run_dir / "backup" / "training_metadata.json"
    if state_path.exists() or "history" not in run or not backup.exists():
        return None
    epoch = int(json.loads(backup.read_text())["epoch"])
    history = [entry for entry in run["history"] if entry["epoch"] <= epoch]
    best, best_epoch = run.get("best_val_loss"), run.get("best_epoch")
    if best is None or best_epoch is None or best_epoch > epoch:
        best, best_epoch = None, None
    state = {
        "epoch": epoch, "best": best, "best_epoch": best_epoch,
        "elapsed_s": round(sum(entry.get("seconds", 0.0) for entry in history), 2), "history": history,
        # early stopping and halving start again, measured against the run's best (Keras counts epochs from 0)
        "callbacks": {"EarlyStopping": {"wait": 0, "best": best, "best_epoch": (best_epoch or 1) - 1},
                      "ReduceLROnPlateau": {"wait": 0, "best": best, "cooldown_counter": 0}},
        "callbacks_epoch": epoch, "stopped": None,
        "adopted": "run.json of the translator trainer before seqbot.training.loop",
    }
    partial = state_path.with_name(state_path.name + ".partial")
    partial.write_text(json.dumps(state, indent=1))
    os.replace(partial, state_path)
    return state
