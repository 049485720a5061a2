"""Download corpus files from their public URLs into the corpora folder, verified and atomic.

    results = fetch_corpus(find_corpus("nsmc"), corpora_dir())           # official URLs
    fetch_corpus(corpus, folder, mirror="http://127.0.0.1:8000")          # a mirror of the corpora layout

Each file is streamed into a hidden `.NAME.part-*` file next to its target, checked (complete
transfer, then sha256 against the manifest) and only then renamed over the target with
os.replace, so an interrupted, failed or mismatched download never leaves a file under the real
name. A mirror (`--mirror URL` or $SEQBOT_MIRROR) serves files at URL/<path in the corpora folder>.
"""

from __future__ import annotations

import http.client
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from seqbot.data.locate import Corpus, CorpusFile, sha256_of
from seqbot.errors import CorpusError

MIRROR_ENV = "SEQBOT_MIRROR"
CHUNK = 1 << 16


@dataclass
class FetchResult:
    path: Path
    status: str  # "downloaded", "present" (already there, checksum ok), "accepted" (checksum differs, kept)
    sha256: str
    bytes: int


class ProgressBar:
    """A one-line progress bar on a terminal; plain start/end lines otherwise (logs stay readable)."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None):
        self.label, self.total, self.stream = label, total, stream or sys.stderr
        self.done, self.started, self.last_draw = 0, time.monotonic(), 0.0
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        if not self.live:
            print(f"downloading {label}" + (f" ({_size(total)})" if total else ""), file=self.stream, flush=True)

    def update(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.live and (now - self.last_draw > 0.1 or self.done == self.total):
            self.last_draw = now
            rate = self.done / max(now - self.started, 1e-6)
            if self.total:
                filled = int(30 * self.done / self.total)
                bar = f"[{'#' * filled}{'.' * (30 - filled)}] {100 * self.done / self.total:5.1f}%  {_size(self.done)}/{_size(self.total)}"
            else:
                bar = _size(self.done)
            print(f"\r{self.label}  {bar}  {_size(rate)}/s ", end="", file=self.stream, flush=True)

    def close(self, message: str) -> None:
        if self.live:
            print(file=self.stream)
        print(f"{self.label}: {message}", file=self.stream, flush=True)


def _size(count: float | None) -> str:
    count = float(count or 0)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return ""


def mirror_url() -> str | None:
    return os.environ.get(MIRROR_ENV) or None


def fetch_corpus(corpus: Corpus, folder: Path, mirror: str | None = None, accept_checksum: bool = False,
                 stream: TextIO | None = None, timeout: float = 60.0) -> list[FetchResult]:
    return [fetch_file(corpus.name, entry, folder, mirror, accept_checksum, stream, timeout) for entry in corpus.files]


def fetch_file(corpus_name: str, entry: CorpusFile, folder: Path, mirror: str | None = None,
               accept_checksum: bool = False, stream: TextIO | None = None, timeout: float = 60.0) -> FetchResult:
    target = Path(folder) / entry.path
    if target.is_file() and sha256_of(target) == entry.sha256:
        print(f"{entry.path}: already present, checksum ok", file=stream or sys.stderr)
        return FetchResult(target, "present", entry.sha256, target.stat().st_size)
    url = f"{mirror.rstrip('/')}/{entry.path}" if mirror else entry.url
    member = None if mirror else entry.member  # a mirror serves the corpora layout, not the archives
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CorpusError(f"cannot create {target.parent} ({error.strerror}); choose another folder with --corpora") from None
    temporaries: list[Path] = []
    try:
        download = _temporary(target, temporaries)
        _download(url, download, entry.path, stream, timeout)
        payload = download
        if member:
            payload = _temporary(target, temporaries)
            _extract_member(download, member, payload, url)
        digest = sha256_of(payload)
        status = "downloaded"
        if digest != entry.sha256:
            note = (" The official file is a different release or packing from the reference copy (same format);"
                    " rerun with --accept-checksum to keep it.") if not mirror else ""
            if not accept_checksum:
                raise CorpusError(
                    f"{corpus_name}: checksum mismatch for {entry.path} downloaded from {url}: sha256 {digest}, "
                    f"expected {entry.sha256}. Nothing was saved.{note}")
            status = "accepted"
            print(f"{entry.path}: sha256 {digest} differs from the manifest's {entry.sha256}; kept (--accept-checksum)",
                  file=stream or sys.stderr)
        _make_readable(payload)
        os.replace(payload, target)
        return FetchResult(target, status, digest, target.stat().st_size)
    except OSError as error:  # the corpora folder is not writable, the disk is full, ...
        raise CorpusError(f"cannot write {target} ({error.strerror or error}); choose another folder with --corpora. "
                          "Nothing was saved.") from None
    finally:
        for path in temporaries:
            path.unlink(missing_ok=True)


def _make_readable(path: Path) -> None:
    # mkstemp creates the file 0600; a downloaded corpus gets the usual mode (0644 under umask 022).
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


def _temporary(target: Path, temporaries: list[Path]) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporaries.append(Path(name))
    return Path(name)


def _download(url: str, destination: Path, label: str, stream: TextIO | None, timeout: float) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "seqbot-data-fetch"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, destination.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            bar = ProgressBar(label, total, stream)
            received = 0
            while chunk := response.read(CHUNK):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
            if total is not None and received != total:
                raise CorpusError(f"download of {url} was cut off: received {received:,} of {total:,} bytes. Nothing was saved.")
            bar.close(f"received {_size(received)}")
    except urllib.error.HTTPError as error:
        raise CorpusError(f"download of {url} failed: HTTP {error.code} {error.reason}. Nothing was saved.") from None
    except http.client.IncompleteRead as error:
        raise CorpusError(f"download of {url} was cut off after {len(error.partial):,} more bytes "
                          f"({error.expected:,} still expected). Nothing was saved.") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        raise CorpusError(f"download of {url} failed ({reason}). Nothing was saved.") from None


def _extract_member(archive: Path, member: str, destination: Path, url: str) -> None:
    """Copy the archive's member whose file name is `member` (at any depth) to destination."""
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as opened:
                names = [n for n in opened.namelist() if n.rsplit("/", 1)[-1] == member and not n.startswith("__MACOSX")]
                if names:
                    with opened.open(names[0]) as source, destination.open("wb") as out:
                        shutil.copyfileobj(source, out)
                    return
        else:
            with tarfile.open(archive) as opened:
                for info in opened:
                    if info.isfile() and info.name.rsplit("/", 1)[-1] == member:
                        with opened.extractfile(info) as source, destination.open("wb") as out:
                            shutil.copyfileobj(source, out)
                        return
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as error:
        reason = (str(error).splitlines() or [type(error).__name__])[0].rstrip(":")
        raise CorpusError(f"{url} is not a readable zip or tar archive ({reason}). Nothing was saved.") from None
    raise CorpusError(f"{url} holds no {member}. Nothing was saved.")
