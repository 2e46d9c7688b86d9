"""The one reader of people's own words, for every front end.

:meth:`Reader.read` takes a question, the text typed and the answers so far,
and returns a :class:`Reading`: the answer understood (codes, a lab value with
its unit, an age), answers recorded with it (``also``: the exact ``age`` at the
age question), or nothing and the question to ask back; and a short sentence
saying what it understood. The terminal chat, plain mode, the browser and
``calcinosis parse`` record exactly what it returns.

How words are read (the rules of issue 13):

* every content word must be accounted for: part of a known phrase
  (``dialogs/synonyms.yaml``), a word without an answer, a negation, a hedge or
  a modifier (``dialogs/reading.yaml``); otherwise it says what it recognised
  and asks about the rest;
* a negation ("no", "not", "don't", ...) negates what follows it up to the end
  of its clause ("no redness or sores, just the lump" is ``none``);
* the most specific phrase decides ("yes but getting bigger" is ``yes_changing``);
* in a many-question every recognised part is kept and only the rest is asked
  about; a recognised warning sign is recorded at once;
* typo tolerance only for words that are not English (:mod:`.english`);
* numbers: ages, pain out of 10, sizes in mm/cm, counts, doses (:mod:`.numbers`);
  lab text with labels and short units (:mod:`.labtext`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from chatbot.engine import contract
from chatbot.engine.dialog.questions import Option, Question
from chatbot.engine.dialog.session import Session, SessionEngine
from chatbot.engine.reading import english, numbers
from chatbot.engine.reading.lexicon import Lexicon, load_lexicon
from chatbot.engine.reading.matching import UNRELATED_KEY, Synonyms, load_synonyms
from chatbot.engine.reading.negation import WORD_NEGATIONS as _WORD_NEG
from chatbot.engine.reading.negation import Item as _Item
from chatbot.engine.reading.negation import contrast_kept, mark_negated
from chatbot.engine.reading.result import Reading
from chatbot.engine.reading.text import BREAK, MAX_TEXT, clean_text, fold, quote, tokens
from chatbot.engine.reading.typos import deletions as _deletions
from chatbot.engine.reading.typos import distance as _osa
from chatbot.engine.reading.typos import max_edits as _max_edits

__all__ = ["Reader", "ReaderEngine", "Reading", "reader_for"]


class ReaderEngine(SessionEngine, Protocol):
    """What the reader uses of an engine (:class:`chatbot.engine.loading.Engine`; the
    reading layer does not import the loader): what a session uses (the dialog, the
    lab table; a session judges an option's ``when``) and the data root."""

    @property
    def root(self) -> Path: ...


# markers in the phrase tables (never returned as codes)
ALL = "*all*"
UNRELATED = "*unrelated*"
CONTEXT = "*context*"
CONTEXT_KEY = "_context"
YES_NO = frozenset({"yes", "no"})
NEGATIVE = frozenset({"none", "no", "normal"})
DENIED = "*denied*"  # something was denied that has no code of its own ("no calcium")
NUMBER_QUESTIONS = frozenset({"age_group", "pain", "size", "extent", "intake"})
# "a bit", "slightly" before a sign (not "a bit of pus"): the sign is asked about
_DIMINISH = frozenset({"bit", "little", "slightly", "mildly", "somewhat", "abit"})
_SIGN_QUESTIONS = frozenset({"infection_signs", "hypercalcemia_symptoms", "hypocalcemia_symptoms"})
# at the warning signs: a fever with a red or hot area, or redness that grows
_FEVER = frozenset({"fever", "temperature", "temp", "feverish", "fevers", "pyrexia"})
_REDNESS = frozenset({"red", "redness", "reddish", "reddened", "inflamed"})
_GROWS = frozenset({"spreading", "spreads", "spread", "bigger", "growing", "larger", "wider"})


# ----------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Table:
    qid: str
    kind: str
    codes: tuple[str, ...]  # offered codes in order (unsure not included)
    labels: Mapping[str, str]
    exact: Mapping[str, str]  # folded code / label -> code
    phrases: Mapping[tuple[str, ...], frozenset[str]]
    longest: int
    vocab: frozenset[str]
    # symspell: a deletion -> known words (the reader's, shared by all its tables: only
    # the words in ``vocab`` are this table's)
    deletes: Mapping[str, set[str]]
    word_codes: Mapping[str, frozenset[str]]  # a vocabulary word -> codes of its phrases
    prefixes: frozenset[tuple[str, ...]] = frozenset()  # every start of a phrase

    @property
    def yes_no(self) -> bool:
        return set(self.codes) == YES_NO

    @property
    def real(self) -> tuple[str, ...]:
        return tuple(c for c in self.codes if c != contract.NONE)


def _vocabulary(
    phrases: Mapping[tuple[str, ...], set[str]],
) -> tuple[set[str], dict[str, set[str]]]:
    """The words typos are corrected to, and the codes of each."""
    vocab: set[str] = set()
    word_codes: dict[str, set[str]] = {}
    for words, targets in phrases.items():
        for word in words:
            if len(word) >= 3 and not word.isdigit():
                vocab.add(word)
                word_codes.setdefault(word, set()).update(targets)
    return vocab, word_codes


# ----------------------------------------------------------------------------- the reader


class Reader:
    """Reads typed answers with one dialog, lab table, synonyms and lexicon."""

    def __init__(self, engine: ReaderEngine, synonyms: Synonyms, lexicon: Lexicon):
        self.engine = engine
        self.dialog = engine.dialog
        self.labs = engine.labs
        self.synonyms = synonyms
        self.lex = lexicon
        self._tables: dict[tuple[Any, ...], _Table] = {}
        self._phrases: dict[str, tuple[str, ...]] = {}  # phrase text -> its words
        self._deletes: dict[str, set[str]] = {}  # a deletion -> known words (see _index)
        self._indexed: set[str] = set()  # the words in _deletes
        # words the lexicon reads itself (units, number words, lab and intake words):
        # never "corrected" into a word of the question
        self._lexicon_words = frozenset(
            [
                *lexicon.age_units,
                *lexicon.number_words,
                *(w for p in lexicon.short_units for w in p),
                *(w for p in lexicon.lab_labels for w in p),
                *(w for p in lexicon.intake_words for w in p),
            ]
        )
        self._lock = threading.Lock()

    # ----- tables
    def table(self, question: Question, offered: Sequence[Option]) -> _Table:
        key = (question.id, tuple(o.code for o in offered))
        found = self._tables.get(key)
        if found is None:
            found = self._build(question, offered)
            with self._lock:
                if len(self._tables) > 256:
                    self._tables.clear()
                self._tables[key] = found
        return found

    def has_table(self, question: Question, offered: Sequence[Option]) -> bool:
        """Whether the table for ``question`` with these options is built already."""
        return (question.id, tuple(o.code for o in offered)) in self._tables

    def _phrase(self, text: str) -> tuple[str, ...]:
        """A phrase of the tables as words (remembered: the shared phrases and the places
        are read again for every question's table)."""
        found = self._phrases.get(text)
        if found is None:
            words = [t for t in tokens(fold(text)) if t != BREAK and t not in numbers.SYMBOLS]
            kept = tuple(w for w in words if w not in self.lex.drop)
            found = self._phrases[text] = kept or tuple(words)
        return found

    def _build(self, question: Question, offered: Sequence[Option]) -> _Table:
        codes = tuple(dict.fromkeys(o.code for o in offered if o.code != contract.UNSURE))
        labels = {o.code: o.label for o in question.options}
        labels[contract.UNSURE] = question.unsure_label
        phrases: dict[tuple[str, ...], set[str]] = {}
        self._global_phrases(question, codes, phrases)
        self._own_phrases(question, set(codes), phrases)
        exact = self._exact(codes, labels, phrases)
        vocab, word_codes = _vocabulary(phrases)
        self._index(vocab)
        return _Table(
            qid=question.id,
            kind=question.kind,
            codes=codes,
            labels=labels,
            exact=exact,
            phrases={k: frozenset(v) for k, v in phrases.items()},
            longest=max((len(k) for k in phrases), default=1),
            vocab=frozenset(vocab),
            deletes=self._deletes,
            word_codes={k: frozenset(v) for k, v in word_codes.items()},
            prefixes=frozenset(p[:n] for p in phrases for n in range(1, len(p) + 1)),
        )

    def _index(self, vocab: set[str]) -> None:
        """Add the deletions of the words not yet known to the shared index (most words,
        the shared ones and the places, are in every question's table)."""
        with self._lock:
            for word in vocab - self._indexed:
                for d in _deletions(word, _max_edits(word)):
                    found = self._deletes.get(d)
                    if found is None:
                        self._deletes[d] = {word}
                    else:
                        found.add(word)
            self._indexed |= vocab

    def _add(self, phrases: dict[tuple[str, ...], set[str]], text: str, target: str) -> None:
        words = self._phrase(text)
        if words:
            phrases.setdefault(words, set()).add(target)

    def _global_phrases(
        self, question: Question, codes: tuple[str, ...], phrases: dict[tuple[str, ...], set[str]]
    ) -> None:
        """The words every question shares: not sure, none, yes, no, some and all."""
        offered_set = set(codes)
        glob = self.synonyms.global_words
        for phrase in glob.get("unsure", ()):
            self._add(phrases, phrase, contract.UNSURE)
        for key in ("none", "yes", "no"):
            if key in offered_set:
                for phrase in glob.get(key, ()):
                    self._add(phrases, phrase, key)
        if contract.NONE in offered_set:
            for words in self.lex.none_words:
                phrases.setdefault(
                    tuple(w for w in words if w not in self.lex.drop) or words, set()
                ).add(contract.NONE)
        real = [c for c in codes if c != contract.NONE]
        if question.kind == contract.MANY and "yes" not in offered_set and real:
            for phrase in glob.get("some", ()):
                for code in real:
                    self._add(phrases, phrase, code)
            for words in self.lex.all_words:
                phrases.setdefault(
                    tuple(w for w in words if w not in self.lex.drop) or words, set()
                ).add(ALL)

    def _own_phrases(
        self, question: Question, offered_set: set[str], phrases: dict[tuple[str, ...], set[str]]
    ) -> None:
        """The question's own phrases and its hidden options (refused as "not an answer
        here"), then the context words."""
        own = self.synonyms.questions.get(question.id, {})
        for option in question.options:
            if option.code not in offered_set:
                self._add(phrases, option.label, UNRELATED)
                for phrase in own.get(option.code, ()):
                    self._add(phrases, phrase, UNRELATED)
        for code, said in own.items():
            if code == UNRELATED_KEY:
                target = UNRELATED
            elif code == CONTEXT_KEY:
                target = CONTEXT
            elif code in offered_set or code == contract.UNSURE:
                target = code
            else:
                continue
            for phrase in said:
                words = self._phrase(phrase)
                if words:
                    phrases[words] = phrases.get(words, set()) - {UNRELATED}
                    phrases[words].add(target)
        self._context_phrases(question, phrases)

    def _context_phrases(
        self, question: Question, phrases: dict[tuple[str, ...], set[str]]
    ) -> None:
        """Words of another question read as context: substances and amounts at intake,
        places at every question but the places question."""
        if question.id == "intake":  # substances and amounts: read by intake.py
            for said in self.lex.intake_words:
                kept = tuple(w for w in said if w not in self.lex.drop) or said
                phrases.setdefault(kept, {CONTEXT})
        if question.id != "locations":
            places = self.synonyms.questions.get("locations", {})
            for said in places.values():
                for phrase in said:
                    words = self._phrase(phrase)
                    if words and words not in phrases:
                        phrases[words] = {CONTEXT}

    def _exact(
        self,
        codes: tuple[str, ...],
        labels: Mapping[str, str],
        phrases: dict[tuple[str, ...], set[str]],
    ) -> dict[str, str]:
        """Codes and labels as typed exactly (they also win as phrases)."""
        exact: dict[str, str] = {}
        for code in (*codes, contract.UNSURE):
            label = labels.get(code, code)
            for text in (code, label):
                exact[" ".join(self._phrase(text))] = code
                exact[
                    " ".join(
                        w for w in tokens(fold(text)) if w != BREAK and w not in numbers.SYMBOLS
                    )
                ] = code
                words = self._phrase(text)
                if words:
                    phrases[words] = {code}  # codes and labels win
        for phrase in ("I'm not sure", "I don't know", "not sure", "unsure", "dont know"):
            phrases[self._phrase(phrase)] = {contract.UNSURE}
        return exact

    # ----- helpers
    def offered(self, question: Question, given: Mapping[str, Any] | None) -> list[Option]:
        """The options offered with these answers (an option's ``when`` may hide it)."""
        if all(o.when is None for o in question.options):
            return list(question.options)
        facts = Session.__new__(Session)  # the answers only: no place in the dialog machine
        facts.engine = self.engine
        facts.answers = dict(given or {})
        facts.history, facts.ignored, facts.implied = [], [], {}
        facts._labs = None
        return facts.options(question)

    def _label(self, table: _Table, code: str) -> str:
        return table.labels.get(code, code)

    def _labels(self, table: _Table, codes: Sequence[str], last: str = "or") -> str:
        return _join([self._label(table, c) for c in codes], last)

    def _choices(self, table: _Table) -> str:
        return self._labels(table, [*table.codes, contract.UNSURE])

    def _value(self, table: _Table, codes: Sequence[str]) -> Any:
        if table.kind == contract.MANY:
            return tuple(dict.fromkeys(codes))
        return codes[0]

    def _done(
        self,
        table: _Table,
        shown: str,
        codes: Sequence[str],
        also: Mapping[str, Any] | None = None,
        note: str = "",
    ) -> Reading:
        value = self._value(table, codes)
        said = self._labels(table, list(dict.fromkeys(codes)), "and")
        return Reading(
            table.qid, shown, value, dict(also or {}), None, f"Understood: {said}{note}.", said=said
        )

    def _ask(
        self,
        table: _Table,
        shown: str,
        message: str,
        candidates: Iterable[str] = (),
        kept: Sequence[str] = (),
        understood: str = "",
        pending: str = "",
    ) -> Reading:
        order = {c: i for i, c in enumerate((*table.codes, contract.UNSURE))}
        cands = tuple(
            sorted(dict.fromkeys(c for c in candidates if c in order), key=order.__getitem__)
        )
        return Reading(
            table.qid,
            shown,
            None,
            {},
            message,
            understood or "Not understood yet.",
            cands,
            tuple(kept),
            pending,
        )

    # ----- reading
    def read(
        self,
        question: Question | str,
        text: Any,
        given: Mapping[str, Any] | None = None,
        *,
        offered: Sequence[Option] | None = None,
        after: Reading | None = None,
        numbered: bool = False,
    ) -> Reading:
        """Read ``text`` as an answer to ``question``. Never raises for any text.

        ``given``: the answers so far (normalised, as a session holds them); ``offered``:
        the options offered now (default: worked out from ``given``); ``after``: the
        reading this text answers when it was asked back ("the first one");
        ``numbered``: the front end shows the options numbered (0 is "not sure"), so a
        bare number that is one of them picks it (except ages at the age question).
        """
        if isinstance(question, str):
            question = self.dialog.questions[question]
        given = given or {}
        if offered is None:
            offered = self.offered(question, given)
        shown = clean_text(text)
        if after is not None and after.question == question.id and after.ask:
            followed = self._follow(question, shown, given, offered, after, numbered)
            if followed is not None:
                return followed
        if question.kind == contract.TEXT:
            return self._text(question, shown)
        if question.kind == contract.LAB:
            from chatbot.engine.reading.labtext import read_lab

            return read_lab(self, question, shown, offered, given, numbered)
        if question.kind == getattr(contract, "MEASURE", "measure"):
            return self._measure(question, shown)
        return self.read_choice(question, shown, offered, given, numbered)

    def _follow(
        self,
        question: Question,
        shown: str,
        given: Mapping[str, Any],
        offered: Sequence[Option],
        after: Reading,
        numbered: bool,
    ) -> Reading | None:
        table = self.table(question, offered)
        words = [
            w
            for w in tokens(fold(shown))
            if w != BREAK
            and w not in self.lex.drop
            and w not in ("one", "option", "answer", "please", "it", "is", "its")
        ]
        # "the first one": the n-th option offered in the ask-back
        if after.candidates and len(words) == 1 and words[0] in self.lex.ordinals:
            n = self.lex.ordinals[words[0]]
            cands = after.candidates
            if 1 <= n <= len(cands) or n == -1:
                code = cands[n - 1] if n > 0 else cands[-1]
                return self._merge(table, shown, after, [code])
        if after.pending:
            again = self.read(question, f"{after.pending} {shown}", given, offered=offered)
            if again.ok:
                return Reading(
                    again.question,
                    shown,
                    again.answer,
                    again.also,
                    None,
                    again.understood,
                    confirm=again.confirm,
                    said=again.said,
                )
        if after.kept:
            if words and all(
                w in self.lex.filler or w in _WORD_NEG or w in ("else", "nope", "thats", "nah")
                for w in words
            ):
                return self._done(table, shown, list(after.kept))
            again = self.read(question, shown, given, offered=offered, numbered=numbered)
            if again.ok and isinstance(again.answer, tuple):
                codes = [c for c in again.answer if c not in (contract.UNSURE, contract.NONE)]
                if codes or again.answer == (contract.NONE,):
                    return self._done(table, shown, [*after.kept, *codes])
            if again.kept:
                return self._ask(
                    table,
                    shown,
                    again.ask or "",
                    again.candidates,
                    [*after.kept, *again.kept],
                    again.understood,
                )
        return None

    def _merge(self, table: _Table, shown: str, after: Reading, codes: list[str]) -> Reading:
        return self._done(table, shown, [*after.kept, *codes])

    def _text(self, question: Question, shown: str) -> Reading:
        limit = getattr(contract, "TEXT_MAX_CHARS", {}).get(question.id, 2000)
        if not shown:
            return Reading(
                question.id,
                shown,
                None,
                {},
                f'Please type your note, or choose "{question.unsure_label}".',
                "Nothing typed yet.",
            )
        # the person's own words are kept as typed ("nope" too: the contract keeps notes
        # exactly as typed); only the "nothing to add" answer itself is no note
        said = " ".join(w for w in tokens(fold(shown)) if w != BREAK)
        label = " ".join(w for w in tokens(fold(question.unsure_label)) if w != BREAK)
        if said in {label, "nothing to add"}:
            return Reading(
                question.id,
                shown,
                contract.UNSURE,
                {},
                None,
                "Understood: nothing to add.",
                said="nothing to add",
            )
        kept = shown[:limit]
        return Reading(
            question.id,
            shown,
            kept,
            {},
            None,
            f"Noted in your own words ({len(kept)} characters).",
            said="your note, as typed",
        )

    def _measure(self, question: Question, shown: str) -> Reading:
        """The exact ``age`` question (version 2), when it is asked on its own."""
        words = tokens(fold(shown))
        found = numbers.find_age(words, self.lex)
        if found is None or found.age is None or found.bounded:
            return Reading(
                question.id,
                shown,
                None,
                {},
                _age_problem(found, self.lex),
                "No exact age understood.",
            )
        return Reading(
            question.id,
            shown,
            found.age.as_answer(),
            {},
            None,
            f"Understood: {found.age.said()}.",
            said=found.age.said(),
        )

    # ----- choice questions
    def read_choice(
        self,
        question: Question,
        shown: str,
        offered: Sequence[Option],
        given: Mapping[str, Any],
        numbered: bool = False,
    ) -> Reading:
        table = self.table(question, offered)
        readable = shown[:MAX_TEXT]
        folded = fold(readable)
        words = tokens(folded)
        if not [w for w in words if w != BREAK]:
            if "?" in readable:
                return self._done(table, shown, [contract.UNSURE])
            start = (
                f"I did not recognise {quote(readable.strip())}."
                if readable.strip()
                else "Please type an answer."
            )
            return self._ask(table, shown, f"{start} You can choose: {self._choices(table)}.")
        # an exact code or label, or option numbers
        key = " ".join(w for w in words if w != BREAK and w not in numbers.SYMBOLS)
        if key in table.exact:
            return self._done(table, shown, [table.exact[key]])
        key = " ".join(w for w in self._phrase(readable))
        if key in table.exact:
            return self._done(table, shown, [table.exact[key]])
        plain = [w for w in words if w not in (BREAK, "and", "&", "+")]
        if plain and all(w.isdigit() for w in plain):
            picked = self._numbers(table, shown, [int(w) for w in plain], numbered)
            if picked is not None:
                return picked
        special = getattr(self, f"_q_{question.id}", None)
        if special is not None:
            words = self.fix_typos(table, words)
            done: Reading | None = special(table, shown, words, given)
            if done is not None:
                return done
        return self._words(table, shown, words)

    def _numbers(
        self, table: _Table, shown: str, values: list[int], numbered: bool
    ) -> Reading | None:
        if table.qid == "age_group":
            if numbered and values == [0]:
                return self._done(table, shown, [contract.UNSURE])
            return None  # a number at the age question is an age
        count = len(table.codes)
        if numbered and all(v <= count for v in values):
            pass  # the numbers of options shown
        elif table.qid in ("pain", "size", "extent") and values != [0]:
            what = {
                "pain": "a pain score out of 10",
                "size": "a size (in mm or cm)",
                "extent": "a number of lumps",
            }[table.qid]
            if numbered:
                return self._ask(
                    table,
                    shown,
                    f"There is no answer number "
                    f"{_cut(max(values))} here (the answers are 1 to {count}, or "
                    f'0 for "{self._label(table, contract.UNSURE)}"). If it is '
                    f"{what}, please say so in words.",
                )
            return self._ask(
                table,
                shown,
                f"Is {shown} the number of an answer, or "
                f"{what}? Please say it in words, or choose: "
                f"{self._choices(table)}.",
            )
        if not numbered:
            # no numbered list was shown: a bare number is no answer by itself
            return self._ask(
                table,
                shown,
                f"What does {quote(shown)} mean here? Please say "
                f"it in words. You can choose: {self._choices(table)}.",
            )
        if any(v > count for v in values):
            if table.qid in ("pain", "size", "extent") and len(values) == 1:
                return None  # a score, a size or a count: read with its words
            return self._ask(
                table,
                shown,
                f"There is no answer number {_cut(max(values))} here: "
                f"please use a number from 1 to {count}, or 0 for "
                f'"{self._label(table, contract.UNSURE)}". You can choose: '
                f"{self._choices(table)}.",
            )
        codes = [contract.UNSURE if v == 0 else table.codes[v - 1] for v in values]
        if table.kind != contract.MANY and len(set(codes)) > 1:
            return self._ask(table, shown, "Please choose just one answer.", codes)
        return self._combined(table, shown, codes)

    def _combined(
        self, table: _Table, shown: str, codes: Sequence[str], also: Mapping[str, Any] | None = None
    ) -> Reading:
        codes = list(dict.fromkeys(codes))
        for alone in (contract.NONE, contract.UNSURE):
            if alone in codes and len(codes) > 1:
                others = [c for c in codes if c != alone]
                label = self._label(table, alone)
                return self._ask(
                    table,
                    shown,
                    f'"{label}" cannot be combined with other '
                    f'answers: please choose either "{label}" or '
                    f"{self._labels(table, others, 'and')}.",
                    codes,
                )
        return self._done(table, shown, codes, also)

    # ----- words
    def _correct(self, table: _Table, word: str) -> tuple[str | None, frozenset[str]]:
        """A typo of a word the question knows: (the word, or None when two are equally
        close, and the codes of the candidates)."""
        edits = _max_edits(word)
        found: dict[str, int] = {}
        for d in _deletions(word, edits):
            # (a copy: another thread may be adding a new table's words to the index)
            for cand in tuple(table.deletes.get(d, ())):
                if cand not in table.vocab:
                    continue  # a word of another question
                if (len(cand) <= 3 and not english.is_english(cand)) or cand in _NEVER_TYPO:
                    continue  # an abbreviation ("pxe") or a denial ("nothing") is never a
                    # typo's target: "somthing" is not "nothing"
                if cand not in found and abs(len(cand) - len(word)) <= edits:
                    dist = _osa(word, cand)
                    if dist <= edits:
                        found[cand] = dist
        if not found:
            return None, frozenset()
        best = min(found.values())
        if best > 1 and _near_english(word):
            return None, frozenset()  # "infectd" is "infected", not "injected"
        top = sorted(w for w, d in found.items() if d == best)

        def codes_of(word: str) -> frozenset[str]:  # the word's own codes, when it has some
            return table.phrases.get((word,)) or table.word_codes.get(word, frozenset())

        codes = frozenset().union(*(codes_of(w) for w in top))
        if len(top) == 1:
            return top[0], codes
        if all(codes_of(w) == codes_of(top[0]) for w in top):
            return top[0], codes
        return None, codes

    def fix_typos(self, table: _Table, words: list[str]) -> list[str]:
        """The words with typos of words the question knows corrected (only words that are
        not English, and only when one correction is clear)."""
        out = list(words)
        for i, w in enumerate(words):
            if (
                w != BREAK
                and w not in table.vocab
                and len(w) >= 3
                and not w.isdigit()
                and w not in self._lexicon_words
                and self._classify(w) == "unknown"
                and not english.is_english(w)
            ):
                cand, _codes = self._correct(table, w)
                if cand is not None:
                    out[i] = cand
        return out

    def _classify(self, word: str) -> str:
        lex = self.lex
        if word == BREAK:
            return "break"
        if word in lex.negators:
            return "neg"
        if word in lex.breaks:
            return "contrast"
        if word in lex.hedges_doubt:
            return "doubt"
        if word in lex.intensifiers:
            return "intens"
        if (
            word in lex.filler
            or word in lex.drop
            or word in lex.hedges_mild
            or word in numbers.SYMBOLS
        ):
            return "filler"
        if numbers.is_number(word) or (word in lex.number_words and len(word) > 2):
            return "num"
        return "unknown"

    def scan(self, table: _Table, words: Sequence[str]) -> tuple[list[_Item], dict[int, Any]]:
        """Phrases (longest first, typos corrected for non-English words) and the rest."""
        seq: list[tuple[int, str]] = [
            (i, w)
            for i, w in enumerate(words)
            if w not in self.lex.drop and w not in numbers.SYMBOLS
        ]
        fixed: dict[int, Any] = {}
        out_seq: list[tuple[int, str]] = []
        for i, w in seq:
            if (
                w != BREAK
                and w not in table.vocab
                and len(w) >= 3
                and not w.isdigit()
                and w not in self._lexicon_words
                and self._classify(w) == "unknown"
                and not english.is_english(w)
            ):
                cand, codes = self._correct(table, w)
                if cand is not None:
                    out_seq.append((i, cand))
                    fixed[i] = cand
                    continue
                if codes:
                    fixed[i] = codes
            out_seq.append((i, w))
        items: list[_Item] = []
        k = 0
        while k < len(out_seq):
            i, w = out_seq[k]
            if w == BREAK:
                items.append(_Item(i, i + 1, (w,), kind="break"))
                k += 1
                continue
            match = None
            for length in range(min(table.longest, len(out_seq) - k), 0, -1):
                part = tuple(x for _, x in out_seq[k : k + length])
                if BREAK in part:
                    continue
                found_codes = table.phrases.get(part)
                if found_codes is not None:
                    match = (length, part, found_codes)
                    break
            gapped = self._gapped(table, out_seq, k)
            if gapped is not None and (match is None or gapped[0] > match[0]):
                match = gapped
            if match is not None:
                length, part, codes = match
                items.append(_Item(i, out_seq[k + length - 1][0] + 1, part, codes))
                k += length
                continue
            items.append(_Item(i, i + 1, (w,), kind=self._classify(w)))
            k += 1
        return items, fixed

    def _gapped(
        self, table: _Table, seq: list[tuple[int, str]], k: int
    ) -> tuple[int, tuple[str, ...], frozenset[str]] | None:
        """A phrase with words without an answer between its words ("the redness IS
        spreading", "skin HAS gone black"): at most two in a row are passed over."""
        cur: tuple[str, ...] = (seq[k][1],)
        if cur not in table.prefixes:
            return None
        best = None
        gaps = 0
        j = k + 1
        while j < len(seq):
            word = seq[j][1]
            if word == BREAK:
                break
            step = (*cur, word)
            if step in table.prefixes:
                cur, gaps = step, 0
                if cur in table.phrases and j - k + 1 > len(cur):
                    best = (j - k + 1, cur, table.phrases[cur])
            elif (word in self.lex.filler or word in self.lex.hedges_mild) and gaps < 2:
                gaps += 1
            else:
                break
            j += 1
        return best

    def _words(
        self,
        table: _Table,
        shown: str,
        words: list[str],
        extra: Sequence[str] = (),
        used: frozenset[int] = frozenset(),
        also: Mapping[str, Any] | None = None,
        denied: bool = False,
    ) -> Reading:
        """The general reading of words for a one- or many-question."""
        items, fixed = self.scan(table, words)
        items = [it for it in items if it.start not in used]
        self._all_alone(items, words)
        mark_negated(items, self.lex.subjects, ignore={CONTEXT}, keep=NEGATIVE)
        many = table.kind == contract.MANY
        phrases = [it for it in items if it.kind == "phrase" and CONTEXT not in it.codes]
        counting = table.qid in NUMBER_QUESTIONS
        unknown = [
            it
            for it in items
            if (it.kind == "unknown" or (it.kind == "num" and counting)) and it.start not in used
        ]
        typo_doubt = [
            fixed[it.start] for it in unknown if isinstance(fixed.get(it.start), frozenset)
        ]
        doubt = [it for it in items if it.kind == "doubt"]
        for k, it in enumerate(items[:-1]):
            if it.kind == "neg" and items[k + 1].words[0] in ("really", "exactly", "quite"):
                doubt.append(items[k + 1])  # "doesn't really hurt": not quite a no
            if (
                table.qid in _SIGN_QUESTIONS
                and it.kind == "intens"
                and it.words[0] in _DIMINISH
                and items[k + 1].words[0] != "of"
            ):
                doubt.append(it)  # "a bit hot and shivery": a sign, or not quite?
        intens = [it for it in items if it.kind == "intens"]
        dangling = [it for it in items if it.kind == "neg"]
        unrelated = [it for it in phrases if UNRELATED in it.codes and not it.negated]
        if unrelated and many and any(UNRELATED not in it.codes for it in phrases):
            # "hands and my wrist": keep the hands, ask about the wrist
            unknown = [*unknown, *unrelated]
            phrases = [it for it in phrases if it not in unrelated]
            unrelated = []
        if unrelated:
            said = ", ".join(quote(" ".join(it.words)) for it in unrelated)
            verb = "is" if len(unrelated) == 1 else "are"
            hint = " (several can be given, separated by commas)" if many else ""
            return self._ask(
                table,
                shown,
                f"{said} {verb} not one of the answers to this "
                f"question. You can choose{hint}: {self._choices(table)}.",
            )
        pos = [it for it in phrases if not it.negated]
        neg = [it for it in phrases if it.negated]
        several, neg = self._several_signs(table, items, bool(pos or extra), neg, bool(unknown))
        if table.yes_no and not several:
            for it in neg:
                if it.codes <= {"yes"}:
                    it.negated, it.codes = False, frozenset({"no"})
                    pos.append(it)
            neg = [it for it in neg if it.negated]
        elif table.yes_no and neg and not pos:
            signs = " ".join(" ".join(it.words) for it in neg)
            return self._ask(
                table,
                shown,
                f"And the other signs besides {quote(signs)}? "
                f"You can choose: {self._choices(table)}.",
            )
        # the contrast rule: "no pain but it's tender", "none apart from warfarin"
        pos = contrast_kept(items, pos, NEGATIVE)
        if any(ALL in it.codes for it in pos) and (
            len(table.real) > self.lex.all_max_options or table.qid in self.lex.all_never
        ):
            return self._ask(
                table,
                shown,
                f"Which ones? Please name them. You can choose "
                f"(several can be given, separated by commas): "
                f"{self._choices(table)}.",
            )
        everything = [c for it in pos if ALL in it.codes for c in table.real]
        pos = [it for it in pos if ALL not in it.codes]
        pos_sets = [self._expand(table, it.codes) for it in pos]
        extra = [*extra, *everything]
        neg_codes = set().union(*(self._expand(table, it.codes) for it in neg)) if neg else set()
        if denied:
            neg_codes.add(DENIED)
        unknown_words = [" ".join(it.words) for it in unknown]
        if table.qid in self.lex.graded and intens and pos:
            unknown_words += [" ".join(it.words) for it in intens]
        if many:
            return self._many(
                table, shown, pos_sets, neg_codes, unknown_words, typo_doubt, doubt, also, extra
            )
        return self._one(
            table,
            shown,
            pos_sets,
            neg_codes,
            unknown_words,
            typo_doubt,
            doubt,
            dangling,
            also,
            extra,
        )

    def _several_signs(
        self,
        table: _Table,
        items: list[_Item],
        said: bool,
        neg: list[_Item],
        unknown: bool,
    ) -> tuple[bool, list[_Item]]:
        """At a question about several signs: whether one sign denied leaves the others
        to ask about, and the denials that count."""
        several = table.qid in self.lex.several_signs and len(neg) < 2
        if (
            several
            and neg
            and not said
            and not unknown
            and any(it.kind == "contrast" for it in items)
        ):
            several = False  # "no fever, just sore", "red but not spreading": no sign said
        if several and neg and said:
            neg = []  # "no fever but it is spreading": the sign said stands
        return several, neg

    def _all_alone(self, items: list[_Item], words: Sequence[str]) -> None:
        """ "all of them" means every option only when nothing but fillers follows it in
        its clause: "all of a sudden she got confused" and "all of my fingers" are not
        every warning sign (the words "these", "the" are dropped before matching)."""
        lex = self.lex
        for it in items:
            if ALL not in it.codes:
                continue
            for w in words[it.end :]:
                if w == BREAK or w in lex.breaks:
                    break
                if not (w in lex.drop or w in lex.filler or w in lex.hedges_mild):
                    it.codes, it.kind = frozenset(), "unknown"
                    break

    def _expand(self, table: _Table, codes: frozenset[str]) -> frozenset[str]:
        if ALL in codes:
            return frozenset(table.real)
        return frozenset(c for c in codes if c not in (UNRELATED, CONTEXT))

    def _unknown_message(self, table: _Table, unknown: Sequence[str]) -> str:
        said = ", ".join(quote(w) for w in dict.fromkeys(unknown))
        hint = " (several can be given, separated by commas)" if table.kind == contract.MANY else ""
        return f"I did not recognise {said}. You can choose{hint}: {self._choices(table)}."

    def _one(
        self,
        table: _Table,
        shown: str,
        pos_sets: list[frozenset[str]],
        neg_codes: set[str],
        unknown: list[str],
        typo_doubt: list[frozenset[str]],
        doubt: list[_Item],
        dangling: list[_Item],
        also: Mapping[str, Any] | None,
        extra: Sequence[str],
    ) -> Reading:
        pos_sets = [*pos_sets, *(frozenset({c}) for c in extra)]
        if table.yes_no and dangling and not (pos_sets or neg_codes or unknown or typo_doubt):
            pos_sets = [frozenset({"no"})]  # "I'm not", "she isn't": a bare denial is no
        if pos_sets:
            common = frozenset.intersection(*pos_sets) - neg_codes
            union = frozenset().union(*pos_sets)
            if not common:
                return self._ask(table, shown, self._which(table, shown, union), union)
            if len(common) > 1:
                return self._ask(table, shown, self._which(table, shown, common), common)
            code = next(iter(common))
        elif neg_codes and not neg_codes <= NEGATIVE:
            # only a negative answer denied ("not on the pill"): no answer by elimination
            remaining = [c for c in table.codes if c not in neg_codes]
            if len(remaining) != 1:
                return self._ask(table, shown, self._which(table, shown, remaining), remaining)
            code = remaining[0]
        else:
            if typo_doubt:
                cands = frozenset().union(*typo_doubt)
                return self._ask(table, shown, self._which(table, shown, cands), cands)
            return self._ask(table, shown, self._unknown_message(table, unknown or [shown]))
        if unknown:
            return self._ask(
                table,
                shown,
                f'I understood "{self._label(table, code)}", but '
                f"not {', '.join(quote(w) for w in dict.fromkeys(unknown))}. "
                f"Please say it another way, or choose: {self._choices(table)}.",
                [code],
                understood=f"Understood: {self._label(table, code)}; "
                "not understood: " + ", ".join(dict.fromkeys(unknown)) + ".",
            )
        if doubt and code != contract.UNSURE:
            return self._ask(
                table,
                shown,
                f'Did you mean "{self._label(table, code)}", or are you not sure?',
                [code, contract.UNSURE],
            )
        return self._done(table, shown, [code], also)

    def _which(self, table: _Table, shown: str, codes: Any) -> str:
        order = [c for c in (*table.codes, contract.UNSURE) if c in set(codes)]
        if not order:
            return self._unknown_message(table, [shown])
        return (
            f"{quote(shown)} could mean more than one answer: "
            f"{self._labels(table, order)}. Please say which you meant."
        )

    def _many(
        self,
        table: _Table,
        shown: str,
        pos_sets: list[frozenset[str]],
        neg_codes: set[str],
        unknown: list[str],
        typo_doubt: list[frozenset[str]],
        doubt: list[_Item],
        also: Mapping[str, Any] | None,
        extra: Sequence[str],
    ) -> Reading:
        definite: list[str] = list(extra)
        vague: list[frozenset[str]] = []
        for codes in pos_sets:
            if len(codes) == 1:
                definite.extend(codes)
        for codes in pos_sets:
            if len(codes) > 1 and not (codes & set(definite)):
                vague.append(codes)
        # "on my knee, not the elbow": a place said stands, even if another word for the
        # same answer is denied
        neg_codes = neg_codes - set(definite)
        definite = list(dict.fromkeys(definite))
        if not definite and not vague and neg_codes and not unknown:
            return self._all_denied(table, shown, bool(doubt), also)
        real = [c for c in definite if c not in (contract.NONE, contract.UNSURE)]
        # a warning sign acts at once, whatever else was typed
        if table.qid == "warning_signs" and real:
            return self._done(
                table,
                shown,
                real,
                also,
                "" if not unknown and not vague else " (other words were not understood)",
            )
        if vague:
            cands = frozenset().union(*vague)
            return self._ask(
                table,
                shown,
                self._which(table, shown, cands),
                cands,
                kept=real,
                understood=self._kept_sentence(table, real),
            )
        if typo_doubt and not definite:
            cands = frozenset().union(*typo_doubt)
            return self._ask(table, shown, self._which(table, shown, cands), cands)
        if unknown:
            if real:
                rest = ", ".join(quote(w) for w in dict.fromkeys(unknown))
                return self._ask(
                    table,
                    shown,
                    f"I understood: {self._labels(table, real, 'and')}"
                    f". I did not recognise {rest}: what did you mean? Add it in "
                    f'other words, or say "that\'s all". You can choose: '
                    f"{self._choices(table)}.",
                    table.codes,
                    kept=real,
                    understood=self._kept_sentence(table, real),
                )
            return self._ask(table, shown, self._unknown_message(table, unknown))
        if not definite:
            return self._ask(table, shown, self._unknown_message(table, [shown]))
        if doubt and contract.UNSURE not in definite:
            return self._ask(
                table,
                shown,
                f"Did you mean {self._labels(table, real, 'and')}, or are you not sure?",
                [*real, contract.UNSURE],
                kept=(),
            )
        return self._combined(table, shown, definite, also)

    def _all_denied(
        self, table: _Table, shown: str, doubt: bool, also: Mapping[str, Any] | None
    ) -> Reading:
        """Every answer named was denied: none, or where then?"""
        if contract.NONE in table.codes:
            if doubt:  # "not really red": none, or not sure?
                none = self._label(table, contract.NONE)
                return self._ask(
                    table,
                    shown,
                    f'Did you mean "{none}", or are you not sure?',
                    [contract.NONE, contract.UNSURE],
                )
            return self._done(table, shown, [contract.NONE], also)
        return self._ask(
            table,
            shown,
            f"Where are they, then? You can choose "
            f"(several can be given, separated by commas): "
            f"{self._choices(table)}.",
        )

    def _kept_sentence(self, table: _Table, codes: Sequence[str]) -> str:
        if not codes:
            return "Not understood yet."
        return f"Understood so far: {self._labels(table, codes, 'and')}."

    # ----- question-specific readings
    def _q_age_group(
        self, table: _Table, shown: str, words: list[str], given: Mapping[str, Any]
    ) -> Reading | None:
        found = numbers.find_age(words, self.lex)
        if found is None:
            return None
        if found.age is None or found.problem:
            return self._ask(table, shown, _age_problem(found, self.lex))
        group = numbers.age_group(found.age)
        if found.bounded:
            # "about 70", "over 60": the group when clear, no exact age
            rest = self._words(table, shown, words, used=found.used)
            if rest.ok and rest.answer == group:
                return rest
            near = {
                numbers.age_group(numbers.Age(found.age.value * f, found.age.unit))
                for f in (0.5, 0.9, 1.1)
            }
            if near == {group} and group in table.codes:
                return self._done(table, shown, [group])
            return (
                rest
                if rest.ok
                else self._ask(
                    table,
                    shown,
                    "How old exactly? You can type the age (for example 62, or "
                    "3 weeks), or choose: " + self._choices(table) + ".",
                )
            )
        if group not in table.codes:
            return self._ask(table, shown, f"You can choose: {self._choices(table)}.")
        also = {"age": found.age.as_answer()} if "age" in _also_ids(table, self) else {}
        rest = self._words(table, shown, words, extra=[group], used=found.used, also=also)
        if rest.ok:
            said = f"{found.age.said()} old ({self._label(table, group)})"
            return Reading(table.qid, shown, group, also, None, f"Understood: {said}.", said=said)
        return rest

    def _q_warning_signs(
        self, table: _Table, shown: str, words: list[str], given: Mapping[str, Any]
    ) -> Reading | None:
        """A dark colour with very bad pain ("purple skin that's agony") is dark painful
        skin, even when neither word says it alone."""
        colour = {
            i
            for i, w in enumerate(words)
            if w in self.lex.warning_colour
            and not (i >= 2 and words[i - 2 : i] in (["a", "bit"], ["a", "little"]))
            and not (i >= 1 and words[i - 1] in ("slightly", "bit", "little", "abit"))
            and not self._negated_at(words, i)
        }
        pain: set[int] = set()
        for i in range(len(words)):
            if self._negated_at(words, i):  # "purple but not very sore": no warning sign
                continue
            for phrase in self.lex.warning_pain:
                if tuple(words[i : i + len(phrase)]) == phrase:
                    pain |= set(range(i, i + len(phrase)))
        extra: list[str] = []
        used: set[int] = set()
        if colour and pain and "dark_painful_skin" in table.codes:
            extra.append("dark_painful_skin")
            used |= colour | pain
        infection = self._infection_words(words)
        if infection and "fever_spreading_redness" in table.codes:
            extra.append("fever_spreading_redness")
            used |= infection
        if not extra:
            return None
        return self._words(table, shown, words, extra=extra, used=frozenset(used))

    def _infection_words(self, words: list[str]) -> set[int]:
        """A fever with a red or hot area ("a temperature and the area is red and hot"), or
        redness that grows ("the redness round it is getting bigger"), neither denied:
        the words of fever with spreading redness (none when not said)."""
        said = {
            i: w
            for i, w in enumerate(words)
            if w in (_FEVER | _REDNESS | _GROWS) and not self._negated_at(words, i)
        }
        fever = {i for i, w in said.items() if w in _FEVER}
        red = {i for i, w in said.items() if w in _REDNESS}
        if fever and red:
            return fever | red
        for i, w in said.items():
            if w == "redness":
                end = next((j for j in range(i + 1, len(words)) if words[j] == BREAK), len(words))
                grows = {j for j in range(i + 1, end) if j in said and said[j] in _GROWS}
                if grows:
                    return {i, *grows}
        return set()

    def _negated_at(self, words: list[str], i: int) -> bool:
        """Whether a negation comes before word ``i`` in its clause."""
        for j in range(i - 1, -1, -1):
            if words[j] == BREAK or words[j] in self.lex.breaks:
                return False
            if words[j] in self.lex.negators:
                return True
        return False

    def _q_known_diagnosis(
        self, table: _Table, shown: str, words: list[str], given: Mapping[str, Any]
    ) -> Reading | None:
        """ "no, but they are spreading": not diagnosed yet, or diagnosed and changing?
        A plain no beside words of change is asked about, never read as diagnosed."""
        read = self._words(table, shown, words)
        if not read.ok or read.answer == "no" or "no" not in table.codes:
            return read
        items, _ = self.scan(table, words)
        if any(it.kind == "phrase" and it.codes == {"no"} for it in items):
            codes = ["no", str(read.answer)]
            return self._ask(table, shown, self._which(table, shown, codes), codes)
        return read

    def _q_infection_signs(
        self, table: _Table, shown: str, words: list[str], given: Mapping[str, Any]
    ) -> Reading | None:
        """A temperature of a fever ("38.5 this morning", "101F"): 38 to 43 degrees C
        or 100.4 to 110 F; a lower or unclear one is read with the words alone."""
        temps = {i: _degrees(w) for i, w in enumerate(words)}
        found = {i: t for i, t in temps.items() if t is not None}
        if len(found) != 1 or "yes" not in table.codes:
            return None
        ((at, t),) = found.items()
        used = {at} | {i for i in (at + 1, at + 2) if i < len(words) and words[i] in _DEGREE_WORDS}
        said = len(used) > 1 or not words[at].isdigit() or bool(_FEVER & set(words))
        if not said or not (38 <= t <= 43 or 100.4 <= t <= 110):
            return None  # "40 minutes ago": no temperature
        return self._words(table, shown, words, extra=["yes"], used=frozenset(used))

    def _q_pain(
        self, table: _Table, shown: str, words: list[str], given: Mapping[str, Any]
    ) -> Reading | None:
        found = numbers.pain_scores(words, self.lex)
        if found is None:
            plain = [w for w in words if w != BREAK]
            if len(plain) == 1 and plain[0].isdigit():
                return self._ask(
                    table,
                    shown,
                    f"Is {plain[0]} a score out of 10 (0 is no pain, "
                    f"10 the worst)? Please type it as {plain[0]}/10, or choose: "
                    f"{self._choices(table)}.",
                )
            return None
        code = numbers.pain_code(found.value, self.lex)
        if code is None:
            return self._ask(
                table,
                shown,
                f"A pain of {numbers._fmt(found.value)} out of 10: "
                "would you call that a little or a lot?",
                ["mild", "severe"],
            )
        return self._words(table, shown, words, extra=[code], used=found.used)

    def _q_size(
        self, table: _Table, shown: str, words: list[str], given: Mapping[str, Any]
    ) -> Reading | None:
        found = numbers.sizes_mm(words, self.lex)
        if found is None:
            return None
        code = numbers.size_code(found.value, self.lex)
        return self._words(table, shown, words, extra=[code], used=found.used)

    def _q_extent(
        self, table: _Table, shown: str, words: list[str], given: Mapping[str, Any]
    ) -> Reading | None:
        found = numbers.counts(words, self.lex)
        if found is None:
            plain = self._words(table, shown, words)
            if not plain.ok and set(plain.candidates) == {"one_area", "several_areas"}:
                places = self._places(words, frozenset())
                if places:  # "a few on each hand and some on my knees"
                    return self._done(
                        table, shown, ["one_area" if places == 1 else "several_areas"]
                    )
            return None
        plain = self._words(table, shown, words)
        ones = [i for i, w in enumerate(words) if w in ("one", "1")]
        if len(ones) > 1 and (not plain.ok or plain.answer == "single"):
            return self._ones(table, shown, words, ones)
        if plain.ok:
            return plain  # "one place", "just one": the words say it
        if (
            found.value == 1
            and not ({"each", "every", "both", "per"} & set(words))
            and not self._one_place(words, found.used)
        ):
            return self._words(table, shown, words, extra=["single"], used=found.used)
        places = self._places(words, found.used)
        plain_rest = self._words(table, shown, words, used=found.used)
        if plain_rest.ok and plain_rest.answer != "single":
            return plain_rest
        if found.value >= 2 and places is not None:
            code = "one_area" if places == 1 else "several_areas"
            if found.value >= self.lex.count_many_min and places > 2:
                code = "widespread"
            return self._done(table, shown, [code])
        return self._ask(
            table,
            shown,
            f"Are they all in one area, or in several? You can choose: {self._choices(table)}.",
            ["one_area", "several_areas", "widespread"],
        )

    def _ones(self, table: _Table, shown: str, words: list[str], ones: list[int]) -> Reading:
        """ "one on my hand, one on my foot": one lump in each of several places is not
        one lump."""
        places = self._places(words, frozenset(ones))
        if places is not None and places > 1 and "several_areas" in table.codes:
            return self._done(table, shown, ["several_areas"])
        return self._ask(
            table,
            shown,
            f"Are they all in one area, or in several? You can choose: {self._choices(table)}.",
            ["one_area", "several_areas", "widespread"],
        )

    def _one_place(self, words: list[str], used: frozenset[int]) -> bool:
        """ "one hand", "one knee": one place, not one lump."""
        question = self.dialog.questions.get("locations")
        if question is None or not used:
            return False
        table = self.table(question, question.options)
        after = [w for w in words[max(used) + 1 :] if w not in self.lex.drop]
        return bool(after) and bool(table.phrases.get((after[0],), frozenset()) - {CONTEXT})

    def _places(self, words: list[str], used: frozenset[int]) -> int | None:
        """How many body areas the words name (with the locations question's words), or
        None when other words are left that are not places."""
        question = self.dialog.questions.get("locations")
        if question is None:
            return None
        table = self.table(question, question.options)
        rest = [w for i, w in enumerate(words) if i not in used]
        items, _ = self.scan(table, rest)
        codes: set[str] = set()
        for it in items:
            if (
                it.kind == "phrase"
                and len(it.codes) == 1
                and not (it.codes & {ALL, CONTEXT, UNRELATED})
            ):
                codes |= it.codes
            elif it.kind in ("unknown", "num") and it.words[0] not in _COUNT_WORDS:
                return None
        return len(codes) if codes else None

    def _q_intake(
        self, table: _Table, shown: str, words: list[str], given: Mapping[str, Any]
    ) -> Reading | None:
        from chatbot.engine.reading.intake import read_intake

        return read_intake(self, table, shown, words, given)


# words of a count beside places at the extent question ("a bunch on my fingers")
_COUNT_WORDS = frozenset({"lumps", "lump", "ones", "bunch", "handful", "loads", "lots", "few"})
_DEGREE_WORDS = frozenset({"c", "f", "degrees", "degree", "celsius", "fahrenheit", "deg"})


def _degrees(word: str) -> float | None:
    """A temperature as typed ("38.5", "38.5c", "101f"), or None."""
    text = word[:-1] if word[-1:] in ("c", "f") else word
    if not numbers.is_number(text):
        return None
    return numbers.to_float(text)


_NEVER_TYPO = _WORD_NEG | frozenset({"nope", "nah", "nil"})
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _near_english(word: str) -> bool:
    """Whether a common English word is one edit from ``word`` (then a word two edits
    away is not what was meant: "infectd" is "infected", not "injected")."""
    known = english.common()
    if not known:
        return False
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for a, b in splits:
        if b and a + b[1:] in known:
            return True
        if len(b) > 1 and a + b[1] + b[0] + b[2:] in known:
            return True
        for c in _LETTERS:
            if (b and a + c + b[1:] in known) or a + c + b in known:
                return True
    return False


def _cut(number: int) -> str:
    """A number as typed, cut short when very long."""
    text = str(number)
    return text if len(text) <= 12 else text[:12] + "\u2026"


def _also_ids(table: _Table, reader: Reader) -> tuple[str, ...]:
    question = reader.dialog.questions.get(table.qid)
    return tuple(getattr(question, "also", ()) or ()) if question else ()


def _age_problem(found: numbers.AgeFound | None, lex: Lexicon) -> str:
    if found is not None and found.problem == "range":
        return (
            f"An age must be more than 0 and at most {numbers._fmt(lex.age_max_years)} "
            "years. Please type the age again (for example 62, or 3 weeks)."
        )
    if found is not None and found.problem == "several":
        return "Please type one age (for example 62, or 3 weeks)."
    return "Please type the age as a number (for example 62, or 3 weeks)."


def _join(labels: list[str], last: str = "or") -> str:
    """ "A, B, or C"; with "; " between labels that hold commas or "or" themselves."""
    plain = not any("," in label or f" {last} " in f" {label.lower()} " for label in labels)
    sep = ", " if plain else "; "
    if len(labels) <= 1:
        return "".join(labels)
    if len(labels) == 2 and plain:
        return f"{labels[0]} {last} {labels[1]}"
    return sep.join(labels[:-1]) + f"{sep}{last} {labels[-1]}"


# ----------------------------------------------------------------------------- one per engine

_READERS: dict[int, tuple[Any, Reader]] = {}
_READERS_LOCK = threading.Lock()


def reader_for(engine: ReaderEngine) -> Reader:
    """The reader of an engine (its dialogs' synonyms.yaml and reading.yaml), made once."""
    with _READERS_LOCK:
        found = _READERS.get(id(engine))
        if found is not None and found[0] is engine:
            return found[1]
    from chatbot.engine.resources import dialogs_dir

    folder = Path(dialogs_dir(engine.root))
    reader = Reader(
        engine, load_synonyms(folder / "synonyms.yaml"), load_lexicon(folder / "reading.yaml")
    )
    with _READERS_LOCK:
        _READERS[id(engine)] = (engine, reader)
    return reader
