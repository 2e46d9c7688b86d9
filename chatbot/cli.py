"""The ``calcinosis`` command: a thin layer over the engine.

    calcinosis                   the terminal chat
    calcinosis assess FILE...    answers files (YAML or JSON, - for stdin) -> assessment
    calcinosis validate [DIR]    check dialogs/ and content/ (shipped, or under DIR)
    calcinosis graph             the dialog as a Mermaid state diagram
    calcinosis parse Q TEXT      what a typed answer is read as (--json; --batch - for JSON lines)

Exit 0 on success, 2 on bad input. No traceback ever reaches the person.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    import argparse

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class InputProblem(Exception):
    """Bad input from the person: the message says what and where."""


MAX_INPUT = 1_000_000  # bytes: an answers file is a few hundred; refuse more before reading
MAX_DEPTH = 32  # nesting of lists and mappings (a FHIR response needs about 10)
MAX_DIGITS = 30  # a number with more digits is no lab value
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(name: str) -> str:
    """A file name as it can be shown: escape codes and control characters made visible
    (``\\x1b``) instead of acting on the terminal."""
    return _CONTROL_CHARS.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        name,
    )


def cut(text: str, longest: int = 300) -> str:
    """A message with every very long run of characters cut short (a 100 MB bad value is
    not repeated in full; a file's path, even a long one, is kept whole)."""

    def shorten(match: re.Match[str]) -> str:
        run = match.group()
        return f"{run[:200]}... ({len(run):,} characters)"

    return re.sub(r"\S{" + str(longest + 1) + ",}", shorten, text)


def _read_file(name: str) -> bytes:
    """The bytes of the file ``name``, at most MAX_INPUT + 1 of them. A regular file is
    read in one go as long as it is (asking for MAX_INPUT bytes at once made a buffer
    of a megabyte for every file, most of the time of reading a few hundred bytes)."""
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):  # (as open() says of a folder)
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
        if info.st_size > MAX_INPUT:
            raise InputProblem(
                f"{visible(name)}: is {info.st_size:,} bytes; an answers file "
                f"may be at most {MAX_INPUT:,} bytes"
            )
        want = info.st_size + 1
        parts = [os.read(fd, want)]
        total = len(parts[0])
        if stat.S_ISREG(info.st_mode) and total < want:
            return parts[0]  # the whole file
        # a pipe or a device (its size is not known before), or a file that grew
        while parts[-1] and total <= MAX_INPUT:
            parts.append(os.read(fd, min(65536, MAX_INPUT + 1 - total)))
            total += len(parts[-1])
        return b"".join(parts)
    finally:
        os.close(fd)


def _read_limited(name: str) -> bytes:
    """The bytes of ``name`` (``-``: standard input), refusing more than MAX_INPUT before
    reading it whole."""
    if name == "-":
        stream = sys.stdin.buffer
        data = stream.read(MAX_INPUT + 1)
    else:
        try:
            data = _read_file(name)
        except FileNotFoundError as exc:
            raise InputProblem(f"{visible(name)}: no such file") from exc
        except IsADirectoryError as exc:
            raise InputProblem(f"{visible(name)}: is a folder, not an answers file") from exc
        except OSError as exc:
            raise InputProblem(f"{visible(name)}: cannot be read ({exc.strerror})") from exc
    if len(data) > MAX_INPUT:
        label = "<stdin>" if name == "-" else visible(name)
        raise InputProblem(
            f"{label}: is more than {MAX_INPUT:,} bytes; an answers file may be "
            f"at most {MAX_INPUT:,} bytes"
        )
    return data


_LEAVES = (str, float, bool, type(None))


def _check_shape(data: Any, label: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and numbers longer than MAX_DIGITS digits."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise InputProblem(
                    f"{label}: lists and mappings are nested more than "
                    f"{MAX_DEPTH} deep; an answers file needs only a few levels"
                )
            items = value.values() if isinstance(value, dict) else value
            # (text, decimals, yes/no and nothing are never too deep or too long)
            stack.extend((item, depth + 1) for item in items if not isinstance(item, _LEAVES))
        elif (
            isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_DIGITS
        ):
            raise InputProblem(
                f"{label}: a number has more than {MAX_DIGITS} digits; no "
                "answer needs one that long"
            )


