"""Reader for the Anki / Tatoeba English-French pairs (manythings.org `fra-eng.zip`).

Reads the official zip (`fra.txt` anywhere inside it; `__MACOSX` entries ignored) or a plain
`fra.txt`. Each line is `English<TAB>French`, and newer releases add a third attribution column.

    pairs = read_pairs("corpora/fra-eng/fra-eng.zip")
    test_pairs = held_out_pairs(artifact.metadata["split"], corpora=None)
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from seqbot.data.splits import split_by_key
from seqbot.data.text import normalise
from seqbot.errors import CorpusError
from seqbot.paths import corpora_dir

CORPUS = "fra-eng"
DEFAULT_FILE = Path("fra-eng") / "fra-eng.zip"


@dataclass(frozen=True, slots=True)
class TranslationPair:
    english: str
    french: str


def read_pairs(path: str | Path) -> list[TranslationPair]:
    """All pairs in file order, whitespace-normalised. Raises CorpusError on a bad file."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"fra-eng corpus not found at {path}; expected fra-eng.zip or fra.txt (run `seqbot data fetch fra-eng`)")
    if zipfile.is_zipfile(path):
        text = _read_from_zip(path)
    elif path.suffix == ".zip":
        raise CorpusError(f"{path} is not a readable zip archive (truncated or corrupt download?)")
    else:
        text = _decode(path.read_bytes(), path)
    return _parse(text, path)


def _read_from_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == "fra.txt" and not n.startswith("__MACOSX")]
            if not names:
                raise CorpusError(f"{path} holds no fra.txt (found: {', '.join(archive.namelist()[:5])})")
            return _decode(archive.read(names[0]), path)
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise CorpusError(f"{path} is a damaged zip archive ({error})") from None


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(f"{path}: fra.txt must be UTF-8 ({error.reason} at byte {error.start})") from None


def _parse(text: str, path: Path) -> list[TranslationPair]:
    pairs = []
    for number, line in enumerate(io.StringIO(text), start=1):
        line = line.rstrip("\r\n")
        if not line:
            continue
        columns = line.split("\t")
        if len(columns) not in (2, 3):
            raise CorpusError(f"{path}, line {number}: expected English<TAB>French[<TAB>attribution], got {len(columns)} column(s)")
        english, french = normalise(columns[0]), normalise(columns[1])
        if english and french:
            pairs.append(TranslationPair(english, french))
    if not pairs:
        raise CorpusError(f"{path} holds no English<TAB>French pairs")
    return pairs


def locate(corpora: str | Path | None = None) -> Path:
    """The fra-eng file in the corpora folder: the zip, or a plain fra.txt beside it."""
    folder = corpora_dir(corpora)
    for candidate in (folder / DEFAULT_FILE, folder / "fra-eng" / "fra.txt", folder / "fra.txt"):
        if candidate.exists():
            return candidate
    raise CorpusError(f"fra-eng corpus not found in {folder} (looked for {DEFAULT_FILE}); run `seqbot data fetch fra-eng` or pass --corpora")


def filter_lengths(pairs: list[TranslationPair], max_english: int, max_french: int) -> list[TranslationPair]:
    return [p for p in pairs if len(p.english) <= max_english and len(p.french) <= max_french]


def split_pairs(pairs: list[TranslationPair], split: dict) -> dict[str, list[TranslationPair]]:
    """train / validation / test by unique English sentence, as recorded in `split`."""
    kept = filter_lengths(pairs, split["max_english_length"], split["max_french_length"])
    return split_by_key(
        kept,
        key=lambda pair: pair.english,
        fractions={"test": split["test_fraction"], "validation": split["validation_fraction"]},
        seed=split["seed"],
    )


def held_out_pairs(split: dict, corpora: str | Path | None = None, part: str = "test") -> list[TranslationPair]:
    """Rebuild a checkpoint's held-out pairs from the corpus and its recorded split (no TensorFlow):
    the novel split (seqbot.data.novel_split) when the record says kind "novel", else by English sentence."""
    pairs = read_pairs(locate(corpora))
    if split.get("kind") == "novel":
        from seqbot.data.novel_split import NovelSplit, novel_split

        fields = {key: value for key, value in split.items() if key in NovelSplit.__dataclass_fields__}
        return novel_split(pairs, NovelSplit(**fields))[part]
    return split_pairs(pairs, split)[part]
