"""One person's conversation: the answers so far and where the dialog is.

The session is the model of the shared ``transitions`` machine; it holds all
the state (front ends only show it). It answers the condition language's
questions about itself (:class:`~chatbot.engine.conditions.Facts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from chatbot.engine import contract
from chatbot.engine.dialog.answers import (
    UNSURE_ANSWER,
    Age,
    Answer,
    AnswerError,
    Text,
    check_together,
    implied_by,
    normalize,
    validate_all,
)
from chatbot.engine.dialog.answers import Ignored as Ignored  # where it was first
from chatbot.engine.dialog.questions import Dialog, Option, Question
from chatbot.engine.medicine.labs import LabReport, LabValue, exact_age_days, interpret

if TYPE_CHECKING:
    from chatbot.engine.medicine.assessment import Assessment
    from chatbot.engine.medicine.labs import LabTable


# the answers the lab report is made from (see Session.labs)
_LAB_INPUTS = frozenset((*contract.LAB_UNITS, "age_group", "age"))


@dataclass(frozen=True)
class Progress:
    section: str
    section_title: str
    answered: int
    remaining: int  # an estimate: the questions left if the rest is answered "not sure"

    @property
    def fraction(self) -> float:
        total = self.answered + self.remaining
        return 1.0 if total == 0 else self.answered / total


class SessionEngine(Protocol):
    """What a session uses of the engine that made it (:class:`chatbot.engine.loading.Engine`;
    the session does not import it, so the engine may import the session)."""

    @property
    def dialog(self) -> Dialog: ...
    @property
    def machine(self) -> Any: ...
    @property
    def labs(self) -> LabTable: ...
    def assess(self, session: Session) -> Assessment: ...
    def news_now(self, assessment: Assessment, announced: set[str]) -> bool: ...


class Session:
    """A conversation in progress. Create with :meth:`Engine.new_session`."""

    state: str  # set by the transitions machine

    def __init__(self, engine: SessionEngine):
        self.engine = engine
        self.answers: dict[str, Answer] = {}
        self.history: list[str] = []
        self.ignored: list[Ignored] = []
        # question id -> the ids recorded with its answer (``age_group`` -> ``age``)
        self.implied: dict[str, tuple[str, ...]] = {}
        # questions answered "unsure" on resuming a session saved before they existed
        self.filled: list[str] = []
        self._labs: LabReport | None = None
        engine.machine.add_model(self)

    # ----- the Facts protocol used by conditions
    def answer_of(self, qid: str) -> Answer:
        value = self.answers.get(qid)
        return UNSURE_ANSWER[qid] if value is None else value

    def answer(self, qid: str) -> str | tuple[str, ...]:  # Facts protocol
        value = self.answers.get(qid)
        if value.__class__ is str or value.__class__ is tuple:
            return value  # (most answers: codes)
        value = self.answer_of(qid)
        if isinstance(value, (LabValue, Age)):
            return "measured"
        if isinstance(value, Text):
            return "given"
        return value

    @property
    def age(self) -> Age | None:
        """The exact age when the person gave one."""
        value = self.answers.get("age")
        return value if isinstance(value, Age) else None

    @property
    def age_years(self) -> float | None:
        """The exact age in years (``3 weeks`` is about 0.058); None when not given."""
        return self.age.years if self.age else None

    @property
    def age_days(self) -> float | None:
        """The exact age in days; None when not given."""
        return self.age.days if self.age else None

    @property
    def labs(self) -> LabReport:
        if self._labs is None:
            raw: dict[str, Any] = {lab: self.answers.get(lab) for lab in contract.LAB_UNITS}
            age = self.answers.get("age_group")
            self._labs = interpret(
                raw,
                age if isinstance(age, str) else None,
                self.engine.labs,
                exact_age_days(self.answers.get("age")),
            )
        return self._labs

    def lab_status(self, lab: str) -> str:
        return self.labs.status(lab)

    def lab_measured(self, lab: str) -> bool:
        return isinstance(self.answers.get(lab), LabValue)

    def number(self, name: str) -> float | None:
        if name == "age_days":
            return self.age_days
        return self.labs.number(name)

    def caxp_level(self) -> str:
        return self.labs.caxp_status()

    def rule(self, rule_id: str) -> bool:  # only assessment facts know rules
        return False

    # ----- where we are
    @property
    def finished(self) -> bool:
        return self.state in self.engine.dialog.outcomes

    @property
    def outcome(self) -> str | None:
        outcome = self.engine.dialog.outcomes.get(self.state)
        return outcome.outcome if outcome else None

    @property
    def current(self) -> Question | None:
        return self.engine.dialog.questions.get(self.state)

    @property
    def respondent(self) -> str | None:
        value = self.answers.get("respondent")
        return value if isinstance(value, str) else None

    def text(self, question: Question | None = None) -> str:
        """The question as worded for this person now (``text_if`` wordings included)."""
        question = question or self.current
        return question.text(self.respondent, self) if question else ""

    def unsure_note(self, qid: str) -> str:
        """The question's ``if_unsure`` note when it was answered "I'm not sure" ("" if not)."""
        value = self.answers.get(qid)
        if value != contract.UNSURE and value != (contract.UNSURE,):
            return ""
        return self.engine.dialog.questions[qid].unsure_note(self.respondent)

    def options(self, question: Question | None = None) -> list[Option]:
        """The options offered now (an option's ``when`` may hide it)."""
        question = question or self.current
        if question is None:
            return []
        return [o for o in question.options if o.when is None or o.when(self)]

    def progress(self) -> Progress:
        dialog = self.engine.dialog
        question = self.current
        section = question.section if question else dialog.sections[-1].id
        title = dialog.section(section).title_for(self.respondent)
        return Progress(section, title, len(self.history), self._remaining())

    def _remaining(self) -> int:
        dialog = self.engine.dialog
        state, count = self.state, 0
        while state in dialog.questions and count <= len(dialog.questions):
            count += 1
            question = dialog.questions[state]
            state = next(t.dest for t in question.transitions if t.when is None or t.when(self))
        return count

    # ----- moving
    def answer_current(
        self,
        value: Any,
        *,
        checked: bool = False,
        also: Mapping[str, Any] | None = None,
        walk: bool = False,
    ) -> Answer:
        """Check ``value`` for the current question, record it and move on.

        ``checked``: ``value`` (and ``also``) are already normalised (by
        :func:`validate_all`).

        ``also``: answers the same reply gives to the ids the question lists in its
        ``also`` (the age question records an exact ``age``)::

            session.answer_current("adult", also={"age": {"value": 62, "unit": "years"}})
            session.answer_current(None, also={"age": {"value": 3, "unit": "weeks"}})  # infant

        With ``value`` None (or ``unsure``) the answer follows from ``also`` when it can
        (``age_group`` from ``age``); when both are given and disagree, AnswerError names
        both and nothing is recorded.

        ``walk``: move on without firing the machine's trigger (same next question; for
        replays, where the trigger's bookkeeping is most of the time).
        """
        question = self.current
        if question is None:
            raise AnswerError("", "the questions are finished; go back to change an answer")
        extra: dict[str, Answer] = {}
        for qid, raw in (also or {}).items():
            if qid not in question.also:
                allowed = ", ".join(question.also) or "nothing"
                raise AnswerError(
                    qid,
                    f"{qid}: is not recorded with {question.id!r} (it records: {allowed})",
                    qid,
                    question.also,
                )
            if raw is None:
                continue
            extra[qid] = raw if checked else normalize(qid, raw, self.engine.labs)
        normal = (
            value
            if checked and value is not None
            else normalize(question.id, value, self.engine.labs)
        )
        return self._record(question, normal, extra, walk)

    def _record(
        self, question: Question, normal: Answer, extra: dict[str, Answer], walk: bool
    ) -> Answer:
        """Record ``normal`` (checked) and ``extra`` (checked, none None) for ``question``,
        the current one, and move on (the second half of :meth:`answer_current`)."""
        if (
            isinstance(normal, Text)
            and normal.text.strip().lower() == question.unsure_label.lower()
        ):
            normal = contract.UNSURE  # the words of the "Nothing to add" answer itself
        recorded: tuple[str, ...] = ()
        if extra:  # (one answer alone implies nothing and cannot disagree)
            if normal in (contract.UNSURE, (contract.UNSURE,)):
                normal = implied_by(question.id, extra) or normal
            check_together({question.id: normal, **extra})
            recorded = tuple(qid for qid, v in extra.items() if v != contract.UNSURE)
        if not question.always_offered:
            normal = self._only_offered(question, normal)
        self.answers[question.id] = normal
        for qid in recorded:
            self.answers[qid] = extra[qid]
        if recorded:
            self.implied[question.id] = recorded
        self.history.append(question.id)
        if question.id in _LAB_INPUTS or recorded:  # the lab report reads only these
            self._labs = None
        if not walk:
            self.advance()  # type: ignore[attr-defined]  # added by transitions
            return normal
        # move on as the machine's ``advance`` trigger would (the first transition whose
        # condition holds, in the YAML's order), without firing the trigger: a replay takes
        # dozens of steps and the trigger's bookkeeping was most of its time. The machine
        # has no callbacks, so setting the state is all the trigger does.
        for transition in question.transitions:
            if transition.when is None or transition.when(self):
                self.state = transition.dest
                return normal
        self.advance()  # type: ignore[attr-defined]  # no way on: the machine's own error
        return normal

    def answer_age(self, value: float, unit: str) -> Answer:
        """Answer the current question (the one that records ``age``) with an exact age:
        ``session.answer_age(62, "years")`` records age 62 years and age_group adult."""
        return self.answer_current(None, also={"age": {"value": value, "unit": unit}})

    def recorded(self) -> list[tuple[str, Answer]]:
        """Every answer in the order given, each followed by those recorded with it (the
        form an unfinished session is saved in and replayed from)."""
        out: list[tuple[str, Answer]] = []
        for qid in self.history:
            if qid in self.answers:
                out.append((qid, self.answers[qid]))
                out += [
                    (other, self.answers[other])
                    for other in self.implied.get(qid, ())
                    if other in self.answers
                ]
        return out

    def _only_offered(self, question: Question, value: Answer) -> Answer:
        """``value`` without the codes of options not offered now (a question whose options
        have a ``when``), each of them noted as ignored."""
        offered = {o.code for o in self.options(question)} | {contract.UNSURE}
        codes = value if isinstance(value, tuple) else (value,)
        hidden = [c for c in codes if c not in offered]
        if not hidden:
            return value
        for code in hidden:
            self.ignored.append(
                Ignored(
                    question.id, f"{code!r} is not asked here with the answers given before", code
                )
            )
        kept = tuple(c for c in codes if c in offered)
        if question.kind == contract.MANY:
            return kept or (contract.UNSURE,)
        return kept[0] if kept else contract.UNSURE

    def back(self) -> bool:
        """Undo the last answer: it is removed and the dialog is where it was."""
        if not self.history:
            return False
        qid = self.history.pop()
        self.answers.pop(qid, None)
        for other in self.implied.pop(qid, ()):
            self.answers.pop(other, None)
        if qid in self.filled:
            self.filled.remove(qid)
        self.ignored = [i for i in self.ignored if i.id != qid]
        self._labs = None
        self.engine.machine.set_state(qid, model=self)
        return True

    def back_to(self, qid: str) -> bool:
        """Go back until ``qid`` is the current question again (to change that answer)."""
        if qid not in self.history:
            return False
        while self.state != qid and self.back():
            pass
        return self.state == qid

    def restart(self) -> None:
        """Forget every answer and stand at the first question again."""
        self.answers.clear()
        self.history.clear()
        self.implied.clear()
        self.filled.clear()
        self.ignored.clear()
        self._labs = None
        self.engine.machine.set_state(self.engine.dialog.start, model=self)

    def close(self) -> None:
        """Leave the shared machine (a session that is replaced should be closed)."""
        try:
            self.engine.machine.remove_model(self)
        except ValueError:
            pass

    # ----- replay and result
    def replay(self, raw: Mapping[str, Any], complete: bool = True) -> None:
        """Answer the dialog from an answers file; unasked answers are recorded as ignored.

        ``complete`` answers every question the file leaves out with "unsure" (the
        contract's rule for answers files); otherwise the replay stops at the first
        question without an answer, as a saved unfinished session does. A session
        saved before contract version 2 did not know its new questions: those count
        as "unsure" (as in a version 1 answers file) while saved answers remain to be
        replayed, so the person goes on where they stopped; ``filled`` lists them.
        """
        given = validate_all(raw, self.engine.labs)
        older = not set(given) & set(contract.VERSION_2_QUESTIONS)
        questions, outcomes = self.engine.dialog.questions, self.engine.dialog.outcomes
        while self.state not in outcomes:  # (not finished)
            question = questions.get(self.state)
            assert question is not None
            if not complete and question.id not in given:
                waiting = any(qid not in self.answers for qid in given)
                if not (older and waiting and question.id in contract.VERSION_2_QUESTIONS):
                    break  # a saved, unfinished session: stop where the person stopped
                self.filled.append(question.id)
            # as answer_current(given.get(id), checked=True, also=..., walk=True) does
            value = given.get(question.id)
            if value is None:
                value = UNSURE_ANSWER.get(question.id) or normalize(
                    question.id, None, self.engine.labs
                )
            extra = {qid: given[qid] for qid in question.also if qid in given}
            self._record(question, value, extra, walk=True)
        for qid, value in given.items():
            if complete and qid not in self.answers:
                self.ignored.append(Ignored(qid, "not asked with the answers given before", value))

    def assess(self) -> Assessment:
        return self.engine.assess(self)

    def news(self, announced: set[str]) -> Assessment | None:
        """After an answer (or on resume): the assessment when it holds a red flag that
        must be said at once and is not in ``announced`` yet (which is then updated), else
        None. Once the questions are done the result says everything first."""
        if self.finished:
            return None
        assessment = self.assess()
        return assessment if self.engine.news_now(assessment, announced) else None
