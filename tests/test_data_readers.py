"""Corpus readers on tiny fixture files in each original format (tests/fixtures/data)."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest

from seqbot.data import imdb, newsgroups, nsmc, reuters, sms_spam
from seqbot.errors import CorpusError


@pytest.fixture(scope="module")
def data(fixtures_dir) -> Path:
    return fixtures_dir / "data"


def make_tar(folder: Path, archive: Path, arcname: str | None = None) -> Path:
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=arcname or folder.name)
    return archive


# --- SMS spam ---

def test_sms_uci_reads_every_line_and_deduplicates_by_text(data):
    messages = sms_spam.read_messages(data / "sms-spam" / "SMSSpamCollection")
    assert [m.label for m in messages] == ["ham", "ham", "spam", "ham", "spam", "ham"]
    assert "£900" in messages[4].text and messages[4].is_spam
    unique = sms_spam.deduplicate(messages)
    assert len(unique) == 5 and unique[1] is messages[1]


def test_sms_kaggle_csv_is_latin1_with_quoted_commas(data):
    messages = sms_spam.read_messages(data / "sms-spam" / "spam.csv")
    assert len(messages) == 5
    assert messages[0].text.startswith("Go until jurong point, crazy")
    assert "£900" in messages[2].text and messages[2].label == "spam"
    assert messages[3].text == "I\x92m gonna be home soon"
    assert len(sms_spam.deduplicate(messages)) == 4


def test_sms_split_keeps_texts_on_one_side(data):
    messages = sms_spam.read_messages(data / "sms-spam" / "SMSSpamCollection") * 3
    parts = sms_spam.split_messages(messages, test_fraction=0.4, seed=3)
    assert {m.text for m in parts["train"]}.isdisjoint(m.text for m in parts["test"])
    assert parts == sms_spam.split_messages(messages, test_fraction=0.4, seed=3)


def test_sms_bad_inputs_name_the_file(tmp_path, data):
    with pytest.raises(CorpusError, match="not found.*sms-spam"):
        sms_spam.read_messages(tmp_path / "SMSSpamCollection")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("label,text\nham,hello\n")
    with pytest.raises(CorpusError, match=r"wrong.txt:1: expected 'ham<TAB>text'"):
        sms_spam.read_messages(wrong)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("ham\tI\x92m home\n".encode("latin-1"))
    with pytest.raises(CorpusError, match="latin.txt is not utf-8"):
        sms_spam.read_messages(latin)


# --- Reuters ---

def test_reuters_folder_parses_sgml_records(data):
    articles = reuters.read_articles(data / "reuters21578")
    assert [a.id for a in articles] == [1, 2, 3, 4, 5, 6, 7, 8]
    first, second = articles[0], articles[1]
    assert first.topics == ("cocoa",) and first.title == "BAHIA COCOA REVIEW"
    assert "<BAHIA>" in first.body and first.body.endswith("Reuter") and "\x03" not in first.body
    assert second.title == "AMERICAN EXPRESS <AXP> PROFIT" and second.topics == ("earn", "acq")
    assert articles[4].body.startswith("Café owners")  # a latin-1 byte, as in the real files
    assert articles[6].title == "BRIEF ONLY TITLE" and articles[6].topics == ()
    assert (articles[0].lewis_split, articles[0].has_topics) == ("TRAIN", "YES")


def test_reuters_keras_selection_uses_the_first_topic(data):
    documents = reuters.keras_selection(reuters.read_articles(data / "reuters21578"))
    assert len(reuters.KERAS_LABELS) == len(set(reuters.KERAS_LABELS)) == 46
    assert [d.article.id for d in documents] == [1, 2, 5, 6, 8]  # 3: no topic, 4: first topic "jet"
    assert [reuters.KERAS_LABELS[d.label] for d in documents] == ["cocoa", "earn", "grain", "lead", "money-fx"]
    parts = reuters.keras_split(documents, test_fraction=0.2, seed=113)
    assert len(parts["train"]) == 4 and len(parts["test"]) == 1
    assert parts == reuters.keras_split(documents, seed=113)
    assert sorted(d.article.id for d in parts["train"] + parts["test"]) == [1, 2, 5, 6, 8]


def test_reuters_modapte_split(data):
    parts = reuters.modapte_split(reuters.read_articles(data / "reuters21578"))
    assert [a.id for a in parts["train"]] == [1, 2]  # 3 has TOPICS="NO"
    assert [a.id for a in parts["test"]] == [4, 5]  # 7: TOPICS="NO", 8: BYPASS, 6: NOT-USED
    assert [a.id for a in reuters.modapte_split(reuters.read_articles(data / "reuters21578"), True)["train"]] == [1, 2]


def test_reuters_tar_matches_folder_and_truncated_tar_fails(tmp_path, data):
    archive = tmp_path / "reuters21578.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted((data / "reuters21578").iterdir()):
            tar.add(path, arcname=f"./{path.name}")
    assert reuters.read_articles(archive) == reuters.read_articles(data / "reuters21578")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CorpusError, match="cut.tar.gz is not a readable tar archive.*truncated"):
        reuters.read_articles(cut)


def test_reuters_bad_inputs(tmp_path):
    with pytest.raises(CorpusError, match="holds no reut2-NNN.sgm"):
        reuters.read_articles(tmp_path)
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(CorpusError, match="notes.txt: expected Reuters-21578"):
        reuters.read_articles(other)
    not_a_tar = tmp_path / "reuters21578.tar.gz"
    not_a_tar.write_text("<html>404 Not Found</html>")
    with pytest.raises(CorpusError, match="reuters21578.tar.gz is not a readable tar archive"):
        reuters.read_articles(not_a_tar)
    empty = tmp_path / "reut2-000.sgm"
    empty.write_text("<html>no records</html>")
    with pytest.raises(CorpusError, match="no <REUTERS> records"):
        reuters.read_articles(empty)


# --- IMDB ---

def test_imdb_folder_reads_labels_ratings_and_skips_unsup(data):
    reviews = imdb.read_reviews(data / "imdb" / "aclImdb")
    assert [(r.split, r.label, r.id, r.rating) for r in reviews] == [
        ("train", 0, 2, 1), ("train", 0, 10, 4), ("train", 1, 0, 9), ("train", 1, 1, 7),
        ("test", 0, 4, 2), ("test", 1, 3, 10)]
    assert reviews[2].text == "A wonderful film.  I loved it."
    raw = imdb.read_reviews(data / "imdb", splits=("train",), line_breaks=False)
    assert len(raw) == 4 and "<br />" in raw[2].text


def test_imdb_tar_matches_folder_and_bad_archives_fail(tmp_path, data):
    archive = make_tar(data / "imdb" / "aclImdb", tmp_path / "aclImdb_v1.tar.gz")
    assert imdb.read_reviews(archive) == imdb.read_reviews(data / "imdb" / "aclImdb")
    cut = tmp_path / "aclImdb_cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[:-200])
    with pytest.raises(CorpusError, match="aclImdb_cut.tar.gz is not a readable tar archive"):
        imdb.read_reviews(cut)
    empty = make_tar(data / "nsmc", tmp_path / "other.tar.gz")
    with pytest.raises(CorpusError, match="other.tar.gz holds no labelled reviews"):
        imdb.read_reviews(empty)


def test_imdb_non_utf8_review_is_named(tmp_path, data):
    tree = tmp_path / "aclImdb"
    shutil.copytree(data / "imdb" / "aclImdb", tree)
    (tree / "test" / "pos" / "3_10.txt").write_bytes(b"caf\xe9")
    with pytest.raises(CorpusError, match=r"3_10.txt.*is not utf-8"):
        imdb.read_reviews(tree)


# --- NSMC ---

def test_nsmc_reads_rows_including_empty_documents(data):
    train = nsmc.read_ratings(data / "nsmc" / "ratings_train.txt")
    assert [r.label for r in train] == [0, 1, 0, 0]
    assert train[0] == nsmc.Rating("9976970", "아 더빙.. 진짜 짜증나네요 목소리", 0)
    assert train[2].document == ""


def test_nsmc_bad_inputs(tmp_path):
    no_header = tmp_path / "ratings_train.txt"
    no_header.write_text("1\thello\t0\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="ratings_train.txt: expected the header"):
        nsmc.read_ratings(no_header)
    bad_label = tmp_path / "bad.txt"
    bad_label.write_text("id\tdocument\tlabel\n1\thello\t5\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad.txt:2: expected"):
        nsmc.read_ratings(bad_label)
    cp949 = tmp_path / "cp949.txt"
    cp949.write_bytes("id\tdocument\tlabel\n1\t좋아요\t1\n".encode("cp949"))
    with pytest.raises(CorpusError, match="cp949.txt is not utf-8"):
        nsmc.read_ratings(cp949)
    with pytest.raises(CorpusError, match="nsmc"):
        nsmc.read_ratings(tmp_path / "missing.txt")


# --- 20 Newsgroups ---

def test_newsgroups_tab_format(data):
    posts = newsgroups.read_posts(data / "20newsgroups" / "20newsgroups-train.tab")
    assert [(p.group, p.split) for p in posts] == [("alt.atheism", "train"), ("sci.space", "train"), ("alt.atheism", "train")]
    assert posts[1].text == "the shuttle launch was delayed again"
    assert newsgroups.group_names(posts) == ["alt.atheism", "sci.space"]


def test_newsgroups_bydate_folder_and_tar(tmp_path, data):
    tree = data / "20newsgroups" / "20news-bydate"
    posts = newsgroups.read_posts(tree)
    assert [(p.split, p.group, p.id) for p in posts] == [
        ("train", "alt.atheism", 49960), ("train", "sci.space", 59848), ("test", "sci.space", 61000)]
    assert "café" in posts[0].text
    archive = tmp_path / "20news-bydate.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for child in sorted(tree.iterdir()):
            tar.add(child, arcname=child.name)
    assert newsgroups.read_posts(archive) == posts


def test_newsgroups_bad_inputs(tmp_path, data):
    wrong = tmp_path / "20newsgroups-train.tab"
    wrong.write_text("label,text\n")
    with pytest.raises(CorpusError, match="expected the orange3 header"):
        newsgroups.read_posts(wrong)
    with pytest.raises(CorpusError, match="holds no <split>/<group>/<id> posts"):
        newsgroups.read_posts(tmp_path)