def _no_repeats(label: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise InputProblem(
                    f"{label}: the id {key!r} is given twice; give each question one answer"
                )
            out[key] = value
        return out

    return hook


def _read_yaml(text: str, label: str) -> Any:
    from .engine.simpleyaml import load_simple
    from .engine.yamlio import YamlError, load_text

    # most answers files are simple YAML, read fast; the full loader reads the rest and
    # names the line of any problem (a key given twice, text that is not YAML)
    data = load_simple(text)
    if data is not None:
        return data
    try:  # located loading refuses a key given twice, naming its line
        return load_text(text, label, located=True)
    except YamlError as exc:
        raise InputProblem(str(exc)) from exc
    except (RecursionError, ValueError) as exc:  # a number too long for Python, too deep
        raise InputProblem(
            f"{label}: a number is too long or the lists and mappings are nested too deep"
        ) from exc


def _read_answers(name: str) -> Any:
    label = "<stdin>" if name == "-" else visible(name)
    try:
        text = _read_limited(name).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputProblem(f"{label}: is not UTF-8 text") from exc

    def number(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_DIGITS:
            raise InputProblem(
                f"{label}: a number has {len(digits.lstrip('-')):,} digits; "
                f"no answer needs more than {MAX_DIGITS}"
            )
        return int(digits)

    if name.lower().endswith(".json"):
        try:
            data = json.loads(text, object_pairs_hook=_no_repeats(label), parse_int=number)
        except json.JSONDecodeError as exc:
            raise InputProblem(f"{label}, line {exc.lineno}: not valid JSON ({exc.msg})") from exc
        except RecursionError as exc:
            raise InputProblem(
                f"{label}: lists and mappings are nested too deep; an answers "
                "file needs only a few levels"
            ) from exc
    else:
        data = _read_yaml(text, label)
    _check_shape(data, label)
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]  # a vignette file: use its answers
    elif isinstance(data, dict) and data.get("resourceType") == "QuestionnaireResponse":
        from .engine.reports.fhir import answers_from_response

        try:  # a FHIR export of ours: rebuild the answers from it
            data = answers_from_response(data)
        except ValueError as exc:
            raise InputProblem(f"{label}: {exc}") from exc
        except (TypeError, AttributeError, KeyError) as exc:  # e.g. a list for one code
            raise InputProblem(
                f"{label}: this FHIR QuestionnaireResponse has a value of the "
                "wrong kind (such as a list where one code or unit is "
                "expected)"
            ) from exc
    if not isinstance(data, dict):
        raise InputProblem(
            f"{label}: an answers file must map question ids to answers, for example 'pain: severe'"
        )
    return data


def _assess_file(engine: Any, name: str) -> Any:
    from .engine.dialog.answers import AnswerError

    raw = _read_answers(name)
    try:
        return engine.replay(raw)
    except AnswerError as exc:
        raise InputProblem(f"{'<stdin>' if name == '-' else visible(name)}: {exc.message}") from exc


def cmd_assess(args: argparse.Namespace) -> int:
    from .batch import map_in_order
    from .engine.loading import default_engine
    from .engine.reports.jsonlines import JsonLines
    from .engine.reports.markdown import to_dict, to_markdown

    engine = default_engine()
    content = engine.content
    # each assessment is turned into its text at once (only the texts are kept: fewer
    # objects for the garbage collector to go through), and everything is written once
    # at the end (nothing is written when a file is bad). --json: json.dump to a stream
    # writes every token separately (about 750 writes per assessment). One file:
    # indented, to be read; several: a list with one compact assessment a line (the
    # indenting encoder is pure Python and took about 1 s per 1,000 assessments, the
    # compact one is C), the parts that only depend on the content serialised once
    text: Callable[[Any], str]
    if args.json and len(args.files) == 1:
        text = lambda a: json.dumps(to_dict(a, content), indent=2, ensure_ascii=False)  # noqa: E731
    elif args.json:
        text = JsonLines(content).line
    else:
        text = lambda a: to_markdown(a, content)  # noqa: E731
    # many files: shared among the cores (forked copies with the engine loaded), in order
    texts = map_in_order(
        lambda name: text(_assess_file(engine, name)),
        args.files,
        processes=1 if "-" in args.files else None,  # (one reader of standard input)
    )
    if not args.json:
        sys.stdout.write("\n\n---\n\n".join(texts))
    elif len(texts) == 1:
        sys.stdout.write(texts[0] + "\n")
    elif texts:  # the brackets joined to the first and last lines: one copy of the whole
        texts[0], texts[-1] = "[\n" + texts[0], texts[-1] + "\n]\n"
        sys.stdout.write(",\n".join(texts))
    else:
        sys.stdout.write("[\n\n]\n")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .engine.validate import validate

    root = Path(args.dir) if args.dir else None
    if root is not None and not root.exists():
        raise InputProblem(f"{visible(args.dir)}: the directory does not exist")
    if root is not None and not root.is_dir():
        raise InputProblem(
            f"{visible(args.dir)}: is a file, not a directory (expected a directory "
            "holding dialogs/ and content/)"
        )
    if root is not None and not (root / "dialogs").is_dir():
        raise InputProblem(
            f"{visible(args.dir)}: has no dialogs/ folder (expected DIR/dialogs and DIR/content)"
        )
    problems = validate(root)
    where = args.dir or "the shipped dialogs/ and content/"
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {where}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"OK: {where} passed every check.")
    return EXIT_OK


