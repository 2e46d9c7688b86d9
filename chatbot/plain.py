"""Plain mode: the same dialog, line by line on standard input and output.

For screen readers, pipes and scripts: no full-screen drawing and no colour.
Each question is printed with numbered options; a line answers it by number,
code or words (the same word matching as the terminal UI), or is one of the
commands ``back``, ``why``, ``unsure``, ``help``, ``quit``. When input ends
half-way the run stops cleanly and says which question was left unanswered.
Every answer is saved at once (see :mod:`chatbot.storage`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import IO, Any

from .engine import contract
from .engine.dialog.answers import AnswerError
from .engine.dialog.session import Session
from .engine.loading import Engine
from .engine.medicine.labs import LabError, LabValue, extreme_message, parse_lab_text
from .engine.reports.markdown import to_dict, to_markdown
from .export import readable_date
from .storage import Recorder

COMMANDS = ("back", "why", "unsure", "help", "quit")
HELP = """\
How to answer:
  - type the number of an option, or its words (for example: hands, dunno);
  - for "choose all that apply", give several, separated by commas: 1, 3;
  - lab values: the number with its unit (11.8 mg/dL, 2.9 mmol/L), or high, normal, low;
  - unsure (or 0): "I'm not sure"; back: change the last answer;
  - why: why this is asked; help: this text; quit: stop (answers are kept).
"""

_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Typed text made safe to echo: escape codes and control characters removed."""
    return _CONTROL.sub("", text)


_HEADING_CODES = re.compile(r"\s*\(\s*`[^`]*`(?:\s*,\s*`[^`]*`)*\s*\)")


def plain_text(markdown: str) -> str:
    """Markdown made readable as plain text (for screen readers and pipes).

    Headings lose the contract codes the Markdown report shows beside their
    words ("Get emergency help now (`emergency`)" reads "Get emergency help now").
    """
    out = []
    for line in markdown.splitlines():
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            title = _HEADING_CODES.sub("", heading.group(2))
            title = re.sub(r"`([^`]*)`", r"\1", title)
            out.append(title.upper() if len(heading.group(1)) <= 2 else title)
            continue
        if line.startswith("|---"):
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            line = " - ".join(c for c in cells if c)
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
        line = re.sub(r"`([^`]*)`", r"\1", line)
        line = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"\1", line)
        line = re.sub(r"\\([\\`*_{}\[\]<>()#+\-.!|~])", r"\1", line)
        if line.startswith("> "):
            line = line[2:]
        out.append(line)
    return "\n".join(out)


