"""Shared file handling for the corpus readers: existence checks, strict decoding and
sequential reading of tar.gz archives, each failure turned into one CorpusError that names
the file and says what was expected.

    path = require(path, "UCI SMSSpamCollection (ham/spam<TAB>text)", corpus="sms-spam")
    text = read_text(path, "UCI SMSSpamCollection")
    for name, data in tar_members(archive, lambda name: name.endswith(".sgm")): ...
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from seqbot.errors import CorpusError


def require(path: str | Path, expected: str, corpus: str | None = None) -> Path:
    """The path if it exists, else a CorpusError saying what should be there and how to get it."""
    path = Path(path)
    if not path.exists():
        hint = f"; run `seqbot data fetch {corpus}` or pass --corpora DIR" if corpus else ""
        raise CorpusError(f"{path} not found: expected {expected}{hint}")
    return path


def decode(data: bytes, path: str | Path, expected: str, encoding: str = "utf-8") -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"{path} is not {encoding} text (byte {error.start}: {data[error.start:error.start + 8]!r}); "
            f"expected {expected}"
        ) from None


def read_text(path: str | Path, expected: str, encoding: str = "utf-8", corpus: str | None = None) -> str:
    path = require(path, expected, corpus)
    if path.is_dir():
        raise CorpusError(f"{path} is a folder; expected a file: {expected}")
    return decode(path.read_bytes(), path, expected, encoding)


def is_tar(path: Path) -> bool:
    return path.is_file() and path.name.endswith((".tar.gz", ".tgz", ".tar"))


def tar_members(path: Path, wanted: Callable[[str], bool], expected: str) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of the wanted regular files, reading the archive once, in stream
    order (random access into a .tar.gz re-decompresses from the start: minutes instead of seconds)."""
    try:
        with tarfile.open(path, mode="r|*") as archive:
            for member in archive:
                if member.isfile() and wanted(member.name):
                    yield member.name, archive.extractfile(member).read()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise CorpusError(
            f"{path} is not a readable tar archive ({(str(error).splitlines() or [type(error).__name__])[0]}); it may be truncated "
            f"or corrupt: expected {expected}"
        ) from None
