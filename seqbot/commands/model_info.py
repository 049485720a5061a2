"""`seqbot models info NAME`: how a checkpoint was made, read from its metadata (no TensorFlow).

Prints the recipe, the exact command, the data's sha256, the code version, the hardware, the
training time and the metrics. Checkpoints trained before the shared training loop recorded some
of these under other keys (training.settings, training.machine, training.time_s); those are shown,
and what was never recorded says so.
"""

from __future__ import annotations

import json
from pathlib import Path

NOT_RECORDED = "not recorded (trained before seqbot recorded it)"


def checkpoint_path(name: str, checkpoints: str | None) -> Path:
    from seqbot.paths import default_checkpoint

    candidate = Path(name)
    if candidate.suffix == ".npz" and candidate.exists():
        return candidate
    return default_checkpoint(name, checkpoints)


def info_fields(metadata: dict) -> dict[str, object]:
    """(label -> value) for the printed record, falling back on the older metadata layouts."""
    training = metadata.get("training") or {}
    recipe = metadata.get("recipe") or training.get("settings") or training.get("options")
    recipe_name = metadata.get("recipe_name") or metadata.get("trained_as")
    time_s = metadata.get("training_time_s", training.get("time_s"))
    hardware = metadata.get("hardware") or training.get("machine")
    scores = dict(metadata.get("scores") or {})
    for key in ("val_loss", "val_accuracy"):
        if key in training and key not in scores:
            scores[key] = training[key]
    return {
        "recipe": (f"{recipe_name}: " if recipe_name else "") + (json.dumps(recipe, sort_keys=True) if recipe else NOT_RECORDED),
        "command": metadata.get("command") or NOT_RECORDED,
        "data sha256": metadata.get("data_sha256") or NOT_RECORDED,
        "code version": metadata.get("code_version") or NOT_RECORDED,
        "hardware": hardware or NOT_RECORDED,
        "training time": f"{time_s:.1f} s" if isinstance(time_s, (int, float)) else NOT_RECORDED,
        "date": metadata.get("date") or NOT_RECORDED,
        "metrics": scores or NOT_RECORDED,
        **({"calibration": calibration_summary(metadata["calibration"])} if metadata.get("calibration") else {}),
    }


def calibration_summary(record: dict) -> dict[str, str]:
    """temperature -> 'T on N validation texts (log-loss a -> b)' for each fitted temperature."""
    summary = {}
    for key, fit in record.items():
        if isinstance(fit, dict) and "value" in fit:
            summary[key.replace("_", " ")] = (f"{fit['value']} on {fit['validation_texts']} validation texts (log-loss "
                                              f"{fit['before']['log_loss']} -> {fit['after']['log_loss']})")
    if "fitted_on" in record:
        summary["fitted on"] = record["fitted_on"]
    return summary


def print_info(name: str, checkpoints: str | None) -> None:
    from seqbot.artifact import load_artifact

    path = checkpoint_path(name, checkpoints)
    artifact = load_artifact(path)
    print(f"{path} ({artifact.kind}, {path.stat().st_size / 1e6:.1f} MB)")
    for label, value in info_fields(artifact.metadata).items():
        if isinstance(value, dict):
            print(f"  {label}:")
            for key, item in value.items():
                print(f"    {key}: {item:.4f}" if isinstance(item, float) else f"    {key}: {item}")
        else:
            print(f"  {label + ':':<15} {value}")
