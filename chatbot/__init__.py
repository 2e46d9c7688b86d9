"""calcinosis: an offline symptom checker for calcium deposits in or under the skin.

It informs; it never diagnoses. The engine (``chatbot.engine``) is pure Python and
imports no UI code; the terminal UI (``chatbot.tui``) is one front end over it.
"""

__version__ = "0.1.0"
