"""Sessions that are never lost: every answer written at once to SQLite.

The database lives in the user's data directory (``platformdirs``; override
with ``CALCINOSIS_DATA_DIR``), readable by the user alone (mode 0600). Each
answer is committed in its own transaction, so killing the program at any
moment loses at most the answer being typed. ``PRAGMA user_version`` carries
the schema version and :data:`MIGRATIONS` moves older files forward.

Any problem with the file (corrupt, locked, unwritable, from a newer version)
raises :class:`StoreError` with a message for a person; front ends then go on
without saving and say so.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DB_NAME = "sessions.sqlite3"

# Each entry moves the schema from version i to i + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sessions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        created     TEXT NOT NULL,
        updated     TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'unfinished',
        respondent  TEXT,
        type        TEXT,
        subtype     TEXT,
        triage      TEXT,
        assessment  TEXT
    );
    CREATE TABLE answers (
        session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        qid         TEXT NOT NULL,
        value       TEXT NOT NULL,
        at          TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
    );
    CREATE INDEX sessions_updated ON sessions(updated DESC);
    """,
    # 2: the number of answers kept on the session row, so the history lists fast
    """
    ALTER TABLE sessions ADD COLUMN answered INTEGER NOT NULL DEFAULT 0;
    UPDATE sessions
       SET answered = (SELECT COUNT(*) FROM answers a WHERE a.session_id = sessions.id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The session database cannot be used; the message says why, in plain words."""


@dataclass(frozen=True)
class SessionRow:
    id: int
    created: str
    updated: str
    status: str  # finished | unfinished
    respondent: str | None
    type: str | None
    subtype: str | None
    triage: str | None
    answered: int


@dataclass(frozen=True)
class SessionRecord:
    row: SessionRow
    answers: list[tuple[str, Any]]  # (question id, answer as in an answers file), in order
    assessment: dict[str, Any] | None

    def answers_dict(self) -> dict[str, Any]:
        return dict(self.answers)


def now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def default_path() -> Path:
    override = os.environ.get("CALCINOSIS_DATA_DIR")
    if override:
        return Path(override) / DB_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir("calcinosis", appauthor=False)) / DB_NAME


def _explain(exc: BaseException, path: Path) -> str:
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"The saved-answers file {path} is damaged and cannot be read. "
                "Move or delete it to start a fresh one.")
    if "locked" in text or "busy" in text:
        return (f"The saved-answers file {path} is in use by another calcinosis window. "
                "Close the other one, or go on without saving.")
    if "readonly" in text or "read-only" in text or "permission" in text \
            or "unable to open" in text or isinstance(exc, PermissionError):
        return (f"The saved-answers file {path} cannot be written (no permission or a "
                "read-only disk).")
    return f"The saved-answers file {path} cannot be used ({exc})."


