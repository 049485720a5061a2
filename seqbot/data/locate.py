"""The corpus manifest (`corpora/manifest.json`) and where each corpus file is found.

    path = locate("imdb")                        # corpora_dir()/imdb/aclImdb_v1.tar.gz, or CorpusError
    path = locate("nsmc", "ratings_test.txt", corpora="/data/corpora")
    for corpus in load_manifest(): corpus.name, corpus.files[0].url, corpus.files[0].sha256

The corpora folder is `--corpora DIR`, then $SEQBOT_CORPORA, then the project's `corpora/`
(seqbot.paths.corpora_dir).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from seqbot.errors import CorpusError, SeqbotError
from seqbot.paths import CORPORA_ENV, PROJECT_ROOT, corpora_dir

MANIFEST = PROJECT_ROOT / "corpora" / "manifest.json"


@dataclass(frozen=True)
class CorpusFile:
    path: str  # relative to the corpora folder, e.g. "imdb/aclImdb_v1.tar.gz"
    url: str
    sha256: str
    size: int
    records: int
    member: str | None = None  # the download is an archive: keep only this member

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class Corpus:
    name: str
    title: str
    homepage: str
    license: str
    format: str
    reader: str
    official_download: str  # "identical" | "differs" | "unverified"
    files: tuple[CorpusFile, ...]
    notes: str = ""


def load_manifest(path: str | os.PathLike | None = None) -> list[Corpus]:
    path = Path(path) if path else MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Corpus(**{**entry, "files": tuple(CorpusFile(**f) for f in entry["files"])}) for entry in data["corpora"]]
    except FileNotFoundError:
        raise CorpusError(f"corpus manifest {path} not found") from None
    except (ValueError, KeyError, TypeError) as error:
        raise CorpusError(f"{path} is not a valid corpus manifest ({error})") from None


def find_corpus(name: str, manifest: list[Corpus] | None = None) -> Corpus:
    corpora = manifest if manifest is not None else load_manifest()
    for corpus in corpora:
        if corpus.name == name:
            return corpus
    raise SeqbotError(f"unknown corpus {name!r}; known: {', '.join(c.name for c in corpora)}")


def where_from(override: str | os.PathLike | None = None) -> str:
    if override:
        return "--corpora"
    if os.environ.get(CORPORA_ENV):
        return f"${CORPORA_ENV}"
    return "the default corpora/ folder"


def locate(name: str, file: str | None = None, corpora: str | os.PathLike | None = None,
           manifest: list[Corpus] | None = None) -> Path:
    """The path of a corpus file (its first file, or the one whose name is `file`), which must exist."""
    corpus = find_corpus(name, manifest)
    entries = [f for f in corpus.files if file is None or f.name == file or f.path == file]
    if not entries:
        raise SeqbotError(f"corpus {name!r} has no file {file!r}; its files: {', '.join(f.name for f in corpus.files)}")
    folder = corpora_dir(corpora)
    path = folder / entries[0].path
    if not path.exists():
        raise CorpusError(
            f"{name}: {entries[0].name} not found; looked for {path} (corpora folder from {where_from(corpora)}). "
            f"Run `seqbot data fetch {name}`, or point --corpora / ${CORPORA_ENV} at a folder that holds {entries[0].path}"
        )
    return path


def sha256_of(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def checksum_mismatches(name: str, corpora: str | os.PathLike | None = None,
                        manifest: list[Corpus] | None = None) -> list[str]:
    """One line per file of corpus `name` that exists but differs from the manifest (size, then sha256):
    scores computed on it are not comparable with the recorded ones. Missing files are not listed."""
    folder = corpora_dir(corpora)
    problems = []
    for entry in find_corpus(name, manifest).files:
        path = folder / entry.path
        if not path.is_file():
            continue
        size = path.stat().st_size
        if size != entry.size:
            problems.append(f"{path} is {size:,} bytes, the manifest's copy {entry.size:,}")
        elif sha256_of(path) != entry.sha256:
            problems.append(f"{path} has another sha256 than the manifest's copy")
    return problems
