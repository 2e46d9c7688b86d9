"""The dialog's state machine, built with ``transitions`` from the YAML.

One :class:`transitions.Machine` is built per loaded dialog (building is the
slow part) and each :class:`~chatbot.engine.dialog.session.Session` is added to it as
a model. States are question ids and outcome ids; one trigger, ``advance``,
carries every transition, tried in the order the YAML lists them. Conditions
are the compiled predicates of :mod:`chatbot.engine.conditions`: nothing named
in YAML is imported or looked up as a callback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import Machine

from chatbot.engine.dialog.questions import Dialog

TRIGGER = "advance"


def _condition(predicate: Any) -> Callable[[Any], bool]:
    def check(event: Any) -> bool:
        return bool(predicate(event.model))

    return check


def transition_specs(dialog: Dialog) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    for question in dialog.questions.values():
        for transition in question.transitions:
            spec: dict[str, Any] = {
                "trigger": TRIGGER,
                "source": question.id,
                "dest": transition.dest,
            }
            if transition.when is not None:
                spec["conditions"] = [_condition(transition.when)]
            specs.append(spec)
    return specs


def build_machine(dialog: Dialog) -> Machine:
    """A model-less machine; sessions join it with ``add_model``."""
    return Machine(
        model=None,
        states=dialog.states,
        transitions=transition_specs(dialog),
        initial=dialog.start,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
        model_override=False,
    )


def mermaid(dialog: Dialog) -> str:
    """The dialog as a Mermaid state diagram, drawn by transitions' GraphMachine."""
    from transitions.extensions.diagrams import GraphMachine

    labelled = []
    for question in dialog.questions.values():
        only = len(question.transitions) == 1
        for transition in question.transitions:
            label = "next" if only else _label(transition.when_source)
            spec: dict[str, Any] = {
                "trigger": label,
                "source": question.id,
                "dest": transition.dest,
            }
            labelled.append(spec)

    class _Model:
        pass

    model = _Model()
    # built for its side effect: the machine attaches get_graph to the model (and the model's
    # bound methods keep the machine alive)
    GraphMachine(
        model=model,
        states=dialog.states,
        transitions=labelled,
        initial=dialog.start,
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=False,
        title="calcinosis dialog",
    )
    return str(model.get_graph().draw(None))  # type: ignore[attr-defined]


def _label(source: Any) -> str:
    """A short, Mermaid-safe label for a condition as written in YAML."""
    if source is None:
        return "otherwise"
    return _describe(source).replace(":", " ").replace(";", ",")


def _describe(node: Any) -> str:
    if not isinstance(node, dict):
        return str(node)
    if "all" in node:
        return " and ".join(_describe(p) for p in node["all"])
    if "any" in node:
        return " or ".join(_describe(p) for p in node["any"])
    if "not" in node:
        return f"not ({_describe(node['not'])})"
    subject = node.get("answer") or node.get("lab") or node.get("fact") or node.get("rule")
    ops = {k: v for k, v in node.items() if k not in ("answer", "lab", "fact", "rule")}
    parts = []
    for op, value in ops.items():
        shown = "/".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{op} {shown}")
    return f"{subject} {' '.join(parts)}"
