#!/usr/bin/env python3
"""How fast the terminal chat is, measured in one run.

    python benchmarks/tui_speed.py [--n 15] [--vignettes pub-01,pub-05,pub-09,pub-11]

(a) Launch to first screen: ``calcinosis`` and a minimal Textual app (a
    header, one line of text, a footer) are each started N times, alternately,
    in a pseudo-terminal of 80x24, exactly the same way (after one warm-up run
    each, from compiled bytecode). The clock runs from just before the process
    is started until the terminal receives the first screen: for ``calcinosis``
    the welcome's first question, for the minimal app its line of text. Medians
    and their ratio are reported, and so is the memory each process holds at
    that moment (its peak resident set so far, ``VmHWM`` in /proc/PID/status).

(b) Answer to next question: in-process (``App.run_test``, 100x40), vignettes
    are answered by key presses; for each answer the clock runs from the key
    press (Enter or a number key) until the frame that shows the next question
    has been drawn. Median and 90th percentile are reported; so is the time from
    the last answer to the result screen's first frame. The reader of typed
    words (with the first question's table) and the word list for typos are loaded
    before the walk, as ``calcinosis`` loads them in the background once its first
    screen is drawn; the chat builds a later question's table in the background from
    the first letter typed into its text box.

(d) With ``--early``: ``calcinosis`` in the same pseudo-terminal, the welcome's
    question answered ("1") 0.3, 1 and 3 s after it is drawn, while the engine and
    the reader are still loading in the background; the time until the chat's first
    question is drawn.

(c) With ``--instructions`` (needs valgrind): the CPU instructions each program runs
    from its start until its first frame is written (callgrind; it then exits at
    once). Unlike the times this does not depend on what else the machine is doing,
    so small changes to the start can be compared on a busy machine.

Targets (issue 11): first screen within 1.1x of the minimal app's time and within
1.2x of its memory; an answer to the next question drawn under 16 ms at the 90th
percentile.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CALCINOSIS_MARKER = b"Are you answering for yourself"
MINIMAL_MARKER = b"Minimal app ready"
TIMEOUT = 30.0
SETTLE = 0.15  # seconds between answers, so that each answer meets an idle screen


# ----------------------------------------------------------------------------- (a)


def minimal_app() -> int:
    """The baseline: the smallest sensible Textual app."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("Minimal app ready")
            yield Footer()

    Minimal().run()
    return 0


def peak_memory(pid: int) -> int:
    """The peak resident memory of process ``pid`` so far, in bytes (0 if unknown)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def spawn(command: list[str], env: dict[str, str]) -> tuple[int, int]:
    """Start ``command`` in a pseudo-terminal of 80x24: its pid and the terminal's fd."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of 80x24, then the program
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execvpe(command[0], command, env)
        finally:
            os._exit(127)
    return pid, fd


def stop(pid: int, fd: int) -> None:
    """Kill a program started by :func:`spawn` and close its terminal."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)


def first_screen(
    command: list[str], marker: bytes, env: dict[str, str], linger: float = 0.0
) -> tuple[float, int]:
    """Seconds from starting ``command`` in an 80x24 pty until ``marker`` is drawn, and
    the process's peak memory (bytes) at that moment.

    ``linger``: keep the program running that long after its first screen (the
    warm-up run lets calcinosis finish loading, as a real first run would).
    """
    start = time.perf_counter()
    pid, fd = spawn(command, env)
    seen = b""
    found: float | None = None
    memory = 0
    try:
        while time.perf_counter() - start < TIMEOUT:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            seen = seen[-len(marker) :] + chunk
            if found is None and marker in seen:
                found = time.perf_counter() - start
                memory = peak_memory(pid)
            if found is not None and time.perf_counter() - start >= found + linger:
                break
    finally:
        stop(pid, fd)
    if found is None:
        raise RuntimeError(f"{' '.join(command)} did not draw its first screen")
    return found, memory


def calcinosis_command() -> list[str]:
    script = Path(sys.executable).with_name("calcinosis")
    if script.exists():
        return [str(script)]
    found = shutil.which("calcinosis")
    return [found] if found else [sys.executable, "-m", "chatbot.cli"]


def bench_env(data: str) -> dict[str, str]:
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "CALCINOSIS_DATA_DIR": data,
        "CALCINOSIS_CACHE_DIR": data,
        "PYTHONPATH": str(REPO),
        # Both programs run from compiled bytecode, as after a normal install (pip
        # compiles the packages it installs). Where writing bytecode is switched off
        # (PYTHONDONTWRITEBYTECODE), the source checkout would otherwise be compiled
        # on every start while Textual's own files are not. The caches go to a
        # temporary folder, not into the checkout.
        "PYTHONPYCACHEPREFIX": str(Path(data) / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def launch(n: int) -> dict[str, Any]:
    data = tempfile.mkdtemp(prefix="calcinosis-bench-")
    env = bench_env(data)
    ours = calcinosis_command() + ["--new"]
    base = [sys.executable, str(Path(__file__).resolve()), "--minimal-app"]
    # one warm-up each (file system caches, .pyc files and, for calcinosis, the cached
    # welcome texts written once the engine has loaded), then alternate
    first_screen(ours, CALCINOSIS_MARKER, env, linger=5.0)
    first_screen(base, MINIMAL_MARKER, env)
    times: dict[str, list[float]] = {"calcinosis": [], "minimal": []}
    memory: dict[str, list[int]] = {"calcinosis": [], "minimal": []}
    for _ in range(n):
        for name, command, marker in (
            ("calcinosis", ours, CALCINOSIS_MARKER),
            ("minimal", base, MINIMAL_MARKER),
        ):
            took, held = first_screen(command, marker, env)
            times[name].append(took)
            memory[name].append(held)
    shutil.rmtree(data, ignore_errors=True)
    return {"times": times, "memory": memory}


# Either program, leaving as soon as its first frame is written: the minimal app as it is
# started in (a); calcinosis as its console script starts it (without this module).
FIRST_FRAME_ONLY = """
import os
from textual.app import App
display = App._display
def display_once(self, screen, renderable):
    display(self, screen, renderable)
    if renderable is not None:
        os._exit(0)
