"""Start-up benchmark: how long `make run` takes from the command to a healthy API when the
services are already running (a warm start), and how long Ctrl-C takes to stop everything,
against the floor of the same run: one bare `django.setup()` in a fresh interpreter.

It writes its section of docs/PERFORMANCE.md and prints the table. Not a test.

    .venv/bin/python -m bench.startup [--runs 3]
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.harness import (
    ROOT,
    Report,
    arguments,
    command_line,
    free_port,
    machine,
    parse_and_set_up,
    percentile,
    stamp,
    write_section,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def bare_django_setup() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, check=True)
    return time.perf_counter() - started


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def one_make_run(log: Path) -> tuple[float, float]:
    """(seconds to a healthy API, seconds from Ctrl-C to every process gone)."""
    port = free_port()
    schedule = log.parent / f"celerybeat-schedule-{port}"
    env = {**os.environ, "PORT": str(port), "BEAT_SCHEDULE": str(schedule)}
    started = time.perf_counter()
    with log.open("ab") as out:
        make = subprocess.Popen(
            ["make", "run"],  # noqa: S607
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            process_group=0,  # as a terminal's foreground job: Ctrl-C goes to the group
        )
    try:
        while True:
            if make.poll() is not None:
                raise RuntimeError(f"make run ended early; see {log}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/health/", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.05)
        healthy = time.perf_counter() - started
        time.sleep(5)  # the worker and beat finish starting
        children = [int(p) for p in subprocess.check_output(["pgrep", "-P", str(make.pid)]).split()]  # noqa: S607
        runner = children[0]
        groups = [
            int(p)
            for p in subprocess.check_output(["pgrep", "-P", str(runner)]).split()  # noqa: S607
        ]
        stop_started = time.perf_counter()
        os.killpg(make.pid, signal.SIGINT)
        make.wait(timeout=60)
        while not all(group_gone(g) for g in groups):
            time.sleep(0.05)
        return healthy, time.perf_counter() - stop_started
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)


def main() -> int:
    args = parse_and_set_up(arguments(__doc__, runs=(3, "times each start and stop is measured")))
    run_started = time.perf_counter()
    report = Report()
    scratch = tempfile.TemporaryDirectory(prefix="bench-startup-")
    log = Path(scratch.name) / "make-run.log"
    starts: list[float] = []
    stops: list[float] = []
    floors: list[float] = []
    with report.phase("bare django.setup()"):
        floors = [bare_django_setup() for _ in range(args.runs)]
    with report.phase("make run, warm"):
        subprocess.run(["make", "migrate"], cwd=ROOT, check=True, capture_output=True)  # noqa: S607
        for _ in range(args.runs):
            healthy, stopped = one_make_run(log)
            starts.append(healthy)
            stops.append(stopped)
            print(f"   healthy after {healthy:.1f} s, stopped {stopped:.1f} s after Ctrl-C")
    if report.errors and log.exists():
        print("--- make run (last lines)\n" + "\n".join(log.read_text().splitlines()[-30:]))
    scratch.cleanup()
    floor = percentile(floors, 50)
    if starts:
        start = percentile(starts, 50)
        report.add(
            "`make run` to a healthy API (services up), median",
            f"{start:.1f} s (runs: {', '.join(f'{s:.1f}' for s in starts)})",
            baseline=f"bare `django.setup()`: {floor:.1f} s",
            ratio=f"{start / floor:.1f}x",
            target="≤ 8 s",
            status="PASS" if start <= 8 else "MISS",
        )
        report.add(
            "Ctrl-C to every process gone, median",
            f"{percentile(stops, 50):.1f} s (runs: {', '.join(f'{s:.1f}' for s in stops)})",
        )
    load = os.getloadavg()
    command = command_line()
    lines = [
        "## Start: `bench/startup.py` (`make bench-startup`)",
        "",
        f"- Date: {stamp(time.perf_counter() - run_started)}.",
        f"- Machine: {machine()}. Load average at the end: {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} (1/5/15 min; the machine is shared, so start-up competes for the CPU).",
        f"- Command: `{command}`.",
        "",
        *report.table(),
        "",
        "How: `make run` is started as a terminal's foreground job would be (its own process "
        "group) with PostgreSQL, Redis and Elasticsearch already running and nothing to "
        "install or migrate; the clock runs until `GET /api/health/` first answers 200, "
        "polled every 50 ms. `make run` is make's checks, `scripts/services.sh start` (finds "
        "everything up), then `scripts/run.py` starting gunicorn, a Celery worker and beat at "
        "once; gunicorn imports Django once in its master (`preload_app`), applies migrations "
        "there (`MIGRATE_ON_START=1`: nothing to apply), then forks its workers. The stop "
        "is SIGINT to the group, until no process of the web, worker and beat groups is left. "
        "The baseline is one bare `python -c 'import django; django.setup()'`; the rest of "
        "the ratio is the worker and beat starting on the same 2 cores meanwhile. Before "
        "(`manage.py migrate`, then honcho with `runserver`): ~16 s on a warm machine "
        "(issue 13); with `manage.py migrate` first, then this runner: 11.7 s median "
        "(bare `django.setup()` 3.8 s then).",
        "",
        *report.closing(),
    ]
    write_section("startup", lines)
    print()
    print("\n".join(report.table()))
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