def _parse_reader() -> Any:
    from .engine.loading import default_engine
    from .engine.reading.reader import reader_for

    return reader_for(default_engine())


def _parse_question(reader: Any, qid: Any) -> Any:
    """The dialog's question ``qid`` (a contract id the dialog does not ask on its own, such
    as ``age``, is read as the contract says); InputProblem for an unknown id."""
    from .engine import contract
    from .engine.dialog.questions import Option, Question

    if not isinstance(qid, str) or qid not in contract.QUESTIONS:
        known = ", ".join(contract.QUESTIONS)
        raise InputProblem(f"{qid!r} is not a question id of the contract; the ids are: {known}")
    question = reader.dialog.questions.get(qid)
    if question is not None:
        return question
    kind, codes = contract.QUESTIONS[qid]
    return Question(
        id=qid,
        section="",
        kind=kind,
        text_self=qid,
        text_caregiver=qid,
        options=tuple(Option(c, c) for c in codes),
        unsure_label="I'm not sure",
        why="",
        why_sources=(),
        transitions=(),
        where="",
    )


def _parse_given(reader: Any, raw: Any, label: str) -> dict[str, Any]:
    from .engine.dialog.answers import AnswerError, validate_all

    if raw is None:
        return {}
    try:
        return validate_all(raw, reader.labs)
    except AnswerError as exc:
        raise InputProblem(f"{label}: {exc.message}") from exc


def cmd_parse(args: argparse.Namespace) -> int:
    """What the reader understands in a typed answer (as the chat would record it)."""
    reader = _parse_reader()
    if args.batch:
        if args.batch != "-":
            raise InputProblem("--batch reads JSON lines from standard input: use --batch -")
        return _parse_batch(reader)
    if args.question is None or args.text is None:
        raise InputProblem("parse needs a QUESTION id and the TEXT typed (or --batch -)")
    question = _parse_question(reader, args.question)
    given = _parse_given(reader, _read_answers(args.given), args.given) if args.given else {}
    reading = reader.read(question, args.text, given)
    data = reading.to_json()
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    print(reading.understood)
    if reading.ok:
        print(f"answer: {json.dumps(data['answer'], ensure_ascii=False)}")
        for qid, value in (data.get("also") or {}).items():
            print(f"also {qid}: {json.dumps(value, ensure_ascii=False)}")
        if reading.confirm:
            print(f"confirm: {reading.confirm}")
    else:
        print(f"ask: {reading.ask}")
    return EXIT_OK


def _parse_batch(reader: Any) -> int:
    """JSON lines in ({"question", "text", "given"}), JSON lines out; a bad line gets an
    "error" naming its line number, and the exit code is then 2."""
    code = EXIT_OK
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        item: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise InputProblem("each line must be a JSON object with question and text")
            question = _parse_question(reader, item.get("question"))
            text = item.get("text")
            if not isinstance(text, str):
                raise InputProblem('"text" must be a string')
            given = _parse_given(reader, item.get("given"), "given")
            out = reader.read(question, text, given).to_json()
        except (InputProblem, json.JSONDecodeError) as exc:
            code = EXIT_BAD_INPUT
            why = (
                f"not valid JSON ({exc.msg})" if isinstance(exc, json.JSONDecodeError) else str(exc)
            )
            item_q = item.get("question") if isinstance(item, dict) else None
            out = {
                "question": item_q,
                "text": None,
                "answer": None,
                "ask": None,
                "understood": "",
                "error": f"line {number}: {why}",
            }
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return code


