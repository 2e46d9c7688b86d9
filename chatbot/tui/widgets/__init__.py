"""Widgets of the terminal chat: messages, answer area, body map, range bar, progress."""
