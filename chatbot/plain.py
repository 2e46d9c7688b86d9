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
from typing import IO, Any

from .engine import contract
from .engine.dialog.answers import AnswerError
from .engine.dialog.session import Session
from .engine.loading import Engine
from .engine.medicine.labs import LabValue
from .engine.reading.reader import Reading, reader_for
from .engine.reading.text import clean_text
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


def clean(text: str) -> str:
    """Typed text made safe to echo: escape codes and control characters removed (the
    engine's one cleaner, :func:`chatbot.engine.reading.text.clean_text`)."""
    return clean_text(text)


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

    def __init__(
        self,
        engine: Engine,
        stdin: IO[str],
        stdout: IO[str],
        recorder: Recorder | None = None,
        interactive: bool = False,
    ):
        self.engine = engine
        self.stdin = stdin
        self.out = stdout
        self.recorder = recorder or Recorder(None)
        self.interactive = interactive
        self.session: Session = engine.new_session()
        self._section: str | None = None
        self._announced: set[str] = set()  # red flags already said at once
        self._reader = reader_for(engine)
        self._asked: Reading | None = None  # the last reading asked back (for "the first one")
        self.line_number = 0  # lines read so far (named when a piped line cannot be used)
        self.exit_code = 0  # 2 when piped input stopped at a line that could not be used
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
        self.line_number += 1
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
                return self.exit_code
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
        self.say(f"Question {progress.answered + 1} ({self._how_many_more(progress)}): {s.text()}")
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
                self.say(
                    f"The input ended before this question was answered: "
                    f'"{s.text()}" ({question.id}).'
                )
                self.say(self.saved_words())
                return False
            word = line.lower()
            if word in ("quit", "exit", "q"):
                self.say(
                    "Stopped. "
                    + (
                        "Your answers so far are kept; start again to continue."
                        if self.recorder.saving
                        else self.saved_words()
                    )
                )
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
                self.say('Please type an answer, or "unsure".')
                continue
            try:
                reading = self.understand(line)
            except (ValueError, OverflowError, RecursionError):  # never a crash on a line
                self.say(
                    f'I could not read "{_shorter(line)}". Please type the number of an '
                    'answer, its words, or "unsure".'
                )
                reading = None
            if reading is None:
                if not self.interactive:
                    return self.stop_at(line)
                continue
            try:
                s.answer_current(reading.answer, also=reading.also or None)
            except AnswerError as exc:
                self.say(exc.message)
                if not self.interactive:
                    return self.stop_at(line)
                continue
            self._asked = None
            self.save()
            self.say(f"Noted: {reading.said or reading.understood}.")
            note = s.unsure_note(question.id)
            if note:
                self.say(note)
            return True

    def save(self) -> None:
        """Save the answers; a failure (or saving working again) is said at once."""
        before = self.recorder.warning
        self.recorder.sync(self.session)
        if self.recorder.warning and self.recorder.warning != before:
            self.say(("Note: " if self.recorder.saving else "Warning: ") + self.recorder.warning)

    def saved_words(self) -> str:
        """What is saved, exactly: all answers, the first N, or none."""
        if self.recorder.saving and self.recorder.store is not None:
            return "Your answers so far are kept."
        return self.recorder.report(len(self.session.history))

    def understand(self, line: str) -> Reading | None:
        """The reading of a line (the engine's reader, as in the terminal chat), or None
        after saying what was not understood and what the question accepts."""
        s = self.session
        question = s.current
        assert question is not None
        if line.lower() == "unsure":  # the command the help text names
            line = question.unsure_label
        after = (
            self._asked if self._asked is not None and self._asked.question == question.id else None
        )
        reading = self._reader.read(
            question, line, s.answers, offered=s.options(), after=after, numbered=True
        )
        if not reading.ok:
            self._asked = reading
            self.say(reading.ask or "Please answer again.")
            return None
        value = reading.answer
        if isinstance(value, LabValue) and reading.confirm:
            if not self.interactive:
                # answers piped from a file cannot be asked back: keep it, and say so
                self.say(
                    f"{reading.confirm} Kept as given ({value.entered()}); check it "
                    "before relying on the result."
                )
            else:
                self.say(
                    f"{reading.confirm} Type yes to keep {value.entered()}, or type the "
                    "value again."
                )
                reply = self.read("confirm> ")
                if reply is None or reply.lower() not in ("y", "yes"):
                    self.say("Not kept. Please type the value again.")
                    return None
        return reading

    def accepts(self) -> str:
        """What the current question accepts, in words."""
        question = self.session.current
        assert question is not None
        if question.kind == contract.LAB:
            units = ", ".join(contract.LAB_UNITS.get(question.id, ()))
            status = "; or high, normal or low" if question.options else ""
            return f'a number with its unit ({units}){status}; or "{question.unsure_label}"'
        labels = [o.label for o in self.session.options()] + [question.unsure_label]
        several = "one or more of" if question.kind == contract.MANY else "one of"
        return f"{several}: " + "; ".join(labels) + " (or their numbers, 0 for not sure)"

    def stop_at(self, line: str) -> bool:
        """Piped input: a line that cannot be used ends the run (exit 2), so that no later
        answer lands on the wrong question. What came before is kept."""
        question = self.session.current
        assert question is not None
        self.exit_code = 2
        self.say("")
        self.say(
            f'Stopped at line {self.line_number}: "{_shorter(line)}" could not be '
            f'used as the answer to "{self.session.text()}" ({question.id}).'
        )
        self.say(f"This question accepts {self.accepts()}.")
        if self.recorder.saving and self.recorder.store is not None:
            self.say(
                "The answers before this line are kept; correct the line and continue "
                "with: calcinosis --plain --resume"
            )
        else:
            self.say(self.saved_words())
        return False

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
        if self.recorder.store is not None and not (
            self.recorder.saving and self.recorder.result_saved
        ):
            self.say("")
            self.say(f"Warning: {self.recorder.warning or 'the result was not saved.'}")
            self.say(
                self.recorder.report(len(self.session.history))
                + (" The result itself was not saved." if not self.recorder.result_saved else "")
            )
        elif self.recorder.saving and self.recorder.session_id is not None:
            self.say(
                f"Saved as session {self.recorder.session_id}. For a summary to take to the "
                f"doctor: calcinosis export {self.recorder.session_id} --format html -o "
                "summary.html"
            )


