"""fra-eng reader: the zip layouts, plain fra.txt, 2 or 3 columns, and clear errors on bad files."""

from __future__ import annotations

import zipfile

import pytest

from seqbot.data import fra_eng
from seqbot.data.fra_eng import TranslationPair, held_out_pairs, locate, read_pairs
from seqbot.errors import CorpusError


@pytest.fixture()
def fixture(fixtures_dir):
    return fixtures_dir / "fra_eng"


def test_plain_file_zip_and_official_zip_read_the_same_pairs(fixture):
    plain = read_pairs(fixture / "fra.txt")
    assert read_pairs(fixture / "fra-eng.zip") == plain
    assert read_pairs(fixture / "official" / "fra-eng.zip") == plain  # 3 columns, CRLF, fra.txt at the root
    assert len(plain) == 33  # the blank line is skipped
    assert plain[0] == TranslationPair("Go.", "Va !")
    assert [p.french for p in plain if p.english == "He ignored me."] == ["Il m'a ignoré.", "Il m'ignora.", "Il m'a ignorée."]


def test_text_is_normalised_like_the_engine_does(fixture):
    pairs = read_pairs(fixture / "fra.txt")
    run = next(p for p in pairs if p.english == "Run!")
    assert run.french == "Cours !"  # the narrow no-break space became a plain space
    assert all("\t" not in p.english + p.french and p.french == p.french.strip() for p in pairs)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        read_pairs(tmp_path / "fra-eng.zip")


def test_corrupt_zip(tmp_path):
    bad = tmp_path / "fra-eng.zip"
    bad.write_bytes(b"PK\x03\x04 truncated download")
    with pytest.raises(CorpusError, match="not a readable zip"):
        read_pairs(bad)


def test_zip_without_fra_txt(tmp_path):
    path = tmp_path / "fra-eng.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("deu.txt", "Go.\tGeh.\n")
        archive.writestr("__MACOSX/fra.txt", "junk")
    with pytest.raises(CorpusError, match="no fra.txt"):
        read_pairs(path)


def test_wrong_column_count_names_the_line(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text("Go.\tVa !\nHi. Salut !\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="line 2: expected English<TAB>French"):
        read_pairs(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_bytes("Go.\tVa à la plage\n".encode("latin-1"))
    with pytest.raises(CorpusError, match="UTF-8"):
        read_pairs(path)


def test_empty_file(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no English<TAB>French pairs"):
        read_pairs(path)


def test_locate_and_held_out_pairs_rebuild_the_same_split(fixture, tmp_path):
    (tmp_path / "fra-eng").mkdir()
    (tmp_path / "fra-eng" / "fra-eng.zip").write_bytes((fixture / "fra-eng.zip").read_bytes())
    assert locate(tmp_path) == tmp_path / "fra-eng" / "fra-eng.zip"
    split = {"corpus": fra_eng.CORPUS, "seed": 3, "test_fraction": 0.2, "validation_fraction": 0.1,
             "max_english_length": 40, "max_french_length": 60}
    parts = fra_eng.split_pairs(read_pairs(locate(tmp_path)), split)
    test = held_out_pairs(split, tmp_path)
    assert test == parts["test"] and test  # same pairs, same order, without TensorFlow
    assert held_out_pairs(split, tmp_path, part="validation") == parts["validation"]
    kept = sum(len(v) for v in parts.values())
    assert kept == 32  # the long last line is over the length limits
    assert not {p.english for p in test} & {p.english for p in parts["train"]}


def test_locate_without_corpus(tmp_path):
    with pytest.raises(CorpusError, match="fra-eng corpus not found"):
        locate(tmp_path)


def test_real_corpus_counts(real_corpora):
    pairs = read_pairs(locate(real_corpora))
    assert len(pairs) == 167_130
    assert pairs[0] == TranslationPair("Go.", "Va !")
