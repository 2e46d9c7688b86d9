"""Typed free-text answers for choice questions.

In the terminal (and a plain line mode) a person may type words instead of
choosing an option: ``"my fingers"``, ``"fingrs"``, ``"hands and face"``,
``"dunno"``, ``"2"``. :func:`match_answer` turns such text into contract codes
for one question, or says why it cannot:

* **clear** -> :attr:`Match.codes` holds the code (one-question) or codes
  (many-question), in the order typed;
* **ambiguous** -> :attr:`Match.ambiguous` lists the candidate codes and the
  message asks which one was meant; nothing is guessed;
* **unknown** -> :attr:`Match.unknown` lists what matched nothing and the
  message lists what may be chosen.

How text is read (per part, see below):

1. the words, folded: case, accents, apostrophes and punctuation are ignored,
   filler words ("my", "the", "on", ...) are dropped on both sides;
2. an exact option code or label wins;
3. then an exact word or phrase from ``dialogs/synonyms.yaml`` (the question's
   own, and the global unsure / none / yes / no / some / all words);
4. a number picks the n-th offered option (1-based, in the order offered, as
   the front ends number them); ``0`` is the unsure answer, and a number beyond
   the options is refused with the numbers that exist ("1 to N, or 0 for ...").
   For ``age_group`` a number beyond the choices, or one with words or a unit
   ("I'm 52", "6 months"), is read as an age; a bare "1" or "3", which could be
   a choice or an age meaning another group, is asked back;
5. otherwise the words are scanned for the longest known phrases, and words
   still unknown are compared with :mod:`difflib` (cutoff 0.8) for typos, as a
   run of words and word by word (two neighbouring letters swapped, "hihg", count
   as a close typo in words of four letters or more); a typo about equally close
   to words of two different options is ambiguous.

Words that match nothing may stand beside an exact match ("my hands hurt" is
``fingers_hands``; "hurt" is reported in :attr:`Match.unknown`), but not beside
a mere typo guess, and a leftover negation ("not on my hands") always makes the
text unknown. In a one-question, two different answers are ambiguous.

A many-question's text is split at commas, semicolons, "and", "&", "+" and "/"
and each part is read separately (unless the whole text is one known phrase,
such as the label "Scalp, ears or neck"); one part that matches nothing makes
the whole answer unknown. ``none`` or ``unsure`` together with other codes is
ambiguous: they cannot be combined.

Only codes of the ``offered`` options (plus ``unsure``) are ever returned. An
option hidden by its ``when`` (heel sticks for adults) is recognised and
refused as "not one of the answers to this question", like the ``_unrelated``
words of the synonyms file.

Lab questions: text with a digit is a value, read by :mod:`chatbot.engine.medicine.labs`
(the message asks for a number with its unit); other text is read as a status
("It was high", "very high", "hihg", "dunno") with the question's options, its
synonyms and the global unsure words, in the same way as any other question.
:func:`lab_status_reader` gives :func:`chatbot.engine.medicine.labs.parse_lab_text` that
reading, so every front end typing lab text gets it.

Messages are plain text, never Rich markup: the person's text is quoted with
control characters and terminal escape sequences removed, but brackets are kept
as typed, so a front end must show the message literally (for example as a
``rich.text.Text``), not parse it as markup.

Pure Python and stdlib only. The synonyms file is read once per path (and
again only if it changes); the lookup tables for a question and its offered
options are built on first use and kept on the :class:`Synonyms` object, so a
call takes well under a millisecond.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar

from chatbot.engine import contract
from chatbot.engine.dialog.questions import Option, Question
from chatbot.engine.reading.text import drop_odd_numbers
from chatbot.engine.schema import NOT_EMPTY, NOWHERE, OR_ONE, Place, Table, What, check, shape
from chatbot.engine.yamlio import YamlError, load_file

__all__ = [
    "Match",
    "Synonyms",
    "SynonymsError",
    "clean_text",
    "default_synonyms",
    "lab_status_reader",
    "load_synonyms",
    "match_answer",
    "normalize_words",
]

# ----------------------------------------------------------------------------- constants

CUTOFF = 0.8  # difflib ratio for a typo to count
TIE = 0.03  # ratios this close to the best are "about equally close"
MAX_TEXT = 500  # characters of typed text that are read at all
QUOTE_MAX = 60  # characters of typed text quoted back in a message

#: Dropped from typed text and from synonyms alike (so both sides agree).
FILLER = frozenset(
    {
        "my",
        "the",
        "on",
        "in",
        "a",
        "an",
        "both",
        "of",
        "it",
        "is",
        "they",
        "are",
        "i",
        "think",
        "im",
        "ive",
        "its",
        "theyre",
        "was",
        "were",
        "has",
        "have",
        "had",
    }
)
# "have"/"has"/"had" are filler only inside longer text; alone they mean yes
# ("i have", "they have"), so they are kept when nothing else is left.
_SOFT_FILLER = frozenset({"have", "has", "had"})

#: Words that may be left over in an otherwise understood part without making
#: it doubtful ("my LEFT hand", "yes, ON BOTH sides", "red AND warm").
IGNORABLE = frozenset(
    {
        "and",
        "or",
        "but",
        "with",
        "also",
        "too",
        "very",
        "really",
        "quite",
        "just",
        "only",
        "left",
        "right",
        "upper",
        "lower",
        "top",
        "front",
        "inner",
        "outer",
        "side",
        "sides",
        "each",
        "area",
        "areas",
        "part",
        "parts",
        "place",
        "places",
        "spot",
        "spots",
        "bit",
        "mostly",
        "mainly",
        "some",
        "skin",
        "around",
        "near",
        "under",
        "over",
        "above",
        "below",
        "at",
        "to",
        "for",
        "from",
        "by",
        "about",
        "there",
        "here",
        "so",
        "well",
        "please",
        "thanks",
        "thank",
        "you",
        "um",
        "uh",
        "er",
        "erm",
        "hmm",
        "ok",
        "okay",
        "like",
        "probably",
        "guess",
        "would",
        "say",
        "lump",
        "lumps",
        "bump",
        "bumps",
        "deposit",
        "deposits",
        "ones",
        "one",
        "them",
        "these",
        "those",
        "that",
        "this",
        "old",
        "year",
        "years",
        "we",
        "he",
        "she",
        "their",
        "his",
        "her",
        "our",
        "your",
        "do",
        "does",
        "did",
        "be",
        "been",
        "being",
        "as",
        "far",
        "know",
        "yes",
        "than",
        "roughly",
        "approx",
        "approximately",
        "size",
        "sized",
        "maybe",
        "feel",
        "feels",
    }
)

#: A leftover negation makes a part doubtful: "not on my hands" is not "hands".
NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "havent",
        "hasnt",
        "hadnt",
        "cant",
        "cannot",
        "wont",
        "without",
        "except",
        "nor",
        "neither",
        "none",
        "nothing",
        "nope",
        "nah",
    }
)

GLOBAL_KEYS = ("unsure", "none", "yes", "no", "some", "all")
UNRELATED_KEY = "_unrelated"
CONTEXT_KEY = "_context"  # words about the question that are no answer themselves

# Markers in the lookup tables (never returned as codes).
_ALL = "*all*"
_UNRELATED = "*unrelated*"

# ----------------------------------------------------------------------------- text

_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"  # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_MARKUP_TAG = re.compile(r"\[/?[a-zA-Z#@][^\[\]\n]{0,60}\]|\[/\]")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`\u00b4]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")
_SPLIT = re.compile(r"\s*(?:[,;&+/]|\band\b|\bplus\b|\bas well as\b)\s*", re.IGNORECASE)
_NUMBER = re.compile(
    r"^\s*((?:number|option|choice|nr|num)\.?\s*|#\s*)?(\d{1,4})\s*[.)]?\s*$", re.IGNORECASE
)
_NUMBERS = re.compile(r"^\s*\d{1,4}(?:\s+\d{1,4})+\s*$")
_AGE = re.compile(
    r"(\d{1,3}(?:[.,]\d+)?)\s*-?\s*(years?|yrs?|y\s*/\s*o|y\.o\.?|yo|months?|mths?|mos?|"
    r"weeks?|wks?|days?)\b",
    re.IGNORECASE,
)


def clean_text(text: Any) -> str:
    """The person's text as it may be shown back: terminal escape sequences and
    control characters removed (tabs and newlines become spaces), spaces collapsed.
    Markup-like brackets are kept as typed."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = _ANSI.sub("", text[: 4 * MAX_TEXT])
    out = []
    for char in text:
        if char in "\t\n\r\v\f\x85\u2028\u2029":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            out.append(char)
    return _SPACES.sub(" ", "".join(out)).strip()


