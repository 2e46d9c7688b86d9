"""Snapshot tests (pytest-textual-snapshot): one picture per screen and state.

Update after an intended change with ``pytest tests/tui --snapshot-update`` and
look at the pictures (``tests/tui/__snapshots__``) before keeping them. The app
is built on the shared engine with the cursor blink off; nothing depends on the
clock or on chance.
"""

from __future__ import annotations

from drive import answer_until, open_result, type_text, vignette

PUB01 = vignette("pub-01")["answers"]


class TestWelcome:
    def test_welcome(self, snap_compare, make):
        assert snap_compare(make(), terminal_size=(80, 24))


class TestQuestions:
    def test_choice_question(self, snap_compare, make):
        async def run_before(pilot):
            await answer_until(pilot, PUB01, "extent")
            await pilot.press("down", "down")

        assert snap_compare(make(), terminal_size=(80, 24), run_before=run_before)

    def test_body_map(self, snap_compare, make):
        async def run_before(pilot):
            await answer_until(pilot, PUB01, "locations")
            await pilot.press("1", "4", "tab", "down", "down")  # hands, elbows; map focused

        assert snap_compare(make(), terminal_size=(80, 24), run_before=run_before)

    def test_lab_question_with_an_error(self, snap_compare, make):
        async def run_before(pilot):
            await answer_until(pilot, PUB01, "calcium")
            await type_text(pilot, "11.8 mg/dk")
            await pilot.press("enter")

        assert snap_compare(make(), terminal_size=(80, 24), run_before=run_before)

    def test_typed_answer_asked_back(self, snap_compare, make):
        async def run_before(pilot):
            await answer_until(pilot, PUB01, "locations")
            await type_text(pilot, "joints")
            await pilot.press("enter")

        assert snap_compare(make(), terminal_size=(80, 24), run_before=run_before)

    def test_warning_signs(self, snap_compare, make):
        async def run_before(pilot):
            await pilot.pause()
            await pilot.press("1")
            await pilot.pause()
            await pilot.press("1", "enter")

        assert snap_compare(make(), terminal_size=(80, 24), run_before=run_before)


def result_for(name: str):
    """The result for a vignette, its answers replayed (typed walks are in test_chat.py
    and test_vignettes_tui.py)."""

    async def run_before(pilot):
        await open_result(pilot, vignette(name)["answers"])

    return run_before


class TestResults:
    """One result per triage level (the vignettes' expected levels)."""

    def test_routine(self, snap_compare, make):
        assert snap_compare(make(), terminal_size=(100, 40), run_before=result_for("pub-04"))

    def test_soon(self, snap_compare, make):
        assert snap_compare(make(), terminal_size=(100, 40), run_before=result_for("pub-01"))

    def test_urgent(self, snap_compare, make):
        assert snap_compare(make(), terminal_size=(100, 40), run_before=result_for("pub-06"))

    def test_emergency(self, snap_compare, make):
        assert snap_compare(make(), terminal_size=(100, 40), run_before=result_for("pub-09"))

    def test_soon_at_80x24(self, snap_compare, make):
        assert snap_compare(make(), terminal_size=(80, 24), run_before=result_for("pub-05"))


class TestHighContrast:
    """The high-contrast theme (``--theme high-contrast``, F6): a question and a result."""

    def test_body_map_question(self, snap_compare, make):
        async def run_before(pilot):
            await answer_until(pilot, PUB01, "locations")
            await pilot.press("1", "4")

        assert snap_compare(
            make(theme="high-contrast"), terminal_size=(80, 24), run_before=run_before
        )

    def test_urgent_result(self, snap_compare, make):
        assert snap_compare(
            make(theme="high-contrast"), terminal_size=(100, 40), run_before=result_for("pub-06")
        )
