"""Where each side's CPU goes and what it asks of PostgreSQL, for the checkout and load
benchmarks' comparisons with the frozen baseline (bench/frozen.py): CPU seconds per component
read from /proc/<pid>/stat before and after a phase, and pg_stat_statements when the server
loads it."""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

from bench.frozen import Side
from bench.harness import times

# --- where the CPU goes ---------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds of the process and of its reaped children) from
    /proc/<pid>/stat (utime + stime + cutime + cstime): summed over a live process tree,
    this counts children that came and went between two readings too."""
    table: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
        table[int(entry)] = (int(fields[1]), ticks / CLOCK_TICKS)
    return table


def tree_seconds(table: dict[int, tuple[int, float]], roots: list[int]) -> float:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo, seen = 0.0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        total += table[pid][1]
        todo += children.get(pid, [])
    return total


def listening_pid(port: int) -> int | None:
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port:
            return connection.pid
    return None


def service_pids() -> dict[str, int]:
    """The shared services' main processes, found by the ports this run talks to."""
    ports = {
        "PostgreSQL (whole server)": urlsplit(os.environ["DATABASE_URL"]).port or 5432,
        "Elasticsearch (java)": urlsplit(
            os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:59200")
        ).port
        or 9200,
        "redis-server": urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:56379/0")).port
        or 6379,
    }
    found = {name: listening_pid(port) for name, port in ports.items()}
    return {name: pid for name, pid in found.items() if pid}


def backends_seconds(database: str) -> dict[int, float]:
    """CPU seconds of each live PostgreSQL backend connected to `database`, by pid."""
    found: dict[int, float] = {}
    for process in psutil.process_iter(["cmdline", "cpu_times"]):
        command = " ".join(process.info["cmdline"] or [])
        times_ = process.info["cpu_times"]
        if times_ and command.startswith("postgres: ") and f" {database} " in command:
            found[process.pid] = times_.user + times_.system
    return found


COMPONENTS = (
    "web (gunicorn master + workers)",
    "worker (Celery + children)",
    "PostgreSQL: this side's live backends (at least)",
    "PostgreSQL (whole server)",
    "Elasticsearch (java)",
    "redis-server",
)


def cpu_reading(side: Side) -> dict[str, Any]:
    """CPU seconds so far of every component (the backends' by pid), for a difference."""
    assert side.servers is not None
    table = proc_table()
    reading = {
        COMPONENTS[0]: tree_seconds(
            table, [p.pid for n, p in side.servers.named.items() if n == "api"]
        ),
        COMPONENTS[1]: tree_seconds(
            table, [p.pid for n, p in side.servers.named.items() if n != "api"]
        ),
        COMPONENTS[2]: backends_seconds(side.database),
    }
    for name, pid in service_pids().items():
        reading[name] = tree_seconds(table, [pid])
    return reading


TOTAL = "sum (web, worker, PostgreSQL server, Elasticsearch, Redis)"


@dataclass
class CpuTable:
    """ms of CPU per successful request (or order) by component, per phase and side."""

    rows: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)

    @contextmanager
    def measure(self, phase: str, side: Side, count: list[int]) -> Iterator[None]:
        """Around a phase: `count[0]`, set by the phase, is its number of successes."""
        before = cpu_reading(side)
        yield
        after = cpu_reading(side)
        n = max(count[0], 1)
        backends = COMPONENTS[2]  # by pid: one that ended in between counts nothing
        old = before.pop(backends)
        new = after.pop(backends)
        used = {k: after[k] - before.get(k, 0.0) for k in after}
        used[backends] = sum(s - old.get(pid, 0.0) for pid, s in new.items())
        self.rows[(phase, side.name)] = {k: v * 1000 / n for k, v in used.items()}

    def lines(self, unit: str) -> list[str]:
        phases = list(dict.fromkeys(phase for phase, _ in self.rows))
        lines = [
            f"| phase | component | baseline ms CPU/{unit} | current ms CPU/{unit} | ratio |",
            "|---|---|---|---|---|",
        ]
        for phase in phases:
            base = self.rows.get((phase, "baseline"), {})
            cur = self.rows.get((phase, "current"), {})
            for component in [*COMPONENTS, TOTAL]:
                if component == TOTAL:
                    keys = [COMPONENTS[0], COMPONENTS[1], *COMPONENTS[3:]]
                    b = sum(base.get(k, 0.0) for k in keys) if base else float("nan")
                    c = sum(cur.get(k, 0.0) for k in keys) if cur else float("nan")
                else:
                    b = base.get(component, float("nan"))
                    c = cur.get(component, float("nan"))
                ratio = times(c / b) if b and b == b and c == c else ""
                lines.append(f"| {phase} | {component} | {b:.1f} | {c:.1f} | {ratio} |")
        return lines