App._display = display_once
"""


def first_frame_only() -> int:
    exec(FIRST_FRAME_ONLY, {})
    return minimal_app()


def instructions(which: str, env: dict[str, str]) -> int:
    """CPU instructions (callgrind) from the start of ``which`` to its first frame."""
    log = Path(env["CALCINOSIS_DATA_DIR"]) / f"callgrind-{which}.log"
    program = (
        [str(Path(__file__).resolve()), "--first-frame-only"]
        if which == "minimal"
        else ["-c", FIRST_FRAME_ONLY + "from chatbot.cli import main\nmain(['--new'])"]
    )
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        f"--log-file={log}",
        sys.executable,
        *program,
    ]
    pid, fd = spawn(command, env)
    try:
        while True:
            try:
                if not os.read(fd, 1 << 16):
                    break
            except OSError:
                break
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if "refs:" in line:
            return int(line.split("refs:")[1].replace(",", "").strip())
    raise RuntimeError(f"valgrind did not count {which}'s instructions (see {log})")


def count_instructions() -> dict[str, int]:
    data = tempfile.mkdtemp(prefix="calcinosis-bench-")
    env = bench_env(data)
    # a real start first (compiled bytecode, the cached welcome texts), then one counted
    # run each (the counts repeat to within a few thousandths)
    first_screen(calcinosis_command() + ["--new"], CALCINOSIS_MARKER, env, linger=5.0)
    first_screen(
        [sys.executable, str(Path(__file__).resolve()), "--minimal-app"], MINIMAL_MARKER, env
    )
    counts = {which: instructions(which, env) for which in ("calcinosis", "minimal")}
    shutil.rmtree(data, ignore_errors=True)
    return counts


# ----------------------------------------------------------------------------- (d)

CHAT_MARKER = b"Just to be safe"  # the start of the chat's first question (answering "1")


def early_answer(command: list[str], env: dict[str, str], delay: float) -> float | None:
    """Seconds from pressing "1" ``delay`` s after the welcome is drawn until the chat's
    first question is drawn (the engine and the reader load in the background meanwhile)."""
    pid, fd = spawn(command, env)
    seen = b""
    drawn: float | None = None
    sent: float | None = None
    start = time.perf_counter()
    try:
        while time.perf_counter() - start < TIMEOUT:
            ready, _, _ = select.select([fd], [], [], 0.005)
            now = time.perf_counter()
            if ready:
                try:
                    chunk = os.read(fd, 1 << 16)
                except OSError:
                    break
                seen += chunk
                if drawn is None and CALCINOSIS_MARKER in seen:
                    drawn, seen = now, b""
                elif sent is not None and CHAT_MARKER in seen:
                    return now - sent
            if drawn is not None and sent is None and now - drawn >= delay:
                os.write(fd, b"1")
                sent, seen = time.perf_counter(), b""
    finally:
        stop(pid, fd)
    return None


def early_answers(n: int) -> dict[float, list[float]]:
    data = tempfile.mkdtemp(prefix="calcinosis-bench-")
    env = bench_env(data)
    command = calcinosis_command() + ["--new"]
    first_screen(command, CALCINOSIS_MARKER, env, linger=5.0)  # warm-up
    found: dict[float, list[float]] = {}
    for delay in (0.3, 1.0, 3.0):
        times = [early_answer(command, env, delay) for _ in range(n)]
        found[delay] = [t for t in times if t is not None]
    shutil.rmtree(data, ignore_errors=True)
    return found


# ----------------------------------------------------------------------------- (b)


RESULT = ("result", "")


async def answer_times(names: list[str], results: list[float]) -> list[float]:
    """Answer to next question drawn, one sample per answer; the last answer's time to
    the result screen's first frame goes to ``results``."""
    sys.path.insert(0, str(REPO / "tests" / "tui"))
    from drive import lab_text, vignette  # the tests' own helpers

    from chatbot.engine import contract
    from chatbot.engine.reading import english
    from chatbot.tui.app import make_app
    from chatbot.tui.screens.result import ResultScreen
    from chatbot.tui.widgets.answer import AnswerArea, AnswerList

    samples: list[float] = []
    for name in names:
        answers = vignette(name)["answers"]
        app = make_app(blink=False)
        # as the command line does in the background once the welcome is drawn: the
        # reader of typed words and the word list for typos are ready before the first
        # typed answer (chatbot.tui.app, _load_engine_in_thread)
        english.words()
        first = app.engine.dialog.questions[app.engine.dialog.start]
        app.matcher.table(first, first.options)
        state: dict[str, Any] = {"expect": None, "drawn": None}
        original = app._display

        def display(
            screen: Any,
            renderable: Any,
            _original: Any = original,
            _app: Any = app,
            state: dict[str, Any] = state,
        ) -> None:
            _original(screen, renderable)
            if renderable is None or not hasattr(renderable, "render_segments"):
                return
            # what a real terminal would be sent (headless runs skip this step)
            output = renderable.render_segments(_app.console)
            now = time.perf_counter()
            expect = state["expect"]
            if expect == RESULT and state["drawn"] is None:
                if isinstance(_app.screen, ResultScreen):
                    state["drawn"] = now
                return
            if expect is None or state["drawn"] is not None:
                return
            area = _app.screen.query(AnswerArea)
            shown = area.first().question if area else None
            if shown is not None and shown.id == expect[0] and expect[1] in output:
                state["drawn"] = now

        app._display = display  # type: ignore[method-assign]
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            for _ in range(40):
                screen = app.screen
                if isinstance(screen, ResultScreen):
                    break
                if screen.__class__.__name__ == "WarningScreen":
                    await pilot.press("enter")
                    await pilot.pause()
                    continue
                s = app.session
                question = s.current
                if question is None:
                    await pilot.pause()
                    continue
                value = answers.get(question.id, contract.UNSURE)
                codes = [o.code for o in s.options(question)]
                keys: list[str] = []
                final: str
                also: dict[str, Any] = {}
                # the age question: digits are the start of a typed age ("62"), as a person
                # types it; without an exact age the group is chosen by the arrows
                ages = "age" in question.also
                if ages and isinstance(answers.get("age"), dict):
                    also = {"age": answers["age"]}
                    screen.query_one("#typed").focus()
                    keys = list(lab_text(answers["age"]))
                    final = "enter"
                    value = None
                elif value == contract.UNSURE or value == [contract.UNSURE]:
                    final = "0" if question.kind == contract.ONE and not ages else "f3"
                elif ages:
                    screen.query_one(AnswerList).focus()
                    keys = ["home"] + ["down"] * codes.index(value)
                    final = "enter"
                elif question.kind == contract.LAB and not (
                    isinstance(value, str) and value in codes
                ):
                    screen.query_one("#typed").focus()
                    keys = list(lab_text(value))
                    final = "enter"
                elif question.kind == contract.LAB:
                    screen.query_one(AnswerList).focus()
                    final = str(codes.index(value) + 1)
                elif question.kind == contract.MANY:
                    screen.query_one(AnswerList).focus()
                    for code in value:
                        index = codes.index(code)
                        keys += (
                            [str(index + 1)]
                            if index < 9
                            else ["home"] + ["down"] * index + ["space"]
                        )
                    final = "enter"
                else:
                    final = str(codes.index(value) + 1)
                if keys:
                    await pilot.press(*keys)
                    await pilot.pause()
                before = s.history[:]
                # what the next question will say (the engine is quick; this is not timed)
                probe = app.engine.new_session()
                probe.replay({q: s.answers[q] for q in before}, complete=False)
                probe.answer_current(
                    [value] if question.kind == contract.MANY and isinstance(value, str) else value,
                    also=also,
                )
                expect: Any = RESULT  # the last answer: the result screen's first frame
                if not probe.finished:
                    # the start of the question's first line in the transcript
                    expect = (probe.state, " ".join(probe.text().split())[:24])
                probe.close()
                state["expect"], state["drawn"] = expect, None
                # a person reads the question before answering: start from a settled screen
                await asyncio.sleep(SETTLE)
                start = time.perf_counter()
                await pilot.press(final)
                await pilot.pause()
                if expect is not None:
                    for _ in range(50):
                        if state["drawn"] is not None:
                            break
                        await pilot.pause()
                    if state["drawn"] is not None and expect == RESULT:
                        results.append(state["drawn"] - start)
                    elif state["drawn"] is not None:
                        samples.append(state["drawn"] - start)
                        if os.environ.get("TUI_SPEED_VERBOSE"):
                            print(
                                f"    {question.id:>24} -> {expect[0]:<24}"
                                f"{ms(state['drawn'] - start)}"
                            )
                state["expect"] = None
    return samples


