"""What to say when calling for help: the template's slots filled from the answers."""

from __future__ import annotations

from chatbot.engine.loading import default_engine
from chatbot.engine.reports.callwords import fill_call_words, slot_values, template_slots

BLANKS = {
    "who": "[name]",
    "age": "[age]",
    "kidneys": "[kidneys]",
    "calcium": "[calcium]",
    "problem": "[problem]",
    "illnesses": "[list]",
    "medicines": "[list]",
}


def test_slots_come_from_the_answers_in_the_dialogs_words() -> None:
    engine = default_engine()
    a = engine.replay(
        {
            "respondent": "self",
            "age_group": "adult",
            "has_deposits": "yes",
            "kidney": "dialysis",
            "conditions": ["diabetes", "down_syndrome"],
            "medications": ["warfarin"],
            "calcium": {"value": 15, "unit": "mg/dL"},
        }
    )
    values = slot_values(a, engine.dialog, engine.content)
    assert values["who"] == "myself"
    assert values["age"] == "18 or older"
    assert values["kidneys"] == "on dialysis"
    assert values["calcium"] == "15 mg/dL"
    assert values["illnesses"] == "Diabetes, Down syndrome"  # names kept as written
    assert "Warfarin" in values["medicines"]
    assert engine.content.red_flags["severe_hypercalcemia"].title.lower() in values["problem"]


def test_unknown_slots_keep_their_blank_for_the_caller() -> None:
    engine = default_engine()
    a = engine.replay(
        {
            "respondent": "caregiver",
            "warning_signs": ["confusion_or_vomiting"],
            "has_deposits": "no",
        }
    )
    values = slot_values(a, engine.dialog, engine.content)
    assert "who" not in values and "kidneys" not in values and "calcium" not in values
    text = fill_call_words(
        "About {who}, aged {age}. Kidneys: {kidneys}. {nonsense}", values, BLANKS
    )
    assert text == "About [name], aged [age]. Kidneys: [kidneys]. {nonsense}"
    assert template_slots("{who} and {age} {age}") == {"who", "age"}


def test_the_report_fills_the_call_words_and_leaves_out_advice_that_does_not_fit() -> None:
    from chatbot.engine.reports.markdown import to_markdown

    engine = default_engine()
    base = {
        "respondent": "self",
        "age_group": "adult",
        "has_deposits": "yes",
        "known_diagnosis": "no",
        "kidney": "normal",
        "conditions": ["none"],
        "calcium": {"value": 12.5, "unit": "mg/dL"},
    }  # urgent: moderate hypercalcaemia
    calm_skin = to_markdown(engine.replay({**base, "skin_changes": ["none"]}), engine.content)
    assert "The last blood calcium was 12.5 mg/dL" in calm_skin
    assert "Kidneys: healthy, as far as I know" in calm_skin
    assert "{" not in calm_skin.split("## Most likely type")[0]
    sore = "Keep any open sore clean"
    assert sore not in calm_skin  # nothing is open
    open_skin = to_markdown(
        engine.replay({**base, "skin_changes": ["ulcer"], "infection_signs": "no"}), engine.content
    )
    assert sore in open_skin
