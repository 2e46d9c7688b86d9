"""Sessions that are never lost: every answer written at once to SQLite.

The database lives in the user's data directory (``platformdirs``; override
with ``CALCINOSIS_DATA_DIR``), readable by the user alone (mode 0600). Each
answer is committed in its own transaction, so killing the program at any
moment loses at most the answer being typed. ``PRAGMA user_version`` carries
the schema version and :data:`MIGRATIONS` moves older files forward.

Any problem with the file (corrupt, locked, unwritable, from a newer version,
a symbolic link) raises :class:`StoreError` with a message for a person; front
ends then go on without saving and say so. A busy database is retried before
giving up, and a :class:`Recorder` whose writes fail keeps trying at the next
answer and can say exactly which answers are saved.

Read-only commands open the file with ``readonly=True``: they never create the
folder or the file (:class:`NoSavedSessions`) and work on a read-only disk.

One writer per session: the front end continuing a session holds an OS lock
on ``locks/session-ID.lock`` beside the database (``fcntl.flock``), which the
operating system drops when the process ends, however it ends; another window
asking for the same session gets :class:`SessionOpenElsewhere`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

DB_NAME = "sessions.sqlite3"
LOCKS = "locks"  # the folder, beside the database, of per-session lock files
RETRIES = (0.2, 0.5)  # seconds to wait before each new try of a write to a busy database

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


class NoSavedSessions(StoreError):
    """A read-only command found no saved-answers file (nothing was created)."""


class SessionOpenElsewhere(StoreError):
    """The session is being answered in another window (it holds the session's lock)."""

    def __init__(self, session_id: int) -> None:
        super().__init__(
            f"Session {session_id} is open in another window; close it there "
            "first (only one window at a time can change a session)."
        )
        self.session_id = session_id


def _refuse_links(path: Path) -> None:
    """A symbolic link at the data folder or at the database (or its side files) is
    refused: following it could change another program's file."""
    for where, what in (
        (path.parent, "folder"),
        (path, "file"),
        (Path(f"{path}-wal"), "file"),
        (Path(f"{path}-shm"), "file"),
        (Path(f"{path}-journal"), "file"),
    ):
        try:
            mode = os.lstat(where).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            raise StoreError(
                f"The saved-answers {what} {where} is a symbolic link; calcinosis "
                "does not follow links for saved answers. Remove the link, or set "
                "CALCINOSIS_DATA_DIR to a real folder."
            )
        if what == "folder" and not stat.S_ISDIR(mode):
            raise StoreError(f"The saved-answers folder {where} is a file, not a folder.")


def _busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class SessionLock:
    """An OS lock on one session, held while a front end can change it."""

    def __init__(self, path: Path, session_id: int) -> None:
        self.path = path
        self.file: IO[bytes] | None = None
        try:
            import fcntl
        except ImportError:  # not a POSIX system: no lock, as before
            return
        folder = path.parent
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            if os.path.islink(folder):
                raise StoreError(f"The lock folder {folder} is a symbolic link; remove it.")
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StoreError(
                f"The lock for session {session_id} cannot be made in {folder} "
                f"({exc.strerror or exc})."
            ) from exc
        self.file = os.fdopen(fd, "r+b")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self.file.close()
            self.file = None
            raise SessionOpenElsewhere(session_id) from exc

    def release(self) -> None:
        if self.file is not None:
            self.file.close()  # closing drops the lock
            self.file = None


@dataclass(frozen=True)
class SessionRow:
    id: int
    created: str
    updated: str
    status: str  # finished | unfinished | set_aside ("Start new" was chosen)
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
    from .settings import current

    override = current().data_dir
    if override:
        return override / DB_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir("calcinosis", appauthor=False)) / DB_NAME


def _explain(exc: BaseException, path: Path) -> str:
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"The saved-answers file {path} is damaged and cannot be read. "
            "Move or delete it to start a fresh one."
        )
    if "locked" in text or "busy" in text:
        return (
            f"The saved-answers file {path} is in use by another calcinosis window. "
            "Close the other one, or go on without saving."
        )
    if (
        "readonly" in text
        or "read-only" in text
        or "permission" in text
        or "unable to open" in text
        or isinstance(exc, PermissionError)
    ):
        return (
            f"The saved-answers file {path} cannot be written (no permission or a read-only disk)."
        )
    return f"The saved-answers file {path} cannot be used ({exc})."


