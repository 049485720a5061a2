"""Reader for tiny Shakespeare (karpathy/char-rnn `input.txt`): one plain UTF-8 text.

    text = read_text("corpora/tinyshakespeare/input.txt")    # 1,115,394 characters
"""

from __future__ import annotations

from pathlib import Path

from seqbot.data.files import read_text as _read_text
from seqbot.errors import CorpusError

CORPUS = "tinyshakespeare"
DEFAULT_FILE = Path("tinyshakespeare") / "input.txt"
EXPECTED = "tiny Shakespeare: a plain UTF-8 text file (karpathy/char-rnn input.txt)"


def read_text(path: str | Path) -> str:
    """The whole text, line endings normalised to \\n."""
    path = Path(path)
    if path.is_dir():
        path = path / "input.txt"
    text = _read_text(path, EXPECTED, corpus=CORPUS).replace("\r\n", "\n")
    if not text.strip():
        raise CorpusError(f"{path} is empty; expected {EXPECTED}")
    if "\x00" in text:
        raise CorpusError(f"{path} contains NUL bytes, so it is not plain text; expected {EXPECTED}")
    return text
