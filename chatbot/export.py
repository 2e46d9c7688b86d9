"""A summary to take to the doctor: Markdown, one printable HTML page, or FHIR.

Built from a saved session (or any answers): the answers are replayed through
the dialog, so the summary always matches what the engine concludes.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine.loading import Engine
from .engine.medicine.assessment import Assessment
from .engine.medicine.labs import LabValue
from .engine.reports.markdown import doctor_questions as type_doctor_questions
from .engine.reports.markdown import escape_md

RESPONDENT_WORDS = {"self": "the person themself", "caregiver": "a caregiver, for someone else"}


@dataclass(frozen=True)
class Summary:
    assessment: Assessment
    answers: dict[str, Any]
    history: list[str]
    created: str
    respondent: str | None
    finished: bool = True


def readable_date(stamp: str) -> str:
    """A stored time ("2026-11-22T07:45:12+00:00") as people read it, in this computer's
    time zone: "2026-11-22 08:45" in Paris."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return stamp or "not recorded"


def build(engine: Engine, answers: dict[str, Any], created: str, finished: bool = True) -> Summary:
    session = engine.new_session()
    try:
        session.replay(answers, complete=finished)
        assessment = engine.assess(session)
        return Summary(
            assessment,
            dict(session.answers),
            list(session.history),
            created,
            session.respondent,
            finished,
        )
    finally:
        session.close()


def _answer_words(engine: Engine, qid: str, value: Any) -> str:
    question = engine.dialog.questions[qid]
    if isinstance(value, LabValue):
        return escape_md(value.entered())
    if isinstance(value, tuple):
        return ", ".join(question.label_of(code) for code in value)
    return question.label_of(value)


def qa_markdown(engine: Engine, summary: Summary) -> str:
    lines = ["## Every question and answer", "", "| question | answer |", "|---|---|"]
    for qid in summary.history:
        question = engine.dialog.questions[qid]
        text = question.text(summary.respondent).replace("|", "\\|")
        words = _answer_words(engine, qid, summary.answers[qid]).replace("|", "\\|")
        lines.append(f"| {text} | {words} |")
    return "\n".join(lines)


def doctor_questions(engine: Engine, a: Assessment) -> list[str]:
    """What to ask the doctor, in the respondent's words (see content/types.yaml)."""
    questions = [
        "Could these lumps be checked, and what do you think they are?",
        "Which tests would tell what type they are, and when can they be done?",
    ]
    questions += [q for q in type_doctor_questions(a, engine.content) if q not in questions]
    if a.red_flags:
        who = "we" if a.respondent == "caregiver" else "I"
        questions.append(
            f"Which warning signs mean {who} should come back at once or call for help?"
        )
    return questions


