#!/usr/bin/env python3
"""Run the processes of the Procfile in the foreground until Ctrl-C: what `make run` does.

    .venv/bin/python scripts/run.py [Procfile]

Each line of output is prefixed with its process's name. Ctrl-C (or SIGTERM, SIGHUP) stops
every process: SIGTERM to its whole process group, SIGKILL to what is left after
STOP_GRACE_SECONDS; a second Ctrl-C kills at once. The exit status is 0 for a stop that was
asked for, 1 when a process ended on its own (then the others are stopped too).

Why not honcho, which this replaces: honcho 2.0 prints "SIGINT received" before it stops
anything; under `make run | tee run.log`, Ctrl-C has already ended tee, so that print raises
BrokenPipeError, honcho dies, and its children (each in a session of its own) keep running
(nickstenning/honcho#255). Here a failed write only silences the output, each process also
gets SIGTERM if this runner itself dies (PR_SET_PDEATHSIG), and nothing is left behind.

Only the standard library: it starts before anything else is imported.
"""

import contextlib
import ctypes
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

STOP_GRACE_SECONDS = float(os.environ.get("STOP_GRACE_SECONDS", "10"))
PR_SET_PDEATHSIG = 1


@dataclass
class Process:
    name: str
    command: str
    popen: subprocess.Popen[bytes] | None = None
    returncode: int | None = None
    reader: threading.Thread | None = field(default=None, repr=False)

    @property
    def pgid(self) -> int:
        assert self.popen is not None  # noqa: S101
        return self.popen.pid  # its own session: the leader's pid is the group's id

    def group_alive(self) -> bool:
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pgid, signum)


class Output:
    """Writes to stdout; when the reader has gone (a closed pipe), further output is dropped
    instead of ending this runner."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> None:
        if self.broken:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            self.broken = True
            # Point fd 1 at /dev/null so the interpreter's exit flush cannot fail either.
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.stream.fileno())


def read_procfile(path: Path) -> list[Process]:
    processes = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, command = line.partition(":")
        processes.append(Process(name.strip(), command.strip()))
    if not processes:
        raise SystemExit(f"{path}: no processes")
    return processes


def die_with_parent() -> None:
    """In the child before exec: SIGTERM when the runner dies, however it dies."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Runner:
    def __init__(self, processes: list[Process], output: Output) -> None:
        self.processes = processes
        self.output = output
        self.lines: queue.Queue[tuple[str, bytes | None]] = queue.Queue()
        self.width = max(len(p.name) for p in processes)
        self.stop_asked = 0  # signals received
        self.failed: Process | None = None
        self.stopping_since: float | None = None
        self.killed = False

    def say(self, name: str, text: str) -> None:
        self.output.write(f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {text}\n")

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_asked += 1

    def start(self, env: dict[str, str]) -> None:
        for process in self.processes:  # every fork before the first thread (preexec_fn)
            process.popen = subprocess.Popen(  # noqa: S603  (the Procfile's own commands)
                ["/bin/sh", "-c", f"exec {process.command}"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a terminal's Ctrl-C reaches us only; we stop them
                preexec_fn=die_with_parent,
            )
            self.say("system", f"{process.name} started (pid {process.popen.pid})")
        for process in self.processes:
            process.reader = threading.Thread(target=self.read, args=(process,), daemon=True)
            process.reader.start()

    def read(self, process: Process) -> None:
        assert process.popen is not None  # noqa: S101
        assert process.popen.stdout is not None  # noqa: S101
        for line in process.popen.stdout:
            self.lines.put((process.name, line))
        self.lines.put((process.name, None))

    def stop(self) -> None:
        if self.stopping_since is None:
            self.stopping_since = time.monotonic()
            for process in self.processes:
                if process.group_alive():
                    self.say("system", f"stopping {process.name}")
                    process.signal_group(signal.SIGTERM)
        late = time.monotonic() - self.stopping_since > STOP_GRACE_SECONDS
        if (late or self.stop_asked > 1) and not self.killed:
            self.killed = True
            for process in self.processes:
                if process.group_alive():
                    self.say("system", f"killing {process.name}")
                    process.signal_group(signal.SIGKILL)

    def print_lines(self, for_seconds: float) -> None:
        until = time.monotonic() + for_seconds
        while True:
            try:
                name, line = self.lines.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                return
            if line is not None:
                self.say(name, line.decode(errors="replace").rstrip("\n"))
            if time.monotonic() >= until:
                return

    def print_pending(self) -> None:
        with contextlib.suppress(queue.Empty):
            while True:
                name, line = self.lines.get_nowait()
                if line is not None:
                    self.say(name, line.decode(errors="replace").rstrip("\n"))

    def reap(self) -> None:
        for process in self.processes:
            assert process.popen is not None  # noqa: S101
            if process.returncode is None and process.popen.poll() is not None:
                process.returncode = process.popen.returncode
                self.say("system", f"{process.name} exited ({process.returncode})")
                if not self.stop_asked and self.stopping_since is None:
                    self.failed = process

    def finished(self) -> bool:
        return all(p.returncode is not None and not p.group_alive() for p in self.processes)

    def loop(self) -> int:
        while True:
            self.print_lines(for_seconds=0.2)  # a chatty process must not delay a stop
            self.reap()
            if self.stop_asked or self.failed or self.stopping_since is not None:
                self.stop()
                if self.finished():
                    self.print_pending()
                    break
        if self.failed:
            self.say("system", f"{self.failed.name} ended on its own: everything stopped")
            return 1
        self.say("system", "stopped")
        return 0


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    procfile = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "Procfile"
    processes = read_procfile(procfile)
    output = Output(sys.stdout)
    runner = Runner(processes, output)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, runner.on_signal)

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Web and Celery processes share one Prometheus multiprocess directory, fresh each run.
    metrics_dir = None
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="store-metrics-")
        env["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        runner.start(env)
        return runner.loop()
    finally:
        for process in processes:  # never leave anything behind, whatever happened above
            if process.popen is not None and process.group_alive():
                process.signal_group(signal.SIGKILL)
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
