"""Conversations kept on disk: one SQLite database (the standard library's sqlite3) in the
data folder, written once per message so that killing the app loses at most the reply it
was writing.

    store = ConversationStore.open()              # $SEQBOT_HOME, else $XDG_DATA_HOME/seqbot
    conversation = store.new_conversation()
    row = store.add_message(conversation, turn)   # the message, when it is sent
    store.update_message(row, turn)               # its reply, when it is done
    store.save_attention(row, source, attention)  # a translation's attention map, kept out of memory
    store.attention(row)                          # ... and read back when F3 asks for it
    store.search("cruise")                        # full text (FTS5 when SQLite has it)
    store.delete_conversation(conversation)       # gone from the file too, not only hidden

The database runs in WAL mode; its schema version is SQLite's `user_version` and MIGRATIONS
brings an older file up to date. The folder is created 0700 and the database 0600: what people
type is private. Nothing here imports Textual or NumPy (attention maps are stored as float32 bytes
and read back as rows of the standard library's `array`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqbot.app.conversation import Turn, prediction_to_dict
from seqbot.app.search_snippet import find_match
from seqbot.errors import SeqbotError

HOME_ENV = "SEQBOT_HOME"
DATABASE_NAME = "seqbot.sqlite3"
INPUT_HISTORY_LIMIT = 500


def data_dir() -> Path:
    """$SEQBOT_HOME, else $XDG_DATA_HOME/seqbot, else ~/.local/share/seqbot."""
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "seqbot"


def private_folder(path: Path) -> Path:
    """Create `path` (and its parents) readable by its owner only; tighten it if it exists."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _schema_1(connection: sqlite3.Connection, fts: bool) -> None:
    connection.executescript(
        """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            created REAL NOT NULL,
            updated REAL NOT NULL
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            mode TEXT NOT NULL,
            text TEXT NOT NULL,
            reply TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            error TEXT,
            decoding TEXT NOT NULL DEFAULT '{}',
            model TEXT,
            seconds REAL,
            notices TEXT NOT NULL DEFAULT '[]',
            unknown_chars TEXT NOT NULL DEFAULT '[]',
            predictions TEXT NOT NULL DEFAULT '[]',
            classifier_errors TEXT NOT NULL DEFAULT '{}',
            created REAL NOT NULL
        );
        CREATE INDEX messages_by_conversation ON messages(conversation_id, number);
        CREATE TABLE input_history (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
            text TEXT NOT NULL
        );
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """
    )
    if fts:
        # An external-content index over messages, kept in step by triggers.
        connection.executescript(
            """
            CREATE VIRTUAL TABLE messages_fts USING fts5(text, reply, content='messages', content_rowid='id');
            CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
                INSERT INTO messages_fts(rowid, text, reply) VALUES (new.id, new.text, new.reply);
            END;
            CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, text, reply) VALUES ('delete', old.id, old.text, old.reply);
            END;
            CREATE TRIGGER messages_au AFTER UPDATE ON messages BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, text, reply) VALUES ('delete', old.id, old.text, old.reply);
                INSERT INTO messages_fts(rowid, text, reply) VALUES (new.id, new.text, new.reply);
            END;
            """
        )


def _schema_2(connection: sqlite3.Connection, fts: bool) -> None:
    """A translation's confidence and its words' scores ([[start, end, score], ...] into the reply)."""
    connection.executescript(
        """
        ALTER TABLE messages ADD COLUMN confidence REAL;
        ALTER TABLE messages ADD COLUMN word_scores TEXT NOT NULL DEFAULT '[]';
        """
    )


def _schema_3(connection: sqlite3.Connection, fts: bool) -> None:
    """A translation's attention map: `rows` x `columns` little-endian float32 values, row by row,
    over `source` (what the translator read). Kept here, not in the app's memory (issue 21)."""
    connection.executescript(
        """
        CREATE TABLE attention (
            message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            rows INTEGER NOT NULL,
            columns INTEGER NOT NULL,
            weights BLOB NOT NULL
        );
        """
    )


