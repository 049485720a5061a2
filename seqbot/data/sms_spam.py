"""Reader for the SMS Spam Collection: the UCI file `SMSSpamCollection` (`ham<TAB>text`, one
message a line, no header) or Kaggle's `spam.csv` copy (columns v1,v2 plus three empty ones,
latin-1), and the lecture's de-duplication and 80/20 split.

    messages = read_messages("corpora/sms-spam/SMSSpamCollection")   # 5,574 messages
    unique = deduplicate(messages)                                     # 5,171: the lecture's drop_duplicates
    parts = split_messages(unique, test_fraction=0.2, seed=0)         # parts["train"], parts["test"]
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from seqbot.data.files import decode, require
from seqbot.data.splits import deduplicate as _first_of_each, split_by_key
from seqbot.errors import CorpusError

CORPUS = "sms-spam"
DEFAULT_FILE = Path("sms-spam") / "SMSSpamCollection"
LABELS = ("ham", "spam")
EXPECTED = "the UCI SMSSpamCollection (ham|spam<TAB>text per line) or Kaggle's spam.csv (v1,v2 columns)"


@dataclass(frozen=True, slots=True)
class SmsMessage:
    label: str  # "ham" or "spam"
    text: str

    @property
    def is_spam(self) -> bool:
        return self.label == "spam"


def read_messages(path: str | Path) -> list[SmsMessage]:
    """Every message in file order; the format is recognised from the content."""
    path = require(path, EXPECTED, CORPUS)
    if path.is_dir():
        path = require(path / "SMSSpamCollection", EXPECTED, CORPUS)
    data = path.read_bytes()
    if data.startswith((b"v1,v2", b"\xef\xbb\xbfv1,v2")):
        # Kaggle's copy is latin-1 (it holds bytes such as 0x92 that are not UTF-8).
        return _parse_kaggle(decode(data, path, EXPECTED, "latin-1"), path)
    return _parse_uci(decode(data, path, EXPECTED), path)


def _parse_uci(text: str, path: Path) -> list[SmsMessage]:
    messages = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label, tab, message = line.partition("\t")
        if not tab or label not in LABELS:
            raise CorpusError(f"{path}:{number}: expected 'ham<TAB>text' or 'spam<TAB>text', got {line[:60]!r}")
        messages.append(SmsMessage(label, message))
    if not messages:
        raise CorpusError(f"{path} holds no messages; expected {EXPECTED}")
    return messages


def _parse_kaggle(text: str, path: Path) -> list[SmsMessage]:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    messages = []
    try:
        next(rows)
        for row in rows:
            if not row:
                continue
            label = row[0]
            if label not in LABELS or len(row) < 2:
                raise CorpusError(f"{path}:{rows.line_num}: expected a ham/spam label in column v1 and the text in v2, "
                                  f"got {row[:2]}")
            # Some messages contain commas that Kaggle's export left in the empty trailing columns.
            messages.append(SmsMessage(label, ",".join(field for field in row[1:] if field) if len(row) > 2 else row[1]))
    except csv.Error as error:
        raise CorpusError(f"{path}:{rows.line_num}: not valid CSV ({error}); expected {EXPECTED}") from None
    if not messages:
        raise CorpusError(f"{path} holds no messages; expected {EXPECTED}")
    return messages


def deduplicate(messages: list[SmsMessage]) -> list[SmsMessage]:
    """The first occurrence of each message text (pandas' drop_duplicates on the text column)."""
    return _first_of_each(messages, key=lambda message: message.text)


def split_messages(messages: list[SmsMessage], test_fraction: float = 0.2, seed: int = 0) -> dict[str, list[SmsMessage]]:
    """Seeded train/test split by message text, so no test message is also in training."""
    return split_by_key(messages, key=lambda message: message.text, fractions={"test": test_fraction}, seed=seed)
