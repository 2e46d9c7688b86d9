"""The explanations, advice, glossary, notices and sources in ``content/``.

Loaded once into frozen objects. Every fact carries the keys of its sources
(``content/sources.yaml``); ``calcinosis validate`` checks that each key exists
and that every type, subtype, triage level and red flag has its text.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatbot.engine import contract
from chatbot.engine.conditions import ConditionError, Facts, Predicate, compile_condition
from chatbot.engine.slots import SLOTS, template_slots
from chatbot.engine.yamlio import Located, YamlError, load_file


class ContentError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Fact:
    text: str
    sources: tuple[str, ...]
    when: Predicate | None = None  # said only when this holds (advice items)

    def applies(self, facts: Facts) -> bool:
        return self.when is None or self.when(facts)


@dataclass(frozen=True)
class DoctorQuestion:
    """A question to ask the doctor, in the person's own words or a caregiver's, offered
    only when its ``when`` condition (the dialog's condition language) holds."""

    text_self: str
    text_caregiver: str
    when: Predicate | None = None
    where: str = ""

    def text(self, respondent: str | None) -> str:
        return self.text_caregiver if respondent == "caregiver" else self.text_self

    def applies(self, facts: Facts) -> bool:
        return self.when is None or self.when(facts)


@dataclass(frozen=True)
class TypeText:
    code: str
    title: str
    summary: str
    summary_sources: tuple[str, ...]
    explanation: tuple[Fact, ...]
    tells_apart: str
    tells_apart_sources: tuple[str, ...]
    treatment: tuple[Fact, ...]
    doctor_questions: tuple[DoctorQuestion, ...]


@dataclass(frozen=True)
class LevelAdvice:
    level: str
    title: str
    when: str
    do_now: tuple[Fact, ...]
    call_words: str
    if_worse: tuple[Fact, ...]


@dataclass(frozen=True)
class FlagText:
    code: str
    title: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    key: str
    term: str
    aliases: tuple[str, ...]
    definition: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """A source as people see it: title, publisher and link. ``file`` names the local
    copy of a seed text; it is for checking only and is never shown."""

    key: str
    title: str
    kind: str
    file: str | None
    url: str | None
    publisher: str = ""

    def cite(self) -> str:
        """``Title. Publisher. Link`` (the parts that are known)."""
        return _citation(self.title, self.publisher, self.url)


@functools.lru_cache(maxsize=1024)
def _citation(title: str, publisher: str, url: str | None) -> str:
    # every result cites about 20 sources: each citation is made once
    parts = [title.rstrip("."), publisher.rstrip("."), url or ""]
    return ". ".join(p for p in parts if p)


@dataclass(frozen=True)
class Content:
    types: dict[str, TypeText]
    subtypes: dict[str, TypeText]
    levels: dict[str, LevelAdvice]
    worse_signs: tuple[Fact, ...]
    red_flags: dict[str, FlagText]
    glossary: dict[str, Term]
    sources: dict[str, Source]
    notices: dict[str, str]
    # what stands in a call-words slot the answers cannot fill, e.g. age: "[age]"
    call_words_blanks: dict[str, str] = field(default_factory=dict)

    def cited_keys(self) -> list[tuple[str, str]]:
        """Every (where, source key) pair cited in the content, for validation."""
        return list(self._cited)

    _cited: tuple[tuple[str, str], ...] = ()


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.cited: list[tuple[str, str]] = []

    def where(self, node: Any, key: Any = None) -> str:
        return node.where(key) if isinstance(node, Located) else "content"

    def mapping(self, node: Any, key: str, what: str) -> Mapping:
        value = node.get(key) if isinstance(node, Mapping) else None
        if not isinstance(value, Mapping):
            at = key if isinstance(node, Mapping) and key in node else None
            self.problems.append(
                f"{self.where(node, at)}: missing or not a mapping: '{key}' ({what})"
            )
            return {}
        return value

    def string(self, node: Mapping, key: str, what: str, required: bool = True) -> str:
        value = node.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.append(f"{self.where(node)}: missing '{key}' ({what})")
            return ""
        if not isinstance(value, str):
            self.problems.append(f"{self.where(node, key)}: '{key}' must be text")
            return ""
        return _text(value) if "\n\n" not in value else value.strip()

    def sources(self, node: Mapping, key: str = "sources") -> tuple[str, ...]:
        value = node.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            self.problems.append(f"{self.where(node, key)}: '{key}' must be a list of source keys")
            return ()
        for s in value:
            self.cited.append((self.where(node, key), s))
        return tuple(value)

    def facts(self, node: Mapping, key: str, required: bool = True) -> tuple[Fact, ...]:
        value = node.get(key, [])
        if not isinstance(value, list) or (required and not value):
            if required or not isinstance(value, list):
                self.problems.append(
                    f"{self.where(node, key if key in node else None)}: "
                    f"'{key}' must be a non-empty list of {{text, sources}}"
                )
            return ()
        out = []
        for item in value:
            if not isinstance(item, Mapping) or not isinstance(item.get("text"), str):
                self.problems.append(
                    f"{self.where(node, key)}: each item of '{key}' needs "
                    "a 'text' and its 'sources'"
                )
                continue
            srcs = self.sources(item)
            if not srcs:
                self.problems.append(
                    f"{self.where(item)}: this fact has no source; add 'sources: [KEY]'"
                )
            out.append(Fact(_text(item["text"]), srcs, self.when(item)))
        return tuple(out)

    def when(self, node: Mapping) -> Predicate | None:
        """The optional ``when:`` condition of an entry (the dialog's condition language)."""
        if "when" not in node:
            return None
        try:
            return compile_condition(node["when"])
        except ConditionError as exc:
            self.problems.append(str(exc))
            return None

    def doctor_question(self, node: Any, parent: Any) -> DoctorQuestion | None:
        """``{self: ..., caregiver: ..., when: CONDITION}`` (``when`` is optional)."""
        if not isinstance(node, Mapping):
            shown = _text(node)
            shown = shown if len(shown) <= 50 else shown[:49] + "\u2026"
            self.problems.append(
                f"{self.where(parent, 'doctor_questions')}: each question for "
                "the doctor needs 'self' and 'caregiver' wording (like the "
                f"dialog's questions), not plain text: {shown!r}"
            )
            return None
        for key in node:
            if key not in ("self", "caregiver", "when"):
                self.problems.append(
                    f"{self.where(node, key)}: unknown key '{key}' in a "
                    "question for the doctor; allowed: self, caregiver, when"
                )
        own = self.string(node, "self", "the question in the person's own words")
        theirs = self.string(node, "caregiver", "the question as a caregiver asks it (their, they)")
        when = self.when(node)
        if not own or not theirs:
            return None
        return DoctorQuestion(own, theirs, when, self.where(node))

    def type_text(self, code: str, node: Any, full: bool) -> TypeText | None:
        if not isinstance(node, Mapping):
            self.problems.append(f"{self.where(node)}: '{code}' must be a mapping")
            return None
        raw_questions = node.get("doctor_questions", [])
        if not isinstance(raw_questions, list):
            self.problems.append(f"{self.where(node, 'doctor_questions')}: must be a list")
            raw_questions = []
        questions = [self.doctor_question(q, node) for q in raw_questions]
        return TypeText(
            code=code,
            title=self.string(node, "title", "the plain name"),
            summary=self.string(node, "summary", "one or two plain sentences"),
            summary_sources=self.sources(node),
            explanation=self.facts(node, "explanation"),
            tells_apart=self.string(node, "tells_apart", "what tells it apart", required=full),
            tells_apart_sources=self.sources(node, "tells_apart_sources"),
            treatment=self.facts(node, "treatment", required=False),
            doctor_questions=tuple(q for q in questions if q is not None),
        )


TOP_KEYS = {
    "types": ("types", "subtypes"),
    "advice": ("levels", "worse_signs", "red_flags", "call_words_blanks"),
    "glossary": ("glossary",),
    "sources": ("sources",),
    "notices": ("not_a_diagnosis", "emergency", "privacy", "ranking_order"),
}


def _load(directory: Path, name: str, reader: _Reader) -> Any:
    try:
        return load_file(directory / name, f"content/{name}")
    except YamlError as exc:
        reader.problems.append(str(exc))
        return None


def _read_explanations(
    reader: _Reader, raw: Any, key: str, what: str, codes: tuple[str, ...], word: str, full: bool
) -> dict[str, TypeText]:
    """The explanation of each type (``word`` "type") or subtype code of the contract."""
    node = reader.mapping(raw, key, what)
    found: dict[str, TypeText] = {}
    for code in codes:
        if code not in node:
            reader.problems.append(f"{reader.where(node)}: no explanation for the {word} '{code}'")
            continue
        t = reader.type_text(code, node[code], full=full)
        if t:
            found[code] = t
    for code in node:
        if code not in codes:
            reader.problems.append(
                f"{reader.where(node, code)}: '{code}' is not a {word} code of the contract"
            )
    return found


def _read_levels(reader: _Reader, advice: Any) -> tuple[Mapping, dict[str, LevelAdvice]]:
    """The advice per triage level (and the node it was read from)."""
    levels_node = reader.mapping(advice, "levels", "advice per triage level")
    levels = {}
    for level in contract.TRIAGE_LEVELS:
        node = levels_node.get(level)
        if not isinstance(node, Mapping):
            reader.problems.append(
                f"{reader.where(levels_node)}: no advice for the triage level '{level}'"
            )
            continue
        levels[level] = LevelAdvice(
            level=level,
            title=reader.string(node, "title", "the headline"),
            when=reader.string(node, "when", "how soon, in plain words"),
            do_now=reader.facts(node, "do_now"),
            call_words=reader.string(
                node, "call_words", "what to say when calling", required=level in ("emergency",)
            ),
            if_worse=reader.facts(node, "if_worse", required=level != "emergency"),
        )
    return levels_node, levels


def _read_blanks(
    reader: _Reader, advice: Any, levels_node: Mapping, levels: Mapping[str, LevelAdvice]
) -> dict[str, str]:
    """What stands in each slot of the call words when it is not known; the call words
    may use only those slots."""
    blanks_node = reader.mapping(
        advice, "call_words_blanks", "what stands in a slot of the call words when it is not known"
    )
    blanks = {}
    for slot in SLOTS:
        blanks[slot] = reader.string(blanks_node, slot, f"the blank for {{{slot}}}")
    for slot in blanks_node:
        if slot not in SLOTS:
            reader.problems.append(
                f"{reader.where(blanks_node, slot)}: '{slot}' is not a slot "
                f"of the call words; slots: {', '.join(SLOTS)}"
            )
    for level, node in levels.items():
        for slot in sorted(template_slots(node.call_words) - set(SLOTS)):
            reader.problems.append(
                f"{reader.where(levels_node[level], 'call_words')}: the "
                f"call words use {{{slot}}}, which is not a slot; "
                f"slots: {', '.join(SLOTS)}"
            )
    return blanks


def _read_flags(reader: _Reader, advice: Any) -> dict[str, FlagText]:
    flags_node = reader.mapping(advice, "red_flags", "a text per red flag code")
    flags = {}
    for code, node in flags_node.items():
        if not isinstance(node, Mapping):
            reader.problems.append(f"{reader.where(flags_node, code)}: must be a mapping")
            continue
        flags[code] = FlagText(
            code,
            reader.string(node, "title", "a short title"),
            reader.string(node, "text", "one or two sentences"),
            reader.sources(node),
        )
    return flags


def _read_glossary(reader: _Reader, raw: Any) -> dict[str, Term]:
    glossary_node = reader.mapping(raw, "glossary", "terms")
    glossary = {}
    for key, node in glossary_node.items():
        if not isinstance(node, Mapping):
            reader.problems.append(f"{reader.where(glossary_node, key)}: must be a mapping")
            continue
        aliases = node.get("aliases", [])
        glossary[key] = Term(
            key,
            reader.string(node, "term", "the term"),
            tuple(aliases) if isinstance(aliases, list) else (),
            reader.string(node, "definition", "a plain definition"),
            reader.sources(node),
        )
    return glossary


def _read_sources(reader: _Reader, raw: Any) -> dict[str, Source]:
    sources_node = reader.mapping(raw, "sources", "source keys")
    sources = {}
    for key, node in sources_node.items():
        if not isinstance(node, Mapping):
            reader.problems.append(f"{reader.where(sources_node, key)}: must be a mapping")
            continue
        sources[key] = Source(
            key,
            reader.string(node, "title", "a title"),
            str(node.get("kind", "")),
            node.get("file"),
            node.get("url"),
            reader.string(node, "publisher", "who publishes it"),
        )
    return sources


def load_content(directory: Path) -> Content:
    reader = _Reader()
    raw = {
        name: _load(directory, f"{name}.yaml", reader)
        for name in ("types", "advice", "glossary", "sources", "notices")
    }
    for name, data in raw.items():
        if data is not None and not isinstance(data, Mapping):
            reader.problems.append(
                f"content/{name}.yaml, line 1: the file must be a mapping "
                f"(keys such as {', '.join(TOP_KEYS[name])})"
            )
    if reader.problems:
        raise ContentError(reader.problems)

    types = _read_explanations(
        reader, raw["types"], "types", "one entry per type code", contract.TYPES, "type", full=True
    )
    subtypes = _read_explanations(
        reader,
        raw["types"],
        "subtypes",
        "one entry per subtype code",
        contract.SUBTYPES,
        "subtype",
        full=False,
    )

    advice = raw["advice"]
    levels_node, levels = _read_levels(reader, advice)
    worse = reader.facts(advice if isinstance(advice, Mapping) else {}, "worse_signs")
    blanks = _read_blanks(reader, advice, levels_node, levels)
    flags = _read_flags(reader, advice)
    glossary = _read_glossary(reader, raw["glossary"])
    sources = _read_sources(reader, raw["sources"])

    notices_node = raw["notices"] if isinstance(raw["notices"], Mapping) else {}
    notices = {}
    for key in ("not_a_diagnosis", "emergency", "privacy", "ranking_order"):
        notices[key] = reader.string(notices_node, key, "the notice text")

    if reader.problems:
        raise ContentError(reader.problems)
    content = Content(types, subtypes, levels, worse, flags, glossary, sources, notices, blanks)
    object.__setattr__(content, "_cited", tuple(reader.cited))
    return content
