"""Export a seq2seq run's latest backed-up weights (Keras BackupAndRestore) as an engine artifact.

For a run that is still training, or one whose best model was not exported: it reads run.json and
<run>/backup/latest.weights.h5, never touches the running process, and writes a kind="seq2seq"
artifact like the one train_seq2seq exports after an improving epoch.

    python -m seqbot.training.seq2seq_export runs/translate runs/translate/latest.npz
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from seqbot.artifact import Artifact, save_artifact
from seqbot.errors import CheckpointError


def export_backup(run_dir: str | Path, export_path: str | Path, max_source_length: int | None = None,
                  max_target_length: int | None = None) -> Path:
    """Write the run's latest backed-up epoch to `export_path`; lengths default to the split's limits."""
    from seqbot.training.tf_setup import import_tensorflow

    import_tensorflow(1)
    from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq, export_weights

    run_dir = Path(run_dir)
    run_file, weights_file = run_dir / "run.json", run_dir / "backup" / "latest.weights.h5"
    if not run_file.exists() or not weights_file.exists():
        raise CheckpointError(f"{run_dir} has no run.json and backup/latest.weights.h5 to export from")
    run = json.loads(run_file.read_text())
    done = json.loads((run_dir / "backup" / "training_metadata.json").read_text())["epoch"]
    settings, split = run["settings"], run.get("split", {})
    config = Seq2SeqConfig(
        source_vocab_size=len(run["source_vocab"]), target_vocab_size=len(run["target_vocab"]), cell=settings["cell"],
        units=settings["units"], embedding_dim=settings["embedding_dim"], attention=settings["attention"],
        attention_units=settings["attention_units"], one_hot=settings["one_hot"],
        bidirectional=settings.get("bidirectional", False), encoder_layers=settings.get("encoder_layers", 1),
        decoder_layers=settings.get("decoder_layers", 1),
    )
    model = build_seq2seq(config)
    model.load_weights(weights_file)
    history = [h for h in run.get("history", []) if h["epoch"] <= done]
    last = history[-1] if history else {}
    artifact_config = {
        "task": run["task"], "cell": config.cell, "units": config.units,
        "embedding_dim": len(run["target_vocab"]) if config.one_hot else config.embedding_dim,
        "attention": config.attention, "attention_units": config.attention_units,
        "source_vocab": run["source_vocab"], "target_vocab": run["target_vocab"],
        "max_source_length": max_source_length or split["max_english_length"],
        "max_target_length": max_target_length or split["max_french_length"],
        "bidirectional": config.bidirectional, "encoder_layers": config.encoder_layers,
        "decoder_layers": config.decoder_layers, "case_variants": bool(settings.get("augment", False)),
    }
    if run["task"] == "translate":
        from seqbot.engine.decoding import DecodingConfig

        artifact_config["decoding"] = DecodingConfig().to_dict()
    metadata = {
        "corpus": run["corpus"], "split": split, "preset": run.get("preset"),
        "training": {"epochs": done, "best_epoch": done, "val_loss": last.get("val_loss"),
                     "val_accuracy": last.get("val_masked_accuracy"), "history": history,
                     "settings": settings, "exported_from": "backup/latest.weights.h5"},
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    save_artifact(export_path, Artifact("seq2seq", artifact_config, export_weights(model, config), metadata))
    return Path(export_path)


if __name__ == "__main__":
    print(export_backup(sys.argv[1], sys.argv[2]))
