"""The public data contract (../shared/spec/answers.md) as constants.

Question ids, answer codes, lab units, assessment codes and triage levels are a
public contract: tests, vignettes and exported reports depend on them. The
dialog in ``dialogs/`` must use exactly these; ``calcinosis validate`` checks it.
"""

from __future__ import annotations

UNSURE = "unsure"
NONE = "none"

ONE = "one"
MANY = "many"
LAB = "lab"
MEASURE = "measure"  # a number with a unit that is not a lab value (``age``)
TEXT = "text"  # the person's own words, kept exactly as typed (``notes``)

CONTRACT_VERSION = 2

# id -> (kind, codes). ``unsure`` is allowed everywhere and not listed.
QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "warning_signs": (
        MANY,
        ("dark_painful_skin", "confusion_or_vomiting", "fever_spreading_redness", "none"),
    ),
    "respondent": (ONE, ("self", "caregiver")),
    "age_group": (ONE, ("infant", "child", "adult")),
    "age": (MEASURE, ()),
    "sex": (ONE, ("female", "male", "other")),
    "pregnant": (ONE, ("yes", "no")),
    "has_deposits": (ONE, ("yes", "no")),
    "known_diagnosis": (ONE, ("no", "yes_stable", "yes_changing")),
    "locations": (
        MANY,
        (
            "fingers_hands",
            "face",
            "head_neck",
            "elbows_knees",
            "around_large_joints",
            "arms_legs",
            "trunk",
            "heels",
            "feet",
            "breast",
            "skin_folds",
            "genital",
            "procedure_site",
        ),
    ),
    "course": (ONE, ("new_fast", "growing_slowly", "stable", "shrinking")),
    "extent": (ONE, ("single", "one_area", "several_areas", "widespread")),
    "size": (ONE, ("small", "medium", "large")),
    "pain": (ONE, ("none", "mild", "severe")),
    "skin_changes": (
        MANY,
        (
            "none",
            "redness_or_warmth",
            "purple_net_pattern",
            "ulcer",
            "chalky_discharge",
            "dark_dead_skin",
            "blisters",
        ),
    ),
    "stiffness": (ONE, ("yes", "no")),
    "infection_signs": (ONE, ("yes", "no")),
    "kidney": (ONE, ("normal", "ckd", "dialysis", "transplant", "acute_injury")),
    "conditions": (
        MANY,
        (
            "systemic_sclerosis",
            "dermatomyositis",
            "lupus",
            "rheumatoid_arthritis",
            "hyperparathyroidism",
            "sarcoidosis",
            "cancer",
            "bone_disease",
            "diabetes",
            "down_syndrome",
            "parasitic_infection",
            "hypoparathyroidism",
            "mixed_connective_tissue",
            "panniculitis_or_pancreatitis",
            "pseudoxanthoma_elasticum",
            "ehlers_danlos",
            "familial_hypercholesterolaemia",
            "obesity",
            "liver_disease",
            "other",
            "none",
        ),
    ),
    "family_history": (ONE, ("yes", "no")),
    "raynaud": (ONE, ("yes", "no")),
    "events": (
        MANY,
        (
            "injury",
            "skin_inflammation",
            "surgery",
            "calcium_or_phosphate_given",
            "heel_sticks",
            "electrode_paste",
            "implanted_device",
            "cosmetic_filler",
            "none",
        ),
    ),
    "medications": (
        MANY,
        (
            "warfarin",
            "corticosteroids",
            "calcium_phosphate_binders",
            "other_phosphate_binders",
            "active_vitamin_d",
            "thiazide",
            "lithium",
            "teriparatide",
            "none",
        ),
    ),
    "intake": (
        MANY,
        ("high_dose_vitamin_d", "calcium_supplements_or_antacids", "ordinary_supplements", "none"),
    ),
    "calcium": (LAB, ("high", "normal", "low")),
    "phosphate": (LAB, ("high", "normal", "low")),
    "albumin": (LAB, ()),
    "pth": (LAB, ("high", "normal", "low")),
    "hypercalcemia_symptoms": (ONE, ("yes", "no")),
    "ionized_calcium": (LAB, ("high", "normal", "low")),
    "vitamin_d_level": (LAB, ("high", "normal", "low")),
    "hypocalcemia_symptoms": (ONE, ("yes", "no")),
    "notes": (TEXT, ()),
}

# The questions version 2 of the contract added (answers.md, "What version 2 adds").
# A file that answers none of them is a version 1 file and means what it always meant.
VERSION_2_QUESTIONS: tuple[str, ...] = (
    "age",
    "sex",
    "pregnant",
    "course",
    "family_history",
    "ionized_calcium",
    "vitamin_d_level",
    "hypocalcemia_symptoms",
    "notes",
)

# Units accepted per lab, spelled as the contract spells them (matched case-insensitively).
LAB_UNITS: dict[str, tuple[str, ...]] = {
    "calcium": ("mg/dL", "mmol/L", "mEq/L"),
    "phosphate": ("mg/dL", "mmol/L"),
    "albumin": ("g/dL", "g/L"),
    "pth": ("pg/mL", "ng/L", "pmol/L"),
    "ionized_calcium": ("mmol/L", "mg/dL"),
    "vitamin_d_level": ("ng/mL", "nmol/L"),
}

# Units of the measurement questions that are not lab values.
MEASURE_UNITS: dict[str, tuple[str, ...]] = {
    "age": ("days", "weeks", "months", "years"),
}

# An exact age (answers.md, "Age"): more than zero and at most 120 years; the age
# group follows from it (under 1 year: infant; 1 to 17: child; 18 or more: adult).
AGE_MAX_YEARS = 120
AGE_GROUP_BELOW_YEARS: tuple[tuple[str, float], ...] = (("infant", 1), ("child", 18))
AGE_GROUP_OTHERWISE = "adult"
DAYS_PER_UNIT: dict[str, float] = {
    "days": 1.0,
    "weeks": 7.0,
    "months": 365.25 / 12,
    "years": 365.25,
}

# The longest text a text question keeps (characters).
TEXT_MAX_CHARS: dict[str, int] = {
    "notes": 2000,
}

TYPES: tuple[str, ...] = (
    "dystrophic",
    "metastatic",
    "calciphylaxis",
    "idiopathic",
    "iatrogenic",
    "unclear",
    "none",
)
# The types the assessment ranks (``unclear`` and ``none`` are outcomes, not candidates).
CANDIDATE_TYPES: tuple[str, ...] = (
    "dystrophic",
    "metastatic",
    "calciphylaxis",
    "idiopathic",
    "iatrogenic",
)
SUBTYPES: tuple[str, ...] = (
    "calcinosis_circumscripta",
    "calcinosis_universalis",
    "tumoral_calcinosis",
    "scrotal_calcinosis",
    "subepidermal_calcified_nodule",
    "vulvar_calcinosis",
    "milia_like_calcinosis",
)
TRIAGE_LEVELS: tuple[str, ...] = ("routine", "soon", "urgent", "emergency")


def triage_rank(level: str) -> int:
    """Position of a triage level, least urgent first."""
    return TRIAGE_LEVELS.index(level)


def codes_for(question_id: str) -> tuple[str, ...]:
    """Every code a question accepts, ``unsure`` included."""
    _kind, codes = QUESTIONS[question_id]
    return codes + (UNSURE,)
