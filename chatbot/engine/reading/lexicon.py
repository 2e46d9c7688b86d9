"""The reading lexicon (``dialogs/reading.yaml``): words without an answer, negation,
hedges, number words, the bands numbers fall into, and lab labels and short units.

Loaded once per file (and again only when it changes) into a frozen :class:`Lexicon`.
Its shape is declared below (``_ReadingFile``) and checked by :mod:`chatbot.engine.schema`;
a broken file raises :class:`LexiconError` naming the file and line of every problem.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

from chatbot.engine.reading.text import fold, tokens
from chatbot.engine.schema import What, read, shape
from chatbot.engine.yamlio import YamlError, load_file


class LexiconError(ValueError):
    """``dialogs/reading.yaml`` has problems; each names the file and line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _words(items: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(i) for i in items)


def _phrases(items: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(t for t in tokens(fold(i)) if t != ",") for i in items)


# --------------------------------------------------------------------------- the file's shape

_Words = Annotated[tuple[str, ...], What("a list of words (quote yes, no, on and off)")]
_Phrases = Annotated[tuple[str, ...], What("a list of words or phrases")]


@shape
class _AgeUnits:
    WHAT: ClassVar[str] = "the words for each unit of an age"
    days: _Words
    weeks: _Words
    months: _Words
    years: _Words


@shape
class _Age:
    WHAT: ClassVar[str] = "the limit and the units of an age"
    max_years: float
    units: _AgeUnits


@shape
class _PainScore:
    WHAT: ClassVar[str] = "the bands of a pain score out of 10"
    none_max: float
    mild_max: float
    severe_min: float


@shape
class _SizeMm:
    WHAT: ClassVar[str] = "the bands of a size in mm"
    small_max: float
    medium_max: float


@shape
class _Count:
    WHAT: ClassVar[str] = "the bands of a count"
    many_min: float


@shape
class _VitaminD:
    WHAT: ClassVar[str] = "the vitamin D limits by age (IU a day)"
    infant: float
    over_10: float


@shape
class _Intake:
    WHAT: ClassVar[str] = "the intake limits"
    vitamin_d_iu_day: _VitaminD
    iu_per_microgram: float
    calcium_mg_day: float


@shape
class _IntakeWords:
    WHAT: ClassVar[str] = "the intake words"
    vitamin_d: _Phrases
    calcium: _Phrases
    milk: _Phrases
    usual: _Phrases
    large: _Phrases
    tablets: _Phrases
    tablets_usual_max: float = 2.0
    tablets_large_min: float = 4.0
    glasses_usual_max: float = 3.0


@shape
class _ReadingFile:
    WHAT: ClassVar[str] = "dialogs/reading.yaml"
    drop: _Words
    filler: _Words
    negators: _Words
    breaks: _Words
    subjects: _Words
    hedges_mild: _Words
    hedges_doubt: _Words
    intensifiers: _Words
    graded: _Words
    all_words: _Phrases
    none_words: _Phrases
    all_max_options: int
    all_never: _Words
    several_signs: _Words
    warning_colour: _Words
    warning_pain: _Phrases
    ordinals: dict[str, int]
    number_words: dict[str, float]
    age: _Age
    pain_score: _PainScore
    size_mm: _SizeMm
    count: _Count
    intake: _Intake
    lab_labels: dict[str, _Phrases]
    lab_words: _Words
    short_units: dict[str, tuple[str, ...]]
    intake_words: _IntakeWords


