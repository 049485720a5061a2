"""Reader for Reuters-21578 Distribution 1.0: the `reut2-000.sgm` ... `reut2-021.sgm` files,
from the official `reuters21578.tar.gz` or an extracted folder, plus Keras' 46-topic selection
and the ModApte split.

    articles = read_articles("corpora/reuters21578/reuters21578.tar.gz")   # 21,578 articles
    documents = keras_selection(articles)       # 11,228 TopicDocuments, label = index in KERAS_LABELS
    parts = keras_split(documents, seed=113)     # seeded 80/20: parts["train"], parts["test"]
    parts = modapte_split(articles)              # LEWISSPLIT train/test among TOPICS="YES"

The .sgm files are SGML, not XML: they hold control characters, `&#3;`-style entities and bytes
that are not UTF-8, so records are cut out with regular expressions and decoded as latin-1.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from seqbot.data.files import decode, is_tar, require, tar_members
from seqbot.errors import CorpusError

CORPUS = "reuters21578"
DEFAULT_FILE = Path("reuters21578") / "reuters21578.tar.gz"
EXPECTED = "Reuters-21578 reut2-NNN.sgm files (reuters21578.tar.gz or its extracted folder)"

# keras.datasets.reuters.get_label_names(), in label-index order.
KERAS_LABELS = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail",
    "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)

_SGM_NAME = re.compile(r"reut2-\d{3}\.sgm$")
_RECORD = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_TOPICS = re.compile(r"<TOPICS>(.*?)</TOPICS>", re.S)
_D = re.compile(r"<D>(.*?)</D>", re.S)
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_DATE = re.compile(r"<DATE>(.*?)</DATE>", re.S)
_TEXT = re.compile(r"<TEXT\b[^>]*>(.*?)</TEXT>", re.S)
_TAG = re.compile(r"<[^>]+>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


@dataclass(frozen=True, slots=True)
class NewsArticle:
    id: int  # NEWID
    topics: tuple[str, ...]
    title: str
    body: str
    lewis_split: str  # "TRAIN", "TEST" or "NOT-USED"
    has_topics: str  # the TOPICS attribute: "YES", "NO" or "BYPASS"
    date: str = ""

    @property
    def text(self) -> str:
        """Title and body, the text the classifiers read."""
        return f"{self.title}\n{self.body}" if self.title else self.body


@dataclass(frozen=True, slots=True)
class TopicDocument:
    text: str
    label: int  # index into label_names (KERAS_LABELS for the Keras selection)
    article: NewsArticle


def read_articles(path: str | Path, raw: bool = False) -> list[NewsArticle]:
    """Every article of the reut2-NNN.sgm files, in file then record order.

    With `raw`, title and body are the <TITLE> and <BODY> contents with entities decoded and
    nothing else done (no tag or control-character clean-up, no trimming, no <TEXT> fallback):
    the text the shipped Reuters classifier was trained and is evaluated on."""
    path = require(path, EXPECTED, CORPUS)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.sgm") if _SGM_NAME.search(p.name))
        sources = ((p.name, p.read_bytes()) for p in files)
    elif is_tar(path):
        sources = sorted(tar_members(path, lambda name: bool(_SGM_NAME.search(name)), EXPECTED))
    elif _SGM_NAME.search(path.name):
        sources = [(path.name, path.read_bytes())]
    else:
        raise CorpusError(f"{path}: expected {EXPECTED}")
    articles = []
    found_file = False
    for name, data in sources:
        found_file = True
        articles.extend(_parse_sgm(decode(data, name, EXPECTED, "latin-1"), path / name if path.is_dir() else path, raw))
    if not found_file:
        raise CorpusError(f"{path} holds no reut2-NNN.sgm files; expected {EXPECTED}")
    if not articles:
        raise CorpusError(f"{path} holds no <REUTERS> records; expected {EXPECTED}")
    return articles


def _clean(fragment: str) -> str:
    text = html.unescape(_TAG.sub(" ", fragment))
    # Bodies end in "Reuter" plus a control character (&#3;); other control characters are noise.
    text = _CONTROL.sub(" ", text)
    return text.strip()


def _parse_sgm(text: str, source: Path, raw: bool = False) -> list[NewsArticle]:
    clean = html.unescape if raw else _clean
    articles = []
    for attributes_text, record in _RECORD.findall(text):
        attributes = dict(_ATTRIBUTE.findall(attributes_text))
        if "NEWID" not in attributes:
            raise CorpusError(f"{source}: a <REUTERS> record without NEWID; expected {EXPECTED}")
        topics_block = _TOPICS.search(record)
        topics = tuple(_D.findall(topics_block.group(1))) if topics_block else ()
        title = _TITLE.search(record)
        body = _BODY.search(record)
        if body is None and title is None and not raw:
            # TYPE="UNPROC" / "BRIEF" records keep raw text in <TEXT> without <BODY>.
            body = _TEXT.search(record)
        date = _DATE.search(record)
        articles.append(NewsArticle(
            id=int(attributes["NEWID"]),
            topics=topics,
            title=clean(title.group(1)) if title else "",
            body=clean(body.group(1)) if body else "",
            lewis_split=attributes.get("LEWISSPLIT", ""),
            has_topics=attributes.get("TOPICS", ""),
            date=date.group(1).strip() if date else "",
        ))
    return articles


def keras_selection(articles: Iterable[NewsArticle], label_names: tuple[str, ...] = KERAS_LABELS) -> list[TopicDocument]:
    """Keras' `reuters` set: the articles whose FIRST topic is one of the 46 label names."""
    index = {name: i for i, name in enumerate(label_names)}
    return [TopicDocument(article.text, index[article.topics[0]], article)
            for article in articles if article.topics and article.topics[0] in index]


def keras_split(documents: list[TopicDocument], test_fraction: float = 0.2, seed: int = 113) -> dict[str, list[TopicDocument]]:
    """Seeded shuffle, then the last `test_fraction` is the test set (Keras' rule, seed 113 by default)."""
    order = list(documents)
    random.Random(seed).shuffle(order)
    cut = int(len(order) * (1 - test_fraction))
    return {"train": order[:cut], "test": order[cut:]}


def modapte_split(articles: Iterable[NewsArticle], with_topics_only: bool = False) -> dict[str, list[NewsArticle]]:
    """The ModApte split: TOPICS="YES" articles, LEWISSPLIT="TRAIN" (9,603) or "TEST" (3,299).
    `with_topics_only` keeps only articles with at least one topic (7,775 / 3,019)."""
    parts: dict[str, list[NewsArticle]] = {"train": [], "test": []}
    for article in articles:
        if article.has_topics != "YES" or (with_topics_only and not article.topics):
            continue
        if article.lewis_split == "TRAIN":
            parts["train"].append(article)
        elif article.lewis_split == "TEST":
            parts["test"].append(article)
    return parts