class Store:
    """The session database. Use as a context manager or call :meth:`close`.

    ``readonly``: for commands that only read (history, show, export): nothing is
    created (:class:`NoSavedSessions` when there is no file) and nothing written.
    """

    def __init__(self, path: Path | None = None, *, timeout: float = 0.5, readonly: bool = False):
        self.path = Path(path) if path else default_path()
        self.readonly = readonly
        _refuse_links(self.path)
        if readonly:
            self._open_readonly(timeout)
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _refuse_links(self.path)  # made just now: still no link
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
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

    def _open_readonly(self, timeout: float) -> None:
        if not self.path.is_file():
            raise NoSavedSessions(f"No saved sessions in {self.path.parent}.")
        uri = f"file:{quote(str(self.path))}"
        try:
            try:
                self.db = sqlite3.connect(
                    f"{uri}?mode=ro", uri=True, timeout=timeout, isolation_level=None
                )
                version = self.schema_version
            except sqlite3.OperationalError:
                # a read-only disk without the WAL's shared-memory file: read it as it is
                self.db = sqlite3.connect(
                    f"{uri}?immutable=1", uri=True, timeout=timeout, isolation_level=None
                )
                version = self.schema_version
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The saved-answers file {self.path} was made by a newer version "
                "of calcinosis; update calcinosis to read it."
            )
        if version < SCHEMA_VERSION:  # an older file: bring it forward first, if it can be
            self.db.close()
            Store(self.path, timeout=timeout).close()
            self._open_readonly(timeout)

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The saved-answers file {self.path} was made by a newer version of "
                "calcinosis; update calcinosis to read it."
            )
        for index in range(version, SCHEMA_VERSION):
            try:
                self.db.executescript(
                    f"BEGIN IMMEDIATE; {MIGRATIONS[index]}; "
                    f"PRAGMA user_version = {index + 1}; COMMIT;"
                )
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
        """Run ``statements`` in one transaction, trying again while the database is busy."""
        statements = list(statements)
        for wait in (*RETRIES, None):
            try:
                self.db.execute("BEGIN IMMEDIATE")
                for sql, params in statements:
                    self.db.execute(sql, params)
                self.db.execute("COMMIT")
                return
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    try:
                        self.db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                if wait is None or not _busy(exc):
                    raise StoreError(_explain(exc, self.path)) from exc
                time.sleep(wait)

    # ----- one writer per session
    def lock_path(self, session_id: int) -> Path:
        return self.path.parent / LOCKS / f"session-{int(session_id)}.lock"

    def lock_session(self, session_id: int) -> SessionLock:
        """Hold session ``session_id`` for this window (:class:`SessionOpenElsewhere` if
        another holds it). The lock goes with the process, however it ends."""
        return SessionLock(self.lock_path(session_id), session_id)

    def open_elsewhere(self, session_id: int) -> bool:
        """Whether another window holds session ``session_id`` (without keeping it)."""
        if not self.lock_path(session_id).exists():
            return False
        try:
            SessionLock(self.lock_path(session_id), session_id).release()
        except SessionOpenElsewhere:
            return True
        except StoreError:
            return False
        return False

    # ----- writing
    def create(self) -> int:
        stamp = now()
        for wait in (*RETRIES, None):
            try:
                cur = self.db.execute(
                    "INSERT INTO sessions(created, updated) VALUES (?, ?)", (stamp, stamp)
                )
                break
            except sqlite3.Error as exc:
                if wait is None or not _busy(exc):
                    raise StoreError(_explain(exc, self.path)) from exc
                time.sleep(wait)
        assert cur.lastrowid is not None  # an INSERT always sets it
        return cur.lastrowid

    def save_answers(
        self, session_id: int, keep: int, new: list[tuple[str, Any]], respondent: str | None
    ) -> None:
        """Keep the first ``keep`` answers, replace the rest with ``new``; one transaction."""
        stamp = now()
        statements: list[tuple[str, tuple]] = [
            ("DELETE FROM answers WHERE session_id = ? AND seq >= ?", (session_id, keep))
        ]
        for offset, (qid, value) in enumerate(new):
            statements.append(
                (
                    "INSERT INTO answers(session_id, seq, qid, value, at) VALUES (?, ?, ?, ?, ?)",
                    (session_id, keep + offset, qid, json.dumps(value), stamp),
                )
            )
        statements.append(
            (
                "UPDATE sessions SET updated = ?, respondent = ?, status = "
                "'unfinished', type = NULL, subtype = NULL, triage = NULL, "
                "assessment = NULL, answered = ? WHERE id = ?",
                (stamp, respondent, keep + len(new), session_id),
            )
        )
        self._write(statements)

    def set_aside(self, session_id: int) -> None:
        """An unfinished session the person chose not to continue ("Start new"): kept in
        the history, no longer offered at start (status ``set_aside``; continuing it
        from the history makes it unfinished again)."""
        self._write(
            [
                (
                    "UPDATE sessions SET status = 'set_aside' WHERE id = ? AND "
                    "status = 'unfinished'",
                    (session_id,),
                )
            ]
        )

    def finish(self, session_id: int, assessment: dict[str, Any]) -> None:
        self._write(
            [
                (
                    "UPDATE sessions SET status = 'finished', updated = ?, type = ?, "
                    "subtype = ?, triage = ?, assessment = ? WHERE id = ?",
                    (
                        now(),
                        assessment.get("type"),
                        assessment.get("subtype"),
                        assessment.get("triage"),
                        json.dumps(assessment),
                        session_id,
                    ),
                )
            ]
        )

    def delete(self, session_id: int) -> bool:
        if self.open_elsewhere(session_id):
            raise SessionOpenElsewhere(session_id)
        try:
            cur = self.db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            self.db.execute("DELETE FROM answers WHERE session_id = ?", (session_id,))
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        try:
            self.lock_path(session_id).unlink(missing_ok=True)
        except OSError:
            pass
        return cur.rowcount > 0

    def delete_all(self) -> int:
        for row in self.list():
            if self.open_elsewhere(row.id):
                raise StoreError(
                    f"Session {row.id} is open in another window; close it there "
                    "first. Nothing was deleted."
                )
        try:
            count = self.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
            self._write([("DELETE FROM answers", ()), ("DELETE FROM sessions", ())])
            self.db.execute("VACUUM")
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        return int(count)

    # ----- reading
    _ROW = (
        "SELECT s.id, s.created, s.updated, s.status, s.respondent, s.type, s.subtype, "
        "s.triage, s.answered FROM sessions s"
    )

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
            answers = self.db.execute(
                "SELECT qid, value FROM answers WHERE session_id = ? ORDER BY seq", (session_id,)
            ).fetchall()
            assessment = self.db.execute(
                "SELECT assessment FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()[0]
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        return SessionRecord(
            SessionRow(*row),
            [(q, json.loads(v)) for q, v in answers],
            json.loads(assessment) if assessment else None,
        )

    def latest_unfinished(self) -> SessionRow | None:
        """The most recent session left half-way (with at least one answer)."""
        try:
            row = self.db.execute(
                self._ROW + " WHERE s.status = 'unfinished' AND s.answered > 0 "
                "ORDER BY s.updated DESC, s.id DESC LIMIT 1"
            ).fetchone()
        except sqlite3.Error as exc:
            raise StoreError(_explain(exc, self.path)) from exc
        return SessionRow(*row) if row else None


class Recorder:
    """Keeps one engine session saved: call :meth:`sync` after every answer or step back.

    Only the change is written (answers after the common prefix). When a write
    fails (after the store's own retries), the chat goes on: ``warning`` says at
    once why answers are not being saved, the next answer tries again (and saves
    everything missed when it works), and :meth:`report` says which are saved.
    The recorder holds the session's lock (one writer per session).
    """

    def __init__(
        self, store: Store | None, session_id: int | None = None, warning: str | None = None
    ):
        self.store = store
        self.session_id = session_id
        self.warning = warning
        self.failing = False  # the last write failed
        self.result_saved = False
        self._written: list[tuple[str, Any]] = []
        # answers recorded with another (an exact age typed at the age group): saved, but
        # not counted as answers of their own when saying how many are saved
        self._also: set[str] = set()
        self._lock: SessionLock | None = None
        if store is not None and session_id is not None:
            self._lock = store.lock_session(session_id)

    @classmethod
    def open(cls, path: Path | None = None) -> Recorder:
        try:
            return cls(Store(path))
        except StoreError as exc:
            return cls(None, warning=f"{exc} Your answers are not being saved.")

    @property
    def saving(self) -> bool:
        """Whether answers are being saved (the file is open and the last write worked)."""
        return self.store is not None and not self.failing

    @property
    def saved_count(self) -> int:
        """How many answers, from the first, are saved (an answer recorded with another,
        such as the exact age typed at the age group, is part of that answer)."""
        if self.store is None:
            return 0
        return sum(1 for qid, _ in self._written if qid not in self._also)

    def resume(self, session_id: int | None, written: list[tuple[str, Any]]) -> None:
        """Continue ``session_id`` (``None``: a new session from the next answer).

        Raises :class:`SessionOpenElsewhere` when another window holds it; the
        recorder is then left as it was.
        """
        lock = None
        if session_id is not None and self.store is not None and session_id != self.session_id:
            lock = self.store.lock_session(session_id)
        elif session_id is not None and session_id == self.session_id:
            lock, self._lock = self._lock, None
        self._release()
        self._lock = lock
        self.session_id = session_id
        self._written = list(written)
        self.result_saved = False

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def sync(self, session: Any) -> None:
        """Write what changed in ``session`` (an engine Session) since the last sync."""
        if self.store is None:
            return
        from .engine.dialog.answers import to_plain

        # each answer in order, with those recorded with it (an exact age with its group)
        current = [(qid, to_plain(value)) for qid, value in session.recorded()]
        self._also = {qid for others in session.implied.values() for qid in others}
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
                self._lock = self.store.lock_session(self.session_id)
            self.store.save_answers(self.session_id, keep, current[keep:], session.respondent)
            self._written = current
            self.result_saved = False
        except StoreError as exc:
            self._written = self._written[:keep]  # the answers after these were replaced
            self._fail(exc, len(session.history))
            return
        if self.failing:
            self.failing = False
            self.warning = (
                f"Saving works again: all {_answers(self.saved_count)} so far are saved now."
            )

    def finish(self, assessment: dict[str, Any]) -> None:
        """Save the result, unless some answers are not saved (a result that does not
        match the saved answers is worse than none)."""
        if self.store is None or self.session_id is None or self.failing:
            return
        try:
            self.store.finish(self.session_id, assessment)
            self.result_saved = True
        except StoreError as exc:
            self._fail(exc, self.saved_count)

    def _fail(self, exc: StoreError, total: int) -> None:
        self.failing = True
        saved = self.saved_count
        kept = (
            "none of your answers is saved"
            if saved == 0
            else f"only your first {_answers(saved)} of {total} are saved"
        )
        self.warning = (
            f"{exc} Your answers are not being saved now: {kept}. calcinosis "
            "will try again after your next answer."
        )

    def report(self, total: int) -> str:
        """Exactly which answers are saved, in one sentence for the end of a run."""
        if self.store is None:
            return "Your answers were not saved."
        saved = min(self.saved_count, total)
        where = f" (session {self.session_id})" if self.session_id is not None else ""
        if total == 0:
            return "No answers were given, so nothing was saved."
        if saved == total:
            return f"All {_answers(total)} are saved{where}."
        if saved == 0:
            return f"None of your {_answers(total)} was saved."
        return (
            f"Only your first {_answers(saved)} of {total} are saved{where}; answers "
            f"{saved + 1} to {total} were not saved."
        )

    def close(self) -> None:
        self._release()
        if self.store is not None:
            self.store.close()


def _answers(n: int) -> str:
    return "1 answer" if n == 1 else f"{n} answers"
