"""tiny Shakespeare, Friends transcripts and chatterbot-corpus YAML: fixtures in the original
formats, the installed chatterbot-corpus package, and the real files when $SEQBOT_CORPORA is set."""

from __future__ import annotations

import pytest

from seqbot.data import dialogue, shakespeare
from seqbot.errors import CorpusError


@pytest.fixture(scope="module")
def data(fixtures_dir):
    return fixtures_dir / "data"


def test_shakespeare_reads_plain_text(data, tmp_path):
    text = shakespeare.read_text(data / "tinyshakespeare" / "input.txt")
    assert text.startswith("First Citizen:\nBefore") and text.endswith("Speak, speak.\n")
    assert shakespeare.read_text(data / "tinyshakespeare") == text
    with pytest.raises(CorpusError, match="not found.*seqbot data fetch tinyshakespeare"):
        shakespeare.read_text(tmp_path / "input.txt")
    binary = tmp_path / "input.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(CorpusError, match="input.txt is not utf-8"):
        shakespeare.read_text(binary)


def test_friends_lines_drop_stage_directions(data):
    lines = dialogue.read_friends(data / "friends" / "friends-transcripts.tab")
    assert len(lines) == 7 and lines[0].episode_key == "0101" and lines[0].author == "Monica"
    assert lines[1].quote == "C'mon, you're going out with the guy! Right?"
    assert lines[2].quote == ""  # only an unclosed stage direction
    assert lines[3].quote == "All right Joey, be nice."


def test_friends_pairs_stay_inside_an_episode_and_change_speaker(data):
    lines = dialogue.read_friends(data / "friends" / "friends-transcripts.tab")
    pairs = dialogue.friends_pairs(lines)
    assert [(p.utterance[:8], p.reply[:8]) for p in pairs] == [
        ("There's ", "C'mon, y"), ("C'mon, y", "All righ"), ("Hi.", "Hey!")]
    assert all(p.source in ("friends 0101", "friends 0102") for p in pairs)
    assert ("So does he have a hump?", "Hi.") not in [(p.utterance, p.reply) for p in dialogue.friends_pairs(lines, False)]
    assert len(dialogue.friends_pairs(lines, new_speaker=False)) == 4  # Chandler to Chandler too
    # each pair's context is the spoken line before its utterance in the same episode, "" at an episode's start
    assert [p.context[:8] for p in pairs] == ["", "There's ", ""]


def test_friends_bad_inputs(tmp_path):
    wrong = tmp_path / "friends-transcripts.tab"
    wrong.write_text("Season,Episode,Quote\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="friends-transcripts.tab: expected the header Season<TAB>Episode"):
        dialogue.read_friends(wrong)
    short = tmp_path / "short.tab"
    short.write_text("\t".join(dialogue.COLUMNS) + "\nd\nflags\n01\t01\tRoss\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"short.tab:4: expected 6 tab-separated columns"):
        dialogue.read_friends(short)


def test_chatterbot_yaml_pairs_never_cross_conversations(data):
    conversations = dialogue.read_chatterbot(data / "chatterbot")
    assert [c.turns for c in conversations] == [
        ("Hello", "Hi"), ("Hi, How is it going?", "Good", "That is good to hear."), ("Greetings!",),
        ("How many legs does a spider have?", "8")]
    pairs = dialogue.conversation_pairs(conversations)
    assert [(p.utterance, p.reply) for p in pairs] == [
        ("Hello", "Hi"), ("Hi, How is it going?", "Good"), ("Good", "That is good to hear."),
        ("How many legs does a spider have?", "8")]
    assert pairs[0].source == "chatterbot chatterbot/greetings.yml"
    assert [p.context for p in pairs] == ["", "", "Hi, How is it going?", ""]  # the turn before, in the same conversation


def test_chatterbot_package_languages_and_errors(tmp_path):
    english = dialogue.chatterbot_pairs("english")
    korean = dialogue.chatterbot_pairs("korean")
    assert len(english) > 1000 and len(korean) > 100
    assert any("안녕" in p.utterance for p in korean)
    with pytest.raises(CorpusError, match="no language 'klingon'.*english"):
        dialogue.chatterbot_pairs("klingon")
    broken = tmp_path / "broken.yml"
    broken.write_text("conversations:\n- - Hello\n  - [unclosed\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="broken.yml is not valid YAML"):
        dialogue.read_chatterbot(broken)
    wrong = tmp_path / "wrong.yml"
    wrong.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="wrong.yml: expected a YAML mapping"):
        dialogue.read_chatterbot(wrong)


def test_real_friends_and_shakespeare(real_corpora):
    lines = dialogue.read_friends(real_corpora / dialogue.DEFAULT_FILE)
    assert len(lines) == 61563  # rows of dialogue in the file (the corpora README says 61,564 lines)
    pairs = dialogue.friends_pairs(lines)
    assert len(pairs) > 55000
    by_episode = {}
    for line in lines:
        by_episode.setdefault(line.episode_key, set()).add(line.quote)
    assert all(p.utterance in by_episode[p.source.split()[1]] for p in pairs[::97])
    assert len(shakespeare.read_text(real_corpora / shakespeare.DEFAULT_FILE)) == 1115394