def summary_markdown(engine: Engine, summary: Summary) -> str:
    """The summary for the doctor: a first page a GP reads in a minute, then every
    question and answer, the person's questions and the numbered sources."""
    from .engine.reports.summary import SummaryInput, doctor_summary

    data = SummaryInput(
        summary.assessment,
        summary.answers,
        summary.history,
        readable_date(summary.created),
        summary.finished,
    )
    return doctor_summary(
        data, engine.dialog, engine.content, doctor_questions(engine, summary.assessment)
    )


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font: 16px/1.5 Georgia, "Times New Roman", serif; max-width: 46em; margin: 2em auto;
         padding: 0 1em; color: #111; background: #fff; }}
  h1, h2, h3 {{ font-family: Helvetica, Arial, sans-serif; line-height: 1.2; }}
  h1 {{ font-size: 1.6em; border-bottom: 2px solid #333; padding-bottom: .3em; }}
  blockquote {{ border-left: 4px solid #555; margin: 1em 0; padding: .2em 1em;
               background: #f4f4f4; }}
  table {{ border-collapse: collapse; width: 100%; margin: 1em 0; }}
  th, td {{ border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }}
  th {{ background: #eee; }}
  code {{ font-family: Menlo, Consolas, monospace; font-size: .9em; }}
  h2.next-page {{ margin-top: 2em; }}
  @page {{ size: A4; margin: 14mm 15mm; }}
  @media print {{ body {{ margin: 0; max-width: none; font-size: 9.5pt; line-height: 1.3; }}
                  h1 {{ font-size: 1.4em; margin: 0 0 .4em; }}
                  h2 {{ font-size: 1.1em; margin: .8em 0 .3em; }}
                  ul, p, blockquote {{ margin: .3em 0; }}
                  table {{ margin: .4em 0; }}
                  th, td {{ padding: .15em .4em; }}
                  h2.next-page {{ break-before: page; margin-top: 0; }}
                  a {{ color: #000; text-decoration: none; }} }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def summary_html(engine: Engine, summary: Summary) -> str:
    """One self-contained printable page (no scripts, no external files)."""
    from markdown_it import MarkdownIt

    from .engine.reports.summary import QA_HEADING, TITLE

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = md.render(summary_markdown(engine, summary))
    # the first page ends before every question and answer (printed: a new page)
    qa = QA_HEADING.removeprefix("## ")
    body = body.replace(f"<h2>{qa}</h2>", f'<h2 class="next-page">{qa}</h2>', 1)
    return PAGE.format(title=html.escape(TITLE), body=body)


def summary_fhir(engine: Engine, summary: Summary) -> dict[str, Any]:
    from .engine.reports.fhir import questionnaire_response

    return questionnaire_response(
        summary.answers,
        engine.dialog,
        authored=summary.created,
        respondent=summary.respondent,
        status="completed" if summary.finished else "in-progress",
    )


SUMMARY_DIR_ENV = "CALCINOSIS_SUMMARY_DIR"  # where "Save summary" writes (tests, kiosks)
SUFFIXES = {"md": ".md", "html": ".html", "fhir": ".fhir.json"}


def summary_text(engine: Engine, summary: Summary, fmt: str) -> str:
    """The summary in one of the export formats: ``md``, ``html`` or ``fhir``."""
    if fmt == "md":
        return summary_markdown(engine, summary)
    if fmt == "html":
        return summary_html(engine, summary)
    if fmt == "fhir":
        import json

        return json.dumps(summary_fhir(engine, summary), indent=2, ensure_ascii=False)
    raise ValueError(f"unknown summary format {fmt!r}; allowed: md, html, fhir")


def summary_dir() -> Path:
    """Where summaries are saved: $CALCINOSIS_SUMMARY_DIR, else the user's Documents
    folder when it exists, else the home folder."""
    from .settings import current

    override = current().summary_dir
    if override:
        return override
    from platformdirs import user_documents_dir

    documents = Path(user_documents_dir())
    return documents if documents.is_dir() else Path.home()


PRIVATE_MODE = 0o600  # summaries hold health details: readable by their owner only


def write_private(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write ``text`` to ``path``; a new file gets mode 0600 (never more, whatever the umask).

    An existing file is overwritten but keeps its own mode (it is never loosened);
    ``exclusive``: refuse an existing file (``FileExistsError``).
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), PRIVATE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def summary_filename(summary: Summary, fmt: str = "html") -> str:
    """The file name a summary is given: ``calcinosis-summary-2026-11-22.html``."""
    day = (summary.created or "")[:10] or "undated"
    return f"calcinosis-summary-{day}{SUFFIXES[fmt]}"


class ExistingFile(Exception):
    """The output file exists (or is a link): the message says what to do."""


def write_replacing(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` so that nothing can be destroyed or leaked.

    A symbolic link is refused; an existing file only with ``force``. The text
    goes to a temporary file (mode 0600) in the same folder, which is then
    renamed over ``path``: the old file stays whole until the new one is
    complete, and the result is mode 0600 even when it replaces a 0644 file.
    Raises :class:`ExistingFile` or ``OSError``.
    """
    import stat
    import tempfile

    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISLNK(mode):
        raise ExistingFile(
            f"{path} is a symbolic link; calcinosis does not write through "
            "links. Give the name of a new file."
        )
    if mode is not None and not stat.S_ISREG(mode):
        raise ExistingFile(f"{path} exists and is not a regular file.")
    if mode is not None and not force:
        raise ExistingFile(f"{path} already exists; give a new name, or add --force to replace it.")
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, PRIVATE_MODE)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


NO_REPLAY_NOTE = (
    "**Note:** these saved answers no longer fit the current questions (the "
    "questions have changed since they were given), so no result can be worked "
    "out from them. They are shown below exactly as they were saved."
)


def raw_markdown(answers: list[tuple[str, Any]], created: str, finished: bool) -> str:
    """A session that no longer replays, from its raw answers, with a note saying so."""

    def cell(value: Any) -> str:
        if isinstance(value, dict) and "value" in value:
            value = f"{value.get('value')} {value.get('unit', '')}".strip()
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        return escape_md(str(value)).replace("|", "\\|")

    lines = [
        "# Calcinosis check: saved answers",
        "",
        f"- **Date:** {readable_date(created)}",
        f"- **Finished:** {'yes' if finished else 'no'}",
        "",
        NO_REPLAY_NOTE,
        "",
        "| question id | answer as saved |",
        "|---|---|",
    ]
    lines += [f"| {cell(qid)} | {cell(value)} |" for qid, value in answers]
    lines += [
        "",
        "This is not a diagnosis; only a doctor who examines the person can say what "
        "the lumps are.",
        "",
    ]
    return "\n".join(lines)


def raw_text(answers: list[tuple[str, Any]], created: str, finished: bool, fmt: str) -> str:
    """:func:`raw_markdown` as Markdown or one printable HTML page (FHIR cannot hold it)."""
    text = raw_markdown(answers, created, finished)
    if fmt == "md":
        return text
    if fmt == "html":
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False}).enable("table")
        return PAGE.format(
            title=html.escape("Calcinosis check: saved answers"), body=md.render(text)
        )
    raise ValueError(
        "these saved answers no longer fit the questions, so they cannot be "
        "exported as FHIR; use --format md or --format html"
    )


def save_summary(
    engine: Engine, summary: Summary, fmt: str = "html", directory: Path | None = None
) -> Path:
    """Write the summary to a new file (never over an existing one; mode 0600, readable by
    its owner only) and return its path.

    Raises ``OSError`` with a plain message when the folder cannot be written.
    """
    folder = Path(directory) if directory is not None else summary_dir()
    day = (summary.created or "")[:10] or "undated"
    stem = f"calcinosis-summary-{day}"
    text = summary_text(engine, summary, fmt)
    if not text.endswith("\n"):
        text += "\n"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"The folder {folder} cannot be created ({exc.strerror}).") from exc
    for n in range(1, 1000):
        path = folder / (stem + (f"-{n}" if n > 1 else "") + SUFFIXES[fmt])
        try:
            write_private(path, text, exclusive=True)  # never overwrite
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise OSError(
                f"The summary cannot be written to {folder} ({exc.strerror or exc})."
            ) from exc
    raise OSError(f"Too many summaries from {day} in {folder}; move some away and try again.")