class PlainChat:
    """One run of plain mode over text streams."""

    def __init__(self, engine: Engine, stdin: IO[str], stdout: IO[str],
                 recorder: Recorder | None = None, interactive: bool = False):
        self.engine = engine
        self.stdin = stdin
        self.out = stdout
        self.recorder = recorder or Recorder(None)
        self.interactive = interactive
        self.session: Session = engine.new_session()
        self._section: str | None = None
        self._announced: set[str] = set()  # red flags already said at once
        self._matcher = _load_matcher(engine)
        self._more: int | None = None  # "about N more" said at the last question shown

    # ----- output
    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def read(self, prompt: str = "> ") -> str | None:
        if self.interactive:
            self.out.write(prompt)
            self.out.flush()
        line = self.stdin.readline()
        if not line:
            return None
        return clean(line.rstrip("\r\n")).strip()

    # ----- the run
    def run(self) -> int:
        notices = self.engine.content.notices
        self.say("Calcinosis check (plain mode)")
        self.say(notices["not_a_diagnosis"])
        self.say(notices["emergency"])
        if self.recorder.warning:
            self.say(f"Warning: {self.recorder.warning}")
        self.say('Type "help" at any time for how to answer.')
        while not self.session.finished:
            question = self.session.current
            assert question is not None
            self.show_question()
            if not self.take_answer():
                return 0
            self.after_answer()
        self.finish()
        return 0

    def show_question(self) -> None:
        s = self.session
        question = s.current
        assert question is not None
        progress = s.progress()
        if progress.section != self._section:
            self._section = progress.section
            self.say("")
            self.say(f"== {progress.section_title} ==")
        self.say("")
        self.say(f"Question {progress.answered + 1} ({self._how_many_more(progress)}): "
                 f"{s.text()}")
        options = s.options()
        for number, option in enumerate(options, 1):
            self.say(f"  {number}. {option.label}")
        self.say(f"  0. {question.unsure_label}")
        if question.kind == contract.MANY:
            self.say("Choose all that apply: numbers or words separated by commas.")
        elif question.kind == contract.LAB:
            units = ", ".join(contract.LAB_UNITS[question.id])
            extra = ", or a number above" if options else ""
            self.say(f"Type the value with its unit ({units}){extra}.")

    def _how_many_more(self, progress: Any) -> str:
        """The questions left, in words. The count is an estimate (the rest answered "not
        sure"); when an answer opened more questions, it says so rather than count up."""
        more = max(progress.remaining - 1, 0)
        previous, self._more = self._more, more
        if more == 0:
            return "the last question, as far as we can tell"
        text = f"about {more} more after this"
        if previous is not None and more > previous - 1:
            added = more - (previous - 1)
            text += f"; your last answer added {_count(added, 'question')}"
        return text

    def take_answer(self) -> bool:
        """Read lines until the current question is answered; False when input ended or quit."""
        s = self.session
        question = s.current
        assert question is not None
        while True:
            line = self.read()
            if line is None:
                self.say("")
                self.say(f"The input ended before this question was answered: "
                         f"\"{s.text()}\" ({question.id}).")
                self.say(self.saved_words())
                return False
            word = line.lower()
            if word in ("quit", "exit", "q"):
                self.say("Stopped. " + ("Your answers so far are kept; start again to continue."
                                        if self.recorder.saving else self.saved_words()))
                return False
            if word in ("help", "?", "h"):
                self.say(HELP)
                continue
            if word == "why":
                self.say(f"Why we ask: {question.why}")
                continue
            if word == "back":
                if s.back():
                    self.save()
                    self.say("Going back one question.")
                    self._section = None
                    self._more = None  # the count may go up again: that is expected
                    self.show_question()
                    question = s.current
                    assert question is not None
                else:
                    self.say("This is the first question; there is nothing to go back to.")
                continue
            if not line:
                self.say("Please type an answer, or \"unsure\".")
                continue
            try:
                value = self.understand(line)
            except (ValueError, OverflowError, RecursionError):  # never a crash on a line
                self.say(f"I could not read \"{_shorter(line)}\". Please type the number of an "
                         "answer, its words, or \"unsure\".")
                continue
            if value is None:
                continue
            try:
                s.answer_current(value)
            except AnswerError as exc:
                self.say(exc.message)
                continue
            self.save()
            note = s.unsure_note(question.id)
            if note:
                self.say(note)
            return True

    def save(self) -> None:
        """Save the answers; a failure (or saving working again) is said at once."""
        before = self.recorder.warning
        self.recorder.sync(self.session)
        if self.recorder.warning and self.recorder.warning != before:
            self.say(("Note: " if self.recorder.saving else "Warning: ")
                     + self.recorder.warning)

    def saved_words(self) -> str:
        """What is saved, exactly: all answers, the first N, or none."""
        if self.recorder.saving and self.recorder.store is not None:
            return "Your answers so far are kept."
        return self.recorder.report(len(self.session.history))

    def understand(self, line: str) -> Any:
        """The answer a line means, or None after saying what was wrong."""
        s = self.session
        question = s.current
        assert question is not None
        options = s.options()
        word = line.lower()
        if word in ("unsure", "0", "not sure", "i'm not sure", "dont know", "don't know"):
            return [contract.UNSURE] if question.kind == contract.MANY else contract.UNSURE
        if question.kind == contract.LAB:
            return self.understand_lab(line, options)
        parts = [p.strip() for p in re.split(r"[,;]", line) if p.strip()]
        if parts and all(p.isascii() and p.isdigit() for p in parts):  # not "²"
            numbers = [int(p) if len(p) <= 6 else 10 ** 6 for p in parts]
            wrong = [_shorter(p.lstrip("0") or "0", 12) for p, n in zip(parts, numbers,
                                                                     strict=True)
                     if n > len(options)]
            if wrong:
                self.say(f"There is no answer number {wrong[0]} here: please use a number from "
                         f"1 to {len(options)}, or 0 for \"{question.unsure_label}\".")
                return None
            codes = [contract.UNSURE if n == 0 else options[n - 1].code for n in numbers]
            alone = {contract.UNSURE, contract.NONE} & set(codes)
            if alone and len(set(codes)) > 1 and self._matcher is not None:
                # "1, 0": the matcher says, in words, what cannot be combined
                self.say(self._matcher(question, options, line).message)
                return None
            if question.kind == contract.ONE:
                if len(codes) > 1:
                    self.say("Please choose just one answer.")
                    return None
                return codes[0]
            return codes
        codes_offered = {o.code for o in options}
        direct = [p for p in parts if p in codes_offered or p == contract.UNSURE]
        if direct and len(direct) == len(parts):
            return direct if question.kind == contract.MANY else direct[0]
        if self._matcher is not None:
            match = self._matcher(question, options, line)
            if match.ok:
                return list(match.codes) if question.kind == contract.MANY else match.codes[0]
            self.say(match.message)
            return None
        self.say(f"I did not understand \"{line}\". Please type a number from 1 to "
                 f"{len(options)}, or 0 for \"{question.unsure_label}\".")
        return None

    def understand_lab(self, line: str, options: list) -> Any:
        question = self.session.current
        assert question is not None
        if line.isascii() and line.isdigit() and len(line) < 2 and 1 <= int(line) <= len(options):
            return options[int(line) - 1].code
        try:  # words for a status ("it was high", "hihg", "dunno") are read there too
            value = parse_lab_text(question.id, line, self.engine.labs)
        except LabError as exc:
            self.say(exc.message)
            return None
        if isinstance(value, LabValue):
            confirm = extreme_message(value, self.engine.labs)
            if confirm and not self.interactive:
                # answers piped from a file cannot be asked back: keep it, and say so
                self.say(f"{confirm} Kept as given ({value.entered()}); check it before "
                         "relying on the result.")
            elif confirm:
                self.say(f"{confirm} Type yes to keep {value.entered()}, or type the value again.")
                reply = self.read("confirm> ")
                if reply is None or reply.lower() not in ("y", "yes"):
                    self.say("Not kept. Please type the value again.")
                    return None
        return value

    def after_answer(self) -> None:
        """A warning sign, or an answer that makes an emergency: say what to do now."""
        a = self.session.news(self._announced)
        if a is None:
            return
        advice = self.engine.content.levels[a.triage]
        self.say("")
        self.say(f"IMPORTANT: {advice.title.upper()}. {advice.when}")
        for flag in a.red_flags:
            text = self.engine.content.red_flags.get(flag.code)
            self.say(f"  - {text.title if text else flag.code}: {flag.reason}")
        if a.call_words:
            self.say(f"What to say when you call: {a.call_words}")
        self.say("You may go on with the questions to learn more.")

    def finish(self) -> None:
        a = self.session.assess()
        self.save()
        self.recorder.finish(to_dict(a, self.engine.content))
        self.say("")
        self.say(plain_text(to_markdown(a, self.engine.content)))
        if self.recorder.store is not None and not (self.recorder.saving
                                                    and self.recorder.result_saved):
            self.say("")
            self.say(f"Warning: {self.recorder.warning or 'the result was not saved.'}")
            self.say(self.recorder.report(len(self.session.history))
                     + (" The result itself was not saved." if not self.recorder.result_saved
                        else ""))
        elif self.recorder.saving and self.recorder.session_id is not None:
            self.say(f"Saved as session {self.recorder.session_id}. For a summary to take to the "
                     f"doctor: calcinosis export {self.recorder.session_id} --format html -o "
                     "summary.html")


