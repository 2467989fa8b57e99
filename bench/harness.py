"""What every benchmark here shares: percentiles, the report table, the API and worker as
subprocesses, the machine's description, and its own section of docs/PERFORMANCE.md.

Benchmarks are modules run from the checkout (`.venv/bin/python -m bench.<name>`, as the make
targets do), not tests; each measures its figures against a baseline measured in the same run.
"""

import argparse
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REPORT = ROOT / "docs" / "PERFORMANCE.md"


def configure(index_prefix: str) -> None:
    """Settings every benchmark runs under (before `django.setup()`): the project's settings,
    an index prefix of the benchmark's own unless the environment names one, DEBUG off."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ELASTICSEARCH_INDEX_PREFIX", index_prefix)
    os.environ["DEBUG"] = "false"
    # One benchmark client plays many shoppers from one address and one account: the abuse
    # limits (docs/RELIABILITY.md) would measure themselves, not the code.
    for name, lifted in BENCH_LIMITS.items():
        os.environ.setdefault(name, lifted)


BENCH_LIMITS = {
    "ORDER_THROTTLE_RATE": "1000000/min",
    "PRODUCT_THROTTLE_RATE": "1000000/min",
    "TAG_THROTTLE_RATE": "1000000/min",
    "FOLLOW_THROTTLE_RATE": "1000000/min",
    "ANONYMOUS_SEARCH_THROTTLE_RATE": "1000000/min",
    "ANONYMOUS_HEALTH_THROTTLE_RATE": "1000000/min",
    "ORDER_MAX_OPEN_UNITS_PER_PRODUCT": "1000000",
    # Benchmarks that set up over HTTP sign their shoppers up and in from one address.
    "REGISTRATION_THROTTLE_RATE": "1000000/min",
}


def arguments(doc: str | None, **options: tuple[Any, str]) -> argparse.ArgumentParser:
    """A benchmark's command line, described by the first paragraph of its docstring: each
    option `name=(default, help)` becomes `--name` of the default's type (a flag if False)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0] if doc else None)
    for name, (default, text) in options.items():
        flag = "--" + name.replace("_", "-")
        if default is False:
            parser.add_argument(flag, action="store_true", help=text)
        else:
            parser.add_argument(flag, type=type(default), default=default, help=text)
    return parser


def parse_and_set_up(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Read the command line, then set Django up (after `configure`): how every main begins."""
    args = parser.parse_args()
    import django

    django.setup()
    return args


def command_line() -> str:
    """How this run was started, for the report: `.venv/bin/python -m bench.<name> [args]`."""
    name = Path(sys.argv[0]).stem
    return " ".join([f".venv/bin/python -m bench.{name}", *sys.argv[1:]])


def environment() -> str:
    """Where this run's data lived, for the report: the database, the Redis db and the
    index prefix it was given (read from its settings, not assumed from the make target)."""
    from urllib.parse import urlsplit

    from django.conf import settings

    database = settings.DATABASES["default"]["NAME"]
    redis_db = urlsplit(settings.REDIS_URL).path.strip("/") or "0"
    return (
        f"`DATABASE_URL` = {database}, `REDIS_URL` db {redis_db}, "
        f"`ELASTICSEARCH_INDEX_PREFIX={settings.ELASTICSEARCH_INDEX_PREFIX}`"
    )


# --- measuring ------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def times(ratio: float) -> str:
    """A ratio to its baseline as the tables print it: `0.42x`."""
    return f"{ratio:.2f}x"


def p50_p95(samples: list[float]) -> str:
    return f"{ms(percentile(samples, 50))} / {ms(percentile(samples, 95))}"


def p50_p95_n(samples: list[float]) -> str:
    """A latency figure as the tables print it: p50 / p95 and how many samples."""
    return f"{p50_p95(samples)} (n={len(samples)})"


def median(values: list[float]) -> float:
    return percentile(values, 50) if values else float("nan")


def http_latencies(
    session: requests.Session, urls: list[str], *, rounds: int, time_cap: float
) -> tuple[list[float], int]:
    """GET every URL `rounds` times (stopping at `time_cap` seconds): the latencies of the
    200 answers, whole body read, and how many were not 200."""
    samples: list[float] = []
    errors = 0
    deadline = time.monotonic() + time_cap
    for _ in range(rounds):
        for url in urls:
            if time.monotonic() > deadline:
                return samples, errors
            started = time.perf_counter()
            try:
                response = session.get(url, timeout=30)
                ok = response.status_code == 200
                response.content  # noqa: B018 - read the whole body
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            if ok:
                samples.append(elapsed)
            else:
                errors += 1
    return samples, errors


def one_get(session: requests.Session, url: str) -> float | None:
    """The latency of one GET answered 200, or None."""
    samples, _ = http_latencies(session, [url], rounds=1, time_cap=60)
    return samples[0] if samples else None


def concurrent_loop(
    clients: int, run: Callable[[Any, int], None], make: Callable[[], Any], seconds: float
) -> tuple[float, list[float], int]:
    """`clients` threads for `seconds`, each calling run(its own make(), i) in a loop:
    (calls per second, the latencies of the calls that returned, the calls that raised)."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    stop_at = time.monotonic() + seconds

    def client_loop(offset: int) -> None:
        own = make()
        mine: list[float] = []
        failed = 0
        i = offset
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                run(own, i)
                mine.append(time.perf_counter() - started)
            except Exception:
                failed += 1
            i += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client_loop, range(clients)))
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors[0]


