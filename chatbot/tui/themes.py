"""The app's themes: Textual's light and dark, and a high-contrast one.

High contrast: pure white and yellow text on black, with saturated colours for
the triage levels, for people with low vision. Selectable with ``--theme
high-contrast`` and by key (F6 or Ctrl+T cycles the themes).
"""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    warning="#FFA500",
    error="#FF4040",
    success="#00FF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    boost="#333333",
    dark=True,
    luminosity_spread=0.0,
    text_alpha=1.0,
    variables={
        "text-muted": "#FFFFFF",
        "text-disabled": "#D0D0D0",
        "scrollbar": "#FFFF00",
        "scrollbar-hover": "#FFFF80",
        "scrollbar-background": "#333333",
        "border": "#FFFFFF",
        "border-blurred": "#AAAAAA",
        "input-selection-background": "#FFFF00 40%",
        "footer-key-foreground": "#FFFF00",
        "footer-description-foreground": "#FFFFFF",
        "block-cursor-background": "#FFFF00",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
    },
)

# name on the command line -> Textual theme name
THEMES = {"dark": "textual-dark", "light": "textual-light", "high-contrast": "high-contrast"}
CYCLE = ("textual-dark", "textual-light", "high-contrast")
LABELS = {"textual-dark": "dark", "textual-light": "light", "high-contrast": "high contrast"}
