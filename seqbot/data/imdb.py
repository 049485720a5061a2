"""Reader for the Large Movie Review Dataset v1.0 (Maas et al. 2011): the official
`aclImdb_v1.tar.gz` or its extracted `aclImdb` folder, `{train,test}/{pos,neg}/<id>_<stars>.txt`.

    reviews = read_reviews("corpora/imdb/aclImdb_v1.tar.gz")    # 50,000 Reviews, a few seconds
    train = [r for r in reviews if r.split == "train"]           # 25,000, balanced

The unlabelled `train/unsup` reviews are skipped. The archive is read once, front to back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from seqbot.data.files import decode, is_tar, require, tar_members
from seqbot.errors import CorpusError

CORPUS = "imdb"
DEFAULT_FILE = Path("imdb") / "aclImdb_v1.tar.gz"
LABEL_NAMES = ("negative", "positive")
EXPECTED = "the aclImdb review tree (aclImdb_v1.tar.gz or a folder with {train,test}/{pos,neg}/<id>_<stars>.txt)"
_REVIEW = re.compile(r"(?:^|/)(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


@dataclass(frozen=True, slots=True)
class Review:
    text: str
    label: int  # 1 = positive (7-10 stars), 0 = negative (1-4 stars)
    rating: int  # stars, from the file name
    split: str  # "train" or "test"
    id: int


def read_reviews(path: str | Path, splits: tuple[str, ...] = ("train", "test"), line_breaks: bool = True,
                 sort: bool = True) -> list[Review]:
    """Labelled reviews sorted by (split, label, id). With `line_breaks` the reviews' HTML
    `<br />` tags become spaces, as the lecture's preprocessing does. With `sort=False` they stay
    in archive (or folder listing) order: the order the shipped IMDB classifier's data was drawn in."""
    path = require(path, EXPECTED, CORPUS)
    wanted = lambda name: (match := _REVIEW.search(name)) is not None and match.group(1) in splits
    if path.is_dir():
        files = [p for p in path.rglob("*.txt") if wanted(p.as_posix())]
        sources = ((p.as_posix(), p.read_bytes()) for p in files)
    elif is_tar(path):
        sources = tar_members(path, wanted, EXPECTED)
    else:
        raise CorpusError(f"{path}: expected {EXPECTED}")
    reviews = []
    for name, data in sources:
        split, polarity, review_id, stars = _REVIEW.search(name).groups()
        text = decode(data, f"{path} ({name})", "UTF-8 review text")
        if line_breaks:
            text = text.replace("<br />", " ")
        reviews.append(Review(text, 1 if polarity == "pos" else 0, int(stars), split, int(review_id)))
    if not reviews:
        raise CorpusError(f"{path} holds no labelled reviews; expected {EXPECTED}")
    if sort:
        reviews.sort(key=lambda review: (review.split != "train", review.label, review.id))
    return reviews