def _shorter(text: str, longest: int = 60) -> str:
    """Typed text cut for a message: a very long line is not repeated in full."""
    return text if len(text) <= longest else f"{text[:longest]}... ({len(text):,} characters)"


def _count(n: int, noun: str) -> str:
    """"1 answer", "3 answers"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _load_matcher(engine: Engine) -> Callable[..., Any] | None:
    """The word matcher (synonyms, typos), or ``None`` when it is not available."""
    try:
        from .engine.reading.matching import load_synonyms, match_answer
        from .engine.resources import dialogs_dir
    except ImportError:
        return None
    synonyms = load_synonyms(dialogs_dir(engine.root) / "synonyms.yaml")

    def match(question: Any, options: Any, text: str) -> Any:
        return match_answer(question, options, text, synonyms)

    return match


def _continue(chat: PlainChat, recorder: Recorder, record: Any) -> None:
    """Continue a saved session, unless another window has it open or its answers no longer
    fit the questions (then a new session starts, and the person is told why)."""
    from .storage import SessionOpenElsewhere

    try:
        recorder.resume(record.row.id, record.answers)
    except SessionOpenElsewhere as exc:
        chat.say(f"{exc} Starting a new session here.")
        return
    try:
        chat.session.replay(record.answers_dict(), complete=False)
    except (AnswerError, ValueError, KeyError):
        chat.session.restart()
        recorder.resume(None, [])
        chat.say(f"The saved answers of session {record.row.id} no longer fit the questions "
                 f"(they have changed since); it is kept as it was ('calcinosis show "
                 f"{record.row.id}' still shows it). Starting a new session.")
        return
    chat.say(f"Continuing where you left off ({_count(len(record.answers), 'answer')} kept).")
    chat.after_answer()  # what had to be said at once is said again


def run_plain(engine: Engine, *, resume: str = "ask", save: bool = True,
              stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Run plain mode. ``resume``: ask | yes | no (continue an unfinished session)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    recorder = Recorder.open() if save else Recorder(None, warning=None)
    chat = PlainChat(engine, stdin, stdout, recorder, interactive)
    try:
        store = recorder.store
        row = store.latest_unfinished() if store is not None else None
        if row is not None and resume != "no":
            go_on = resume == "yes"
            if resume == "ask":
                if interactive:
                    chat.say(f"You have an unfinished session from {readable_date(row.updated)} "
                             f"({_count(row.answered, 'answer')}). Continue it? (yes/no)")
                    reply = chat.read()
                    go_on = reply is not None and reply.lower() in ("y", "yes")
                else:
                    chat.say(f"Note: an unfinished session ({row.id}) is saved; "
                             "use --resume to continue it.")
            record = store.get(row.id) if go_on and store is not None else None
            if record is not None:
                _continue(chat, recorder, record)
        return chat.run()
    except KeyboardInterrupt:
        chat.say("\nStopped. " + chat.saved_words())
        return 130
    finally:
        chat.session.close()
        recorder.close()
