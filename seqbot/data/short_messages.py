"""Chat-length pieces of reviews: the sentences and clauses of at most a dozen words that a person
might type as a message, cut from whole reviews and labelled by the review they come from.

    pieces = snippets("Great cast. The plot, however, drags on and on in the middle hour.")
    # ['Great cast.', 'The plot, however, drags on and on in the middle hour.']
    messages = imdb_short_messages(test_reviews)      # the short-message test set (seeded, balanced)
    texts, labels = crops(train_texts, train_labels, per_text=3, seed=0)   # extra training examples

Two uses: `seqbot eval sentiment` scores classifiers on short messages from IMDB's *test* reviews
(strongly rated ones only: 1-2 or 9-10 stars, so that the review's label is the piece's likely
label), and the IMDB recipes with `crops_per_text` add pieces of the *training* reviews as extra
examples so that the model has seen one-line texts. A piece's label is its review's: some pieces
are neutral ("I saw it on a Tuesday."), which is why the test set has a hand-checked sample
(seqbot/data/imdb_short_checked.tsv) that says which pieces carry their review's sentiment.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

MAX_WORDS = 12
MIN_WORDS = 3
STRONG_NEGATIVE, STRONG_POSITIVE = 2, 9  # stars: at most / at least
SET_SIZE = 2000  # short messages in the test set, half of each label
SET_SEED = 0

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_CLAUSE_BREAK = re.compile(r"\s*[;:]\s+|,\s+|\s+--?\s+|\s*\u2014\s*")
_LETTERS = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True, slots=True)
class ShortMessage:
    text: str
    label: int  # the review's: 1 positive, 0 negative
    review: str  # "test/pos/123_9": where it comes from (the file's name in the archive, without .txt)
    index: int  # which of the review's snippets

    @property
    def fingerprint(self) -> str:
        """A short hash of the text: the hand-checked sample stores this, never the text itself."""
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:10]


def sentences(text: str) -> list[str]:
    """The text split after . ! ? where the next sentence starts with a capital, digit or quote."""
    return [part.strip() for part in _SENTENCE_END.split(" ".join(text.split())) if part.strip()]


def is_message(piece: str, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> bool:
    words = piece.split()
    return min_words <= len(words) <= max_words and len(_LETTERS.findall(piece)) >= min(2, len(words))


def snippets(text: str, max_words: int = MAX_WORDS, min_words: int = MIN_WORDS) -> list[str]:
    """The text's short pieces in order: each sentence of `min_words`..`max_words` words, and the
    clauses (cut at , ; : and dashes) of that length from longer sentences."""
    pieces = []
    for sentence in sentences(text):
        if len(sentence.split()) <= max_words:
            if is_message(sentence, min_words, max_words):
                pieces.append(sentence)
            continue
        for clause in _CLAUSE_BREAK.split(sentence):
            clause = clause.strip()
            if is_message(clause, min_words, max_words):
                pieces.append(clause)
    return pieces


def crops(texts: list[str], labels: list[int], per_text: int, seed: int = 0,
          max_words: int = MAX_WORDS) -> tuple[list[str], list[int]]:
    """Up to `per_text` distinct snippets of each text, each labelled as its text (seeded)."""
    rng = random.Random(seed)
    out_texts, out_labels = [], []
    for text, label in zip(texts, labels):
        pieces = snippets(text, max_words)
        for piece in rng.sample(pieces, min(per_text, len(pieces))):
            out_texts.append(piece)
            out_labels.append(label)
    return out_texts, out_labels


def imdb_short_messages(reviews, size: int = SET_SIZE, seed: int = SET_SEED, split: str = "test") -> list[ShortMessage]:
    """The short-message test set: one seeded snippet from each of `size` strongly rated test reviews
    (half positive, half negative), in a seeded order (the hand-checked sample is its head).
    `reviews` are seqbot.data.imdb.Review objects; only those of `split` are used (the calibration
    sample passes the training reviews that validate: see validation_reviews)."""
    rng = random.Random(seed)
    by_label: dict[int, list[ShortMessage]] = {0: [], 1: []}
    strong = [r for r in reviews if r.split == split and (r.rating <= STRONG_NEGATIVE or r.rating >= STRONG_POSITIVE)]
    for review in sorted(strong, key=lambda r: (r.label, r.id)):
        pieces = snippets(review.text)
        if pieces:
            index = rng.randrange(len(pieces))
            folder = "pos" if review.label == 1 else "neg"
            by_label[review.label].append(ShortMessage(pieces[index], review.label,
                                                       f"{split}/{folder}/{review.id}_{review.rating}", index))
    half = size // 2
    if min(len(by_label[0]), len(by_label[1])) < half:
        raise ValueError(f"only {len(by_label[0])} negative and {len(by_label[1])} positive strongly rated {split} reviews "
                         f"have a short snippet; a set of {size} needs {half} of each")
    chosen = rng.sample(by_label[0], half) + rng.sample(by_label[1], half)
    rng.shuffle(chosen)
    return chosen


CHECKED_FILE = Path(__file__).with_name("imdb_short_checked.tsv")
# The same reading of snippets from the training reviews that validate the shipped recipe: what its
# short-message temperature is fitted on (seqbot.evaluation.calibration), never the test sample.
VALIDATION_CHECKED_FILE = Path(__file__).with_name("imdb_short_validation_checked.tsv")
VALIDATION_SET_SIZE = 300
HAND_LABELS = {"negative": 0, "positive": 1, "neither": None}


@dataclass(frozen=True, slots=True)
class CheckedMessage:
    message: ShortMessage
    hand_label: int | None  # what the snippet alone says: 1 positive, 0 negative, None neither


def hand_checked(messages: list[ShortMessage], path: str | Path = CHECKED_FILE) -> tuple[list[CheckedMessage], int]:
    """The hand-checked rows of `path` matched to `messages` by (review, index) and text fingerprint:
    (the matched rows in file order, how many rows did not match: a different copy of the corpus)."""
    by_key = {(m.review, m.index): m for m in messages}
    checked, unmatched = [], 0
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("review\t"):
            continue
        review, index, fingerprint, hand_label = line.split("\t")
        if hand_label not in HAND_LABELS:
            raise ValueError(f"{path}: hand label {hand_label!r} is not one of {', '.join(HAND_LABELS)}")
        message = by_key.get((review, int(index)))
        if message is None or message.fingerprint != fingerprint:
            unmatched += 1
            continue
        checked.append(CheckedMessage(message, HAND_LABELS[hand_label]))
    return checked, unmatched
