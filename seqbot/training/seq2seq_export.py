"""Export a seq2seq run's latest backed-up weights (Keras BackupAndRestore) as an engine artifact.

For a run that is still training, or one whose best model was not exported: it reads run.json and
<run>/backup/latest.weights.h5, never touches the running process, and writes a kind="seq2seq"
artifact like the one train_seq2seq exports after an improving epoch.

    python -m seqbot.training.seq2seq_export runs/translator runs/translator/latest.npz
    python -m seqbot.training.seq2seq_export runs/translator checkpoints/translator.npz --force   (old file kept as .bak)
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from seqbot.artifact import Artifact, load_artifact, save_artifact
from seqbot.errors import CheckpointError


def export_backup(run_dir: str | Path, export_path: str | Path, max_source_length: int | None = None,
                  max_target_length: int | None = None) -> Path:
    """Write the run's latest backed-up round to `export_path`; the lengths default to those of the
    run's model.npz, else to the split's limits."""
    from seqbot.models.keras_setup import import_tensorflow

    import_tensorflow(1)
    from seqbot.models.seq2seq import build_seq2seq, export_weights
    from seqbot.training.translate import artifact_config, model_config

    run_dir = Path(run_dir)
    run_file, weights_file = run_dir / "run.json", run_dir / "backup" / "latest.weights.h5"
    if not run_file.exists() or not weights_file.exists():
        raise CheckpointError(f"{run_dir} has no run.json and backup/latest.weights.h5 to export from")
    run = json.loads(run_file.read_text())
    done = json.loads((run_dir / "backup" / "training_metadata.json").read_text())["epoch"]
    state_file = run_dir / "loop_state.json"  # the loop's progress; runs of the trainer before it kept it in run.json
    progress = json.loads(state_file.read_text()) if state_file.exists() else run
    split = run.get("split", {})
    config = model_config(run)
    model = build_seq2seq(config)
    model.load_weights(weights_file)
    history = [h for h in progress.get("history", []) if h["epoch"] <= done]
    last = history[-1] if history else {}
    if not (max_source_length and max_target_length):  # the lengths the run's own artifacts record, else the split's
        exported = run_dir / "model.npz"
        known = load_artifact(exported, kind="seq2seq").config if exported.exists() else {
            "max_source_length": split.get("max_english_length"), "max_target_length": split.get("max_french_length")}
        max_source_length = max_source_length or known["max_source_length"]
        max_target_length = max_target_length or known["max_target_length"]
    engine_config = artifact_config(run, run["task"], max_source_length, max_target_length)
    metadata = {
        "corpus": run["corpus"], "split": split, "preset": run.get("preset"),
        "training": {"epochs": done, "best_epoch": done, "val_loss": last.get("val_loss"),
                     "val_accuracy": last.get("val_masked_accuracy"), "history": history,
                     "settings": run["settings"], "exported_from": "backup/latest.weights.h5"},
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    save_artifact(export_path, Artifact("seq2seq", engine_config, export_weights(model, config), metadata))
    return Path(export_path)


def main(argv: list[str] | None = None) -> int:
    """python -m seqbot.training.seq2seq_export RUN_DIR OUT.npz [--force]: an existing OUT.npz (a
    checkpoint, say) is replaced only with --force, and then kept beside it as OUT.npz.bak-<time>."""
    import argparse

    from seqbot.training.outputs import export_copy

    parser = argparse.ArgumentParser(prog="python -m seqbot.training.seq2seq_export", description=main.__doc__)
    parser.add_argument("run_dir")
    parser.add_argument("export_path")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    latest = export_backup(args.run_dir, Path(args.run_dir) / "latest.npz")
    print(latest if Path(args.export_path).resolve() == latest.resolve() else export_copy(latest, args.export_path, args.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