def cmd_graph(args: argparse.Namespace) -> int:
    from .engine.dialog.machine import mermaid
    from .engine.loading import default_engine

    print(mermaid(default_engine().dialog))
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    """The data dictionary (docs/answers.md), generated from dialogs/, content/ and the
    contract: printed, written with -o, or compared with --check."""
    from .engine.loading import default_engine
    from .engine.reports.dictionary import data_dictionary

    engine = default_engine()
    text = data_dictionary(engine.dialog, engine.content, engine.labs)
    if args.check:
        try:
            old = Path(args.check).read_text(encoding="utf-8")
        except OSError as exc:
            print(
                f"calcinosis: {args.check} cannot be read ({exc.strerror or exc}).", file=sys.stderr
            )
            return EXIT_BAD_INPUT
        if old != text:
            print(
                f"calcinosis: {args.check} is out of date; run: calcinosis docs -o {args.check}",
                file=sys.stderr,
            )
            return 1
        print(f"{args.check} is up to date.")
        return EXIT_OK
    if args.output:
        out = Path(args.output)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"calcinosis: {out} cannot be written ({exc.strerror or exc}).", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"Wrote {out}.", file=sys.stderr)
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK


def _open_store(*, readonly: bool = False) -> Any:
    """The saved sessions; ``readonly`` (history, show, export) creates nothing and works
    on a read-only disk."""
    from .storage import Store, StoreError

    try:
        return Store(readonly=readonly)
    except StoreError as exc:
        raise InputProblem(visible(str(exc))) from exc


def _session_json(record: Any) -> dict[str, Any]:
    row = record.row
    return {
        "id": row.id,
        "created": row.created,
        "updated": row.updated,
        "status": row.status,
        "respondent": row.respondent,
        "type": row.type,
        "subtype": row.subtype,
        "triage": row.triage,
        "answers": record.answers_dict(),
        "assessment": record.assessment,
    }


def _get_record(store: Any, ident: str) -> Any:
    try:
        number = int(ident)
    except ValueError as exc:
        raise InputProblem(
            f"{ident!r} is not a session id; 'calcinosis history' lists them"
        ) from exc
    record = store.get(number)
    if record is None:
        raise InputProblem(f"there is no session {number}; 'calcinosis history' lists them")
    return record


def _no_sessions() -> str | None:
    """ "No saved sessions in FOLDER." when there is no saved-answers file (none is made)."""
    from .storage import default_path

    path = default_path()
    return None if os.path.lexists(path) else f"No saved sessions in {visible(str(path.parent))}."


def cmd_history(args: argparse.Namespace) -> int:
    from .export import readable_date

    none = _no_sessions()
    if none:
        if args.json:
            print("[]")
        else:
            print(none)
        return EXIT_OK
    with _open_store(readonly=True) as store:
        rows = store.list()
        if args.json:
            json.dump(
                [
                    {
                        "id": r.id,
                        "created": r.created,
                        "updated": r.updated,
                        "status": r.status,
                        "respondent": r.respondent,
                        "type": r.type,
                        "subtype": r.subtype,
                        "triage": r.triage,
                        "answered": r.answered,
                    }
                    for r in rows
                ],
                sys.stdout,
                indent=2,
            )
            sys.stdout.write("\n")
            return EXIT_OK
        if not rows:
            print("No saved sessions yet.")
            return EXIT_OK
        print(f"{'id':>5}  {'date':<16}  {'answered by':<11}  {'status':<10}  {'type':<13}  triage")
        for r in rows:
            print(
                f"{r.id:>5}  {readable_date(r.updated):<16}  {r.respondent or '-':<11}  "
                f"{r.status:<10}  "
                f"{r.type or '-':<13}  {r.triage or '-'}"
            )
    return EXIT_OK