# MIGRATIONS[n] takes a database at schema version n to n + 1. Append, never edit.
MIGRATIONS = [_schema_1, _schema_2, _schema_3]
SCHEMA_VERSION = len(MIGRATIONS)


def fts5_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    return True


def attention_bytes(attention: Any) -> tuple[int, int, bytes]:
    """(rows, columns, little-endian float32 bytes) of an attention map: a 2-D NumPy array or a
    list of equally long rows of numbers."""
    if hasattr(attention, "astype") and hasattr(attention, "shape"):  # NumPy, without importing it
        if len(attention.shape) != 2:
            raise ValueError(f"an attention map has 2 dimensions (output x input characters), not {len(attention.shape)}")
        rows, columns = (int(size) for size in attention.shape)
        return rows, columns, attention.astype("<f4").tobytes()
    rows = [list(row) for row in attention]
    columns = len(rows[0]) if rows else 0
    if any(len(row) != columns for row in rows):
        raise ValueError("the rows of an attention map must all have one value per input character")
    values = array("f", (float(value) for row in rows for value in row))
    if sys.byteorder == "big":
        values.byteswap()
    return len(rows), columns, values.tobytes()


def attention_rows(rows: int, columns: int, weights: bytes) -> list[array]:
    """The map attention_bytes wrote, as `rows` arrays of `columns` floats (4 bytes a value in memory)."""
    values = array("f")
    values.frombytes(weights)
    if sys.byteorder == "big":
        values.byteswap()
    if len(values) != rows * columns:
        raise SeqbotError(f"a stored attention map has {len(values)} values, not {rows} x {columns}")
    return [values[row * columns:(row + 1) * columns] for row in range(rows)]


@dataclass
class StoredPrediction:
    """A classifier verdict read back from the database (the fields the panel and exports use)."""

    model: str
    task: str
    label: str
    probability: float
    top: list
    explanation: list | None = None
    language: str | None = None
    coverage: float | None = None  # topic models: the share of the words known (the "not news-like" note)

    @classmethod
    def from_dict(cls, data: dict) -> "StoredPrediction":
        """What conversation.prediction_to_dict wrote (word scores under "words", as in exports)."""
        return cls(data["model"], data["task"], data["label"], data["probability"], data["top"],
                   data.get("words", data.get("explanation")), data.get("language"), data.get("coverage"))


@dataclass
class ConversationSummary:
    id: int
    title: str
    created: float
    updated: float
    messages: int
    match: str | None = None  # with a search: the first message or reply that matched


