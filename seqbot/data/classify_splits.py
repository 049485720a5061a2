"""The classifiers' corpus splits: exactly the train / test texts the shipped checkpoints were
trained and scored on, rebuilt from the seqbot.data readers (no TensorFlow).

    data = load_dataset("sms-spam")            # Dataset(train_texts, train_labels, test_texts, ...)
    files = corpus_files("imdb")               # what a run's metadata hashes

Each artifact records (corpus, seed); `seqbot eval classify` and `seqbot train classify` both
call `load_dataset`, so training and evaluation cannot disagree on the held-out texts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from seqbot.data import imdb, newsgroups, nsmc, reuters, sms_spam
from seqbot.data.splits import deduplicate, shuffled
from seqbot.errors import CorpusError, SeqbotError
from seqbot.paths import corpora_dir


@dataclass
class Dataset:
    corpus: str
    train_texts: list[str]
    train_labels: list[int]
    test_texts: list[str]
    test_labels: list[int]
    label_names: list[str]
    split: dict = field(default_factory=dict)


# --- datasets from the seqbot.data readers ---
# Each dataset is exactly what the shipped checkpoints were trained and scored on: their
# metadata records (corpus, seed) and `seqbot eval classify` rebuilds the held-out texts here.

def stratified_split(labels: list[int], test_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Indices (train, test): `test_fraction` of each class, seeded."""
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted(set(labels)):
        members = [i for i, y in enumerate(labels) if y == label]
        rng.shuffle(members)
        cut = round(len(members) * test_fraction)
        test.extend(members[:cut])
        train.extend(members[cut:])
    return sorted(train), sorted(test)


def spam_dataset(root: Path, seed: int = 0) -> Dataset:
    """De-duplicated messages, then a stratified 80/20 train/test split (the lecture's rule)."""
    messages = sms_spam.read_messages(root / sms_spam.DEFAULT_FILE)
    # The first copy of each text (its label), placed where its LAST copy is: the order the
    # shipped split was drawn from.
    last_copy = {message.text: position for position, message in enumerate(messages)}
    unique = sorted(sms_spam.deduplicate(messages), key=lambda message: last_copy[message.text])
    texts = [message.text for message in unique]
    labels = [int(message.is_spam) for message in unique]
    train, test = stratified_split(labels, 0.2, seed)
    return Dataset("sms-spam", [texts[i] for i in train], [labels[i] for i in train], [texts[i] for i in test],
                   [labels[i] for i in test], list(sms_spam.LABELS),
                   {"deduplicated": len(unique), "test_fraction": 0.2, "seed": seed})


def reuters_dataset(root: Path, seed: int = 113) -> Dataset:
    """Keras' 46-topic Reuters: documents whose first topic is one of the 46; shuffled, 20% test."""
    documents = reuters.keras_selection(reuters.read_articles(root / reuters.DEFAULT_FILE, raw=True))
    parts = reuters.keras_split(documents, test_fraction=0.2, seed=seed)

    def text(document: reuters.TopicDocument) -> str:  # title and body as the file holds them
        return " ".join(part for part in (document.article.title, document.article.body) if part)

    return Dataset("reuters21578", [text(d) for d in parts["train"]], [d.label for d in parts["train"]],
                   [text(d) for d in parts["test"]], [d.label for d in parts["test"]], list(reuters.KERAS_LABELS),
                   {"documents": len(documents), "test_fraction": 0.2, "seed": seed})


def imdb_reviews(root: Path, seed: int = 0) -> tuple[list[imdb.Review], list[imdb.Review]]:
    """(training reviews in the seeded order the recipes split them in, test reviews in archive order)."""
    path = root / imdb.DEFAULT_FILE
    reviews = imdb.read_reviews(path, sort=False)
    train = [review for review in reviews if review.split == "train"]
    test = [review for review in reviews if review.split == "test"]
    if not train or not test:
        raise CorpusError(f"{path} holds no aclImdb/{{train,test}}/{{pos,neg}}/*.txt reviews")
    return shuffled(train, seed), test  # the archive lists all negatives first; validation takes the tail


def imdb_dataset(root: Path, seed: int = 0) -> Dataset:
    """The official 25,000 / 25,000 train/test reviews of aclImdb (unlabelled reviews ignored)."""
    train, test = imdb_reviews(root, seed)
    return Dataset("imdb", [r.text for r in train], [r.label for r in train], [r.text for r in test],
                   [r.label for r in test], list(imdb.LABEL_NAMES), {"official": "25k train / 25k test", "seed": seed})


def nsmc_dataset(root: Path, seed: int = 0) -> Dataset:
    """ratings_train / ratings_test; the lecture drops duplicate and empty documents from training."""
    train = nsmc.read_ratings(root / nsmc.TRAIN_FILE)
    test = nsmc.read_ratings(root / nsmc.TEST_FILE)
    kept = deduplicate([rating for rating in train if rating.document.strip()], key=lambda rating: rating.document)
    kept = shuffled(kept, seed)
    return Dataset("nsmc", [r.document for r in kept], [r.label for r in kept], [r.document for r in test],
                   [r.label for r in test], list(nsmc.LABEL_NAMES),
                   {"train_deduplicated": len(kept), "test": "ratings_test.txt", "seed": seed})


def newsgroups_dataset(root: Path, seed: int = 0) -> Dataset:
    train = newsgroups.read_posts(root / newsgroups.TRAIN_FILE)
    test = newsgroups.read_posts(root / newsgroups.TEST_FILE)
    names = newsgroups.group_names(train)
    index = {name: i for i, name in enumerate(names)}
    return Dataset("20newsgroups", [p.text for p in train], [index[p.group] for p in train], [p.text for p in test],
                   [index[p.group] for p in test], names, {"official": "bydate train / test"})


CORPUS_READERS = {"sms-spam": spam_dataset, "reuters21578": reuters_dataset, "imdb": imdb_dataset,
                  "nsmc": nsmc_dataset, "20newsgroups": newsgroups_dataset}

CORPUS_FILES = {"sms-spam": [sms_spam.DEFAULT_FILE], "reuters21578": [reuters.DEFAULT_FILE], "imdb": [imdb.DEFAULT_FILE],
                "nsmc": [nsmc.TRAIN_FILE, nsmc.TEST_FILE], "20newsgroups": [newsgroups.TRAIN_FILE, newsgroups.TEST_FILE]}


def load_dataset(corpus: str, corpora: str | None = None, seed: int | None = None) -> Dataset:
    """The split of `corpus` (a CORPUS_READERS key) under the corpora folder; `seed` as the artifact records it."""
    if corpus not in CORPUS_READERS:
        raise SeqbotError(f"unknown classification corpus {corpus!r}; known: {', '.join(CORPUS_READERS)}")
    reader = CORPUS_READERS[corpus]
    root = corpora_dir(corpora)
    return reader(root) if seed is None else reader(root, seed)


def corpus_files(corpus: str, corpora: str | None = None) -> list[Path]:
    """The corpus files a split reads (hashed into each trained artifact's metadata)."""
    root = corpora_dir(corpora)
    return [root / name for name in CORPUS_FILES[corpus]]
