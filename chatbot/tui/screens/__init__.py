"""The screens: welcome, chat, warning, result, help, confirm (quit), glossary, change."""
