"""The typed YAML validator (chatbot/engine/schema.py): every kind of message names
the file and the line of the offending key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

import pytest

from chatbot.engine.schema import (
    NOT_EMPTY,
    NOWHERE,
    OR_ONE,
    OneOf,
    Place,
    SchemaError,
    SourceKeys,
    Table,
    build,
    check,
    meta,
    read,
)
from chatbot.engine.yamlio import load_text

F = "content/test.yaml"


@dataclass(frozen=True)
class Item:
    WHAT: ClassVar[str] = "an item"
    id: str
    weight: float
    level: Literal["low", "high"]
    kind: Annotated[str, OneOf(("alpha", "beta", "gamma"))] = "alpha"
    note: str | None = None
    sources: SourceKeys = ()
    when: Any = None
    negate: bool = field(default=False, metadata=meta(key="not"))
    place: Place = field(default=NOWHERE, compare=False)


@dataclass(frozen=True)
class File:
    WHAT: ClassVar[str] = "the test file"
    items: tuple[Item, ...] = field(metadata=meta(what="a list of items"))
    names: dict[str, Annotated[str, NOT_EMPTY]] = field(default_factory=dict)
    count: int = 0
    tags: Annotated[list[str], NOT_EMPTY] = field(default_factory=list)


GOOD = """\
items:
  - id: one
    weight: 2
    level: low
  - id: two
    weight: 1.5
    level: high
    kind: gamma
    note: hi
    sources: [S1, S2]
    when: {answer: pain, is: severe}
    not: true
names:
  a: Alpha