# ----------------------------------------------------------------------------- report


def ms(x: float) -> str:
    return f"{x * 1000:7.1f} ms"


def main() -> int:
    if "--minimal-app" in sys.argv:
        return minimal_app()
    if "--first-frame-only" in sys.argv:
        return first_frame_only()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=15, help="launches of each app (default 15)")
    parser.add_argument(
        "--vignettes",
        default="pub-01,pub-05,pub-09,pub-11,pub-13",
        help="vignettes answered for (b), comma-separated",
    )
    parser.add_argument("--skip-launch", action="store_true")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions to the first frame (valgrind)",
    )
    parser.add_argument(
        "--early",
        action="store_true",
        help="also time the first answer given soon after the welcome is drawn (d)",
    )
    args = parser.parse_args()

    print("calcinosis terminal chat: speed\n")
    ok = True
    if not args.skip_launch:
        measured = launch(args.n)
        times, memory = measured["times"], measured["memory"]
        ours = statistics.median(times["calcinosis"])
        base = statistics.median(times["minimal"])
        ratio = ours / base
        ok &= ratio <= 1.1
        ours_mb = statistics.median(memory["calcinosis"]) / 2**20
        base_mb = statistics.median(memory["minimal"]) / 2**20
        mem_ratio = ours_mb / base_mb if base_mb else float("inf")
        ok &= mem_ratio <= 1.2
        print(f"(a) launch to first screen, 80x24 pty, median of {args.n} (alternating runs)")
        print(
            f"    {'minimal Textual app':<28}{ms(base)}   (min {ms(min(times['minimal'])).strip()})"
        )
        print(f"    {'calcinosis':<28}{ms(ours)}   (min {ms(min(times['calcinosis'])).strip()})")
        print(
            f"    {'ratio':<28}{ratio:7.2f} x    target <= 1.10  "
            f"{'OK' if ratio <= 1.1 else 'MISSED'}"
        )
        print(
            f"    peak memory at the first screen, median: minimal {base_mb:.1f} MB, "
            f"calcinosis {ours_mb:.1f} MB"
        )
        print(
            f"    {'ratio':<28}{mem_ratio:7.2f} x    target <= 1.20  "
            f"{'OK' if mem_ratio <= 1.2 else 'MISSED'}\n"
        )
    if args.instructions:
        counts = count_instructions()
        ratio = counts["calcinosis"] / counts["minimal"]
        print("(c) instructions from start to the first frame (callgrind)")
        print(f"    {'minimal Textual app':<28}{counts['minimal'] / 1e6:9,.1f} M")
        print(f"    {'calcinosis':<28}{counts['calcinosis'] / 1e6:9,.1f} M")
        print(f"    {'ratio':<28}{ratio:7.2f} x\n")
    if args.early:
        print("(d) first answer soon after the welcome, to the chat's first question drawn")
        for delay, times in early_answers(max(3, args.n // 2)).items():
            shown = ", ".join(f"{t * 1000:.0f}" for t in times)
            print(f"    {delay:.1f} s after the welcome{ms(statistics.median(times))}   ({shown})")
        print()
    results: list[float] = []
    samples = asyncio.run(answer_times(args.vignettes.split(","), results))
    median = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) >= 10 else max(samples)
    ok &= p90 < 0.016
    print(f"(b) answer to next question drawn, {len(samples)} answers ({args.vignettes}), 100x40")
    print(f"    {'median':<28}{ms(median)}")
    print(
        f"    {'90th percentile':<28}{ms(p90)}   target < 16 ms  "
        f"{'OK' if p90 < 0.016 else 'MISSED'}"
    )
    print(f"    {'fastest / slowest':<28}{ms(min(samples))} / {ms(max(samples)).strip()}")
    if results:
        print(f"    last answer to the result drawn, median of {len(results)}")
        print(f"    {'':<28}{ms(statistics.median(results))}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
