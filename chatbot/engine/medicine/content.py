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
from typing import Annotated, Any, ClassVar, Literal

from chatbot.engine import contract
from chatbot.engine.conditions import ConditionError, Facts, Predicate, compile_condition
from chatbot.engine.schema import (
    NOT_EMPTY,
    NOWHERE,
    Place,
    SourceKeys,
    Table,
    What,
    meta,
    read,
    shape,
)
from chatbot.engine.slots import SLOTS, template_slots
from chatbot.engine.yamlio import YamlError, load_file


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


def _text(value: str) -> str:
    """A fact's text on one line."""
    return " ".join(value.split())


def _prose(value: str) -> str:
    """A text on one line, unless it holds paragraphs (a blank line), which are kept."""
    return _text(value) if "\n\n" not in value else value.strip()


# --------------------------------------------------------------------------- the files' shape

_Prose = Annotated[str, NOT_EMPTY]


@shape
class _FactSpec:
    WHAT: ClassVar[str] = "a fact"
    SHAPE: ClassVar[str] = "each fact needs a 'text' and its 'sources'"
    text: str = field(metadata=meta(what="the fact in plain words"))
    sources: Annotated[SourceKeys, NOT_EMPTY] = field(
        metadata=meta(what="the keys of its sources, such as [S1]")
    )
    when: Any = None  # said only when this holds
    place: Place = field(default=NOWHERE, compare=False)


_Facts = Annotated[tuple[_FactSpec, ...], NOT_EMPTY, What("a non-empty list of {text, sources}")]


@shape
class _DoctorQuestionSpec:
    WHAT: ClassVar[str] = "a question for the doctor"
    SHAPE: ClassVar[str] = (
        "each question for the doctor needs 'self' and 'caregiver' wording (like the "
        "dialog's questions)"
    )
    own: _Prose = field(metadata=meta(key="self", what="the question in the person's own words"))
    caregiver: _Prose = field(
        metadata=meta(what="the question as a caregiver asks it (their, they)")
    )
    when: Any = None
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _TypeSpec:
    WHAT: ClassVar[str] = "the explanation of a type"
    title: _Prose = field(metadata=meta(what="the plain name"))
    summary: _Prose = field(metadata=meta(what="one or two plain sentences"))
    explanation: _Facts
    sources: SourceKeys = ()
    tells_apart: str = ""  # required for a type, not for a subtype
    tells_apart_sources: SourceKeys = ()
    treatment: tuple[_FactSpec, ...] = ()
    doctor_questions: tuple[_DoctorQuestionSpec, ...] = ()
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _TypesFile:
    WHAT: ClassVar[str] = "content/types.yaml"
    types: Table[_TypeSpec] = field(metadata=meta(what="one entry per type code"))
    subtypes: Table[_TypeSpec] = field(metadata=meta(what="one entry per subtype code"))


@shape
class _LevelSpec:
    WHAT: ClassVar[str] = "the advice for a triage level"
    title: _Prose = field(metadata=meta(what="the headline"))
    when: _Prose = field(metadata=meta(what="how soon, in plain words"))
    do_now: _Facts
    call_words: str = ""  # required for an emergency
    if_worse: tuple[_FactSpec, ...] = ()  # required except for an emergency
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _FlagSpec:
    WHAT: ClassVar[str] = "a red flag"
    title: _Prose = field(metadata=meta(what="a short title"))
    text: _Prose = field(metadata=meta(what="one or two sentences"))
    sources: SourceKeys = ()
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _AdviceFile:
    WHAT: ClassVar[str] = "content/advice.yaml"
    levels: Table[_LevelSpec] = field(metadata=meta(what="advice per triage level"))
    worse_signs: _Facts
    call_words_blanks: Table[_Prose] = field(
        metadata=meta(what="what stands in a slot of the call words when it is not known")
    )
    red_flags: dict[str, _FlagSpec] = field(metadata=meta(what="a text per red flag code"))


@shape
class _TermSpec:
    WHAT: ClassVar[str] = "a glossary term"
    term: _Prose = field(metadata=meta(what="the term"))
    definition: _Prose = field(metadata=meta(what="a plain definition"))
    aliases: tuple[str, ...] = ()
    sources: SourceKeys = ()
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _GlossaryFile:
    WHAT: ClassVar[str] = "content/glossary.yaml"
    glossary: dict[str, _TermSpec] = field(metadata=meta(what="a mapping of terms"))


