"""What the welcome screen shows, read quickly so that the first screen is drawn at once.

Loading the whole engine (dialog, rules, content, state machine) takes a few
hundred milliseconds, so the app draws the welcome first and loads the engine
right after. The welcome needs only the notices and the first question.

* :func:`cached_welcome`: after the engine has loaded (and checked) the data,
  the app saves these few texts as JSON in the user's cache folder, keyed by
  the size and modification time of the data files; the next start reads that
  (no YAML parser needed).
* :func:`read_welcome`: otherwise they are read from the shipped YAML files
  (``content/notices.yaml`` and the dialog's start question) without checking;
  the engine checks everything a moment later and the app then uses its copy.
* :func:`from_engine`: with an engine already loaded (tests).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NamedTuple

NOTICES = ("not_a_diagnosis", "emergency", "privacy")


# Named tuples rather than dataclasses: defining a dataclass compiles code, which would
# delay the first screen.


class LightOption(NamedTuple):
    code: str
    label: str


class LightQuestion(NamedTuple):
    """Enough of the first question for the welcome screen (same attribute names as the
    engine's :class:`~chatbot.engine.dialog.questions.Question`)."""

    id: str
    kind: str
    text_self: str
    options: tuple[LightOption, ...]
    unsure_label: str

    def text(self, respondent: str | None = None) -> str:
        return self.text_self


class WelcomeText(NamedTuple):
    notices: dict[str, str]
    question: LightQuestion


FILES = ("content/notices.yaml", "dialogs/dialog.yaml", "dialogs/questions.yaml")
CACHE_VERSION = 1


def _words(value: Any) -> str:
    return " ".join(str(value or "").split())


def from_engine(engine: Any) -> WelcomeText:
    question = engine.dialog.questions[engine.dialog.start]
    notices = {key: engine.content.notices[key] for key in NOTICES}
    return WelcomeText(notices, question)


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
        id=raw["id"],
        kind=raw["kind"],
        text_self=_words(raw["text"]["self"]),
        options=tuple(
            LightOption(str(o["code"]), _words(o["label"]))
            for o in raw["options"]
            if "when" not in o
        ),
        unsure_label=_words(raw.get("unsure")) or "I'm not sure",
    )
    return WelcomeText({key: _words(notices.get(key)) for key in NOTICES}, question)


# ----------------------------------------------------------------------------- cache


def cache_path() -> Path:
    """``$XDG_CACHE_HOME/calcinosis/welcome.json`` (or the platform's cache folder)."""
    from ..settings import current

    settings = current()
    if settings.cache_dir:
        return settings.cache_dir / "welcome.json"
    if sys.platform == "win32":
        base = settings.local_app_data or Path.home() / "AppData" / "Local"
        return base / "calcinosis" / "Cache" / "welcome.json"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "calcinosis" / "welcome.json"
    base = settings.xdg_cache_home or Path.home() / ".cache"
    return base / "calcinosis" / "welcome.json"


def _key(root: Path) -> list[Any]:
    key: list[Any] = [CACHE_VERSION, str(root)]
    for name in FILES:
        stat = (root / name).stat()
        key.append([name, stat.st_size, stat.st_mtime_ns])
    return key


def save_cache(welcome: WelcomeText, root: Path) -> None:
    """Remember the welcome texts for the next start (quietly skipped if not possible)."""
    q = welcome.question
    data = {
        "key": _key(root),
        "notices": welcome.notices,
        "question": {
            "id": q.id,
            "kind": q.kind,
            "text": q.text(None),
            "unsure": q.unsure_label,
            "options": [[o.code, o.label] for o in q.options],
        },
    }
    path = cache_path()
    try:
        if path.exists() and json.loads(path.read_text(encoding="utf-8")) == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass


def cached_welcome(root: Path) -> WelcomeText | None:
    """The texts saved by :func:`save_cache`, if the data files have not changed since."""
    try:
        data = json.loads(cache_path().read_text(encoding="utf-8"))
        if data.get("key") != json.loads(json.dumps(_key(root))):
            return None
        q = data["question"]
        question = LightQuestion(
            q["id"],
            q["kind"],
            q["text"],
            tuple(LightOption(c, label) for c, label in q["options"]),
            q["unsure"],
        )
        notices = {key: str(data["notices"][key]) for key in NOTICES}
        return WelcomeText(notices, question)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def quick_welcome() -> WelcomeText:
    """The cached texts if they are current, else read from the YAML files."""
    from ..engine.resources import data_root

    root = data_root()
    return cached_welcome(root) or read_welcome(root)
