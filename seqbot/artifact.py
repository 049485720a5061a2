"""One self-describing file per trained model: weights, vocabularies, config, metadata.

An artifact is a NumPy `.npz` archive (no pickle) holding
- `__seqbot__`: UTF-8 JSON with `format`, `kind`, `config` and `metadata`;
- `weights/<name>`: one float32 (or integer) array per weight;
- `blobs/<name>`: raw bytes stored as uint8, e.g. a sentencepiece model.
It loads with NumPy alone, so the engine and the app never need TensorFlow.

    save_artifact("checkpoints/translator.npz", Artifact(kind="translator", config=..., weights=...))
    artifact = load_artifact("checkpoints/translator.npz", kind="translator")
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqbot.errors import CheckpointError

FORMAT_VERSION = 1
_HEADER = "__seqbot__"


@dataclass
class Artifact:
    kind: str
    config: dict
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)


def save_artifact(path: str | os.PathLike, artifact: Artifact) -> Path:
    """Write atomically: a crash mid-write never leaves a half file under `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {
        "format": FORMAT_VERSION,
        "kind": artifact.kind,
        "config": artifact.config,
        "metadata": artifact.metadata,
    }
    arrays = {_HEADER: np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)}
    for name, value in artifact.weights.items():
        arrays[f"weights/{name}"] = np.asarray(value)
    for name, blob in artifact.blobs.items():
        arrays[f"blobs/{name}"] = np.frombuffer(blob, dtype=np.uint8)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a checkpoint is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load_artifact(path: str | os.PathLike, kind: str | None = None) -> Artifact:
    """Read an artifact, raising `CheckpointError` with a clear reason if it is unusable."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint not found: {path}")
    if path.is_dir():
        raise CheckpointError(f"{path} is a directory; give the checkpoint file inside it (a .npz)")
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as handle:
            starts_like_a_zip = handle.read(4) == b"PK\x03\x04"
        if not starts_like_a_zip:  # NumPy would ask to "load it unsafely using allow_pickle"
            raise CheckpointError(f"{path} is not a seqbot checkpoint (not a NumPy .npz archive)")
        raise CheckpointError(f"checkpoint {path} is corrupt or truncated (an incomplete .npz archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if _HEADER not in archive.files:
                raise CheckpointError(f"{path} is not a seqbot checkpoint (no {_HEADER} header)")
            header = json.loads(archive[_HEADER].tobytes().decode("utf-8"))
            weights = {k[len("weights/"):]: archive[k] for k in archive.files if k.startswith("weights/")}
            blobs = {k[len("blobs/"):]: archive[k].tobytes() for k in archive.files if k.startswith("blobs/")}
    except CheckpointError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError, UnicodeDecodeError) as error:
        raise CheckpointError(f"checkpoint {path} is corrupt or truncated ({error.__class__.__name__}: {error})") from None
    if header.get("format") != FORMAT_VERSION:
        raise CheckpointError(f"{path} has checkpoint format {header.get('format')!r}; this seqbot reads format {FORMAT_VERSION}")
    if kind is not None and header.get("kind") != kind:
        raise CheckpointError(f"{path} holds a {header.get('kind')!r} model, not a {kind!r} model")
    return Artifact(
        kind=header["kind"],
        config=header.get("config", {}),
        weights=weights,
        metadata=header.get("metadata", {}),
        blobs=blobs,
    )
