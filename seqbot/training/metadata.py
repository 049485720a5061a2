"""The one metadata record every trainer writes into its artifact: what was trained, how, on what,
with which code, on which machine, for how long and when.

    metadata = run_metadata(recipe=config, data_files=[corpus_file], time_s=812.4, scores={"test_accuracy": 0.98})
    artifact.metadata.update(metadata)

`seqbot models info NAME` prints these fields. Nothing here imports TensorFlow: the backend and
its version are read from modules already imported by the trainer.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import platform
import shlex
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from seqbot.paths import PROJECT_ROOT

_HASH_CACHE: dict[tuple[str, int, float], str] = {}


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 of one file, cached per (path, size, mtime) so repeated runs in one process hash once."""
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime)
    if key not in _HASH_CACHE:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _HASH_CACHE[key] = digest.hexdigest()
    return _HASH_CACHE[key]


def data_sha256(paths) -> dict[str, str]:
    """{file name: sha256} of the corpus files a model was trained on (folders: every file in them)."""
    hashes = {}
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            hashes[file.name if not path.is_dir() else f"{path.name}/{file.relative_to(path)}"] = file_sha256(file)
    return hashes


def code_version(root: Path = PROJECT_ROOT) -> str:
    """The git commit the code was run from, `+dirty` when tracked files were modified; 'unknown' outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def hardware() -> dict:
    """Machine, CPU count, Keras backend and the accelerators the backend sees (if it was imported)."""
    info = {"machine": platform.machine(), "system": platform.system(), "cpus": os.cpu_count(),
            "python": platform.python_version()}
    keras = sys.modules.get("keras")
    if keras is not None:
        info["keras"] = keras.__version__
        info["backend"] = keras.backend.backend()
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is not None and info.get("backend", "tensorflow") == "tensorflow":
        info["tensorflow"] = tensorflow.__version__
        info["gpus"] = [device.name for device in tensorflow.config.list_logical_devices("GPU")]
    jax = sys.modules.get("jax")
    if jax is not None and info.get("backend") == "jax":
        info["jax"] = jax.__version__
        info["devices"] = [str(device) for device in jax.devices()]
    return info


def command_line(argv: list[str] | None = None) -> str:
    """The exact command, as a shell would take it back (`seqbot` for the entry point or `-m seqbot`)."""
    argv = list(sys.argv if argv is None else argv)
    if argv and (Path(argv[0]).name in ("seqbot", "__main__.py")):
        argv[0] = "seqbot"
    return shlex.join(argv)


def recipe_dict(recipe) -> dict:
    if dataclasses.is_dataclass(recipe):
        return dataclasses.asdict(recipe)
    return dict(recipe)


def run_metadata(recipe, data_files=(), time_s: float | None = None, scores: dict | None = None,
                 recipe_name: str | None = None, **extra) -> dict:
    """The record every trainer stores under `artifact.metadata` (plus its own `extra` keys)."""
    metadata = {
        "recipe_name": recipe_name,
        "recipe": recipe_dict(recipe),
        "command": command_line(),
        "data_sha256": data_sha256(data_files),
        "code_version": code_version(),
        "hardware": hardware(),
        "training_time_s": None if time_s is None else round(float(time_s), 1),
        "scores": dict(scores or {}),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    metadata.update(extra)
    return metadata
