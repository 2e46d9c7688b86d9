"""``assess --json`` for many assessments: one compact line of JSON each, fast.

:meth:`JsonLines.line` writes exactly what
``json.dumps(to_dict(a, content), ensure_ascii=False, separators=(",", ":"))`` writes,
but the parts that depend only on the content (the type's explanation, the citations of
the sources, the notice) and the lab results nobody entered a number for are serialised
once per run and reused: they are most of an assessment's text, and for 1,000 answers
files the same few dozen of them recur.
"""

from __future__ import annotations

import json
from typing import Any

from chatbot.engine.medicine.assessment import Assessment
from chatbot.engine.medicine.content import Content
from chatbot.engine.medicine.labs import MEASUREMENT, LabReport, LabResult
from chatbot.engine.reports.markdown import (
    _flag_dict,
    advice_markdown,
    explanation_markdown,
    source_keys,
    source_line,
)

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# what _ENCODER.encode makes at every call (the C encoder with these settings, as
# json.dumps(..., ensure_ascii=False, separators=(",", ":")) uses), made once: a line is
# written in a few pieces, and making the encoder cost more than encoding a piece
_MAKE: Any = getattr(json.encoder, "c_make_encoder", None)
_CHUNKS: Any = (
    None
    if _MAKE is None
    else _MAKE(
        None,  # no check for circular references: an assessment holds none
        _ENCODER.default,
        json.encoder.encode_basestring,
        None,  # no indent
        ":",
        ",",
        False,  # keys in their order
        False,  # no keys skipped
        True,  # NaN and Infinity allowed, as json.dumps allows them
    )
)


def _encode(value: Any) -> str:
    """``value`` as compact JSON, exactly as ``_ENCODER.encode(value)`` writes it."""
    return "".join(_CHUNKS(value, 0)) if _CHUNKS is not None else _ENCODER.encode(value)


class JsonLines:
    """Serialises assessments against one content, remembering the repeated parts."""

    def __init__(self, content: Content):
        self.content = content
        self._notice = _encode(content.notices["not_a_diagnosis"])
        self._explanations: dict[tuple[str, str | None], str] = {}
        self._sources: dict[tuple[str, ...], str] = {}
        self._texts: dict[str, str] = {}
        self._labs: dict[tuple[Any, ...], str] = {}

    def line(self, a: Assessment) -> str:
        """``a`` as one line of JSON, the fields in ``to_dict``'s order."""
        content = self.content
        head = _encode(
            {
                "type": a.type,
                "subtype": a.subtype,
                "triage": a.triage,
                "certainty": a.certainty,
                "pathway_step": a.pathway_step,
                "ranking": [
                    {
                        "type": c.type,
                        "score": c.score,
                        "reasons": list(c.reasons),
                        "rules": list(c.rules),
                    }
                    for c in a.ranking
                ],
                "red_flags": [_flag_dict(flag, content) for flag in a.red_flags],
                "triage_reasons": [
                    {"rule": r.rule, "level": r.level, "reason": r.reason} for r in a.triage_reasons
                ],
                "tests": list(a.tests),
            }
        )
        ignored = _encode([{"id": i.id, "reason": i.reason} for i in a.ignored])
        tail = _encode({"cautions": [c.to_dict() for c in a.cautions], "age": a.age})
        return (
            f'{head[:-1]},"labs":{self._lab_report(a.labs)},"ignored":{ignored}'
            f',"advice":{self._text(advice_markdown(a, content))}'
            f',"explanation":{self._explanation(a)},"sources":{self._source_list(a)}'
            f',"answers":{_encode(a.answers)},"notice":{self._notice},{tail[1:]}'
        )

    def _text(self, text: str) -> str:
        out = self._texts.get(text)
        if out is None:
            out = self._texts[text] = _encode(text)
        return out

    def _explanation(self, a: Assessment) -> str:
        key = (a.type, a.subtype)  # the explanation speaks of the type and subtype only
        out = self._explanations.get(key)
        if out is None:
            out = self._explanations[key] = _encode(explanation_markdown(a, self.content))
        return out

    def _source_list(self, a: Assessment) -> str:
        keys = tuple(source_keys(a, self.content))
        out = self._sources.get(keys)
        if out is None:
            out = self._sources[keys] = _encode(
                [{"key": k, "citation": source_line(self.content, k)} for k in keys]
            )
        return out

    def _lab_report(self, labs: LabReport) -> str:
        parts = [self._lab(lab, result) for lab, result in labs.results.items()]
        rest = _encode(
            {
                "caxp": None
                if labs.caxp is None
                else {"value": labs.caxp, "unit": labs.caxp_unit, "level": labs.caxp_level},
                "calcium_grade": labs.calcium_grade,
                "notes": list(labs.notes),
            }
        )
        return "{" + ",".join([*parts, rest[1:-1]]) + "}"

    def _lab(self, lab: str, r: LabResult) -> str:
        """``"lab":{...}``, as LabResult.to_dict gives it."""
        if r.source == MEASUREMENT:  # a person's own number: written as it is
            return f"{_encode(lab)}:{_encode(r.to_dict())}"
        # a status or no answer: the same for everyone of an age. The key holds what
        # to_dict writes, with the types of the numbers (1 == 1.0, written differently)
        key = (
            (lab, r.status, r.source, r.entered, r.unit, r.corrected, r.extreme)
            + (r.value, r.measured, r.low, r.high)
            + (type(r.value), type(r.measured), type(r.low), type(r.high))
        )
        out = self._labs.get(key)
        if out is None:
            out = self._labs[key] = f"{_encode(lab)}:{_encode(r.to_dict())}"
        return out
