"""CPU accounting for the benchmarks, in one place: processes' CPU time through psutil (a
server and its workers, the machine and this run's share of it), and inclusive times of
functions in a cProfile, the functions named by themselves rather than by strings."""

import inspect
import os
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import psutil


def process_cpu_seconds(pid: int, *, children: bool = False) -> float:
    """CPU time (user + system) of one live process, and of its live descendants if asked
    (a gunicorn master and its workers); 0 for a process that is gone."""
    try:
        root = psutil.Process(pid)
        tree = [root, *(root.children(recursive=True) if children else [])]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in tree:
        with suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def machine_cpu_seconds(marks: list[str]) -> tuple[float, float, float]:
    """(busy, total) CPU seconds of the whole machine so far, and the CPU seconds of this
    run's own processes: this one, and any process whose command line contains one of
    `marks` (the checkout's path, the services' ports), with their descendants."""
    times = psutil.cpu_times()
    total = sum(times)
    busy = total - times.idle - getattr(times, "iowait", 0.0)
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    own: set[int] = {os.getpid()}
    for process in psutil.process_iter(["ppid", "cmdline", "cpu_times"]):
        info = process.info
        if info["cpu_times"] is None:  # gone, or not ours to read
            continue
        parents[process.pid] = info["ppid"] or 0
        used[process.pid] = info["cpu_times"].user + info["cpu_times"].system
        command = " ".join(info["cmdline"] or [])
        if any(mark in command for mark in marks):
            own.add(process.pid)
    ours = 0.0
    for pid, seconds in used.items():
        ancestor, hops = pid, 0
        while ancestor not in own and ancestor > 1 and hops < 20:
            ancestor, hops = parents.get(ancestor, 1), hops + 1
        if ancestor in own:
            ours += seconds
    return busy, total, ours


# --- profiles -------------------------------------------------------------------------------


def code_key(function: Callable[..., Any] | property) -> tuple[str, int, str]:
    """How cProfile names `function` (a function, method or property) in its stats, so a
    report row refers to the function itself: renaming or moving it fails at import."""
    target = function.fget if isinstance(function, property) else function
    code = getattr(inspect.unwrap(target), "__code__", None)  # type: ignore[arg-type]
    if code is None:
        raise TypeError(f"not a Python function: {function!r}")
    return code.co_filename, code.co_firstlineno, code.co_name


def inclusive_seconds(
    stats: dict[tuple[str, int, str], tuple[Any, ...]], function: Callable[..., Any] | property
) -> float:
    """Inclusive time of `function` in cProfile stats; a function that never ran is an error,
    never a row of zeros."""
    key = code_key(function)
    if key not in stats:
        raise LookupError(f"{key[2]} ({key[0]}:{key[1]}) never ran in the profile")
    return float(stats[key][3])
