"""Where training output goes, and the only way it reaches a checkpoint folder.

Every run writes under runs/NAME (see seqbot.paths.runs_dir). `export_copy` copies a finished
artifact to a path the user named with --export; it refuses to replace an existing file unless
`force`, and then keeps the old one beside it as NAME.npz.bak-<UTC timestamp>.

    run = run_folder("classify-spam_rnn")
    export_copy(run / "spam_rnn.npz", "checkpoints/spam_rnn.npz", force=True)
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from seqbot.errors import SeqbotError
from seqbot.paths import runs_dir


def run_folder(name: str, runs: str | os.PathLike | None = None) -> Path:
    """runs/NAME under the runs root (`runs`, then $SEQBOT_RUNS, then the project's runs/), created."""
    if not name or "/" in name or name in (".", ".."):
        raise SeqbotError(f"a run name must be a plain folder name, not {name!r}")
    folder = runs_dir(runs) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def backup_name(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.bak-{stamp}")
    counter = 1
    while candidate.exists():  # two exports in the same second keep both old files
        candidate = path.with_name(f"{path.name}.bak-{stamp}-{counter}")
        counter += 1
    return candidate


def export_copy(artifact: str | os.PathLike, destination: str | os.PathLike, force: bool = False, log=print) -> Path:
    """Copy `artifact` to `destination`; an existing destination needs `force` and is kept as a .bak file."""
    artifact, destination = Path(artifact), Path(destination)
    if not artifact.exists():
        raise SeqbotError(f"nothing to export: {artifact} does not exist")
    if destination.is_dir():
        destination = destination / artifact.name
    if destination.exists():
        if destination.resolve() == artifact.resolve():
            return destination
        if not force:
            raise SeqbotError(f"{destination} exists; add --force to replace it (the old file is kept as "
                              f"{destination.name}.bak-<timestamp>)")
        kept = backup_name(destination)
        os.replace(destination, kept)
        log(f"kept the previous {destination.name} as {kept}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    shutil.copyfile(artifact, partial)
    os.replace(partial, destination)  # never a half-copied checkpoint under the real name
    log(f"exported {destination}")
    return destination
