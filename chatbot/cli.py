"""The ``calcinosis`` command: a thin layer over the engine.

    calcinosis                   the terminal chat
    calcinosis assess FILE...    answers files (YAML or JSON, - for stdin) -> assessment
    calcinosis validate [DIR]    check dialogs/ and content/ (shipped, or under DIR)
    calcinosis graph             the dialog as a Mermaid state diagram

Exit 0 on success, 2 on bad input. No traceback ever reaches the person.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class InputProblem(Exception):
    """Bad input from the person: the message says what and where."""


def _no_repeats(label: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise InputProblem(f"{label}: the id {key!r} is given twice; give each "
                                   "question one answer")
            out[key] = value
        return out

    return hook


def _read_answers(name: str) -> Any:
    from .engine.yamlio import YamlError, load_text

    if name == "-":
        text, label = sys.stdin.read(), "<stdin>"
    else:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise InputProblem(f"{name}: no such file") from exc
        except IsADirectoryError as exc:
            raise InputProblem(f"{name}: is a folder, not an answers file") from exc
        except UnicodeDecodeError as exc:
            raise InputProblem(f"{name}: is not UTF-8 text") from exc
        except OSError as exc:
            raise InputProblem(f"{name}: cannot be read ({exc.strerror})") from exc
        label = name
    if name.lower().endswith(".json"):
        try:
            data = json.loads(text, object_pairs_hook=_no_repeats(label))
        except json.JSONDecodeError as exc:
            raise InputProblem(f"{label}, line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    else:
        try:  # located loading refuses a key given twice, naming its line
            data = load_text(text, label, located=True)
        except YamlError as exc:
            raise InputProblem(str(exc)) from exc
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]  # a vignette file: use its answers
    elif isinstance(data, dict) and data.get("resourceType") == "QuestionnaireResponse":
        from .engine.reports.fhir import answers_from_response

        try:  # a FHIR export of ours: rebuild the answers from it
            data = answers_from_response(data)
        except ValueError as exc:
            raise InputProblem(f"{label}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputProblem(f"{label}: an answers file must map question ids to answers, "
                           "for example 'pain: severe'")
    return data


def cmd_assess(args: argparse.Namespace) -> int:
    from .engine.dialog.answers import AnswerError
    from .engine.loading import default_engine
    from .engine.reports.markdown import to_dict, to_markdown

    engine = default_engine()
    results = []
    for name in args.files:
        raw = _read_answers(name)
        try:
            assessment = engine.replay(raw)
        except AnswerError as exc:
            raise InputProblem(f"{'<stdin>' if name == '-' else name}: {exc.message}") from exc
        results.append(assessment)
    if args.json:
        data = [to_dict(a, engine.content) for a in results]
        json.dump(data[0] if len(data) == 1 else data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write("\n\n---\n\n".join(to_markdown(a, engine.content) for a in results))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .engine.validate import validate

    root = Path(args.dir) if args.dir else None
    if root is not None and not root.exists():
        raise InputProblem(f"{args.dir}: the directory does not exist")
    if root is not None and not root.is_dir():
        raise InputProblem(f"{args.dir}: is a file, not a directory (expected a directory "
                           "holding dialogs/ and content/)")
    if root is not None and not (root / "dialogs").is_dir():
        raise InputProblem(f"{args.dir}: has no dialogs/ folder (expected DIR/dialogs and "
                           "DIR/content)")
    problems = validate(root)
    where = args.dir or "the shipped dialogs/ and content/"
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {where}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"OK: {where} passed every check.")
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    from .engine.dialog.machine import mermaid
    from .engine.loading import default_engine

    print(mermaid(default_engine().dialog))
    return EXIT_OK


def _open_store():
    from .storage import Store, StoreError

    try:
        return Store()
    except StoreError as exc:
        raise InputProblem(str(exc)) from exc


def _session_json(record: Any) -> dict[str, Any]:
    row = record.row
    return {"id": row.id, "created": row.created, "updated": row.updated, "status": row.status,
            "respondent": row.respondent, "type": row.type, "subtype": row.subtype,
            "triage": row.triage, "answers": record.answers_dict(),
            "assessment": record.assessment}


def _get_record(store: Any, ident: str) -> Any:
    try:
        number = int(ident)
    except ValueError as exc:
        raise InputProblem(f"{ident!r} is not a session id; 'calcinosis history' lists "
                           "them") from exc
    record = store.get(number)
    if record is None:
        raise InputProblem(f"there is no session {number}; 'calcinosis history' lists them")
    return record


def cmd_history(args: argparse.Namespace) -> int:
    from .export import readable_date

    with _open_store() as store:
        rows = store.list()
        if args.json:
            json.dump([{"id": r.id, "created": r.created, "updated": r.updated,
                        "status": r.status, "respondent": r.respondent, "type": r.type,
                        "subtype": r.subtype, "triage": r.triage, "answered": r.answered}
                       for r in rows], sys.stdout, indent=2)
            sys.stdout.write("\n")
            return EXIT_OK
        if not rows:
            print("No saved sessions yet.")
            return EXIT_OK
        print(f"{'id':>5}  {'date':<16}  {'answered by':<11}  {'status':<10}  "
              f"{'type':<13}  triage")
        for r in rows:
            print(f"{r.id:>5}  {readable_date(r.updated):<16}  {r.respondent or '-':<11}  "
                  f"{r.status:<10}  "
                  f"{r.type or '-':<13}  {r.triage or '-'}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from .engine.loading import default_engine
    from .export import build, summary_markdown

    with _open_store() as store:
        record = _get_record(store, args.id)
    if args.json:
        json.dump(_session_json(record), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    engine = default_engine()
    summary = build(engine, record.answers_dict(), record.row.created,
                    record.row.status == "finished")
    status = "finished" if record.row.status == "finished" else "not finished yet"
    print(f"Session {record.row.id} ({status})\n")
    print(summary_markdown(engine, summary))
    return EXIT_OK


def _confirmed(question: str) -> bool:
    """Ask ``question`` on the terminal; True only for yes. Without a terminal (scripts,
    pipes) nothing is asked and the answer is yes, as before."""
    if not sys.stdin.isatty():
        return True
    print(f"{question} (yes/no) ", end="", file=sys.stderr, flush=True)
    reply = sys.stdin.readline()
    return reply.strip().lower() in ("y", "yes")


def cmd_delete(args: argparse.Namespace) -> int:
    from .export import readable_date

    with _open_store() as store:
        if args.all:
            count = len(store.list())
            if count and not args.yes and not _confirmed(
                    f"Delete all {count} saved session{'s' if count != 1 else ''} for good?"):
                print("Nothing was deleted.")
                return EXIT_OK
            count = store.delete_all()
            print(f"Deleted {count} session(s) for good.")
            return EXIT_OK
        if args.id is None:
            raise InputProblem("say which session to delete (an id from 'calcinosis history'), "
                               "or --all")
        record = _get_record(store, args.id)
        row = record.row
        status = "finished" if row.status == "finished" else "not finished"
        if not args.yes and not _confirmed(
                f"Delete session {row.id} ({readable_date(row.updated)}, {status}) for good?"):
            print("Nothing was deleted.")
            return EXIT_OK
        store.delete(row.id)
        print(f"Deleted session {row.id} for good.")
    return EXIT_OK


def _write_output(text: str, output: str | None, *, private: bool = False) -> None:
    """Print ``text``, or write it to the file ``output``. ``private``: a new file is
    created readable by its owner only (mode 0600); an existing file keeps its mode."""
    text = text if text.endswith("\n") else text + "\n"
    if output in (None, "-"):
        sys.stdout.write(text)
        return
    path = Path(output)
    try:
        if private:
            from .export import write_private

            write_private(path, text)
        else:
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputProblem(f"{output}: cannot be written ({exc.strerror})") from exc
    print(f"Saved to {path.resolve()}", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    from .engine.loading import default_engine
    from .export import build, summary_text

    with _open_store() as store:
        record = _get_record(store, args.id)
    engine = default_engine()
    summary = build(engine, record.answers_dict(), record.row.created,
                    record.row.status == "finished")
    _write_output(summary_text(engine, summary, args.format), args.output, private=True)
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
    if args.token is not None and len(args.token) < 16:
        raise InputProblem("--token must be at least 16 characters long (it is the only "
                           "thing keeping others out)")
    return serve(args.host, args.port, args.theme, token=args.token,
                 allow_hosts=tuple(args.allow_host), own_data=args.own_data,
                 max_visitors=args.max_visitors, idle_minutes=args.idle_minutes)


def cmd_chat(args: argparse.Namespace) -> int:
    served = os.environ.get("TEXTUAL_DRIVER", "").endswith("WebDriver")  # under textual-serve
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
        print(f"calcinosis: the terminal chat could not run ({type(exc).__name__}). "
              "Try 'calcinosis --plain'.", file=sys.stderr)
        return 1
    finally:
        if app.recorder is not None:
            app.recorder.close()
    return code or EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calcinosis",
        description="An offline guide to calcium deposits in or under the skin. "
                    "It gives information, not a diagnosis.")
    parser.add_argument("--version", action="version", version=f"calcinosis {__version__}")
    parser.add_argument("--plain", action="store_true",
                        help="line-by-line mode for screen readers and pipes (automatic when "
                             "standard input is not a terminal)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--resume", action="store_true",
                       help="continue the last unfinished session without asking")
    group.add_argument("--new", action="store_true", help="start a new session without asking")
    parser.add_argument("--no-save", action="store_true", help="do not save answers")
    parser.add_argument("--theme", choices=("dark", "light", "high-contrast"),
                        help="colours of the terminal chat (F6 or Ctrl+T switches them)")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("assess", help="assess answers files (YAML or JSON; - for stdin)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    p.set_defaults(func=cmd_assess)
    p = sub.add_parser("validate", help="check dialogs/ and content/")
    p.add_argument("dir", nargs="?", metavar="DIR",
                   help="a folder holding dialogs/ and content/ (default: the shipped ones)")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("graph", help="print the dialog as a Mermaid state diagram")
    p.set_defaults(func=cmd_graph)
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
    p.add_argument("-y", "--yes", action="store_true",
                   help="do not ask first (without a terminal nothing is asked anyway)")
    p.set_defaults(func=cmd_delete)
    p = sub.add_parser("export", help="a summary for the doctor: Markdown, HTML or FHIR")
    p.add_argument("id", metavar="ID")
    p.add_argument("--format", choices=("md", "html", "fhir"), default="md")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: print)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("serve", help="serve the chat to a web browser (trusted networks only)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--theme", choices=("dark", "light", "high-contrast"),
                   help="colours of the chat in the browser")
    p.add_argument("--token", help="the secret the URL must carry (default: a new one at "
                   "each start, printed in the URL)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="one more name the browser may use to reach this server")
    p.add_argument("--own-data", action="store_true",
                   help="use your own saved sessions (one visitor at a time) instead of a "
                        "private temporary folder for each visitor")
    p.add_argument("--max-visitors", type=int, default=4, metavar="N",
                   help="at most N visitors at once (default 4)")
    p.add_argument("--idle-minutes", type=float, default=30.0, metavar="M",
                   help="close a visitor's chat after M minutes without typing (default 30)")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("export-questionnaire",
                       help="the FHIR R4 Questionnaire generated from dialogs/")
    p.add_argument("-o", "--output", metavar="FILE")
    p.set_defaults(func=cmd_export_questionnaire)
    parser.set_defaults(func=cmd_chat)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except InputProblem as exc:
        print(f"calcinosis: {exc}", file=sys.stderr)
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
            print("calcinosis: the installed dialog or content has problems; run "
                  "'calcinosis validate' to see them.", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"calcinosis: something went wrong ({type(exc).__name__}: {exc}). "
              "Your input was not changed.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
