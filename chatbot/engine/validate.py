"""``calcinosis validate``: check a set of ``dialogs/`` and ``content/`` folders.

Schema problems come from the loaders (each with file and line); the checks
here look at the whole: every state reachable, every path ending in an
outcome, every question of the contract asked, every source key and red-flag
code defined, the dialog free of loops.
"""

from __future__ import annotations

from pathlib import Path

from chatbot.engine import contract
from chatbot.engine.dialog.questions import Dialog, DialogError, load_dialog
from chatbot.engine.medicine.content import Content, ContentError, load_content
from chatbot.engine.medicine.labs import LabTable, LabTableError, load_lab_table
from chatbot.engine.medicine.rules import Rules, RulesError, load_rules
from chatbot.engine.resources import content_dir, dialogs_dir


def graph_problems(dialog: Dialog) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    todo = [dialog.start]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        question = dialog.questions.get(state)
        if question:
            todo.extend(t.dest for t in question.transitions)
    for qid, question in dialog.questions.items():
        if qid not in seen:
            problems.append(
                f"{question.where}: the question {qid!r} can never be reached from "
                f"the start {dialog.start!r}"
            )
    for oid, outcome in dialog.outcomes.items():
        if oid not in seen:
            problems.append(f"{outcome.where}: the outcome {oid!r} can never be reached")
    # every path ends in an outcome: no loops (each question has a default transition)
    state_of: dict[str, int] = {}

    def visit(state: str, path: list[str]) -> None:
        mark = state_of.get(state)
        if mark == 2:
            return
        if mark == 1:
            loop = path[path.index(state) :] + [state]
            problems.append(
                f"{dialog.questions[state].where}: the dialog can loop "
                f"({' -> '.join(loop)}), so a path might never end"
            )
            return
        question = dialog.questions.get(state)
        if question is None:
            return
        state_of[state] = 1
        for transition in question.transitions:
            visit(transition.dest, path + [state])
        state_of[state] = 2

    visit(dialog.start, [])
    recorded_with = {other for q in dialog.questions.values() for other in q.also}
    # said at the last question, where a missing one would go
    last = (
        list(dialog.questions.values())[-1].where if dialog.questions else "dialogs/questions.yaml"
    )
    for qid in contract.QUESTIONS:
        if qid not in dialog.questions and qid not in recorded_with:
            problems.append(
                f"{last}: the contract question {qid!r} is never asked (add it "
                "after this one, or list it in a question's 'also')"
            )
    return problems


def _citation_problems(
    content: Content, dialog: Dialog | None, rules: Rules | None, labs: LabTable | None
) -> list[str]:
    """Every source cited that content/sources.yaml lacks; every red flag without a text."""
    problems: list[str] = []
    known = set(content.sources)
    cited: list[tuple[str, str]] = list(content.cited_keys())
    if dialog is not None:
        cited += [(q.where, s) for q in dialog.questions.values() for s in q.why_sources]
        cited += [(q.where, s) for q in dialog.questions.values() for s in q.if_unsure_sources]
    if rules is not None:
        cited += list(rules.cited)
        for rule in rules.triage:
            if rule.red_flag and rule.red_flag not in content.red_flags:
                problems.append(
                    f"{rule.where}: the red flag {rule.red_flag!r} (rule "
                    f"{rule.id!r}) has no text in content/advice.yaml red_flags"
                )
    if labs is not None:
        cited += list(labs.cited)
    for where, key in cited:
        if key not in known:
            problems.append(f"{where}: the source {key!r} is not in content/sources.yaml")
    return problems


def validate(root: Path | None = None) -> list[str]:
    """Every problem found, as 'file, line N: message' strings (empty when all is well)."""
    problems: list[str] = []
    dialog = rules = content = labs = None
    try:
        dialog = load_dialog(dialogs_dir(root))
    except DialogError as exc:
        problems += exc.problems
    try:
        rules = load_rules(content_dir(root) / "rules")
    except RulesError as exc:
        problems += exc.problems
    try:
        content = load_content(content_dir(root))
    except ContentError as exc:
        problems += exc.problems
    try:
        labs = load_lab_table(content_dir(root) / "labs.yaml")
    except LabTableError as exc:
        problems += exc.problems
    except OSError as exc:
        problems.append(str(exc))
    if dialog is not None:
        problems += graph_problems(dialog)
    synonyms = dialogs_dir(root) / "synonyms.yaml"
    if synonyms.exists():
        from chatbot.engine.reading.matching import SynonymsError, load_synonyms

        try:
            load_synonyms(synonyms)
        except SynonymsError as exc:
            problems += exc.problems
    reading = dialogs_dir(root) / "reading.yaml"
    if reading.exists():
        from chatbot.engine.reading.lexicon import LexiconError, load_lexicon

        try:
            load_lexicon(reading, "dialogs/reading.yaml")
        except LexiconError as exc:
            problems += exc.problems
    if content is not None:
        problems += _citation_problems(content, dialog, rules, labs)
    return list(dict.fromkeys(problems))