@dataclass
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    status: str = ""  # PASS / MISS / "" (informative)


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    whys: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)  # the whole run's clock

    def add(self, *args: Any, **kwargs: Any) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        print(f"  {row.figure}: {row.value} {row.baseline} {row.ratio} {row.status}", flush=True)
        return row

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            yield
        except Exception as exc:  # a failed phase is reported, the next one still runs
            traceback.print_exc()
            self.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)

    def finish(self) -> int:
        """Print the table and the failed phases; the exit status of the run."""
        print()
        print("\n".join(self.table()))
        for error in self.errors:
            print(f"FAILED: {error}")
        return 1 if self.errors else 0

    def table(self) -> list[str]:
        lines = [
            "| figure | value | baseline | ratio | target | result |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.figure} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {r.status} |"
            for r in self.rows
        ]
        return lines

    def closing(self) -> list[str]:
        lines: list[str] = []
        if self.notes:
            lines += ["Notes:", "", *[f"- {n}" for n in self.notes], ""]
        if self.whys:
            lines += ["Why the misses:", "", *[f"- {w}" for w in self.whys], ""]
        if self.errors:
            lines += ["Phases that failed:", "", *[f"- `{e}`" for e in self.errors], ""]
        return lines


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(url: str, processes: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        dead = [p.args for p in processes if p.poll() is not None]
        if dead:
            raise RuntimeError(f"server exited early: {dead}")
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except requests.RequestException as exc:
            last = str(exc)
        time.sleep(0.25)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s: {last}")


class Servers:
    """gunicorn APIs and Celery workers as subprocesses of this run, each in its own
    process group (stopped with its children), logging into `log_dir`."""

    def __init__(self, log_dir: Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
        self.log_dir = log_dir
        self.cwd = cwd  # the checkout whose code they serve (a frozen baseline's worktree)
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []
        self.named: dict[str, subprocess.Popen[bytes]] = {}
        self.urls: list[str] = []

    def _start(self, name: str, argv: list[str], **env: str) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv,
            cwd=self.cwd,
            env={**(os.environ if self.env is None else self.env), "DEBUG": "false", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        self.named[name] = process

    def gunicorn(self, name: str, options: list[str], **env: str) -> str:
        """Start gunicorn serving config.wsgi with `options` and return its base URL."""
        port = free_port()
        self._start(
            name,
            [
                *(str(BIN / "gunicorn"), *options, "config.wsgi"),
                *("--log-level", "warning", "--no-control-socket"),
                *("-b", f"127.0.0.1:{port}"),
            ],
            **env,
        )
        url = f"http://127.0.0.1:{port}"
        self.urls.append(url)
        return url

    def api(self, name: str = "api", workers: int = 2, **env: str) -> str:
        """Start the API as `make run` serves it (config/gunicorn.py) and return its URL."""
        return self.gunicorn(
            name, ["-c", "python:config.gunicorn"], WEB_WORKERS=str(workers), **env
        )

    def worker(self, name: str = "worker", concurrency: int = 2, **env: str) -> None:
        argv = [str(BIN / "celery"), "-A", "config", "worker", "-l", "WARNING"]
        self._start(name, [*argv, "--concurrency", str(concurrency)], **env)

    def beat(self, name: str = "beat", **env: str) -> None:
        """Celery beat (the outbox re-drives), its schedule file in the log directory."""
        schedule = self.log_dir / f"{name}-schedule"
        argv = [str(BIN / "celery"), "-A", "config", "beat", "-l", "WARNING", "-s", str(schedule)]
        self._start(name, argv, **env)

    def stop_one(self, name: str, signum: int = signal.SIGTERM) -> None:
        """Stop one process (its whole group) started as `name`; SIGKILL kills it dead."""
        process = self.named[name]
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        process.wait(timeout=60)
        self.processes.remove(process)
        del self.named[name]

    def wait(self) -> None:
        for url in self.urls:
            wait_healthy(f"{url}/api/health/", self.processes)

    def forget_api(self, url: str) -> None:
        """An API stopped with stop_one: `wait` no longer waits for it."""
        self.urls.remove(url)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def print_logs(self) -> None:
        for log in sorted(self.log_dir.glob("*.log")):
            tail = log.read_text(errors="replace").strip().splitlines()[-15:]
            if tail:
                print(f"--- {log.name} (last lines)\n" + "\n".join(tail))


@contextmanager
def running_servers(name: str, report: Report) -> Iterator[Servers]:
    """Servers whose logs live in a temporary directory: stopped at the end, their logs
    printed first if a phase failed."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as log_dir:
        servers = Servers(Path(log_dir))
        try:
            yield servers
        finally:
            servers.stop()
            if report.errors:
                servers.print_logs()


def access_token(user: Any) -> str:
    """A bearer token for `user`, as the token endpoint would issue it (an hour long)."""
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    token = AccessToken.objects.create(
        user=user,
        token=f"bench-{secrets.token_hex(16)}",
        expires=timezone.now() + timedelta(hours=1),
        scope="read write",
    )
    return str(token.token)


def new_user(username: str) -> Any:
    """A user of the store without a password: benchmarks sign in with tokens."""
    from accounts.models import User

    return User.objects.create_user(username=username, password=None)


def signed_in(user: Any) -> requests.Session:
    """An HTTP session that sends `user`'s bearer token with every request."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {access_token(user)}"
    return session


def products_for_sale(
    owner: Any, name: str, count: int, description: str, price: str, stock: int
) -> list[str]:
    """`count` active products of `owner`, named `name` + 0, 1, …, through the catalog's own
    service (outbox rows for the search sync included); their ids as strings, as the API
    names them."""
    from decimal import Decimal

    from catalog.services import create_product

    return [
        str(
            create_product(
                owner=owner,
                name=f"{name}{k}",
                description=description,
                price=Decimal(price),
                stock=stock,
                publish=True,
            ).pk
        )
        for k in range(count)
    ]


# --- the report -----------------------------------------------------------------------------


def shell(command: str) -> str:
    try:
        return subprocess.run(  # noqa: S602 - fixed commands describing the machine
            command, shell=True, capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except Exception as exc:
        return f"({exc})"


def machine() -> str:
    """One line: cores, CPU, Python, PostgreSQL and Elasticsearch versions."""
    from django.db import connection

    from search.client import get_client

    try:  # GET / is not served by the local node: ask the nodes API
        nodes = get_client().nodes.info(node_id="_local")["nodes"]
        es_version = next(iter(nodes.values()))["version"]
    except Exception:
        es_version = "?"
    cpu = shell("lscpu | grep -m1 'Model name'").split(":")[-1].strip() or platform.processor()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, "
        f"Python {platform.python_version()}, PostgreSQL {pg_version}, Elasticsearch "
        f"{es_version}; everything (API, worker, PostgreSQL, Redis, Elasticsearch, the "
        "clients) on the same machine"
    )


def stamp(total_seconds: float) -> str:
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; whole run {total_seconds / 60:.1f} min"


HEADER = """# Performance

Figures are measured by the scripts under `bench/`, each against a baseline measured in the
same run; tests never assert timings. Each section below is rewritten by its own script.
"""


def write_section(key: str, lines: list[str], path: Path = REPORT, header: str = HEADER) -> None:
    """Replace this benchmark's section of docs/PERFORMANCE.md (or of `path`), or add it at
    the end, leaving the other sections as they are."""
    text = path.read_text() if path.exists() else header
    if not text.startswith(header.splitlines()[0]):
        text = header
    begin, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    section = "\n".join([begin, *lines, end])
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def publish(
    key: str,
    report: Report,
    *,
    title: str,
    machine_note: str,
    command_note: str,
    how: str,
    intro: tuple[str, ...] = (),
    facts: tuple[str, ...] = (),
    after: tuple[str, ...] = (),
) -> None:
    """Write a benchmark's section in the shape they all share: title, `intro` lines, date,
    machine (+ `machine_note`), `facts`, the command run (+ `command_note`), the table, how
    it was measured, the notes, misses and failed phases, then `after`."""
    lines = [
        f"## {title}",
        "",
        *intro,
        f"- Date: {stamp(time.perf_counter() - report.started)}.",
        f"- Machine: {machine()}{machine_note}",
        *facts,
        f"- Command: `{command_line()}`{command_note}",
        "",
        *report.table(),
        "",
        how,
        "",
        *report.closing(),
        *after,
    ]
    write_section(key, lines)
