"""Many answers files at once: split over the machine's cores, the results in file order.

``calcinosis assess`` with hundreds of files spends almost all its time assessing, one
file after another, on one core. :func:`map_in_order` splits the files into as many
runs of consecutive files as there are cores to use; this process does the first run
itself and forked copies of it (which have the engine already loaded) do the others,
each sending back its texts through a pipe. The result is what ``[work(n) for n in
names]`` gives, in the same order, byte for byte; and a problem is raised as that loop
would raise it: the first bad file in the given order, with its own message, and
nothing is written.

Where ``fork`` is missing (Windows) or there are few files, everything is done here.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
from collections.abc import Callable, Sequence

# fewer files than this per process: forking and reading back cost more than they save
MIN_PER_PROCESS = 100


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every platform)
        return os.cpu_count() or 1


def processes_for(count: int, available: int | None = None) -> int:
    """How many processes share ``count`` files: one per core, at least
    MIN_PER_PROCESS files each; one where ``fork`` is missing."""
    if not hasattr(os, "fork"):
        return 1
    available = cores() if available is None else available
    return max(1, min(available, count // MIN_PER_PROCESS))


def _runs(names: Sequence[str], parts: int) -> list[Sequence[str]]:
    """``names`` cut into ``parts`` runs of consecutive names, as even as can be."""
    size, extra = divmod(len(names), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(names[start:end])
        start = end
    return out


def _child(work: Callable[[str], str], names: Sequence[str], pipe: int) -> None:
    """In a forked copy: do ``names``, send back ("ok", texts) or ("raised", the
    exception), and leave without running anything of the parent's (no flush, no atexit)."""
    code = 0
    try:
        try:
            message: tuple[str, object] = ("ok", [work(name) for name in names])
        except Exception as exc:  # said by the parent, as its own loop would say it
            message = ("raised", exc)
        try:
            data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that cannot be pickled: its words
            data = pickle.dumps(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(pipe, "wb") as out:
            out.write(data)
    except BaseException:  # interrupted, or the parent stopped reading
        code = 1
    finally:
        os._exit(code)


def _read_all(pipe: int) -> bytes:
    with os.fdopen(pipe, "rb") as stream:
        return stream.read()


def map_in_order(
    work: Callable[[str], str], names: Sequence[str], processes: int | None = None
) -> list[str]:
    """``[work(name) for name in names]``, shared among ``processes`` processes (by
    default :func:`processes_for`); ``work`` must not read standard input.

    The garbage collector is paused meanwhile: an assessment's objects are freed by
    reference counting as soon as its text is made (1,000 assessments leave about 500
    objects in cycles), and the collections that the many short-lived objects would
    start took about a tenth of the time."""
    parts = processes_for(len(names)) if processes is None else max(1, processes)
    parts = min(parts, len(names)) if names else 1
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if parts == 1:
            return [work(name) for name in names]
        return _shared(work, _runs(names, parts))
    finally:
        if was_enabled:
            gc.enable()


def _shared(work: Callable[[str], str], runs: list[Sequence[str]]) -> list[str]:
    """The first run done here, the others by forked copies; the texts in order."""
    gc.freeze()  # what is loaded stays shared with the copies (not copied when collected)
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    try:
        for run in runs[1:]:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the copy
                os.close(read)
                for _pid, other in children:
                    os.close(other)
                _child(work, run, write)
            os.close(write)
            children.append((pid, read))
        texts = [work(name) for name in runs[0]]
        for pid, read in list(children):
            data = _read_all(read)  # (closes it)
            children.remove((pid, read))
            os.waitpid(pid, 0)
            if not data:
                raise RuntimeError("a process assessing part of the files stopped early")
            status, value = pickle.loads(data)  # (from our own copy)
            if status != "ok":
                raise value
            texts.extend(value)
        return texts
    finally:
        for pid, read in children:  # stopped early: the other copies are not needed
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(read)