class Store:
    """The session database. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: Path | None = None, *, timeout: float = 0.5):
        self.path = Path(path) if path else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            if stat.S_IMODE(self.path.stat().st_mode) != 0o600:
                os.chmod(self.path, 0o600)
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        for suffix in ("-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                try:
                    os.chmod(side, 0o600)
                except OSError:
                    pass

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"The saved-answers file {self.path} was made by a newer version of "
                             "calcinosis; update calcinosis to read it.")
        for index in range(version, SCHEMA_VERSION):
            try:
                self.db.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[index]}; "
                                      f"PRAGMA user_version = {index + 1}; COMMIT;")
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, statements: Iterable[tuple[str, tuple]]) -> None:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            for sql, params in statements:
                self.db.execute(sql, params)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise StoreError(_explain(exc, self.path)) from exc

    # ----- writing
    def create(self) -> int:
        stamp = now()
        try:
            cur = self.db.execute("INSERT INTO sessions(created, updated) VALUES (?, ?)",
                                  (stamp, stamp))
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        assert cur.lastrowid is not None  # an INSERT always sets it
        return cur.lastrowid

    def save_answers(self, session_id: int, keep: int, new: list[tuple[str, Any]],
                     respondent: str | None) -> None:
        """Keep the first ``keep`` answers, replace the rest with ``new``; one transaction."""
        stamp = now()
        statements: list[tuple[str, tuple]] = [
            ("DELETE FROM answers WHERE session_id = ? AND seq >= ?", (session_id, keep))]
        for offset, (qid, value) in enumerate(new):
            statements.append(("INSERT INTO answers(session_id, seq, qid, value, at) "
                               "VALUES (?, ?, ?, ?, ?)",
                               (session_id, keep + offset, qid, json.dumps(value), stamp)))
        statements.append(("UPDATE sessions SET updated = ?, respondent = ?, status = "
                           "'unfinished', type = NULL, subtype = NULL, triage = NULL, "
                           "assessment = NULL, answered = ? WHERE id = ?",
                           (stamp, respondent, keep + len(new), session_id)))
        self._write(statements)

    def finish(self, session_id: int, assessment: dict[str, Any]) -> None:
        self._write([("UPDATE sessions SET status = 'finished', updated = ?, type = ?, "
                      "subtype = ?, triage = ?, assessment = ? WHERE id = ?",
                      (now(), assessment.get("type"), assessment.get("subtype"),
                       assessment.get("triage"), json.dumps(assessment), session_id))])

    def delete(self, session_id: int) -> bool:
        try:
            cur = self.db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            self.db.execute("DELETE FROM answers WHERE session_id = ?", (session_id,))
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        return cur.rowcount > 0

    def delete_all(self) -> int:
        try:
            count = self.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
            self._write([("DELETE FROM answers", ()), ("DELETE FROM sessions", ())])
            self.db.execute("VACUUM")
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        return int(count)

    # ----- reading
    _ROW = ("SELECT s.id, s.created, s.updated, s.status, s.respondent, s.type, s.subtype, "
            "s.triage, s.answered FROM sessions s")

    def list(self) -> list[SessionRow]:
        try:
            rows = self.db.execute(self._ROW + " ORDER BY s.updated DESC, s.id DESC").fetchall()
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        return [SessionRow(*r) for r in rows]

    def get(self, session_id: int) -> SessionRecord | None:
        try:
            row = self.db.execute(self._ROW + " WHERE s.id = ?", (session_id,)).fetchone()
            if row is None:
                return None
            answers = self.db.execute("SELECT qid, value FROM answers WHERE session_id = ? "
                                      "ORDER BY seq", (session_id,)).fetchall()
            assessment = self.db.execute("SELECT assessment FROM sessions WHERE id = ?",
                                         (session_id,)).fetchone()[0]
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        return SessionRecord(SessionRow(*row), [(q, json.loads(v)) for q, v in answers],
                             json.loads(assessment) if assessment else None)

    def latest_unfinished(self) -> SessionRow | None:
        """The most recent session left half-way (with at least one answer)."""
        try:
            row = self.db.execute(
                self._ROW + " WHERE s.status = 'unfinished' AND s.answered > 0 "
                "ORDER BY s.updated DESC, s.id DESC LIMIT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        return SessionRow(*row) if row else None


class Recorder:
    """Keeps one engine session saved: call :meth:`sync` after every answer or step back.

    Only the change is written (answers after the common prefix). When the
    store cannot be used, the recorder keeps going without saving and
    ``warning`` says so; the chat never stops because of the database.
    """

    def __init__(self, store: Store | None, session_id: int | None = None,
                 warning: str | None = None):
        self.store = store
        self.session_id = session_id
        self.warning = warning
        self._written: list[tuple[str, Any]] = []

    @classmethod
    def open(cls, path: Path | None = None) -> Recorder:
        try:
            return cls(Store(path))
        except StoreError as exc:
            return cls(None, warning=f"{exc} Your answers are not being saved.")

    @property
    def saving(self) -> bool:
        return self.store is not None

    def resume(self, session_id: int, written: list[tuple[str, Any]]) -> None:
        self.session_id = session_id
        self._written = list(written)

    def sync(self, session: Any) -> None:
        """Write what changed in ``session`` (an engine Session) since the last sync."""
        if self.store is None:
            return
        from .engine.dialog.answers import to_plain

        current = [(qid, to_plain(session.answers[qid])) for qid in session.history
                   if qid in session.answers]
        keep = 0
        # a common prefix: the lists differ in length whenever answers were added or dropped
        for old, new in zip(self._written, current, strict=False):
            if old != new:
                break
            keep += 1
        if keep == len(current) == len(self._written):
            return
        try:
            if self.session_id is None:
                self.session_id = self.store.create()
            self.store.save_answers(self.session_id, keep, current[keep:], session.respondent)
            self._written = current
        except StoreError as exc:
            self._fail(exc)

    def finish(self, assessment: dict[str, Any]) -> None:
        if self.store is None or self.session_id is None:
            return
        try:
            self.store.finish(self.session_id, assessment)
        except StoreError as exc:
            self._fail(exc)

    def _fail(self, exc: StoreError) -> None:
        self.warning = f"{exc} Your answers are not being saved from now on."
        if self.store is not None:
            self.store.close()
        self.store = None

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
