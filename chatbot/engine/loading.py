"""Everything the engine needs, loaded once: dialog, machine, lab table, rules, content."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from transitions import Machine

from chatbot.engine.dialog.machine import build_machine
from chatbot.engine.dialog.questions import Dialog, load_dialog
from chatbot.engine.dialog.session import Session
from chatbot.engine.medicine.assessment import Assessment, assess, news_now
from chatbot.engine.medicine.content import Content, load_content
from chatbot.engine.medicine.labs import LabTable, load_lab_table
from chatbot.engine.medicine.rules import Rules, load_rules
from chatbot.engine.reading.matching import lab_status_reader
from chatbot.engine.reports.callwords import call_words
from chatbot.engine.resources import content_dir, data_root, dialogs_dir


@dataclass(frozen=True)
class Engine:
    dialog: Dialog
    machine: Machine
    labs: LabTable
    rules: Rules
    content: Content
    root: Path
    _spare: list[Session] = field(default_factory=list, repr=False, compare=False)

    def new_session(self) -> Session:
        return Session(self)

    def assess(self, session: Session) -> Assessment:
        result = assess(session, self.rules)
        if self.content.levels[result.triage].call_words:
            result = replace(result, call_words=call_words(result, self.dialog, self.content))
        return result

    def news_now(self, assessment: Assessment, announced: set[str]) -> bool:
        """Whether ``assessment`` holds a red flag to say at once that is not in
        ``announced`` yet (for :meth:`Session.news`)."""
        return news_now(assessment, announced)

    def replay(self, answers: Mapping[str, Any]) -> Assessment:
        """Answers file in, assessment out.

        Adding a model to a transitions machine is slow, so one spare session
        is kept and reset for each replay instead of building a new one.
        """
        session = self._spare.pop() if self._spare else Session(self)
        try:
            session.restart()
            session.replay(answers)
            return self.assess(session)
        finally:
            self._spare.append(session)


def load_engine(root: Path | None = None) -> Engine:
    """Load dialogs and content from ``root`` (default: the shipped data)."""
    root = root or data_root()
    dialog = load_dialog(dialogs_dir(root))
    labs = load_lab_table(content_dir(root) / "labs.yaml")
    # typed lab words ("It was high", "hihg") are read like any other typed answer
    labs = replace(labs, read_words=lab_status_reader(dialog, dialogs_dir(root) / "synonyms.yaml"))
    return Engine(
        dialog=dialog,
        machine=build_machine(dialog),
        labs=labs,
        rules=load_rules(content_dir(root) / "rules"),
        content=load_content(content_dir(root)),
        root=root,
    )


@cache
def default_engine() -> Engine:
    return load_engine()