def _record(ident: str) -> Any:
    none = _no_sessions()
    if none:
        raise InputProblem(none)
    with _open_store(readonly=True) as store:
        return _get_record(store, ident)


def _summary_text(record: Any, fmt: str) -> str:
    """The summary of a saved session; from its raw answers, with a note, when they no
    longer fit the questions."""
    from .engine.loading import default_engine
    from .export import build, raw_text, summary_text

    engine = default_engine()
    finished = record.row.status == "finished"
    try:
        summary = build(engine, record.answers_dict(), record.row.created, finished)
    except (ValueError, KeyError, TypeError):  # AnswerError is a ValueError
        try:
            return raw_text(record.answers, record.row.created, finished, fmt)
        except ValueError as exc:
            raise InputProblem(f"session {record.row.id}: {exc}") from exc
    return summary_text(engine, summary, fmt)


def cmd_show(args: argparse.Namespace) -> int:
    record = _record(args.id)
    if args.json:
        json.dump(_session_json(record), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    status = "finished" if record.row.status == "finished" else "not finished yet"
    print(f"Session {record.row.id} ({status})\n")
    print(_summary_text(record, "md"))
    return EXIT_OK


def _confirmed(question: str, *, piped_yes: bool = False) -> bool:
    """Ask ``question`` on the terminal; True only for yes. Without a terminal (scripts,
    pipes) nothing is asked and the answer is yes; ``piped_yes``: without a terminal,
    yes only when standard input says yes."""
    if not sys.stdin.isatty():
        if not piped_yes:
            return True
        reply = sys.stdin.readline(16)
        return reply.strip().lower() in ("y", "yes")
    print(f"{question} (yes/no) ", end="", file=sys.stderr, flush=True)
    reply = sys.stdin.readline()
    return reply.strip().lower() in ("y", "yes")


def cmd_delete(args: argparse.Namespace) -> int:
    from .export import readable_date
    from .storage import StoreError

    none = _no_sessions()
    if none:
        raise InputProblem(none)
    with _open_store() as store:
        if args.all:
            count = len(store.list())
            if (
                count
                and not args.yes
                and not _confirmed(
                    f"Delete all {count} saved session{'s' if count != 1 else ''} for good?",
                    piped_yes=True,
                )
            ):
                print(
                    "Nothing was deleted."
                    + (
                        ""
                        if sys.stdin.isatty()
                        else " Without a terminal, 'delete --all' deletes only when standard input "
                        "says yes (echo yes | calcinosis delete --all), or with --yes."
                    )
                )
                return EXIT_OK
            try:
                count = store.delete_all()
            except StoreError as exc:
                raise InputProblem(str(exc)) from exc
            print(f"Deleted {count} session(s) for good.")
            return EXIT_OK
        if args.id is None:
            raise InputProblem(
                "say which session to delete (an id from 'calcinosis history'), or --all"
            )
        record = _get_record(store, args.id)
        row = record.row
        status = "finished" if row.status == "finished" else "not finished"
        if not args.yes and not _confirmed(
            f"Delete session {row.id} ({readable_date(row.updated)}, {status}) for good?"
        ):
            print("Nothing was deleted.")
            return EXIT_OK
        try:
            store.delete(row.id)
        except StoreError as exc:
            raise InputProblem(str(exc)) from exc
        print(f"Deleted session {row.id} for good.")
    return EXIT_OK


def _write_output(
    text: str, output: str | None, *, private: bool = False, force: bool = False
) -> None:
    """Print ``text``, or write it to the file ``output``. ``private``: never over an
    existing file without ``force``, never through a link, via a temporary file renamed
    into place, mode 0600 (see :func:`chatbot.export.write_replacing`)."""
    text = text if text.endswith("\n") else text + "\n"
    if output in (None, "-"):
        sys.stdout.write(text)
        return
    path = Path(output)
    try:
        if private:
            from .export import ExistingFile, write_replacing

            try:
                write_replacing(path, text, force=force)
            except ExistingFile as exc:
                raise InputProblem(visible(str(exc))) from exc
        else:
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputProblem(
            f"{visible(output)}: cannot be written ({exc.strerror or exc}); nothing was changed"
        ) from exc
    print(f"Saved to {visible(str(path.resolve()))}", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    record = _record(args.id)
    _write_output(_summary_text(record, args.format), args.output, private=True, force=args.force)
    return EXIT_OK


def cmd_export_questionnaire(args: argparse.Namespace) -> int:
    from .engine.loading import default_engine
    from .engine.reports.fhir import questionnaire

    resource = questionnaire(default_engine().dialog)
    _write_output(json.dumps(resource, indent=2, ensure_ascii=False), args.output)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    if args.max_visitors < 1:
        raise InputProblem("--max-visitors must be 1 or more")
    if args.idle_minutes <= 0:
        raise InputProblem("--idle-minutes must be more than 0")
    if args.token is not None and (
        len(args.token) < 16 or not re.fullmatch(r"[A-Za-z0-9._~-]+", args.token)
    ):
        raise InputProblem(
            "--token must be at least 16 characters long (it is the only "
            "thing keeping others out), of letters, digits and . _ ~ - only"
        )
    return serve(
        args.host,
        args.port,
        args.theme,
        token=args.token,
        allow_hosts=tuple(args.allow_host),
        own_data=args.own_data,
        max_visitors=args.max_visitors,
        idle_minutes=args.idle_minutes,
        grace_seconds=max(args.grace_seconds, 0.0),
    )


def cmd_chat(args: argparse.Namespace) -> int:
    from .settings import current

    served = current().under_textual_serve
    if args.plain or not (served or (sys.stdin.isatty() and sys.stdout.isatty())):
        from .engine.loading import default_engine
        from .plain import run_plain

        resume = "yes" if args.resume else "no" if args.new else "ask"
        return run_plain(default_engine(), resume=resume, save=not args.no_save)
    from .tui.app import make_app

    # The saved-answers file (chatbot.storage) is opened by the app right after its first
    # screen is drawn, with the engine, so that the welcome appears at once.
    resume = "yes" if args.resume else "no" if args.new else "ask"
    app = make_app(defer_engine=True, save=not args.no_save, resume=resume, theme=args.theme)
    try:
        code = app.run()
    except Exception as exc:  # no traceback ever reaches the person
        print(
            f"calcinosis: the terminal chat could not run ({type(exc).__name__}). "
            "Try 'calcinosis --plain'.",
            file=sys.stderr,
        )
        return 1
    finally:
        recorder = app.recorder
        if recorder is not None:
            if recorder.store is not None and not recorder.saving and app.session is not None:
                # writes failed and never recovered: say exactly which answers are saved
                print(f"calcinosis: {recorder.report(len(app.session.history))}", file=sys.stderr)
            recorder.close()
    return code or EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="calcinosis",
        description="An offline guide to calcium deposits in or under the skin. "
        "It gives information, not a diagnosis.",
    )
    parser.add_argument("--version", action="version", version=f"calcinosis {__version__}")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="line-by-line mode for screen readers and pipes (automatic when "
        "standard input is not a terminal)",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--resume", action="store_true", help="continue the last unfinished session without asking"
    )
    group.add_argument("--new", action="store_true", help="start a new session without asking")
    parser.add_argument("--no-save", action="store_true", help="do not save answers")
    parser.add_argument(
        "--theme",
        choices=("dark", "light", "high-contrast"),
        help="colours of the terminal chat (F6 or Ctrl+T switches them)",
    )
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("assess", help="assess answers files (YAML or JSON; - for stdin)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    p.set_defaults(func=cmd_assess)
    p = sub.add_parser("validate", help="check dialogs/ and content/")
    p.add_argument(
        "dir",
        nargs="?",
        metavar="DIR",
        help="a folder holding dialogs/ and content/ (default: the shipped ones)",
    )
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("graph", help="print the dialog as a Mermaid state diagram")
    p.set_defaults(func=cmd_graph)
    p = sub.add_parser(
        "docs",
        help="the data dictionary (docs/answers.md): every question "
        "id, answer code, unit and output field",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write it to FILE")
    p.add_argument("--check", metavar="FILE", help="exit 1 when FILE is not up to date")
    p.set_defaults(func=cmd_docs)
    p = sub.add_parser("parse", help="what a typed answer is read as (as the chat records it)")
    p.add_argument("question", nargs="?", metavar="QUESTION", help="a question id")
    p.add_argument("text", nargs="?", metavar="TEXT", help="the answer as typed")
    p.add_argument("--given", metavar="FILE", help="the answers so far (an answers file)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--batch", metavar="-", help="JSON lines from standard input, JSON lines out")
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser("history", help="list saved sessions")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)
    p = sub.add_parser("show", help="print one saved session")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("delete", help="delete a saved session (or --all) for good")
    p.add_argument("id", nargs="?", metavar="ID")
    p.add_argument("--all", action="store_true", help="delete every saved session")
    p.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help="do not ask first (without a terminal nothing is asked anyway)",
    )
    p.set_defaults(func=cmd_delete)
    p = sub.add_parser("export", help="a summary for the doctor: Markdown, HTML or FHIR")
    p.add_argument("id", metavar="ID")
    p.add_argument("--format", choices=("md", "html", "fhir"), default="md")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to a new FILE, mode 0600 (default: print)"
    )
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("serve", help="serve the chat to a web browser (trusted networks only)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--theme",
        choices=("dark", "light", "high-contrast"),
        help="colours of the chat in the browser",
    )
    p.add_argument(
        "--token",
        help="the secret the URL must carry (default: a new one at each start, printed in the URL)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="one more name the browser may use to reach this server",
    )
    p.add_argument(
        "--own-data",
        action="store_true",
        help="use your own saved sessions (one visitor at a time) instead of a "
        "private temporary folder for each visitor",
    )
    p.add_argument(
        "--max-visitors",
        type=int,
        default=4,
        metavar="N",
        help="at most N visitors at once (default 4)",
    )
    p.add_argument(
        "--idle-minutes",
        type=float,
        default=30.0,
        metavar="M",
        help="close a visitor's chat after M minutes without typing (default 30)",
    )
    p.add_argument(
        "--grace-seconds",
        type=float,
        default=120.0,
        metavar="S",
        help="keep a visitor's private folder S seconds after they leave, for a "
        "dropped connection (default 120)",
    )
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser(
        "export-questionnaire", help="the FHIR R4 Questionnaire generated from dialogs/"
    )
    p.add_argument("-o", "--output", metavar="FILE")
    p.set_defaults(func=cmd_export_questionnaire)
    parser.set_defaults(func=cmd_chat)
    return parser


