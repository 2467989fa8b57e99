"""One locust run of the load test (bench/load.py): locust headless with bench/locustfile.py,
its CSV statistics read back per endpoint, and the table of one run."""

import csv
import itertools
import os
import subprocess
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import BIN, ROOT

# Endpoints in the order the report lists them, with the share of the workload they belong to.
ENDPOINTS = [
    ("GET /api/products/?q=", "search"),
    ("GET /api/products/?tags=&in_stock=", "search"),
    ("GET /api/products/autocomplete/", "search"),
    ("GET /api/tags/autocomplete/", "search"),
    ("GET /api/products/{id}/", "reads"),
    ("GET /api/bag/", "reads"),
    ("POST /api/bag/items/", "writes"),
    ("POST /api/orders/", "writes"),
    ("PATCH /api/products/{id}/", "writes"),
    ("POST /api/products/", "writes"),
]


WRITES = [name for name, share in ENDPOINTS if share == "writes"]


@dataclass
class EndpointStats:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    # locust's percentile columns (50 %, 66 %, ... 100 %): ms by quantile, to merge endpoints.
    percentiles: dict[float, float] = field(default_factory=dict)


@dataclass
class Run:
    label: str
    seconds: float
    stats: dict[str, EndpointStats] = field(default_factory=dict)
    total: EndpointStats | None = None
    failures: list[str] = field(default_factory=list)


def locust(api: str, data: Path, out: Path, users: int, seconds: int, label: str) -> Run:
    prefix = out / label
    command = [
        *(str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"),
        *("--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s"),
        *("--host", api, "--csv", str(prefix), "--only-summary", "--stop-timeout", "10"),
        *("--loglevel", "WARNING", "--exit-code-on-error", "0"),
    ]
    with (out / f"{label}.log").open("wb") as log:
        subprocess.run(
            command,
            env={**os.environ, "LOAD_DATA": str(data)},
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=seconds + 120,
        )
    run = Run(label, seconds)
    with Path(f"{prefix}_stats.csv").open() as stats:
        for row in csv.DictReader(stats):
            endpoint = EndpointStats(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                rps=float(row["Requests/s"]),
                p50=float(row["50%"]),
                p95=float(row["95%"]),
                p99=float(row["99%"]),
                percentiles={
                    float(k.rstrip("%")) / 100: float(v)
                    for k, v in row.items()
                    if k.endswith("%") and v not in ("", "N/A")
                },
            )
            if row["Name"] == "Aggregated":
                run.total = endpoint
            else:
                run.stats[row["Name"]] = endpoint
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open() as rows:
            run.failures = [
                f"{r['Method']} {r['Name']}: {r['Error']} x{r['Occurrences']}"
                for r in csv.DictReader(rows)
            ]
    return run


def ms(value: float) -> str:
    return f"{value:,.0f}"


def run_table(run: Run) -> list[str]:
    lines = [
        "| endpoint | share | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, share in ENDPOINTS:
        s = run.stats.get(name)
        if s is None:
            continue
        lines.append(
            f"| `{name}` | {share} | {s.requests:,} | {s.rps:,.1f} | {ms(s.p50)} | "
            f"{ms(s.p95)} | {ms(s.p99)} | {s.failures} |"
        )
    if run.total:
        t = run.total
        lines.append(
            f"| **all** |  | {t.requests:,} | **{t.rps:,.1f}** | {ms(t.p50)} | {ms(t.p95)} | "
            f"{ms(t.p99)} | **{t.failures}** |"
        )
    return lines


def shares(run: Run) -> str:
    if not run.total or not run.total.requests:
        return "?"
    by_share: dict[str, int] = {}
    for name, share in ENDPOINTS:
        if name in run.stats:
            by_share[share] = by_share.get(share, 0) + run.stats[name].requests
    return ", ".join(f"{k} {v / run.total.requests:.0%}" for k, v in by_share.items())


def locust_version() -> str:
    from importlib.metadata import version

    with suppress(Exception):
        return version("locust")
    return "?"


def merged_percentile(run: Run, names: list[str], q: float) -> float:
    """The q-quantile (ms) of several endpoints' requests together, from locust's percentile
    columns: each endpoint's distribution is linear between its columns (from 0 ms at
    quantile 0), the mix weighted by request counts, the quantile found by bisection."""
    parts = [run.stats[n] for n in names if n in run.stats and run.stats[n].requests]
    total = sum(p.requests for p in parts)
    if not total:
        return float("nan")

    def share_below(x: float) -> float:
        below = 0.0
        for part in parts:
            points = [(0.0, 0.0), *sorted((v, k) for k, v in part.percentiles.items())]
            fraction = 1.0
            for (x0, q0), (x1, q1) in itertools.pairwise(points):
                if x <= x1:
                    fraction = q0 + (q1 - q0) * ((x - x0) / (x1 - x0) if x1 > x0 else 1.0)
                    break
            below += part.requests * fraction
        return below / total

    low, high = 0.0, max(max(p.percentiles.values(), default=0.0) for p in parts)
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if share_below(middle) < q else (low, middle)
    return high