def _strip_markup(text: str) -> str:
    """Remove Rich-style tags when the text looks like markup (has a closing tag)."""
    if "[/" not in text:
        return text
    return _SPACES.sub(" ", _MARKUP_TAG.sub(" ", text)).strip()


def _fold(text: str) -> str:
    if text.isascii():  # (most text: no accents, superscripts or curly apostrophes)
        return _APOSTROPHES.sub("", text.lower())
    text = unicodedata.normalize("NFKD", drop_odd_numbers(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _APOSTROPHES.sub("", text.casefold())


def normalize_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as matching sees them: folded, no punctuation or filler.

    Text made only of question marks reads as ``("?",)`` (the "not sure" answer).
    """
    folded = _fold(text)
    raw = [w for w in _NON_WORD.split(folded) if w]
    words = [w for w in raw if w not in FILLER]
    if not words:
        soft = [w for w in raw if w in _SOFT_FILLER]
        if soft:
            return tuple(soft)
        if "?" in folded and not raw:
            return ("?",)
    return tuple(words)


def _short(text: str) -> str:
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1].rstrip() + "\u2026"


def _quote(text: str) -> str:
    return f"'{_short(text)}'"


# ----------------------------------------------------------------------------- synonyms


class SynonymsError(ValueError):
    """The synonyms file has problems; each names the file and line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, eq=False)
class Synonyms:
    """The words of ``dialogs/synonyms.yaml``, as written (not yet folded)."""

    source: str
    questions: Mapping[str, Mapping[str, tuple[str, ...]]] = field(repr=False)  # qid->code->
    global_words: Mapping[str, tuple[str, ...]] = field(repr=False)  # unsure/none/yes/...
    _tables: dict = field(default_factory=dict, init=False, repr=False)
    _lock: Any = field(default_factory=threading.Lock, init=False, repr=False)

    def words_for(self, qid: str, code: str) -> tuple[str, ...]:
        """The question's own phrases for ``code`` (``_unrelated`` for the unrelated list)."""
        return self.questions.get(qid, {}).get(code, ())


_Said = Annotated[tuple[Annotated[str, NOT_EMPTY], ...], OR_ONE, What("a list of words or phrases")]


@shape
class _GlobalWords:
    WHAT: ClassVar[str] = "the words every question shares"
    unsure: _Said = ()
    none: _Said = ()
    yes: _Said = ()
    no: _Said = ()
    some: _Said = ()
    all: _Said = ()
    place: Place = field(default=NOWHERE, compare=False)


def _phrases(said: tuple[str, ...], where: str, label: str, problems: list[str]) -> tuple[str, ...]:
    """The phrases in the order written, each once; one made only of filler words is
    refused (it could never be matched)."""
    phrases: list[str] = []
    for item in said:
        if not normalize_words(item):
            problems.append(
                f"{where}: {label}: {item!r} has no words left once filler "
                f"words ({', '.join(sorted(FILLER))}) are dropped"
            )
        elif item not in phrases:
            phrases.append(item)
    return tuple(phrases)


def _read_codes(
    qid: str, table: Table[tuple[str, ...]], problems: list[str]
) -> dict[str, tuple[str, ...]]:
    """One question's codes (and ``_unrelated``, ``_context``) and their words."""
    allowed = contract.codes_for(qid)
    codes: dict[str, tuple[str, ...]] = {}
    for code, said in table.items():
        where = table.place.where(code)
        if code not in (UNRELATED_KEY, CONTEXT_KEY) and code not in allowed:
            close = difflib.get_close_matches(str(code), list(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                f"{where}: {code!r} is not a code of {qid!r}{hint}; "
                f"allowed: {', '.join(allowed)}, {UNRELATED_KEY}"
            )
            continue
        codes[code] = _phrases(said, where, f"{qid}.{code}", problems)
    return codes


def _parse(data: Any, source: str) -> Synonyms:
    """The file's shape: ``global`` (declared above) and question ids, each a mapping of
    codes to words; the ids and codes must be the contract's."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise SynonymsError(
            [
                f"{source}, line 1: must be a mapping of question ids "
                "(and 'global') to codes and their words"
            ]
        )
    table = check(Table[Any], data, f"{source}, line 1", "the file", problems)
    questions: dict[str, dict[str, tuple[str, ...]]] = {}
    global_words: dict[str, tuple[str, ...]] = {}
    for qid, body in (table or {}).items():
        where = table.place.where(qid) if table is not None else source
        if qid == "global":
            found = check(_GlobalWords, body, where, "'global'", problems)
            for key in GLOBAL_KEYS if found else ():
                if key in body:
                    global_words[key] = _phrases(
                        getattr(found, key), found.place.where(key), f"global.{key}", problems
                    )
            continue
        if qid not in contract.QUESTIONS:
            close = difflib.get_close_matches(qid, list(contract.QUESTIONS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{where}: {qid!r} is not a question id of the contract{hint}")
            continue
        codes = check(Table[_Said], body, where, f"{qid!r}", problems)
        if codes is not None:
            questions[qid] = _read_codes(qid, codes, problems)
    if problems:
        raise SynonymsError(problems)
    return Synonyms(source=source, questions=questions, global_words=global_words)


_FILE_CACHE: dict[tuple[str, int, int], Synonyms] = {}
_FILE_LOCK = threading.Lock()


def load_synonyms(path: Path) -> Synonyms:
    """Read a synonyms file (cached per path until the file changes).

    Raises :class:`SynonymsError` (a ``ValueError``) naming the file and line
    of every problem.
    """
    path = Path(path)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        raise SynonymsError([f"{path}: cannot be read ({exc.strerror or exc})"]) from exc
    with _FILE_LOCK:
        cached = _FILE_CACHE.get(key)
    if cached is not None:
        return cached
    try:
        data = load_file(path, str(path))
    except YamlError as exc:
        raise SynonymsError([str(exc)]) from exc
    synonyms = _parse(data, str(path))
    with _FILE_LOCK:
        for old in [k for k in _FILE_CACHE if k[0] == key[0]]:
            del _FILE_CACHE[old]
        _FILE_CACHE[key] = synonyms
    return synonyms


def default_synonyms() -> Synonyms:
    """The shipped ``dialogs/synonyms.yaml``."""
    from chatbot.engine.resources import dialogs_dir

    return load_synonyms(dialogs_dir() / "synonyms.yaml")


# ----------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Table:
    """Everything needed to read text for one question with one set of offered options."""

    qid: str
    kind: str
    codes: tuple[str, ...]  # offered codes in order, then unsure
    labels: Mapping[str, str]
    primary: Mapping[tuple[str, ...], frozenset[str]]  # codes and labels
    phrases: Mapping[tuple[str, ...], frozenset[str]]  # everything, primary first
    longest: int
    words_by_length: Mapping[int, tuple[str, ...]]  # single-word phrases, for typos
    multi_by_length: Mapping[int, tuple[str, ...]]  # multi-word phrases, for typos


_Phrases = dict[tuple[str, ...], set[str]]


def _add(table: _Phrases, phrase: str, targets: Iterable[str]) -> None:
    words = normalize_words(phrase)
    if words:
        table.setdefault(words, set()).update(targets)


def _secondary(question: Question, all_codes: tuple[str, ...], synonyms: Synonyms) -> _Phrases:
    """The question's own phrases for the codes offered, then the shared words."""
    codes = all_codes[:-1]
    offered_set = set(codes)
    real = [c for c in codes if c != contract.NONE]
    secondary: _Phrases = {}
    for code, said in synonyms.questions.get(question.id, {}).items():
        if code == CONTEXT_KEY:
            continue  # read by chatbot.engine.reading.reader
        target = _UNRELATED if code == UNRELATED_KEY else code
        if target != _UNRELATED and target not in all_codes:
            continue  # a hidden option cannot be typed (see ``_hidden``)
        for phrase in said:
            _add(secondary, phrase, [target])
    glob = synonyms.global_words
    for phrase in glob.get("unsure", ()):
        _add(secondary, phrase, [contract.UNSURE])
    for key in ("none", "yes", "no"):
        if key in offered_set:
            for phrase in glob.get(key, ()):
                _add(secondary, phrase, [key])
    if question.kind == contract.MANY and "yes" not in offered_set and real:
        for phrase in glob.get("some", ()):
            _add(secondary, phrase, real)
        for phrase in glob.get("all", ()):
            _add(secondary, phrase, [_ALL])
    return secondary


def _hidden(question: Question, offered_set: set[str], synonyms: Synonyms) -> _Phrases:
    """Options hidden now (heel sticks for adults) are recognised, and refused as
    "not one of the answers here", so that no typo tolerance turns them into
    a neighbouring option."""
    own = synonyms.questions.get(question.id, {})
    hidden: _Phrases = {}
    for option in question.options:
        if option.code not in offered_set:
            _add(hidden, option.code, [_UNRELATED])
            _add(hidden, option.label, [_UNRELATED])
            for phrase in own.get(option.code, ()):
                _add(hidden, phrase, [_UNRELATED])
    return hidden


def _by_length(
    phrases: Mapping[tuple[str, ...], frozenset[str]],
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Single words (3 letters or more, not digits) and joined longer phrases, by length."""
    words_by_length: dict[int, list[str]] = {}
    multi_by_length: dict[int, list[str]] = {}
    for words in phrases:
        if len(words) == 1:
            word = words[0]
            if not word.isdigit() and len(word) >= 3:
                words_by_length.setdefault(len(word), []).append(word)
        else:
            joined = " ".join(words)
            multi_by_length.setdefault(len(joined), []).append(joined)
    return words_by_length, multi_by_length


def _build_table(question: Question, offered: Sequence[Option], synonyms: Synonyms) -> _Table:
    codes = [o.code for o in offered if o.code != contract.UNSURE]
    codes = list(dict.fromkeys(codes))
    labels = {o.code: o.label for o in offered}
    labels[contract.UNSURE] = question.unsure_label
    all_codes = tuple(codes) + (contract.UNSURE,)

    primary: _Phrases = {}
    for code in all_codes:
        _add(primary, code, [code])
        _add(primary, labels[code], [code])
    for phrase in ("I'm not sure", "I don't know", "not sure", "unsure"):
        _add(primary, phrase, [contract.UNSURE])
    secondary = _secondary(question, all_codes, synonyms)
    hidden = _hidden(question, set(codes), synonyms)

    phrases: dict[tuple[str, ...], frozenset[str]] = {k: frozenset(v) for k, v in hidden.items()}
    phrases.update({k: frozenset(v) for k, v in secondary.items()})
    phrases.update({k: frozenset(v) for k, v in primary.items()})  # codes and labels win
    words_by_length, multi_by_length = _by_length(phrases)
    return _Table(
        qid=question.id,
        kind=question.kind,
        codes=all_codes,
        labels=labels,
        primary={k: frozenset(v) for k, v in primary.items()},
        phrases=phrases,
        longest=max((len(k) for k in phrases), default=1),
        words_by_length={k: tuple(v) for k, v in words_by_length.items()},
        multi_by_length={k: tuple(v) for k, v in multi_by_length.items()},
    )


def _table(question: Question, offered: Sequence[Option], synonyms: Synonyms) -> _Table:
    key = (
        question.id,
        question.kind,
        question.unsure_label,
        tuple((o.code, o.label) for o in offered),
    )
    table = synonyms._tables.get(key)
    if table is None:
        table = _build_table(question, offered, synonyms)
        with synonyms._lock:
            if len(synonyms._tables) > 512:  # a bound, in case of endless option sets
                synonyms._tables.clear()
            synonyms._tables[key] = table
    return table


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Match:
    """What typed text means for one question."""

    codes: tuple[str, ...] = ()  # chosen codes when the text is clear; empty otherwise
    ambiguous: tuple[str, ...] = ()  # candidate codes when it could mean several (ask back)
    unknown: tuple[str, ...] = ()  # words or parts that matched nothing (also when ok:
    #                                   words that were ignored beside a clear answer)
    message: str = ""  # for the person when ``codes`` is empty; plain text

    @property
    def ok(self) -> bool:
        return bool(self.codes)


@dataclass
class _Part:
    text: str
    codes: list[str] = field(default_factory=list)  # clear codes, in order
    ambiguous: list[str] = field(default_factory=list)  # candidates when doubtful
    unknown: list[str] = field(default_factory=list)  # words that matched nothing
    failed: bool = False  # nothing usable was understood
    unrelated: bool = False  # known, but not an answer here
    number: int | None = None  # an out-of-range number


def _fuzzy_word(word: str, table: _Table) -> frozenset[str] | None:
    """Codes for a typo of a known single word, or None."""
    n = len(word)
    if n < 3 or word.isdigit():
        return None
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(word)
    scored: list[tuple[float, str]] = []
    low, high = -(-2 * n // 3), (3 * n) // 2
    for length in range(low, high + 1):
        for candidate in table.words_by_length.get(length, ()):
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < CUTOFF or matcher.quick_ratio() < CUTOFF:
                continue
            ratio = matcher.ratio()
            if ratio < CUTOFF and n >= 4 and length == n and _one_swap(word, candidate):
                ratio = (n - 0.5) / n  # two letters swapped: about half an edit
            if ratio >= CUTOFF:
                scored.append((ratio, candidate))
    return _best(scored, table, single=True)


def _one_swap(word: str, candidate: str) -> bool:
    """``word`` is ``candidate`` with two neighbouring letters swapped ("hihg", "high")."""
    diff = [i for i, (a, b) in enumerate(zip(word, candidate, strict=True)) if a != b]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and word[diff[0]] == candidate[diff[1]]
        and word[diff[1]] == candidate[diff[0]]
    )


def _fuzzy_phrase(text: str, table: _Table) -> frozenset[str] | None:
    """Codes for a typo of a known multi-word phrase, or None."""
    n = len(text)
    if n < 6:
        return None
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(text)
    scored: list[tuple[float, str]] = []
    low, high = -(-2 * n // 3), (3 * n) // 2
    for length in range(low, high + 1):
        for candidate in table.multi_by_length.get(length, ()):
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < CUTOFF or matcher.quick_ratio() < CUTOFF:
                continue
            ratio = matcher.ratio()
            if ratio >= CUTOFF:
                scored.append((ratio, candidate))
    return _best(scored, table, single=False)


def _best(scored: list[tuple[float, str]], table: _Table, single: bool) -> frozenset[str] | None:
    if not scored:
        return None
    best = max(r for r, _ in scored)
    codes: set[str] = set()
    for ratio, candidate in scored:
        if ratio >= best - TIE:
            key = (candidate,) if single else tuple(candidate.split(" "))
            codes |= table.phrases[key]
    return frozenset(codes)


def _scan(words: tuple[str, ...], table: _Table) -> tuple[list[frozenset[str]], list[str], int]:
    """Longest known phrases first, then typos.

    Returns the matched segments (each a set of codes), the words left over and
    how many segments were exact (not typos).
    """
    segments: list[frozenset[str]] = []
    runs: list[list[str]] = [[]]
    i = 0
    while i < len(words):
        for length in range(min(table.longest, len(words) - i), 0, -1):
            found = table.phrases.get(words[i : i + length])
            if found is not None:
                segments.append(found)
                runs.append([])
                i += length
                break
        else:
            runs[-1].append(words[i])
            i += 1
    exact = len(segments)
    leftover: list[str] = []
    for run in runs:
        content = [w for w in run if w not in IGNORABLE and not w.isdigit()]
        if not content:
            leftover.extend(run)
            continue
        if len(run) >= 2:
            found = _fuzzy_phrase(" ".join(run), table)
            if found is not None:
                segments.append(found)
                continue
        for word in run:
            found = None
            if word not in IGNORABLE and word not in NEGATIONS:
                found = _fuzzy_word(word, table)
            if found is not None:
                segments.append(found)
            else:
                leftover.append(word)
    return segments, leftover, exact


#: Words that make a number a bound, not an age ("under 18", "over 1").
_AGE_BOUNDS = frozenset(
    {
        "under",
        "over",
        "below",
        "above",
        "less",
        "more",
        "than",
        "nearly",
        "almost",
        "between",
        "to",
        "till",
        "until",
        "or",
        "and",
        "younger",
        "older",
        "not",
        "no",
    }
)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")


def _age_codes(text: str, table: _Table) -> set[str]:
    """``age_group`` only: ages typed as ages ("45", "I'm 52", "6 months", "3 years old")."""
    words = set(normalize_words(text))
    if words & _AGE_BOUNDS:
        return set()  # "under 18" is a phrase in synonyms.yaml, not an age of 18
    found: set[str] = set()
    for number, unit in _AGE.findall(text):
        value = float(number.replace(",", "."))
        unit = unit.lower()
        if unit.startswith("m"):
            value /= 12
        elif unit.startswith("w"):
            value /= 52
        elif unit.startswith("d"):
            value /= 365
        found.add(_age_code(value))
    if not found:
        numbers = _DIGITS.findall(text)
        if len(numbers) == 1:
            value = float(numbers[0].replace(",", "."))
            bare = _NUMBER.match(text) is not None
            if value <= 130 and (not bare or value > _option_count(table)):
                found.add(_age_code(value))
    return {c for c in found if c in table.codes}


def _option_count(table: _Table) -> int:
    """How many options are numbered (1 to N); the unsure answer is number 0."""
    return len(table.codes) - 1  # ``codes`` ends with unsure


def _age_code(years: float) -> str:
    if years < 1:
        return "infant"
    return "child" if years < 18 else "adult"


def _read_part(text: str, table: _Table, many: bool) -> _Part:
    part = _Part(text)
    words = normalize_words(text)
    if not words:
        part.failed = True
        return part
    exact = table.primary.get(words) or table.phrases.get(words)
    if exact is not None:
        _take([exact], part, many, table)
        return part
    number = _NUMBER.match(text)
    if number or _NUMBERS.match(text):
        values = [int(number.group(2))] if number else [int(v) for v in text.split()]
        count = _option_count(table)
        if table.qid == "age_group" and number and not number.group(1) and values[0] != 0:
            value = values[0]
            if not 1 <= value <= count:
                ages = _age_codes(text, table)
                if ages:
                    _take([frozenset(ages)], part, many, table)
                    return part
            elif _age_code(value) != table.codes[value - 1] and _age_code(value) in table.codes:
                # "3" could be choice 3 or a 3-year-old: ask, never guess an age group
                _take([frozenset({table.codes[value - 1], _age_code(value)})], part, many, table)
                return part
        segments = []
        for value in values:
            if value == 0:  # "0" is "I'm not sure", as the front ends show it
                segments.append(frozenset([contract.UNSURE]))
                continue
            if not 1 <= value <= count:
                part.failed = True
                part.number = value
                part.unknown.append(str(value))
                return part
            segments.append(frozenset([table.codes[value - 1]]))
        _take(segments, part, many, table)
        return part
    if table.qid == "age_group":
        ages = _age_codes(text, table)
        if ages:
            _take([frozenset(ages)], part, many, table)
            return part
    segments, leftover, exact_count = _scan(words, table)
    content = [w for w in leftover if w not in IGNORABLE and not w.isdigit()]
    part.unknown.extend(content)
    if any(_UNRELATED in s for s in segments):
        part.failed = part.unrelated = True
        return part
    # Words that match nothing may stand beside a clear answer ("my hands hurt"),
    # but not beside a mere typo guess, and never a negation ("not my hands").
    if not segments or (content and not exact_count) or any(w in NEGATIONS for w in leftover):
        part.failed = True
        return part
    _take(segments, part, many, table)
    return part


def _take(segments: list[frozenset[str]], part: _Part, many: bool, table: _Table) -> None:
    """Turn matched segments into the part's clear codes or its candidates."""
    if any(_UNRELATED in s for s in segments):
        part.failed = part.unrelated = True
        return
    order = {code: i for i, code in enumerate(table.codes)}
    clear: list[str] = []
    doubtful: set[str] = set()
    for segment in segments:
        if _ALL in segment:
            clear.extend(c for c in table.codes if c not in (contract.NONE, contract.UNSURE))
        elif len(segment) == 1:
            clear.extend(segment)
        else:
            doubtful |= segment
    clear = list(dict.fromkeys(clear))
    if not many and len(set(clear)) > 1:
        doubtful |= set(clear)
    if doubtful:
        if not many:
            doubtful |= set(clear)
        part.ambiguous = sorted(doubtful, key=lambda c: order.get(c, len(order)))
        part.codes = []
    else:
        part.codes = clear


def _join_labels(labels: list[str], last: str = "or") -> str:
    """ "A, B, or C"; with "; " between labels that hold commas or "or" themselves."""
    plain = not any("," in label or f" {last} " in f" {label.lower()} " for label in labels)
    sep = ", " if plain else "; "
    if len(labels) <= 1:
        return "".join(labels)
    if len(labels) == 2 and plain:
        return f"{labels[0]} {last} {labels[1]}"
    return sep.join(labels[:-1]) + f"{sep}{last} {labels[-1]}"


def _choices(table: _Table) -> str:
    return _join_labels([table.labels[c] for c in table.codes])


def _unknown_message(table: _Table, shown: str, parts: list[_Part], whole: bool) -> str:
    numbers = [p.number for p in parts if p.failed and p.number is not None]
    if numbers and len(numbers) == sum(p.failed for p in parts):
        return (
            f"There is no answer number {numbers[0]} here: please use a number from 1 "
            f'to {_option_count(table)}, or 0 for "{table.labels[contract.UNSURE]}". '
            f"You can choose: {_choices(table)}."
        )
    failed = [p for p in parts if p.failed]
    if whole:
        quoted = _quote(shown)
    else:
        quoted = ", ".join(_quote(clean_text(p.text)) for p in failed)
    hint = " (several can be given, separated by commas)" if table.kind == contract.MANY else ""
    if failed and all(p.unrelated for p in failed):
        verb = "is" if len(failed) == 1 else "are"
        return (
            f"{quoted} {verb} not one of the answers to this question. "
            f"You can choose{hint}: {_choices(table)}."
        )
    return f"I did not recognise {quoted}. You can choose{hint}: {_choices(table)}."


def _lab_match(
    question: Question, offered: Sequence[Option], text: str, synonyms: Synonyms
) -> Match:
    """A lab question: a status in words, or (for anything else) how to type a value."""
    units = contract.LAB_UNITS.get(question.id, ())
    unit_text = f" ({_join_labels(list(units))})" if units else ""
    status = ", or say whether it was high, normal or low" if question.options else ""
    ask = f"Please type the value as a number with its unit{unit_text}{status}."
    readable = _strip_markup(clean_text(text))[:MAX_TEXT]
    if not normalize_words(readable) or any(c.isdigit() for c in readable):
        return Match(message=ask)  # a number is a value, never an option number
    result = _match_choice(question, offered, text, synonyms)
    if result.ok or result.ambiguous:
        return result
    return Match(unknown=result.unknown, message=ask)


def lab_status_reader(dialog: Any, synonyms_path: Path) -> Any:
    """``(lab id, text) -> status code or None`` for :attr:`LabTable.read_words`.

    Reads typed words as a lab status with the lab question's options and the
    synonyms file (read when first needed; a missing or broken file means no
    words beyond the exact status words of :mod:`chatbot.engine.medicine.labs`). Words
    that could mean two statuses ("high or low") raise a ``LabError`` asking
    which one was meant.
    """
    from chatbot.engine.medicine.labs import LabError

    def read(lab: str, text: str) -> str | None:
        question = dialog.questions.get(lab)
        if question is None or question.kind != contract.LAB:
            return None
        try:
            synonyms = load_synonyms(synonyms_path)
        except SynonymsError:
            return None
        result = match_answer(question, list(question.options), text, synonyms)
        if result.ok:
            return result.codes[0]
        if result.ambiguous:
            raise LabError(result.message, "syntax")
        return None

    return read


def match_answer(
    question: Question, offered: Sequence[Option], text: str, synonyms: Synonyms
) -> Match:
    """Read typed ``text`` as an answer to ``question``.

    ``offered`` are the options offered now (``session.options(question)``);
    only their codes, and ``unsure``, can come back. Never raises for any text.
    """
    if question.kind == contract.LAB:
        return _lab_match(question, offered, text, synonyms)
    return _match_choice(question, offered, text, synonyms)


def _match_choice(
    question: Question, offered: Sequence[Option], text: str, synonyms: Synonyms
) -> Match:
    table = _table(question, offered, synonyms)
    many = question.kind == contract.MANY
    shown = clean_text(text)
    readable = _strip_markup(shown)[:MAX_TEXT]
    if not normalize_words(readable):
        if shown:
            return Match(
                unknown=(_short(shown),),
                message=_unknown_message(table, shown, [_Part(shown, failed=True)], whole=True),
            )
        return Match(message=f"Please type an answer. You can choose: {_choices(table)}.")

    parts = [_read_part(readable, table, many)] if not many else _read_many(readable, table)
    unknown = tuple(
        dict.fromkeys(
            [_short(clean_text(p.text)) for p in parts if p.failed]
            + [w for p in parts if not p.failed for w in p.unknown]
        )
    )
    failed = [p for p in parts if p.failed]
    if failed:
        candidates = _ordered({c for p in parts for c in p.ambiguous}, table)
        return Match(
            ambiguous=candidates,
            unknown=unknown,
            message=_unknown_message(table, shown, parts, whole=len(parts) == 1),
        )
    doubtful = [p for p in parts if p.ambiguous]
    if doubtful:
        candidates = _ordered({c for p in doubtful for c in p.ambiguous}, table)
        quoted = ", ".join(_quote(clean_text(p.text)) for p in doubtful)
        which = "which ones" if many else "which one"
        labels = _join_labels([table.labels[c] for c in candidates])
        return Match(
            ambiguous=candidates,
            unknown=unknown,
            message=f"{quoted} could mean more than one answer: {labels}. "
            f"Please say {which} you meant.",
        )
    codes = tuple(dict.fromkeys(c for p in parts for c in p.codes))
    if not many and len(codes) > 1:  # pragma: no cover - _take makes these ambiguous
        codes = ()
    for alone in (contract.NONE, contract.UNSURE):
        if alone in codes and len(codes) > 1:
            others = [c for c in codes if c != alone]
            label = table.labels[alone]
            return Match(
                ambiguous=_ordered(set(codes), table),
                unknown=unknown,
                message=f'"{label}" cannot be combined with other answers: '
                f'please choose either "{label}" or '
                f"{_join_labels([table.labels[c] for c in others], 'and')}.",
            )
    if not codes:  # pragma: no cover - every branch above leaves codes or fails
        return Match(unknown=unknown, message=_unknown_message(table, shown, parts, True))
    return Match(codes=codes, unknown=unknown)


def _read_many(text: str, table: _Table) -> list[_Part]:
    """A many-question's text: as a whole when it is one known phrase, else in parts."""
    words = normalize_words(text)
    if words in table.phrases:
        return [_read_part(text, table, True)]
    pieces = [p.strip() for p in _SPLIT.split(text) if p and p.strip()]
    pieces = [p for p in pieces if normalize_words(p)] or [text]
    return [_read_part(p, table, True) for p in pieces]


def _ordered(codes: set[str], table: _Table) -> tuple[str, ...]:
    order = {code: i for i, code in enumerate(table.codes)}
    return tuple(sorted((c for c in codes if c in order), key=order.__getitem__))
