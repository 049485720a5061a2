"""Reader for the Naver sentiment movie corpus (NSMC v1.0 format): `ratings_train.txt` and
`ratings_test.txt`, a header `id<TAB>document<TAB>label`, then one review a line
(label 0 = negative, 1 = positive). Some documents are empty, as in the original.

    train = read_ratings("corpora/nsmc/ratings_train.txt")   # 150,000 Ratings
    test = read_ratings("corpora/nsmc/ratings_test.txt")     # 50,000
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seqbot.data.files import read_text
from seqbot.errors import CorpusError

CORPUS = "nsmc"
TRAIN_FILE = Path("nsmc") / "ratings_train.txt"
TEST_FILE = Path("nsmc") / "ratings_test.txt"
LABEL_NAMES = ("negative", "positive")
EXPECTED = "an NSMC ratings file (UTF-8, header id<TAB>document<TAB>label, label 0 or 1)"


@dataclass(frozen=True, slots=True)
class Rating:
    id: str
    document: str  # may be empty
    label: int


def read_ratings(path: str | Path) -> list[Rating]:
    text = read_text(path, EXPECTED, corpus=CORPUS)
    lines = text.splitlines()
    if not lines or lines[0].lstrip("\ufeff").split("\t") != ["id", "document", "label"]:
        first = lines[0][:60] if lines else ""
        raise CorpusError(f"{path}: expected the header 'id<TAB>document<TAB>label', got {first!r}")
    ratings = []
    for number, line in enumerate(lines[1:], 2):
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != 3 or fields[2] not in ("0", "1"):
            raise CorpusError(f"{path}:{number}: expected 'id<TAB>document<TAB>label (0 or 1)', got {line[:60]!r}")
        ratings.append(Rating(fields[0], fields[1], int(fields[2])))
    return ratings
