"""The conversation store (seqbot/app/store.py) and `seqbot history`: what is written per
message, search, migrations, privacy (modes, no copy left after a delete) and exports.

    python -m pytest tests/test_app_store.py -q
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from seqbot.app.conversation import Turn, write_export
from seqbot.app.store import DATABASE_NAME, SCHEMA_VERSION, ConversationStore, data_dir, migrate
from seqbot.cli import main
from seqbot.errors import SeqbotError
from test_app_fakes import FakeClassifiers


def finished_turn(number: int, text: str, reply: str) -> Turn:
    turn = Turn(number=number, mode="translate", text=text, beam=4)
    turn.reply, turn.status, turn.seconds = reply, "done", 0.25
    turn.predictions = FakeClassifiers().classify(text)
    turn.notices = ["a note"]
    return turn


def test_data_folder_follows_seqbot_home_then_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("SEQBOT_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "seqbot"
    monkeypatch.setenv("SEQBOT_HOME", str(tmp_path / "moved"))
    assert data_dir() == tmp_path / "moved"


def test_messages_replies_and_verdicts_round_trip_and_the_folder_is_private(tmp_path):
    folder = tmp_path / "data" / "seqbot"
    store = ConversationStore.open(folder)
    conversation = store.new_conversation()
    turn = Turn(number=1, mode="translate", text="Win a free cruise now!", beam=4)
    message_id = store.add_message(conversation, turn)
    # Committed as soon as it is sent: a second connection (another process) sees it.
    other = sqlite3.connect(folder / DATABASE_NAME)
    assert other.execute("SELECT text, status FROM messages").fetchall() == [("Win a free cruise now!", "queued")]
    done = finished_turn(1, turn.text, "Gagnez une croisière gratuite !")
    store.update_message(message_id, done)
    assert other.execute("SELECT reply FROM messages").fetchone()[0] == done.reply
    other.close()
    store.close()

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / DATABASE_NAME).stat().st_mode) == 0o600
    reopened = ConversationStore.open(folder)
    assert reopened.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    [(stored_id, stored)] = reopened.turns(conversation)
    assert stored_id == message_id
    assert (stored.text, stored.reply, stored.status, stored.beam, stored.notices) == (
        done.text, done.reply, "done", 4, ["a note"])
    expected = [(p.model, p.label, round(p.probability, 6)) for p in done.predictions]
    assert [(p.model, p.label, round(p.probability, 6)) for p in stored.predictions] == expected
    assert stored.predictions[1].explanation == [list(pair) for pair in done.predictions[1].explanation]
    assert reopened.conversations()[0].title == "Win a free cruise now!"


def test_a_reply_cut_by_a_crash_comes_back_as_stopped(tmp_path):
    store = ConversationStore.open(tmp_path)
    conversation = store.new_conversation()
    running = Turn(number=1, mode="chat", text="Hi!")
    store.add_message(conversation, running)  # the app died before update_message
    store.close()
    [(_, turn)] = ConversationStore.open(tmp_path).turns(conversation)
    assert turn.text == "Hi!" and turn.status == "cancelled"


# Set in the fresh process that runs the FTS5 search test when this one had lost FTS5 (see below).
FTS5_SUBPROCESS = "SEQBOT_TEST_FTS5_SUBPROCESS"


def run_in_a_fresh_process(test_id: str) -> None:
    """Run one test of this file in a new interpreter, and fail with its output if it fails.
    TensorFlow, once an earlier test imported it, puts its own SQLite (built without FTS5) into
    the process; the app never imports TensorFlow, so its search is tested where it was not."""
    if os.environ.get(FTS5_SUBPROCESS):
        pytest.skip("this Python's SQLite has no FTS5 even without TensorFlow: the app searches with LIKE")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::{test_id}"],
        cwd=Path(__file__).parent, env={**os.environ, FTS5_SUBPROCESS: "1"},
        capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    if "1 skipped" in output:
        pytest.skip("this Python's SQLite has no FTS5: the app searches with LIKE")
    assert "1 passed" in output, output


def check_search(store: ConversationStore) -> None:
    first, second = store.new_conversation(), store.new_conversation()
    store.update_message(store.add_message(first, Turn(1, "translate", "Win a free cruise now!")),
                         finished_turn(1, "Win a free cruise now!", "Gagnez une croisière gratuite !"))
    store.update_message(store.add_message(second, Turn(1, "translate", "I love this movie.")),
                         finished_turn(1, "I love this movie.", "J'adore ce film."))
    assert [c.id for c in store.search("cruise")] == [first]
    # Word starts, as people type while they search: each word a prefix, all of them needed.
    assert [c.id for c in store.search("cruis")] == [first]
    assert [c.id for c in store.search("free cru")] == [first]
    assert store.search("free movie") == []
    assert [c.id for c in store.search("film")] == [second]  # a word of the reply
    assert [c.id for c in store.search("MOVIE")] == [second]
    assert store.search("submarine") == []
    assert {c.id for c in store.search("")} == {first, second}
    assert store.search('"unbalanced AND (') == []  # query syntax is never an error


def test_search_with_fts5_finds_words_and_word_starts(tmp_path):
    from seqbot.app.store import fts5_available

    if not fts5_available():
        run_in_a_fresh_process("test_search_with_fts5_finds_words_and_word_starts")
        return
    store = ConversationStore.open(tmp_path)
    assert store.fts
    check_search(store)


def test_search_without_fts5_finds_words_and_word_starts(tmp_path, monkeypatch):
    monkeypatch.setattr("seqbot.app.store.fts5_available", lambda: False)
    store = ConversationStore.open(tmp_path)
    assert not store.fts
    check_search(store)


def test_an_existing_database_readable_by_others_is_made_private_when_opened(tmp_path):
    folder = tmp_path / "seqbot"
    ConversationStore.open(folder).close()
    database = folder / DATABASE_NAME
    os.chmod(database, 0o644)  # as an older seqbot, a copy or a restore may have left them
    os.chmod(folder, 0o755)
    ConversationStore.open(folder).close()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_attention_maps_round_trip_as_float32_and_go_with_their_conversation(tmp_path):
    import numpy as np

    store = ConversationStore.open(tmp_path)
    conversation = store.new_conversation()
    first = store.add_message(conversation, Turn(1, "translate", "Hi."))
    second = store.add_message(conversation, Turn(2, "translate", "Yo\nHo"))
    matrix = np.random.default_rng(0).random((4, 3))
    store.save_attention(first, "Hi.", matrix)
    store.save_attention(second, "Yo\nHo", [[0.25, 0.75, 0, 0, 0], [0, 0, 0, 0.5, 0.5]])
    source, rows = store.attention(first)
    assert source == "Hi." and len(rows) == 4
    np.testing.assert_allclose([list(row) for row in rows], matrix.astype(np.float32))
    assert [list(row) for row in store.attention(second)[1]] == [[0.25, 0.75, 0, 0, 0], [0, 0, 0, 0.5, 0.5]]
    assert store.attention(second + 1) is None
    with pytest.raises(ValueError, match="one value per input character"):
        store.save_attention(first, "Hi.", [[0.5, 0.5], [1.0]])
    store.delete_conversation(conversation)
    assert store.connection.execute("SELECT COUNT(*) FROM attention").fetchone()[0] == 0


def test_delete_leaves_no_copy_in_the_database_or_its_log(tmp_path):
    store = ConversationStore.open(tmp_path)
    kept, secret = store.new_conversation(), store.new_conversation()
    store.add_message(kept, Turn(1, "translate", "Hello there."))
    message_id = store.add_message(secret, Turn(1, "translate", "my password is zebrafinch"))
    store.update_message(message_id, finished_turn(1, "my password is zebrafinch", "mot de passe zebrafinch"))
    store.add_input("my password is zebrafinch", secret)
    files = [tmp_path / DATABASE_NAME, tmp_path / f"{DATABASE_NAME}-wal"]
    assert any(b"zebrafinch" in path.read_bytes() for path in files if path.exists())

    store.delete_conversation(secret)
    for path in files:
        if path.exists():
            assert b"zebrafinch" not in path.read_bytes(), path
    assert [c.id for c in store.conversations()] == [kept]
    assert store.input_history() == []  # the deleted conversation's inputs went with it


def test_migrations_bring_an_old_file_up_and_a_newer_one_is_refused(tmp_path):
    connection = sqlite3.connect(tmp_path / "old.sqlite3")
    assert migrate(connection) == 0
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert migrate(connection) == SCHEMA_VERSION  # a second run changes nothing
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SeqbotError, match="newer than this seqbot"):
        migrate(connection)
    (tmp_path / "junk" / DATABASE_NAME).parent.mkdir()
    (tmp_path / "junk" / DATABASE_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(SeqbotError, match="not a usable seqbot database"):
        ConversationStore.open(tmp_path / "junk")


def test_input_history_and_settings_persist(tmp_path):
    store = ConversationStore.open(tmp_path)
    store.add_input("first")
    store.add_input("second\nline")
    store.save_settings({"beam_width": 8, "theme": "nord"})
    store.close()
    reopened = ConversationStore.open(tmp_path)
    assert reopened.input_history() == ["first", "second\nline"]
    assert reopened.settings() == {"beam_width": 8, "theme": "nord"}


def test_exports_never_overwrite_and_name_the_full_path(tmp_path):
    paths = [write_export(f"text {n}", "md", [tmp_path], stamp="20260101-120000") for n in range(3)]
    assert len(set(paths)) == 3 and all(path.is_absolute() for path in paths)
    assert [path.read_text() for path in paths] == ["text 0", "text 1", "text 2"]


def test_exports_default_to_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQBOT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    path = write_export("x", "json")
    assert path.parent == tmp_path / "home" / "exports"
    assert not list(tmp_path.glob("seqbot-conversation-*"))  # nothing in the current folder


def test_history_command_lists_searches_and_exports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEQBOT_HOME", str(tmp_path / "home"))
    assert main(["history"]) == 0
    assert "No conversations yet" in capsys.readouterr().out
    store = ConversationStore.open()
    first = store.new_conversation()
    store.update_message(store.add_message(first, Turn(1, "translate", "Win a free cruise now!")),
                         finished_turn(1, "Win a free cruise now!", "Gagnez une croisière gratuite !"))
    second = store.new_conversation()
    store.add_message(second, Turn(1, "chat", "How are you?"))
    store.close()

    assert main(["history"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and "How are you?" in listed[0] and "Win a free cruise now!" in listed[1]
    assert main(["history", "--search", "croisière"]) == 0
    out = capsys.readouterr().out
    assert "cruise" in out and "How are you" not in out

    assert main(["history", "--export", str(first), "--format", "json"]) == 0
    [path] = capsys.readouterr().out.split()
    data = json.loads(open(path, encoding="utf-8").read())
    assert path.startswith(str(tmp_path / "home" / "exports"))
    assert data["turns"][0]["reply"] == "Gagnez une croisière gratuite !"
    assert any(c["words"] for c in data["turns"][0]["classifications"])
    assert main(["history", "--export", "99"]) == 2
    assert "no conversation 99" in capsys.readouterr().err