class ConversationStore:
    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self.connection = connection
        self.path = path
        self.fts = self._has_table("messages_fts")

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, folder: Path | None = None) -> "ConversationStore":
        """The database in `folder` (default: data_dir()), created and migrated as needed."""
        folder = private_folder(Path(folder) if folder is not None else data_dir())
        path = folder / DATABASE_NAME
        if not path.exists():
            # Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
        try:
            connection = sqlite3.connect(path, timeout=5)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable per commit across app crashes
            store = cls._prepared(connection, path)
        except sqlite3.DatabaseError as error:
            raise SeqbotError(f"{path} is not a usable seqbot database ({error}); move it away to start afresh") from None
        return store

    @classmethod
    def in_memory(cls) -> "ConversationStore":
        """A store that forgets everything on exit (tests, or when the data folder is unusable)."""
        return cls._prepared(sqlite3.connect(":memory:"), None)

    @classmethod
    def _prepared(cls, connection: sqlite3.Connection, path: Path | None) -> "ConversationStore":
        connection.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten with zeros, not just unlinked.
        connection.execute("PRAGMA secure_delete=ON")
        migrate(connection)
        return cls(connection, path)

    def close(self) -> None:
        self.connection.close()

    def _has_table(self, name: str) -> bool:
        return self.connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None

    # ------------------------------------------------------------ conversations

    def new_conversation(self, title: str = "") -> int:
        now = time.time()
        with self.connection:
            cursor = self.connection.execute(
                "INSERT INTO conversations (title, created, updated) VALUES (?, ?, ?)", (title, now, now))
        return int(cursor.lastrowid)

    def conversations(self, query: str = "", limit: int = 200) -> list[ConversationSummary]:
        """Newest first; with `query`, only those whose messages or replies contain it."""
        matches: dict[int, str] = {}
        if query.strip():
            for conversation_id, text, reply in self._search_messages(query.strip()):
                # The side that matched: a reply's "êtes" for "ÉTÉ", not its English message.
                matched = reply if reply and find_match(reply, query) and not find_match(text, query) else text
                matches.setdefault(conversation_id, matched)
            if not matches:
                return []
        rows = self.connection.execute(
            "SELECT c.id, c.title, c.created, c.updated, COUNT(m.id) FROM conversations c "
            "LEFT JOIN messages m ON m.conversation_id = c.id GROUP BY c.id "
            "HAVING COUNT(m.id) > 0 ORDER BY c.updated DESC, c.id DESC"
        ).fetchall()
        summaries = [ConversationSummary(*row, match=matches.get(row[0])) for row in rows
                     if not matches or row[0] in matches]
        return summaries[:limit]

    def search(self, query: str) -> list[ConversationSummary]:
        return self.conversations(query)

    def _search_messages(self, query: str) -> list[tuple[int, str]]:
        if self.fts:
            # Each word as a quoted prefix term: "free cru" finds "Win a free cruise"; quotes keep
            # FTS5's query syntax (AND, NEAR, *, ...) out of what people type.
            terms = " ".join('"' + word.replace('"', '""') + '"*' for word in query.split())
            try:
                return self.connection.execute(
                    "SELECT m.conversation_id, m.text, m.reply FROM messages_fts f JOIN messages m ON m.id = f.rowid "
                    "WHERE messages_fts MATCH ? ORDER BY m.id", (terms,)).fetchall()
            except sqlite3.OperationalError:
                pass  # a query FTS5 cannot parse: fall back to a plain substring search
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return self.connection.execute(
            "SELECT conversation_id, text, reply FROM messages WHERE text LIKE ? ESCAPE '\\' OR reply LIKE ? ESCAPE '\\' "
            "ORDER BY id", (pattern, pattern)).fetchall()

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete it and leave no copy in the file: secure_delete zeroes freed pages, the
        full-text index is merged (dropping the deleted words), VACUUM rewrites the file and the
        checkpoint empties the write-ahead log."""
        with self.connection:
            self.connection.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            if self.fts:
                self.connection.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
        if self.path is not None:
            self.connection.execute("VACUUM")
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def exists(self, conversation_id: int) -> bool:
        return self.connection.execute(
            "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone() is not None

    # ----------------------------------------------------------------- messages

    def add_message(self, conversation_id: int, turn: Turn) -> int:
        """Store a message as it is sent (its reply comes with update_message)."""
        now = time.time()
        with self.connection:
            cursor = self.connection.execute(
                "INSERT INTO messages (conversation_id, number, mode, text, status, decoding, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, turn.number, turn.mode, turn.text, turn.status, json.dumps(self.decoding(turn)), now))
            self.connection.execute(
                "UPDATE conversations SET updated = ?, title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
                (now, turn.text.splitlines()[0][:80] if turn.text.strip() else "", conversation_id))
        return int(cursor.lastrowid)

    @staticmethod
    def decoding(turn: Turn) -> dict:
        return {"beam": turn.beam, "temperature": turn.temperature, "top_k": getattr(turn, "top_k", None),
                "label": turn.decoding}

    def update_message(self, message_id: int, turn: Turn) -> None:
        """Store the reply, status and verdicts of a message."""
        with self.connection:
            self.connection.execute(
                "UPDATE messages SET reply = ?, status = ?, error = ?, model = ?, seconds = ?, notices = ?, "
                "unknown_chars = ?, predictions = ?, classifier_errors = ?, decoding = ?, confidence = ?, "
                "word_scores = ? WHERE id = ?",
                (turn.reply, turn.status, turn.error, turn.model, turn.seconds, json.dumps(turn.notices),
                 json.dumps(turn.unknown_chars), json.dumps([prediction_to_dict(p) for p in turn.predictions]),
                 json.dumps(turn.classifier_errors), json.dumps(self.decoding(turn)), turn.confidence,
                 json.dumps([[start, end, round(score, 4)] for start, end, score in turn.word_scores]), message_id))

    def save_attention(self, message_id: int, source: str, attention: Any) -> None:
        """Keep a translation's attention map (rows: output characters; columns: `source`'s)."""
        rows, columns, weights = attention_bytes(attention)
        with self.connection:
            self.connection.execute(
                "INSERT INTO attention (message_id, source, rows, columns, weights) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(message_id) DO UPDATE SET source = excluded.source, rows = excluded.rows, "
                "columns = excluded.columns, weights = excluded.weights",
                (message_id, source, rows, columns, weights))

    def attention(self, message_id: int) -> tuple[str, list[array]] | None:
        """(source, rows) of a message's attention map, None if none was kept."""
        row = self.connection.execute(
            "SELECT source, rows, columns, weights FROM attention WHERE message_id = ?", (message_id,)).fetchone()
        if row is None:
            return None
        source, rows, columns, weights = row
        return source, attention_rows(rows, columns, weights)

    def turns(self, conversation_id: int) -> list[tuple[int, Turn]]:
        """(message id, Turn) of a conversation in order. A message whose reply never finished
        (the app was killed) comes back as cancelled."""
        rows = self.connection.execute(
            "SELECT id, number, mode, text, reply, status, error, decoding, model, seconds, notices, unknown_chars, "
            "predictions, classifier_errors, confidence, word_scores FROM messages WHERE conversation_id = ? "
            "ORDER BY number, id", (conversation_id,)).fetchall()
        result = []
        for (message_id, number, mode, text, reply, status, error, decoding, model, seconds, notices, unknown,
             predictions, classifier_errors, confidence, word_scores) in rows:
            decoding = json.loads(decoding)
            turn = Turn(number=number, mode=mode, text=text, beam=int(decoding.get("beam") or 1),
                        temperature=decoding.get("temperature"), reply=reply, error=error, model=model,
                        seconds=seconds, notices=json.loads(notices), unknown_chars=json.loads(unknown),
                        classifier_errors=json.loads(classifier_errors))
            turn.top_k = decoding.get("top_k")
            turn.status = status if status in ("done", "error", "cancelled") else "cancelled"
            turn.predictions = [StoredPrediction.from_dict(p) for p in json.loads(predictions)]
            turn.classified = bool(turn.predictions or turn.classifier_errors)
            turn.confidence = confidence
            turn.word_scores = [(int(start), int(end), float(score)) for start, end, score in json.loads(word_scores)]
            result.append((message_id, turn))
        return result

    # ------------------------------------------------------------ input history

    def add_input(self, text: str, conversation_id: int | None = None) -> None:
        with self.connection:
            self.connection.execute(
                "INSERT INTO input_history (conversation_id, text) VALUES (?, ?)", (conversation_id, text))
            self.connection.execute(
                "DELETE FROM input_history WHERE id <= (SELECT MAX(id) FROM input_history) - ?", (INPUT_HISTORY_LIMIT,))

    def input_history(self) -> list[str]:
        return [row[0] for row in self.connection.execute("SELECT text FROM input_history ORDER BY id")]

    # ----------------------------------------------------------------- settings

    def settings(self) -> dict[str, Any]:
        return {key: json.loads(value) for key, value in self.connection.execute("SELECT key, value FROM settings")}

    def save_settings(self, values: dict[str, Any]) -> None:
        with self.connection:
            self.connection.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [(key, json.dumps(value)) for key, value in values.items()])


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version it had. A newer file than this
    seqbot knows is refused rather than misread."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SeqbotError(
            f"the conversation database has schema version {version}, newer than this seqbot's {SCHEMA_VERSION}; "
            "update seqbot")
    fts = fts5_available()
    for step in range(version, SCHEMA_VERSION):
        with connection:
            MIGRATIONS[step](connection, fts)
            connection.execute(f"PRAGMA user_version = {step + 1}")
    return version
