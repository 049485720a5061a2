"""Damaged corpus files: every reader either reads them or raises one CorpusError naming the file,
never another exception (which the CLI would show as a traceback). Seeded mutations of the
original-format fixtures (cut short, bytes overwritten, stray tabs / carriage returns / quotes
inserted), plus the cases that once escaped as csv.Error."""

from __future__ import annotations

import random

import pytest

from seqbot.data import dialogue, newsgroups, nsmc, reuters, shakespeare, sms_spam
from seqbot.errors import CorpusError

READERS = [
    (sms_spam.read_messages, "sms-spam/SMSSpamCollection"),
    (sms_spam.read_messages, "sms-spam/spam.csv"),
    (nsmc.read_ratings, "nsmc/ratings_train.txt"),
    (newsgroups.read_posts, "20newsgroups/20newsgroups-train.tab"),
    (dialogue.read_friends, "friends/friends-transcripts.tab"),
    (dialogue.read_chatterbot, "chatterbot/greetings.yml"),
    (reuters.read_articles, "reuters21578/reut2-000.sgm"),
    (shakespeare.read_text, "tinyshakespeare/input.txt"),
]
INSERTS = [b"\t", b"\n", b"\r", b'"', b"\x00", b"<", b"\xff", b"\xe9"]


def mutations(data: bytes, count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        damaged = bytearray(data)
        kind = rng.randrange(3)
        if kind == 0:
            damaged = damaged[: rng.randrange(len(damaged) + 1)]
        elif kind == 1:
            for _ in range(rng.randint(1, 4)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        else:
            at = rng.randrange(len(damaged))
            damaged[at:at] = b"".join(rng.choice(INSERTS) for _ in range(rng.randint(1, 3)))
        yield bytes(damaged)


@pytest.mark.parametrize("reader, relative", READERS, ids=[relative for _, relative in READERS])
def test_damaged_files_give_a_corpus_error_or_records(fixtures_dir, tmp_path, reader, relative):
    original = (fixtures_dir / "data" / relative).read_bytes()
    target = tmp_path / relative.rsplit("/", 1)[1]
    errors = 0
    for damaged in mutations(original, count=120, seed=len(relative)):
        target.write_bytes(damaged)
        try:
            reader(target)
        except CorpusError as error:
            errors += 1
            assert target.name in str(error)
    assert errors > 0  # the mutations do reach the error paths


def test_stray_carriage_return_in_kaggle_csv_is_a_corpus_error(tmp_path):
    path = tmp_path / "spam.csv"
    path.write_bytes(b"v1,v2,,,\nham,Ok lar\rJoking,,,\n")
    with pytest.raises(CorpusError, match=r"spam.csv:\d+: not valid CSV.*spam.csv \(v1,v2 columns\)"):
        sms_spam.read_messages(path)


def test_friends_quote_with_a_carriage_return_still_reads(tmp_path):
    path = tmp_path / "friends-transcripts.tab"
    rows = ["\t".join(dialogue.COLUMNS), "discrete\t" * 5 + "string", "meta\t" * 5 + "",
            "01\t01\t0101\tThe Pilot\tMonica\tThere's nothing\rto tell!",
            "01\t01\t0101\tThe Pilot\tJoey\tC'mon!"]
    path.write_bytes("\r\n".join(rows).encode("utf-8") + b"\r\n")
    lines = dialogue.read_friends(path)
    assert [line.quote for line in lines] == ["There's nothing to tell!", "C'mon!"]
    assert [line.author for line in lines] == ["Monica", "Joey"]