def _shorter(text: str, longest: int = 60) -> str:
    """Typed text cut for a message: a very long line is not repeated in full."""
    return text if len(text) <= longest else f"{text[:longest]}... ({len(text):,} characters)"


def _set_aside(store: Any, session_id: int) -> None:
    """ "No" to continuing: the session stays in the history but is not offered again."""
    from .storage import StoreError

    try:
        store.set_aside(session_id)
    except StoreError:
        pass  # it is offered again next time; nothing is lost


def _count(n: int, noun: str) -> str:
    """ "1 answer", "3 answers"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


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
        chat.say(
            f"The saved answers of session {record.row.id} no longer fit the questions "
            f"(they have changed since); it is kept as it was ('calcinosis show "
            f"{record.row.id}' still shows it). Starting a new session."
        )
        return
    chat.say(f"Continuing where you left off ({_count(len(record.answers), 'answer')} kept).")
    chat.after_answer()  # what had to be said at once is said again


def run_plain(
    engine: Engine,
    *,
    resume: str = "ask",
    save: bool = True,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
) -> int:
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
                    chat.say(
                        f"You have an unfinished session from {readable_date(row.updated)} "
                        f"({_count(row.answered, 'answer')}). Continue it? (yes/no)"
                    )
                    reply = chat.read()
                    go_on = reply is not None and reply.lower() in ("y", "yes")
                    if reply is not None and reply.lower() in ("n", "no"):
                        _set_aside(store, row.id)
                else:
                    chat.say(
                        f"Note: an unfinished session ({row.id}) is saved; "
                        "use --resume to continue it."
                    )
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
