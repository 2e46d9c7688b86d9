"""Everything the engine needs, loaded once: dialog, machine, lab table, rules, content."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from transitions import Machine

from .assessment import Assessment, assess
from .content import Content, load_content
from .dialog import Dialog, load_dialog
from .labs import LabTable, load_lab_table
from .machine import build_machine
from .resources import content_dir, data_root, dialogs_dir
from .rules import Rules, load_rules
from .session import Session


@dataclass(frozen=True)
class Engine:
    dialog: Dialog
    machine: Machine
    labs: LabTable
    rules: Rules
    content: Content
    root: Path

    def new_session(self) -> Session:
        return Session(self)

    def assess(self, session: Session) -> Assessment:
        return assess(session, self.rules)

    def replay(self, answers: Mapping[str, Any]) -> Assessment:
        """Answers file in, assessment out (the session leaves the machine afterwards)."""
        session = Session(self)
        try:
            session.replay(answers)
            return self.assess(session)
        finally:
            session.close()


def load_engine(root: Path | None = None) -> Engine:
    """Load dialogs and content from ``root`` (default: the shipped data)."""
    root = root or data_root()
    dialog = load_dialog(dialogs_dir(root))
    return Engine(
        dialog=dialog,
        machine=build_machine(dialog),
        labs=load_lab_table(content_dir(root) / "labs.yaml"),
        rules=load_rules(content_dir(root) / "rules"),
        content=load_content(content_dir(root)),
        root=root,
    )


@cache
def default_engine() -> Engine:
    return load_engine()
