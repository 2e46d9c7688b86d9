"""The slots of the call words (``{age}``, ``{kidneys}``, ...): the names a template in
``content/advice.yaml`` may use. Read by the content loader (to check templates) and by
:mod:`chatbot.engine.reports.callwords` (to fill them), which therefore do not import
each other."""

from __future__ import annotations

import re

SLOT = re.compile(r"\{(\w+)\}")
SLOTS = ("who", "age", "sex", "problem", "kidneys", "calcium", "illnesses", "medicines")


def template_slots(template: str) -> set[str]:
    """The slot names a template uses (for validation)."""
    return set(SLOT.findall(template))