CHAT_FLAGS = {"--plain": "plain", "--resume": "resume", "--new": "new", "--no-save": "no_save"}
THEMES = ("dark", "light", "high-contrast")


def chat_options(argv: list[str]) -> Any:
    """The options of the plain ``calcinosis [--plain] [--resume|--new] [--no-save]
    [--theme T]``, as ``build_parser`` reads them, without argparse: importing it and
    building every subcommand's parser would delay the chat's first screen. ``None`` for
    anything else (a subcommand, --help, a shortened or repeated option, an error), which
    argparse then reads as always."""
    from types import SimpleNamespace

    given: dict[str, Any] = {
        "plain": False,
        "resume": False,
        "new": False,
        "no_save": False,
        "theme": None,
    }
    seen: set[str] = set()
    words = iter(argv)
    for word in words:
        name, equals, value = word.partition("=") if word.startswith("--theme=") else (word, "", "")
        if name in seen:
            return None
        seen.add(name)
        if name in CHAT_FLAGS:
            given[CHAT_FLAGS[name]] = True
        elif name == "--theme":
            value = value if equals else next(words, "")
            if value not in THEMES:
                return None
            given["theme"] = value
        else:
            return None
    if given["resume"] and given["new"]:
        return None
    return SimpleNamespace(**given, command=None, func=cmd_chat)


def main(argv: list[str] | None = None) -> int:
    args = chat_options(sys.argv[1:] if argv is None else argv)
    if args is None:
        args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InputProblem as exc:
        print(f"calcinosis: {cut(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # no traceback ever reaches a person
        from .engine.dialog.questions import DialogError
        from .engine.medicine.content import ContentError
        from .engine.medicine.rules import RulesError

        if isinstance(exc, (DialogError, ContentError, RulesError)):
            print(
                "calcinosis: the installed dialog or content has problems; run "
                "'calcinosis validate' to see them.",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        print(
            f"calcinosis: something went wrong ({type(exc).__name__}: {exc}). "
            "Your input was not changed.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