@dataclass(frozen=True)
class Lexicon:
    drop: frozenset[str]
    filler: frozenset[str]
    negators: frozenset[str]
    breaks: frozenset[str]
    subjects: frozenset[str]
    hedges_mild: frozenset[str]
    hedges_doubt: frozenset[str]
    intensifiers: frozenset[str]
    graded: frozenset[str]
    all_words: frozenset[tuple[str, ...]]
    none_words: frozenset[tuple[str, ...]]
    ordinals: Mapping[str, int]
    number_words: Mapping[str, float]
    age_max_years: float
    age_units: Mapping[str, str]  # word -> days | weeks | months | years
    pain_none_max: float
    pain_mild_max: float
    pain_severe_min: float
    size_small_max: float
    size_medium_max: float
    count_many_min: float
    vitamin_d_infant: float
    vitamin_d_over_10: float
    iu_per_microgram: float
    calcium_mg_day: float
    lab_labels: Mapping[tuple[str, ...], str]  # label words -> lab id
    lab_words: frozenset[str]
    short_units: Mapping[tuple[str, ...], tuple[str, ...]]  # unit words -> units
    intake_words: Mapping[tuple[str, ...], str]  # phrase -> vitamin_d | calcium | milk |
    #                                                usual | large | tablets
    tablets_usual_max: float
    all_max_options: int
    all_never: frozenset[str]
    several_signs: frozenset[str]
    warning_colour: frozenset[str]
    warning_pain: frozenset[tuple[str, ...]]
    tablets_large_min: float
    glasses_usual_max: float

    @property
    def known(self) -> frozenset[str]:
        """Every word that carries no answer of its own."""
        return self.drop | self.filler | self.breaks | self.hedges_mild


def _parse(data: Any, file: str) -> Lexicon:
    problems: list[str] = []
    spec = read(_ReadingFile, data, f"{file}, line 1", problems)
    if spec is None or problems:
        raise LexiconError(problems)
    units = {
        word: unit
        for unit in ("days", "weeks", "months", "years")
        for word in _words(getattr(spec.age.units, unit))
    }
    labels = {phrase: lab for lab, said in spec.lab_labels.items() for phrase in _phrases(said)}
    shorts = {
        tuple(t for t in tokens(fold(said)) if t != ","): units_of
        for said, units_of in spec.short_units.items()
    }
    words = spec.intake_words
    intake_words = {
        phrase: kind
        for kind in ("vitamin_d", "calcium", "milk", "usual", "large", "tablets")
        for phrase in _phrases(getattr(words, kind))
    }
    return Lexicon(
        drop=_words(spec.drop),
        filler=_words(spec.filler),
        negators=_words(spec.negators),
        breaks=_words(spec.breaks),
        subjects=_words(spec.subjects),
        hedges_mild=_words(spec.hedges_mild),
        hedges_doubt=_words(spec.hedges_doubt),
        intensifiers=_words(spec.intensifiers),
        graded=_words(spec.graded),
        all_words=_phrases(spec.all_words),
        none_words=_phrases(spec.none_words),
        ordinals={fold(k): v for k, v in spec.ordinals.items()},
        number_words={fold(k): v for k, v in spec.number_words.items()},
        age_max_years=spec.age.max_years,
        age_units=units,
        pain_none_max=spec.pain_score.none_max,
        pain_mild_max=spec.pain_score.mild_max,
        pain_severe_min=spec.pain_score.severe_min,
        size_small_max=spec.size_mm.small_max,
        size_medium_max=spec.size_mm.medium_max,
        count_many_min=spec.count.many_min,
        vitamin_d_infant=spec.intake.vitamin_d_iu_day.infant,
        vitamin_d_over_10=spec.intake.vitamin_d_iu_day.over_10,
        iu_per_microgram=spec.intake.iu_per_microgram,
        calcium_mg_day=spec.intake.calcium_mg_day,
        lab_labels=labels,
        lab_words=_words(spec.lab_words),
        short_units=shorts,
        intake_words=intake_words,
        tablets_usual_max=words.tablets_usual_max,
        tablets_large_min=words.tablets_large_min,
        glasses_usual_max=words.glasses_usual_max,
        all_max_options=spec.all_max_options,
        all_never=_words(spec.all_never),
        several_signs=_words(spec.several_signs),
        warning_colour=_words(spec.warning_colour),
        warning_pain=_phrases(spec.warning_pain),
    )


_CACHE: dict[tuple[str, int, int], Lexicon] = {}
_LOCK = threading.Lock()


def load_lexicon(path: Path, display: str | None = None) -> Lexicon:
    """Read ``reading.yaml`` (cached per path until the file changes); problems name
    ``display`` (default: the path)."""
    path = Path(path)
    name = display or str(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise LexiconError([f"{name}: cannot be read ({exc.strerror or exc})"]) from exc
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    try:
        data = load_file(path, name)
    except YamlError as exc:
        raise LexiconError([str(exc)]) from exc
    lexicon = _parse(data, name)
    with _LOCK:
        _CACHE[key] = lexicon
    return lexicon
