"""The reading lexicon (``dialogs/reading.yaml``): words without an answer, negation,
hedges, number words, the bands numbers fall into, and lab labels and short units.

Loaded once per file (and again only when it changes) into a frozen :class:`Lexicon`.
A broken file raises :class:`LexiconError` naming the file and the key.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatbot.engine.reading.text import fold, tokens
from chatbot.engine.yamlio import YamlError, load_file


class LexiconError(ValueError):
    """``dialogs/reading.yaml`` has a problem; the message names the file and key."""


def _words(items: Any, where: str) -> frozenset[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise LexiconError(f"{where} must be a list of words (quote yes, no, on and off)")
    return frozenset(fold(i) for i in items)


def _phrases(items: Any, where: str) -> frozenset[tuple[str, ...]]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise LexiconError(f"{where} must be a list of words or phrases")
    return frozenset(tuple(t for t in tokens(fold(i)) if t != ",") for i in items)


def _number(node: Mapping[str, Any], key: str, where: str) -> float:
    value = node.get(key) if isinstance(node, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LexiconError(f"{where}.{key} must be a number")
    return float(value)


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
    if not isinstance(data, Mapping):
        raise LexiconError(f"{file}: must be a mapping")

    def need(key: str) -> Any:
        if key not in data:
            raise LexiconError(f"{file}: '{key}' is missing")
        return data[key]

    def words(key: str) -> frozenset[str]:
        return _words(need(key), f"{file}: {key}")

    ordinals = need("ordinals")
    numbers = need("number_words")
    age = need("age")
    if (
        not isinstance(ordinals, Mapping)
        or not isinstance(numbers, Mapping)
        or not isinstance(age, Mapping)
    ):
        raise LexiconError(f"{file}: ordinals, number_words and age must be mappings")
    units: dict[str, str] = {}
    for unit, said in (age.get("units") or {}).items():
        for word in _words(said, f"{file}: age.units.{unit}"):
            units[word] = str(unit)
    pain = need("pain_score")
    size = need("size_mm")
    intake = need("intake")
    vit_d = intake.get("vitamin_d_iu_day") if isinstance(intake, Mapping) else None
    labels: dict[tuple[str, ...], str] = {}
    for lab, said in (need("lab_labels") or {}).items():
        for phrase in _phrases(said, f"{file}: lab_labels.{lab}"):
            labels[phrase] = str(lab)
    shorts: dict[tuple[str, ...], tuple[str, ...]] = {}
    for said, units_of in (need("short_units") or {}).items():
        if not isinstance(units_of, list):
            raise LexiconError(f"{file}: short_units.{said} must be a list of units")
        key = tuple(t for t in tokens(fold(str(said))) if t != ",")
        shorts[key] = tuple(str(u) for u in units_of)
    intake_words: dict[tuple[str, ...], str] = {}
    limits: dict[str, float] = {}
    for kind, said in (need("intake_words") or {}).items():
        if isinstance(said, (int, float)) and not isinstance(said, bool):
            limits[str(kind)] = float(said)
            continue
        for phrase in _phrases(said, f"{file}: intake_words.{kind}"):
            intake_words[phrase] = str(kind)
    return Lexicon(
        drop=words("drop"),
        filler=words("filler"),
        negators=words("negators"),
        breaks=words("breaks"),
        subjects=words("subjects"),
        hedges_mild=words("hedges_mild"),
        hedges_doubt=words("hedges_doubt"),
        intensifiers=words("intensifiers"),
        graded=words("graded"),
        all_words=_phrases(need("all_words"), f"{file}: all_words"),
        none_words=_phrases(need("none_words"), f"{file}: none_words"),
        ordinals={fold(str(k)): int(v) for k, v in ordinals.items()},
        number_words={fold(str(k)): float(v) for k, v in numbers.items()},
        age_max_years=_number(age, "max_years", f"{file}: age"),
        age_units=units,
        pain_none_max=_number(pain, "none_max", f"{file}: pain_score"),
        pain_mild_max=_number(pain, "mild_max", f"{file}: pain_score"),
        pain_severe_min=_number(pain, "severe_min", f"{file}: pain_score"),
        size_small_max=_number(size, "small_max", f"{file}: size_mm"),
        size_medium_max=_number(size, "medium_max", f"{file}: size_mm"),
        count_many_min=_number(need("count"), "many_min", f"{file}: count"),
        vitamin_d_infant=_number(vit_d or {}, "infant", f"{file}: intake.vitamin_d_iu_day"),
        vitamin_d_over_10=_number(vit_d or {}, "over_10", f"{file}: intake.vitamin_d_iu_day"),
        iu_per_microgram=_number(intake, "iu_per_microgram", f"{file}: intake"),
        calcium_mg_day=_number(intake, "calcium_mg_day", f"{file}: intake"),
        lab_labels=labels,
        lab_words=words("lab_words"),
        short_units=shorts,
        intake_words=intake_words,
        tablets_usual_max=limits.get("tablets_usual_max", 2.0),
        tablets_large_min=limits.get("tablets_large_min", 4.0),
        glasses_usual_max=limits.get("glasses_usual_max", 3.0),
        all_max_options=int(_number(data, "all_max_options", file)),
        all_never=words("all_never"),
        several_signs=words("several_signs"),
        warning_colour=words("warning_colour"),
        warning_pain=_phrases(need("warning_pain"), f"{file}: warning_pain"),
    )


_CACHE: dict[tuple[str, int, int], Lexicon] = {}
_LOCK = threading.Lock()


def load_lexicon(path: Path) -> Lexicon:
    """Read ``reading.yaml`` (cached per path until the file changes)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise LexiconError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    try:
        data = load_file(path, str(path))
    except YamlError as exc:
        raise LexiconError(str(exc)) from exc
    lexicon = _parse(data, str(path))
    with _LOCK:
        _CACHE[key] = lexicon
    return lexicon
