"""What the welcome screen shows, read quickly so that the first screen is drawn at once.

Loading the whole engine (dialog, rules, content, state machine) takes a few
hundred milliseconds, so the app draws the welcome first and loads the engine
right after. The welcome needs only the notices and the first question: they
are read here from the same shipped files (``content/notices.yaml`` and the
dialog's start question), without checking them; the engine checks everything
when it loads a moment later and the app then uses its copy. With an engine
already loaded (tests, or a second run in one process), :func:`from_engine`
is used instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOTICES = ("not_a_diagnosis", "emergency", "privacy")


@dataclass(frozen=True)
class LightOption:
    code: str
    label: str


@dataclass(frozen=True)
class LightQuestion:
    """Enough of the first question for the welcome screen (same attribute names as the
    engine's :class:`~chatbot.engine.dialog.Question`)."""

    id: str
    kind: str
    text_self: str
    options: tuple[LightOption, ...]
    unsure_label: str

    def text(self, respondent: str | None = None) -> str:
        return self.text_self


@dataclass(frozen=True)
class WelcomeText:
    notices: dict[str, str]
    question: LightQuestion


def _words(value: Any) -> str:
    return " ".join(str(value or "").split())


def from_engine(engine: Any) -> WelcomeText:
    question = engine.dialog.questions[engine.dialog.start]
    return WelcomeText(dict(engine.content.notices), question)


def read_welcome(root: Path | None = None) -> WelcomeText:
    """The notices and the first question, straight from the shipped YAML files."""
    import yaml

    from ..engine.resources import content_dir, dialogs_dir

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def load(path: Path) -> Any:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)

    notices = load(content_dir(root) / "notices.yaml")
    dialogs = dialogs_dir(root)
    start = load(dialogs / "dialog.yaml")["start"]
    raw = next(q for q in load(dialogs / "questions.yaml")["questions"] if q["id"] == start)
    question = LightQuestion(
        id=raw["id"], kind=raw["kind"], text_self=_words(raw["text"]["self"]),
        options=tuple(LightOption(str(o["code"]), _words(o["label"]))
                      for o in raw["options"] if "when" not in o),
        unsure_label=_words(raw.get("unsure")) or "I'm not sure")
    return WelcomeText({key: _words(notices.get(key)) for key in NOTICES}, question)
