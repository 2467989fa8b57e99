"""`make run` under Ctrl-C with its output piped into tee (`make run | tee run.log`): a
terminal's Ctrl-C sends SIGINT to the whole foreground process group, tee included, so the
runner loses its reader at the very moment it must stop everything. Nothing may be left
running, and make must not report a failure for a stop that was asked for.

Processes are found by a marker in their environment, which every descendant inherits
whatever session or process group it moved to.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
MARKER = "STORE_RUN_TEST_MARKER"


def marked_processes(marker: str) -> dict[int, str]:
    """The live processes whose environment carries the marker: pid -> command line."""
    found = {}
    needle = f"{MARKER}={marker}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with suppress(OSError):
            if needle in (proc / "environ").read_bytes().split(b"\0"):
                status = (proc / "status").read_text()
                if "State:\tZ" not in status:  # a zombie is gone, only not yet reaped
                    command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    found[int(proc.name)] = command
    return found


def _foreground_signals() -> None:
    # A foreground job takes Ctrl-C; pytest may itself run where SIGINT is ignored (a shell's
    # background job), and children inherit that.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def piped_into_tee(argv: list[str], env: dict[str, str], log: Path, stderr: Path):
    """`argv | tee log` as a shell runs it in the foreground: a process group of its own, the
    one a terminal's Ctrl-C goes to."""
    read_end, write_end = os.pipe()
    with stderr.open("wb") as err:
        main = subprocess.Popen(  # noqa: S603
            argv,
            cwd=ROOT,
            env=env,
            stdout=write_end,
            stderr=err,
            process_group=0,
            preexec_fn=_foreground_signals,
        )
    tee = subprocess.Popen(  # noqa: S603
        ["tee", str(log)],  # noqa: S607
        stdin=read_end,
        stdout=subprocess.DEVNULL,
        process_group=main.pid,
        preexec_fn=_foreground_signals,
    )
    os.close(read_end)
    os.close(write_end)
    return main, tee


def text(path: Path) -> str:
    """What tee wrote so far (nothing before it opened the file)."""
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def kill_all(marker: str) -> None:
    """Whatever a failed test left running."""
    for pid in marked_processes(marker):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def ctrl_c(group: int) -> None:
    os.killpg(group, signal.SIGINT)


def wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_the_runner_stops_everything_when_its_pipe_dies_with_ctrl_c(tmp_path):
    marker = uuid.uuid4().hex
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        # Talks all the time, so the runner writes into the dead pipe.
        "chatty: sh -c 'while true; do echo tick; sleep 0.05; done'\n"
        # Ignores SIGTERM: must be killed after the grace period.
        "stubborn: sh -c 'trap \"\" TERM; sleep 300'\n"
        # Leaves a grandchild in its process group.
        "family: sh -c 'sleep 300 & sleep 300'\n"
    )
    env = {**os.environ, MARKER: marker, "STOP_GRACE_SECONDS": "2"}
    runner, tee = piped_into_tee(
        [sys.executable, "scripts/run.py", str(procfile)], env, tmp_path / "log", tmp_path / "err"
    )
    try:
        assert wait_until(lambda: "tick" in text(tmp_path / "log"), 30)
        assert len(marked_processes(marker)) >= 5

        ctrl_c(runner.pid)

        assert runner.wait(timeout=30) == 0
        assert tee.wait(timeout=5) == -signal.SIGINT  # the reader really died at once
        assert wait_until(lambda: marked_processes(marker) == {}, 10), marked_processes(marker)
        assert "Traceback" not in text(tmp_path / "err")
    finally:
        kill_all(marker)
        runner.wait()
        tee.wait()


def test_the_runner_stops_the_others_when_one_process_dies(tmp_path):
    marker = uuid.uuid4().hex
    procfile = tmp_path / "Procfile"
    procfile.write_text("short: sh -c 'sleep 1; exit 3'\nlong: sleep 300\n")
    env = {**os.environ, MARKER: marker}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "scripts/run.py", str(procfile)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "short exited (3)" in result.stdout
    assert "short ended on its own" in result.stdout
    assert marked_processes(marker) == {}


@pytest.mark.django_db(transaction=True)
def test_make_run_piped_into_tee_stops_cleanly_on_ctrl_c(tmp_path):
    """The whole `make run`: gunicorn, a Celery worker and beat, on this run's test
    database, Redis database and indices, on a free port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    marker = uuid.uuid4().hex
    db = connection.settings_dict
    env = {
        **os.environ,
        MARKER: marker,
        "PORT": str(port),
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "ELASTICSEARCH_INDEX_PREFIX": settings.ELASTICSEARCH_INDEX_PREFIX,
        "EVENTS_STREAM": settings.EVENTS_STREAM,
        "BEAT_SCHEDULE": str(tmp_path / "celerybeat-schedule"),
        # On this empty database the demo catalog is seeded, small (its content is
        # seed_catalog's business: tests/catalog), in gunicorn's master before it serves.
        "SEED_DEMO_PRODUCTS": "40",
    }
    make, tee = piped_into_tee(["make", "run"], env, tmp_path / "log", tmp_path / "err")

    def healthy() -> bool:
        assert make.poll() is None, text(tmp_path / "log")[-3000:]
        with suppress(requests.RequestException):
            return requests.get(f"http://127.0.0.1:{port}/api/health/", timeout=2).ok
        return False

    try:
        assert wait_until(healthy, 180)
        listed = requests.get(f"http://127.0.0.1:{port}/api/products/", timeout=10).json()
        assert listed["results"], listed  # the demo catalog, indexed before serving
        assert wait_until(lambda: "celery@" in text(tmp_path / "log"), 60)
        running = marked_processes(marker)
        assert any("gunicorn" in p for p in running.values())
        assert any("beat" in p for p in running.values())

        ctrl_c(make.pid)

        # make itself got the SIGINT and dies of it, as it should, but says nothing: the
        # recipe (the runner) ended well, so there is no "Error 130" to report.
        assert make.wait(timeout=60) in (0, -signal.SIGINT)
        assert wait_until(lambda: marked_processes(marker) == {}, 15), marked_processes(marker)
        errors = text(tmp_path / "err")
        assert "***" not in errors  # make's "*** [run] Error 130" or "Interrupt"
        assert "Traceback" not in errors
        with socket.socket() as sock:  # free for the next `make run` (which, like gunicorn,
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # reuses TIME_WAIT)
            sock.bind(("127.0.0.1", port))
    finally:
        kill_all(marker)
        make.wait()
        tee.wait()
