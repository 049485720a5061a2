"""Where seqbot looks for corpora and checkpoints.

Corpora: `--corpora DIR`, then `$SEQBOT_CORPORA`, then `corpora/` in the project.
Checkpoints: `--checkpoints DIR`, then `$SEQBOT_CHECKPOINTS`, then the shipped ones: `checkpoints/` in
a source checkout (where `seqbot train ... --export checkpoints/NAME.npz` writes), or, in an installed
wheel (`pip install .`, pipx), the same files as the package data `seqbot/checkpoints/` (pyproject.toml
maps the one folder onto the other at build time), found from any working directory.
Training runs: `--runs DIR`, then `$SEQBOT_RUNS`, then `runs/` in the project (never the working
directory, so a trainer started elsewhere still finds and resumes its run).
"""

from __future__ import annotations

import os
from pathlib import Path

from seqbot.errors import CheckpointError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE_CHECKPOINTS = PROJECT_ROOT / "checkpoints"  # a source checkout (editable install)
PACKAGED_CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"  # an installed wheel's package data
CORPORA_ENV = "SEQBOT_CORPORA"
CHECKPOINTS_ENV = "SEQBOT_CHECKPOINTS"
RUNS_ENV = "SEQBOT_RUNS"


def corpora_dir(override: str | os.PathLike | None = None) -> Path:
    """The folder that holds (or will hold) the downloaded corpora."""
    if override:
        return Path(override).expanduser()
    if os.environ.get(CORPORA_ENV):
        return Path(os.environ[CORPORA_ENV]).expanduser()
    return PROJECT_ROOT / "corpora"


def checkpoints_dir(override: str | os.PathLike | None = None) -> Path:
    """The folder of shipped (or user-trained) model artifacts. A folder someone named (`--checkpoints`,
    $SEQBOT_CHECKPOINTS) must exist: otherwise every model would look "unknown" or "not found"."""
    if override:
        return _existing_folder(Path(override).expanduser(), "checkpoint folder")
    if os.environ.get(CHECKPOINTS_ENV):
        return _existing_folder(Path(os.environ[CHECKPOINTS_ENV]).expanduser(), f"${CHECKPOINTS_ENV}")
    return shipped_checkpoints_dir()


def shipped_checkpoints_dir() -> Path:
    """The checkpoints that came with seqbot: an installed wheel's seqbot/checkpoints/ when there is one,
    else checkpoints/ beside the package (a source checkout)."""
    return PACKAGED_CHECKPOINTS if PACKAGED_CHECKPOINTS.is_dir() else SOURCE_CHECKPOINTS


def _existing_folder(path: Path, what: str) -> Path:
    if path.is_dir():
        return path
    reason = "is a file, not a folder" if path.exists() else "does not exist"
    raise CheckpointError(f"{what} {path} {reason}")


def default_checkpoint(name: str, override_dir: str | os.PathLike | None = None) -> Path:
    """Path of a shipped artifact by model name, e.g. `translator` -> checkpoints/translator.npz."""
    return checkpoints_dir(override_dir) / f"{name}.npz"


def runs_dir(override: str | os.PathLike | None = None) -> Path:
    """The folder every training run writes under (runs/NAME); shipped checkpoints are never written from here."""
    if override:
        return Path(override).expanduser()
    if os.environ.get(RUNS_ENV):
        return Path(os.environ[RUNS_ENV]).expanduser()
    return PROJECT_ROOT / "runs"
