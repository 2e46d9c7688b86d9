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
import sys
from pathlib import Path
from typing import Any

from . import __version__

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class InputProblem(Exception):
    """Bad input from the person: the message says what and where."""


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
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputProblem(f"{label}, line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    else:
        try:
            data = load_text(text, label, located=False)
        except YamlError as exc:
            raise InputProblem(str(exc)) from exc
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]  # a vignette file: use its answers
    if not isinstance(data, dict):
        raise InputProblem(f"{label}: an answers file must map question ids to answers, "
                           "for example 'pain: severe'")
    return data


def cmd_assess(args: argparse.Namespace) -> int:
    from .engine.answers import AnswerError
    from .engine.loading import default_engine
    from .engine.report import to_dict, to_markdown

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
    from .engine.loading import default_engine
    from .engine.machine import mermaid

    print(mermaid(default_engine().dialog))
    return EXIT_OK


def cmd_chat(args: argparse.Namespace) -> int:
    try:
        from .tui.app import run
    except ImportError:
        print("The terminal chat is not built yet. Meanwhile, 'calcinosis assess FILE' "
              "assesses an answers file; see 'calcinosis --help'.")
        return EXIT_OK
    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calcinosis",
        description="An offline guide to calcium deposits in or under the skin. "
                    "It gives information, not a diagnosis.")
    parser.add_argument("--version", action="version", version=f"calcinosis {__version__}")
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
    parser.set_defaults(func=cmd_chat)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputProblem as exc:
        print(f"calcinosis: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - no traceback ever reaches a person
        from .engine.content import ContentError
        from .engine.dialog import DialogError
        from .engine.rules import RulesError

        if isinstance(exc, (DialogError, ContentError, RulesError)):
            print("calcinosis: the installed dialog or content has problems; run "
                  "'calcinosis validate' to see them.", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"calcinosis: something went wrong ({type(exc).__name__}: {exc}). "
              "Your input was not changed.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
