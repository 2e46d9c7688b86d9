"""The terminal UI's own sentences, each for the person themself and for a caregiver.

Question texts come from ``dialogs/`` in both forms already; these are the few
sentences the screens add around them. ``say(key, respondent)`` picks the form
that follows the answer to "are you answering for yourself or someone else".
"""

from __future__ import annotations

# key -> (for the person themself, for a caregiver)
WORDS: dict[str, tuple[str, str]] = {
    "result_title": ("What your answers suggest", "What your answers about them suggest"),
    "triage_heading": ("How soon to see a doctor", "How soon they should see a doctor"),
    "flags_heading": ("Warning signs in your answers", "Warning signs in your answers about them"),
    "type_heading": ("Most likely type of deposits", "Most likely type of their deposits"),
    "no_type": (
        "You described no deposits, so there is no type to name.",
        "You described no deposits for them, so there is no type to name.",
    ),
    "reasons_heading": ("Why: from your answers", "Why: from your answers about them"),
    "others_heading": ("Other possibilities", "Other possibilities"),
    "tests_heading": ("What would tell them apart", "What would tell them apart"),
    "about_heading": ("About this type", "About this type"),
    "advice_heading": ("When to see a doctor", "When they should see a doctor"),
    "labs_heading": ("Your lab values", "Their lab values"),
    "no_labs": ("You gave no lab values.", "You gave no lab values for them."),
    "words_heading": ("Words used here", "Words used here"),
    "sources_heading": ("Sources", "Sources"),
    "call_heading": ("What to say when you call", "What to say when you call"),
    "cautions_heading": ("A doctor should also check", "A doctor should also check"),
    "worse_heading": ("If things get worse", "If things get worse"),
    "more_title": (
        "More detail: other types, explanations, lab values, sources (m)",
        "More detail: other types, explanations, lab values, sources (m)",
    ),
    "result_scroll": (
        "Scroll with ↑ ↓, PgUp and PgDn. Press m for more detail.",
        "Scroll with ↑ ↓, PgUp and PgDn. Press m for more detail.",
    ),
    "warning_title": (
        "Before we go on: please act on this now",
        "Before we go on: please act on this for them now",
    ),
    "warning_flags": ("What you told us", "What you told us about them"),
    "warning_do": ("What to do now", "What to do now for them"),
    "warning_call": ("What to say when you call for help", "What to say when you call for help"),
    "warning_go_on": (
        "I understand; go on with the questions",
        "I understand; go on with the questions",
    ),
    "warning_keys": (
        "Please read this first. Then press Tab and Enter, or click, to go on.",
        "Please read this first. Then press Tab and Enter, or click, to go on.",
    ),
    "warning_shown": (
        "A warning was shown: {flags}. {level}.",
        "A warning was shown about them: {flags}. {level}.",
    ),
    "finished": (
        "That was the last question. Here is what your answers suggest.",
        "That was the last question. Here is what your answers about them suggest.",
    ),
    "kept": (
        "Your later answers were kept where they still apply.",
        "Your later answers were kept where they still apply.",
    ),
    "back": (
        "Going back: here is that question again.",
        "Going back: here is that question again.",
    ),
    "quit_lose": (
        "Quit now? Your answers so far will be lost.",
        "Quit now? Your answers about them so far will be lost.",
    ),
    "quit_kept": (
        "Quit now? Your answers are saved; you can continue later.",
        "Quit now? Your answers are saved; you can continue later.",
    ),
    "restart_lose": (
        "Start over? This result and all your answers will be cleared, and they are not saved.",
        "Start over? This result and all your answers about them will be "
        "cleared, and they are not saved.",
    ),
    "restart_kept": (
        "Start over? This result is saved; F5 on the first screen opens it again.",
        "Start over? This result about them is saved; F5 on the first screen opens it again.",
    ),
    "change_title": (
        "Which answer would you like to change?",
        "Which answer would you like to change?",
    ),
}


def say(key: str, respondent: str | None) -> str:
    """The sentence ``key`` worded for the respondent ("self", "caregiver" or not yet known)."""
    own, caregiver = WORDS[key]
    return caregiver if respondent == "caregiver" else own