# --- PostgreSQL statements per request ------------------------------------------------------


class Statements:
    """pg_stat_statements of one side's database, read as the superuser `postgres` (the
    services' cluster trusts local connections): reset before a phase, read after."""

    def __init__(self, side: Side) -> None:
        import psycopg

        self.side = side
        self.error = ""
        parts = urlsplit(side.database_url)
        self.conninfo = (
            f"host={parts.hostname} port={parts.port or 5432} dbname={side.database} user=postgres"
        )
        try:
            with psycopg.connect(self.conninfo, autocommit=True) as connection:
                connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                connection.execute("SELECT 1 FROM pg_stat_statements LIMIT 1")
        except psycopg.Error as exc:
            self.error = str(exc).strip().splitlines()[0]

    @property
    def available(self) -> bool:
        return not self.error

    def _query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            return list(connection.execute(sql, params).fetchall())

    def reset(self) -> None:
        if self.available:
            self._query("SELECT pg_stat_statements_reset()")

    def read(self, requests_done: int) -> tuple[float, list[str]]:
        """Statements per request, and the top 5 by total time (as table rows)."""
        rows = self._query(
            "SELECT query, calls, total_exec_time FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s "
            "AND query NOT ILIKE '%%pg_stat_statements%%' ORDER BY total_exec_time DESC",
            self.side.database,
        )
        calls = sum(int(r[1]) for r in rows)
        n = max(requests_done, 1)
        top = [
            f"| {self.side.name} | `{' '.join(str(q).split())[:140]}` | {c / n:.2f} | {t / n:.2f} |"
            for q, c, t in rows[:5]
        ]
        return calls / n, top


class QueryLog:
    """Statements per request by phase and side, and each phase's top 5 statements."""

    def __init__(self, all_sides: list[Side]) -> None:
        self.by_side = {side.name: Statements(side) for side in all_sides}
        self.per_request: dict[tuple[str, str], float] = {}
        self.top: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    @property
    def available(self) -> bool:
        return all(s.available for s in self.by_side.values())

    def note(self) -> str:
        if self.available:
            return ""
        error = next(s.error for s in self.by_side.values() if s.error)
        return (
            "Queries per request: not measured, pg_stat_statements is not loaded by this "
            f"PostgreSQL (`{error}`); scripts/services.sh now starts PostgreSQL with "
            "`shared_preload_libraries = 'pg_stat_statements'`, so the next start of the "
            "services loads it."
        )

    @contextmanager
    def measure(self, phase: str, side: Side, count: list[int]) -> Iterator[None]:
        statements = self.by_side[side.name]
        statements.reset()
        yield
        if statements.available:
            per_request, top = statements.read(count[0])
            self.per_request[(phase, side.name)] = per_request
            self.top.setdefault(phase, []).extend(top)

    def lines(self, unit: str) -> list[str]:
        if not self.per_request:
            return []
        phases = list(dict.fromkeys(phase for phase, _ in self.per_request))
        lines = [
            f"| phase | baseline statements/{unit} | current statements/{unit} |",
            "|---|---|---|",
            *[
                f"| {p} | {self.per_request.get((p, 'baseline'), float('nan')):.1f} | "
                f"{self.per_request.get((p, 'current'), float('nan')):.1f} |"
                for p in phases
            ],
            "",
        ]
        for phase in phases:
            lines += [
                f"Top 5 statements by total time, {phase}:",
                "",
                f"| side | statement | calls/{unit} | ms/{unit} |",
                "|---|---|---|---|",
                *self.top.get(phase, []),
                "",
            ]
        return lines
