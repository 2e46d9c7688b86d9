"""The headless engine: contract, dialog, session, lab values, assessment.

Nothing in this package imports Textual (a test checks it).
"""
