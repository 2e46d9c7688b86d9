"""The terminal chat: a Textual front end over :mod:`chatbot.engine`.

The engine's :class:`~chatbot.engine.dialog.session.Session` holds every answer; the
screens and widgets here only show it and post messages up ("attributes down,
messages up"). Styles live in the ``*.tcss`` files beside this module.
"""