count: 3
tags: [x, y]
"""


def problems_of(text: str) -> list[str]:
    problems: list[str] = []
    read(File, load_text(text, F), f"{F}, line 1", problems)
    return problems


def line_of(text: str, token: str) -> int:
    assert text.count(token) == 1, token
    return text[: text.index(token)].count("\n") + 1


def edit(old: str, new: str) -> str:
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


def only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


def test_a_good_file_is_built_with_its_types_and_places():
    built = build(File, load_text(GOOD, F), F)
    one, two = built.items
    assert one == Item("one", 2.0, "low")
    assert isinstance(one.weight, float)
    assert two.kind == "gamma" and two.note == "hi" and two.negate is True
    assert two.sources == ("S1", "S2")
    assert two.when == {"answer": "pain", "is": "severe"}
    assert built.names == {"a": "Alpha"} and built.count == 3
    assert built.tags == ("x", "y")  # a list is read as a tuple: the objects are frozen
    assert two.place.where() == f"{F}, line {line_of(GOOD, '- id: two')}"
    assert two.place.where("sources") == f"{F}, line {line_of(GOOD, 'sources: [S1')}"


def test_unknown_key_names_the_allowed_keys_and_the_nearest():
    text = edit("    note: hi\n", "    notes: hi\n")
    message = only(problems_of(text))
    assert message.startswith(f"{F}, line {line_of(text, 'notes: hi')}: ")
    assert "unknown key 'notes' in an item" in message
    assert "allowed: id, weight, level, kind, note, sources, when, not" in message
    assert "(did you mean 'note'?)" in message


def test_missing_required_key_is_said_at_the_mapping():
    text = edit("  - id: one\n    weight: 2\n", "  - id: one\n")
    message = only(problems_of(text))
    assert message == f"{F}, line {line_of(text, '- id: one')}: missing 'weight' (a number)"


def test_missing_key_uses_the_declared_description():
    text = GOOD[GOOD.index("names:") :]
    message = only(problems_of(text))
    assert message == f"{F}, line 1: missing 'items' (a list of items)"


def test_wrong_type_says_what_was_expected_and_what_was_found():
    text = edit("tags: [x, y]", "tags: 3")
    message = only(problems_of(text))
    assert message.startswith(f"{F}, line {line_of(text, 'tags: 3')}: ")
    assert message.endswith("'tags' must be a list of texts, not the number 3")


def test_wrong_type_of_a_list_item():
    text = edit("sources: [S1, S2]", "sources: [S1, 7]")
    message = only(problems_of(text))
    assert message.startswith(f"{F}, line {line_of(text, 'sources: [S1, 7]')}: ")
    assert "each item of 'sources' must be text, not the number 7" in message


def test_a_declared_description_names_the_expected_value():
    text = edit("sources: [S1, S2]", "sources: S1")
    message = only(problems_of(text))
    assert message.endswith("'sources' must be a list of source keys, not plain text: 'S1'")


def test_bool_is_not_a_number_and_a_number_is_not_a_bool():
    text = edit("count: 3", "count: true")
    assert only(problems_of(text)).endswith(
        "'count' must be a whole number, not true (YAML reads an unquoted yes, no, on or off "
        "as true or false: put it in quotes)"
    )
    text = edit("    not: true", "    not: sometimes")
    message = only(problems_of(text))
    assert message.startswith(f"{F}, line {line_of(text, 'not: sometimes')}: ")
    assert message.endswith("'not' must be true or false, not plain text: 'sometimes'")


def test_value_not_in_a_literal_set():
    text = edit("    level: high\n", "    level: hihg\n")
    message = only(problems_of(text))
    assert message == (
        f"{F}, line {line_of(text, 'level: hihg')}: 'hihg' is not one of low, high "
        "(did you mean 'high'?)"
    )


def test_value_not_in_a_run_time_set():
    text = edit("    kind: gamma\n", "    kind: delta\n")
    message = only(problems_of(text))
    assert message.startswith(f"{F}, line {line_of(text, 'kind: delta')}: ")
    assert "'delta' is not one of alpha, beta, gamma" in message


def test_blank_text_counts_as_empty():
    text = edit("  a: Alpha\n", '  a: "  "\n')
    assert only(problems_of(text)) == f"{F}, line {line_of(text, '  a: ')}: 'a' is empty (text)"


def test_an_empty_list_where_one_is_needed():
    text = edit("tags: [x, y]", "tags: []")
    assert only(problems_of(text)) == (
        f"{F}, line {line_of(text, 'tags: []')}: 'tags' is empty (a list of texts)"
    )


def test_a_mapping_value_of_the_wrong_type():
    text = edit("  a: Alpha\n", "  a: [1]\n")
    message = only(problems_of(text))
    assert message == f"{F}, line {line_of(text, '  a: [1]')}: 'a' must be text, not a list"


def test_a_list_where_a_mapping_is_expected():
    text = edit("names:\n  a: Alpha\n", "names: [a]\n")
    message = only(problems_of(text))
    assert message.startswith(f"{F}, line {line_of(text, 'names: [a]')}: ")
    assert "'names' must be a mapping (text each), not a list" in message


def test_an_item_that_is_not_a_mapping():
    text = edit("  - id: one\n    weight: 2\n    level: low\n", "  - just words\n")
    message = only(problems_of(text))
    assert message.startswith(f"{F}, line {line_of(text, 'items:')}: ")
    assert "each item of 'items' must be a mapping (an item), not plain text: 'just words'" in (
        message
    )


def test_one_bad_item_is_left_out_and_the_others_are_still_checked():
    text = edit("    level: low\n", "    level: lo\n").replace("    level: high\n", "")
    problems: list[str] = []
    built = read(File, load_text(text, F), F, problems)
    assert built is not None and built.items == () and built.count == 3
    assert len(problems) == 2, problems
    assert problems[0].startswith(f"{F}, line {line_of(text, 'level: lo')}: 'lo' is not one")
    assert problems[1].startswith(f"{F}, line {line_of(text, '- id: two')}: ")
    assert problems[1].endswith("missing 'level' (one of low, high)")


def test_null_is_allowed_only_where_declared():
    assert build(File, load_text(edit("note: hi", "note: null"), F), F).items[1].note is None
    text = edit("    weight: 1.5\n", "    weight:\n")
    message = only(problems_of(text))
    assert message.endswith("'weight' must be a number, not nothing")


def test_a_file_that_is_not_a_mapping():
    problems: list[str] = []
    assert read(File, load_text("- a\n- b\n", F), f"{F}, line 1", problems) is None
    assert only(problems) == (
        f"{F}, line 1: the file must be a mapping (keys such as items, names, count, tags), "
        "not a list"
    )


def test_build_raises_with_every_problem():
    text = edit("count: 3", "count: x").replace("  - id: one\n", "  - id: one\n    colour: red\n")
    with pytest.raises(SchemaError) as caught:
        build(File, load_text(text, F), F)
    assert len(caught.value.problems) == 2
    assert all(p.startswith(f"{F}, line ") for p in caught.value.problems)


def test_an_unsupported_annotation_is_a_programming_error():
    @dataclass(frozen=True)
    class Odd:
        x: int | str

    with pytest.raises(TypeError, match="unions"):
        read(Odd, load_text("x: 1\n", F), F, [])


def test_a_declared_description_is_used_for_a_wrong_type_too():
    text = "items: {a: 1}\n"
    message = only(problems_of(text))
    assert message == f"{F}, line 1: 'items' must be a list of items, not a mapping"


def test_a_free_form_node_may_not_be_left_empty():
    text = edit("    when: {answer: pain, is: severe}\n", "    when:\n")
    message = only(problems_of(text))
    assert message == f"{F}, line {line_of(text, '    when:')}: 'when' must be a value, not nothing"


def test_a_value_that_yaml_reads_as_true_is_named_so():
    text = edit("    level: high\n", "    level: on\n")
    message = only(problems_of(text))
    assert message.startswith(
        f"{F}, line {line_of(text, 'level: on')}: 'level' must be one of low, high, not true ("
    )
    assert "put it in quotes" in message


def test_one_value_may_stand_for_a_list_of_one_where_declared():
    @dataclass(frozen=True)
    class Words:
        said: Annotated[tuple[str, ...], OR_ONE]
        more: tuple[str, ...] = ()

    assert build(Words, load_text("said: cheek\n", F), F).said == ("cheek",)
    assert build(Words, load_text("said: [cheek, nose]\n", F), F).said == ("cheek", "nose")
    empty: list[str] = []
    read(Words, load_text("said:\n", F), F, empty)
    assert empty == [f"{F}, line 1: 'said' must be a list of texts, not nothing"]
    problems: list[str] = []
    read(Words, load_text("said: cheek\nmore: nose\n", F), F, problems)
    assert problems == [f"{F}, line 2: 'more' must be a list of texts, not plain text: 'nose'"]


def test_check_reads_a_node_whose_keys_are_data():
    node = load_text("a: [x]\nb: 3\n", F)
    problems: list[str] = []
    table = check(Table[tuple[str, ...]], node, f"{F}, line 1", "the file", problems)
    assert table == {"a": ("x",)} and table.place.where("b") == f"{F}, line 2"
    assert problems == [f"{F}, line 2: 'b' must be a list of texts, not the number 3"]


def test_a_key_that_yaml_reads_as_true_is_named_so():
    problems: list[str] = []
    read(Item, load_text("id: a\nweight: 1\nlevel: low\nyes: 2\n", F), F, problems)
    assert problems[0].startswith(f"{F}, line 4: unknown key true (YAML reads an unquoted yes")


def test_a_declared_shape_is_a_frozen_dataclass_built_by_read():
    from dataclasses import FrozenInstanceError, fields, is_dataclass

    from chatbot.engine.schema import shape

    @shape
    class Note:
        WHAT: ClassVar[str] = "a note"
        text: str
        sources: SourceKeys = ()
        place: Place = field(default=NOWHERE, compare=False)

    assert is_dataclass(Note) and [f.name for f in fields(Note)] == ["text", "sources", "place"]
    note = build(Note, load_text("text: Hi\n", F), F)
    assert (note.text, note.sources, note.place.where()) == ("Hi", (), f"{F}, line 1")
    with pytest.raises(FrozenInstanceError):
        note.text = "changed"  # type: ignore[misc]
    problems: list[str] = []
    read(Note, load_text("txt: Hi\n", F), F, problems)
    assert problems == [
        f"{F}, line 1: unknown key 'txt' in a note; allowed: text, sources (did you mean 'text'?)",
        f"{F}, line 1: missing 'text' (text)",
    ]


@dataclass(frozen=True)
class Question:
    WHAT: ClassVar[str] = "a question for the doctor"
    SHAPE: ClassVar[str] = "each question for the doctor needs 'self' and 'caregiver' wording"
    own: str = field(metadata=meta(key="self"))
    caregiver: str = ""


@dataclass(frozen=True)
class Entry:
    questions: tuple[Question, ...] = ()
    first: Question | None = None


def test_a_class_may_say_how_an_entry_is_written():
    text = 'questions:\n  - "Is it serious?"\nfirst: 3\n'
    problems: list[str] = []
    read(Entry, load_text(text, F), F, problems)
    assert problems == [
        f"{F}, line 1: each question for the doctor needs 'self' and 'caregiver' wording, "
        "not plain text: 'Is it serious?'",
        f"{F}, line 3: each question for the doctor needs 'self' and 'caregiver' wording, "
        "not the number 3",
    ]
    built = build(Entry, load_text("questions:\n  - self: Is it serious?\n", F), F)
    assert built.questions[0].own == "Is it serious?" and built.first is None