@shape
class _SourceSpec:
    WHAT: ClassVar[str] = "a source"
    title: _Prose = field(metadata=meta(what="a title"))
    publisher: _Prose = field(metadata=meta(what="who publishes it"))
    kind: Literal["paper", "web", "seed"] | None = None
    url: str | None = None
    more_urls: tuple[str, ...] = ()
    file: str | None = None  # the local copy of a seed text, for checks only


@shape
class _SourcesFile:
    WHAT: ClassVar[str] = "content/sources.yaml"
    sources: dict[str, _SourceSpec] = field(metadata=meta(what="a mapping of source keys"))


@shape
class _NoticesFile:
    WHAT: ClassVar[str] = "content/notices.yaml"
    not_a_diagnosis: _Prose = field(metadata=meta(what="the notice text"))
    emergency: _Prose = field(metadata=meta(what="the notice text"))
    privacy: _Prose = field(metadata=meta(what="the notice text"))
    ranking_order: _Prose = field(metadata=meta(what="the notice text"))


# --------------------------------------------------------------------------- across entries


class _Reader:
    """Builds the content from the typed files: conditions, contract codes, slots, and
    the sources cited (for ``calcinosis validate``)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.cited: list[tuple[str, str]] = []

    def sources(self, place: Place, keys: tuple[str, ...], key: str = "sources") -> tuple[str, ...]:
        self.cited.extend((place.where(key), s) for s in keys)
        return keys

    def when(self, node: Any) -> Predicate | None:
        """The optional ``when:`` condition of an entry (the dialog's condition language)."""
        if node is None:
            return None
        try:
            return compile_condition(node)
        except ConditionError as exc:
            self.problems.append(str(exc))
            return None

    def facts(self, specs: tuple[_FactSpec, ...]) -> tuple[Fact, ...]:
        return tuple(
            Fact(_text(f.text), self.sources(f.place, f.sources), self.when(f.when)) for f in specs
        )

    def doctor_question(self, spec: _DoctorQuestionSpec) -> DoctorQuestion:
        when = self.when(spec.when)
        return DoctorQuestion(_prose(spec.own), _prose(spec.caregiver), when, spec.place.where())

    def type_text(self, code: str, spec: _TypeSpec, full: bool) -> TypeText:
        if full and not spec.tells_apart.strip():
            self.problems.append(
                f"{spec.place.where()}: missing 'tells_apart' (what tells it apart)"
            )
        questions = tuple(self.doctor_question(q) for q in spec.doctor_questions)
        return TypeText(
            code=code,
            title=_prose(spec.title),
            summary=_prose(spec.summary),
            summary_sources=self.sources(spec.place, spec.sources),
            explanation=self.facts(spec.explanation),
            tells_apart=_prose(spec.tells_apart),
            tells_apart_sources=self.sources(
                spec.place, spec.tells_apart_sources, "tells_apart_sources"
            ),
            treatment=self.facts(spec.treatment),
            doctor_questions=questions,
        )

    def explanations(
        self, table: Table[_TypeSpec], codes: tuple[str, ...], word: str
    ) -> dict[str, TypeText]:
        """The explanation of each type (``word`` "type") or subtype code of the contract."""
        found: dict[str, TypeText] = {}
        for code in codes:
            if code not in table and code in table.place.key_lines:
                continue  # written, but wrong: its problem is said
            if code not in table:
                self.problems.append(
                    f"{table.place.where()}: no explanation for the {word} '{code}'"
                )
                continue
            found[code] = self.type_text(code, table[code], full=word == "type")
        for code in table:
            if code not in codes:
                self.problems.append(
                    f"{table.place.where(code)}: '{code}' is not a {word} code of the contract"
                )
        return found

    def levels(self, table: Table[_LevelSpec]) -> dict[str, LevelAdvice]:
        """The advice per triage level."""
        levels = {}
        for level in contract.TRIAGE_LEVELS:
            spec = table.get(level)
            if spec is None and level in table.place.key_lines:
                continue  # written, but wrong: its problem is said
            if spec is None:
                self.problems.append(
                    f"{table.place.where()}: no advice for the triage level '{level}'"
                )
                continue
            if level == "emergency" and not spec.call_words.strip():
                self.problems.append(
                    f"{spec.place.where()}: missing 'call_words' (what to say when calling)"
                )
            if level != "emergency" and not spec.if_worse:
                self.problems.append(
                    f"{spec.place.where('if_worse')}: 'if_worse' must be a non-empty list of "
                    "{text, sources}"
                )
            levels[level] = LevelAdvice(
                level=level,
                title=_prose(spec.title),
                when=_prose(spec.when),
                do_now=self.facts(spec.do_now),
                call_words=_prose(spec.call_words),
                if_worse=self.facts(spec.if_worse),
            )
        for level in table:
            if level not in contract.TRIAGE_LEVELS:
                self.problems.append(
                    f"{table.place.where(level)}: '{level}' is not a triage level; levels: "
                    f"{', '.join(contract.TRIAGE_LEVELS)}"
                )
        return levels

    def blanks(
        self, table: Table[str], levels: Table[_LevelSpec], advice: Mapping[str, LevelAdvice]
    ) -> dict[str, str]:
        """What stands in each slot of the call words when it is not known; the call words
        may use only those slots."""
        blanks = {}
        for slot in SLOTS:
            if slot not in table:
                self.problems.append(
                    f"{table.place.where()}: missing '{slot}' (the blank for {{{slot}}})"
                )
            blanks[slot] = _prose(table.get(slot, ""))
        for slot in table:
            if slot not in SLOTS:
                self.problems.append(
                    f"{table.place.where(slot)}: '{slot}' is not a slot "
                    f"of the call words; slots: {', '.join(SLOTS)}"
                )
        for level, node in advice.items():
            for slot in sorted(template_slots(node.call_words) - set(SLOTS)):
                self.problems.append(
                    f"{levels[level].place.where('call_words')}: the "
                    f"call words use {{{slot}}}, which is not a slot; "
                    f"slots: {', '.join(SLOTS)}"
                )
        return blanks


def _load(directory: Path, name: str, problems: list[str]) -> Any:
    try:
        return load_file(directory / name, f"content/{name}")
    except YamlError as exc:
        problems.append(str(exc))
        return None


def _read_advice(
    reader: _Reader, advice: _AdviceFile
) -> tuple[dict[str, LevelAdvice], tuple[Fact, ...], dict[str, str], dict[str, FlagText]]:
    levels = reader.levels(advice.levels)
    worse = reader.facts(advice.worse_signs)
    blanks = reader.blanks(advice.call_words_blanks, advice.levels, levels)
    flags = {
        code: FlagText(code, _prose(f.title), _prose(f.text), reader.sources(f.place, f.sources))
        for code, f in advice.red_flags.items()
    }
    return levels, worse, blanks, flags


def _read_glossary(reader: _Reader, glossary: _GlossaryFile) -> dict[str, Term]:
    return {
        key: Term(
            key, _prose(t.term), t.aliases, _prose(t.definition), reader.sources(t.place, t.sources)
        )
        for key, t in glossary.glossary.items()
    }


def load_content(directory: Path) -> Content:
    problems: list[str] = []
    raw = {
        name: _load(directory, f"{name}.yaml", problems)
        for name in ("types", "advice", "glossary", "sources", "notices")
    }
    if problems:
        raise ContentError(problems)
    at = "content/{}.yaml, line 1".format
    types_file = read(_TypesFile, raw["types"], at("types"), problems)
    advice_file = read(_AdviceFile, raw["advice"], at("advice"), problems)
    glossary_file = read(_GlossaryFile, raw["glossary"], at("glossary"), problems)
    sources_file = read(_SourcesFile, raw["sources"], at("sources"), problems)
    notices_file = read(_NoticesFile, raw["notices"], at("notices"), problems)

    # each file that has the right shape is checked further, so that all is said at once
    reader = _Reader(problems)
    if types_file:
        types = reader.explanations(types_file.types, contract.TYPES, "type")
        subtypes = reader.explanations(types_file.subtypes, contract.SUBTYPES, "subtype")
    if advice_file:
        levels, worse, blanks, flags = _read_advice(reader, advice_file)
    glossary = _read_glossary(reader, glossary_file) if glossary_file else {}
    if problems or not (types_file and advice_file and sources_file and notices_file):
        raise ContentError(problems)
    sources = {
        key: Source(key, _prose(s.title), s.kind or "", s.file, s.url, _prose(s.publisher))
        for key, s in sources_file.sources.items()
    }
    notices = {
        key: _prose(getattr(notices_file, key))
        for key in ("not_a_diagnosis", "emergency", "privacy", "ranking_order")
    }
    content = Content(types, subtypes, levels, worse, flags, glossary, sources, notices, blanks)
    object.__setattr__(content, "_cited", tuple(reader.cited))
    return content
