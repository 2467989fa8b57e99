"""The fuzz suite's figures (`make fuzz`): reads what the last run of tests/fuzz wrote to its
FUZZ_LOG_DIR (Schemathesis's JSON report, its printed output and the configuration it ran
with, for each of the signed-in and anonymous runs) and rewrites the `<!-- bench:fuzz -->`
section of docs/RELIABILITY.md from them: date, commit, machine, command, budget, and per
run the operations, generated cases, failures, time, time per phase and links covered.

It measures nothing itself and runs no test: `make fuzz` calls it after pytest, whatever
pytest's outcome, and exits with pytest's status. A failed run is written as failed.

    .venv/bin/python -m bench.fuzz_report .fuzz [--pytest-status 1] [--seconds 712]
        [--command "make fuzz FUZZ_MAX_EXAMPLES=300"] [--note ", ..."]
"""

import argparse
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.harness import ROOT, machine, write_section

RELIABILITY = ROOT / "docs" / "RELIABILITY.md"
# Used only if the file is missing: the document's own header stays as it is.
RELIABILITY_HEADER = """# Reliability

How the store behaves when things break, measured against the real services. Each section
below is written by its own script.
"""
RUNS = {"signed-in": "signed in", "anonymous": "anonymous"}
PHASES = ("examples", "coverage", "fuzzing", "stateful")
# What Schemathesis prints that its JSON report lacks: each phase's time, the stateful phase's
# scenarios and the OpenAPI links it followed.
PHASE_TIME = re.compile(r"^\s*\S+\s+(Examples|Coverage|Fuzzing|Stateful) \(in ([\d.]+)s\)", re.M)
SCENARIOS = re.compile(r"^\s*Scenarios:\s+(\d+)", re.M)
LINKS = re.compile(
    r"API Links:\s+(\d+) covered / (\d+) selected / (\d+) total(?: \((\d+) inferred\))?"
)
WARNINGS = {
    "missing_auth": "only 401/403 answers",
    "missing_test_data": "repeatedly 404 (no data to find, or never reached through links)",
    "validation_mismatch": "mostly refused the generated data (400)",
    "low_valid_rate": "few valid requests",
    "rate_limited": "rate limited (429)",
}


@dataclass
class Run:
    """One `st run` as its files tell it; `report` is None when it wrote no report."""

    label: str
    report: dict[str, Any] | None = None
    output: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, log_dir: Path, label: str) -> "Run":
        run = cls(label)
        report, output = log_dir / f"report-{label}.json", log_dir / f"schemathesis-{label}.txt"
        config = log_dir / f"schemathesis-{label}.toml"
        if report.exists():
            run.report = json.loads(report.read_text())
        if output.exists():
            run.output = output.read_text()
        if config.exists():
            run.config = tomllib.loads(config.read_text())
        return run

    def option(self, name: str) -> str | None:
        """A command-line option of the `st run` the report records (`--max-examples`)."""
        words = shlex.split(self.report["command"]) if self.report else []
        return words[words.index(name) + 1] if name in words[:-1] else None

    def stateful_scenarios(self) -> int | None:
        stateful = self.config.get("phases", {}).get("stateful", {})
        value = stateful.get("generation", {}).get("max-examples")
        return int(value) if value is not None else None

    def passed(self) -> bool:
        """What tests/fuzz asserts of a report, read again from the report."""
        r = self.report
        if r is None:
            return False
        ops = r["operations"]
        return (
            r["exit_code"] == 0
            and ops["tested"] == ops["total"]
            and (ops["errored"], ops["skipped"]) == (0, 0)
            and not r["failures"]
            and not r["errors"]
            and all(r["phases"][p]["status"] in ("success", "skipped") for p in PHASES)
            and (self.label != "signed-in" or not r["warnings"]["missing_auth"])
        )

    def phase_times(self) -> str:
        seconds = dict(PHASE_TIME.findall(self.output))
        if not seconds or self.report is None:
            return "(not printed)"
        cells = []
        for phase in PHASES:
            status = self.report["phases"][phase]["status"]
            took = seconds.get(phase.capitalize())
            cell = f"{float(took):.0f} s" if took is not None else status
            cells.append(cell + (" ✗" if status in ("failure", "error") else ""))
        return " / ".join(cells)

    def links(self) -> str:
        scenarios, links = SCENARIOS.search(self.output), LINKS.search(self.output)
        if not links:
            return "(not printed)"
        covered, _selected, total, inferred = links.groups()
        text = f"{covered} of {total} links"
        if inferred:
            text += f" ({inferred} of them inferred)"
        return f"{scenarios.group(1) if scenarios else '?'} scenarios, {text}"

    def row(self) -> str:
        name = RUNS[self.label]
        r = self.report
        if r is None:
            return f"| {name} | no report: the run did not get as far as Schemathesis | | | | | | |"
        ops, cases = r["operations"], r["test_cases"]
        failing = f"{cases['with_failures']:,} ({cases['unique_failures']:,} unique)"
        errors = len(r["errors"]) + cases["errored"]
        return (
            f"| {name} | {ops['tested']} of {ops['total']} | {cases['generated']:,} | {failing} "
            f"| {errors} | {r['running_time']:.0f} s | {self.phase_times()} | {self.links()} |"
        )

    def failures(self) -> list[str]:
        if self.report is None:
            return []
        name = RUNS[self.label]
        lines = [
            f"- {name}: {f['code']} {f['title']}, {f['count']} case(s): "
            + ", ".join(f"`{op}`" for op in f["operations"])
            for f in self.report["failures"]
        ]
        lines += [f"- {name}, error: {json.dumps(e)[:300]}" for e in self.report["errors"]]
        if self.label == "signed-in" and self.report["warnings"]["missing_auth"]:
            operations = self.report["warnings"]["missing_auth"]
            lines.append(
                f"- {name}: the shoppers' tokens were refused at {len(operations)} operations: "
                + ", ".join(f"`{op}`" for op in operations)
            )
        return lines

    def warnings(self) -> list[str]:
        if self.report is None:
            return []
        name = RUNS[self.label]
        lines = []
        for kind, operations in self.report["warnings"].items():
            if not operations or (kind == "missing_auth" and self.label == "signed-in"):
                continue
            what = WARNINGS.get(kind, kind.replace("_", " "))
            if kind == "missing_auth":
                what += ", as operations that need a shopper must answer without one"
            listed = (
                ", ".join(f"`{op}`" for op in operations) if isinstance(operations, list) else ""
            )
            count = len(operations) if isinstance(operations, list) else operations
            lines.append(
                f"- {name}, {count} operation(s): {what}" + (f": {listed}" if listed else "")
            )
        return lines


def git(*args: str) -> str:
    """A fixed git command about this checkout (its output, stripped)."""
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S607
    return done.stdout.strip()


def commit() -> str:
    """HEAD's short hash, and whether files other than this document differed from it."""
    head = git("rev-parse", "--short", "HEAD") or "?"
    changed = git(
        "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/RELIABILITY.md"
    )
    n = len(changed.splitlines())
    return f"`{head}`" + (f" with {n} uncommitted changed file(s)" if n else "")


def machine_line() -> str:
    """bench.harness's machine line (needs PostgreSQL and Elasticsearch up), or without the
    services' versions when they cannot be asked."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        import django

        django.setup()
        # harness's line ends with what a benchmark runs; the suite's own is said after it.
        return machine().split("; everything")[0]
    except Exception:
        return (
            f"{os.cpu_count()} cores, Python {platform.python_version()} (services not reachable)"
        )


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def section(runs: list[Run], args: argparse.Namespace) -> tuple[list[str], bool]:
    """The section's lines and whether the run passed (pytest's status and the reports)."""
    reported = [run for run in runs if run.report is not None]
    first = reported[0] if reported else None
    passed = args.pytest_status == 0 and all(run.passed() for run in runs)
    started = (
        f"{datetime.fromisoformat(first.report['started_at']):%Y-%m-%d %H:%M} UTC"
        if first and first.report
        else f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} (no report)"
    )
    version = first.report["schemathesis_version"] if first and first.report else "?"
    budget = "no report to read it from"
    if first and first.report:
        examples = first.option("--max-examples") or "Schemathesis's default of"
        stateful = first.stateful_scenarios()
        budget = (
            f"{examples} examples per operation in the fuzzing phase (`FUZZ_MAX_EXAMPLES`), "
            f"{stateful if stateful is not None else '?'} stateful scenarios of up to "
            f"{first.config.get('phases', {}).get('stateful', {}).get('max-steps', '?')} "
            f"calls, the coverage phase complete, seed {first.report['seed']} (`FUZZ_SEED`)"
        )
    whole = f"; whole run (pytest, both runs) {duration(args.seconds)}" if args.seconds else ""
    verdict = (
        "PASS: every operation tested in both runs, no failure, no error"
        if passed
        else f"FAIL: pytest's exit status {args.pytest_status}"
        + ("" if reported else "; no Schemathesis report was written")
    )
    lines = [
        "### Last run's figures",
        "",
        f"Written by `bench/fuzz_report.py` from the run's own Schemathesis reports "
        f"(`report-*.json`, with each phase's time and the links from its printed output "
        f"`schemathesis-*.txt`, in `{args.log_dir}`); `make fuzz` rewrites it after every run, "
        "failed runs included.",
        "",
        f"- Date: {started}{whole}; commit {commit()}; Schemathesis {version}.",
        f"- Machine: {machine_line()}; everything (the API, served by pytest-django's live "
        "server in the test process with the search sync run eagerly, Schemathesis's CLI as "
        "its subprocess sending one request at a time, PostgreSQL, Redis, Elasticsearch) on "
        "the same machine, shared with other jobs.",
        f"- Command: `{args.command}`{args.note}.",
        f"- Budget: {budget}.",
        f"- Result: {verdict}.",
        "",
        "| run | operations tested | test cases generated | failing cases | errors "
        "| Schemathesis time | phases (examples / coverage / fuzzing / stateful) "
        "| stateful: scenarios, OpenAPI links followed |",
        "|---|---|---|---|---|---|---|---|",
        *(run.row() for run in runs),
        "",
    ]
    failures = [line for run in runs for line in run.failures()]
    if failures:
        lines += [
            "Failures (each with a curl line to reproduce it in `schemathesis-*.txt`):",
            "",
            *failures,
            "",
        ]
    warnings = [line for run in runs for line in run.warnings()]
    if warnings:
        lines += ["Schemathesis's warnings (they do not fail a run):", "", *warnings, ""]
    return lines, passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("log_dir", type=Path, help="the run's FUZZ_LOG_DIR (.fuzz)")
    parser.add_argument("--pytest-status", type=int, default=0, help="pytest's exit status")
    parser.add_argument("--seconds", type=float, default=0, help="the whole run's wall time")
    parser.add_argument("--command", default="make fuzz", help="the command that ran")
    parser.add_argument("--note", default="", help="said right after the command")
    args = parser.parse_args()
    runs = [Run.read(args.log_dir, label) for label in RUNS]
    if args.log_dir.is_absolute() and args.log_dir.is_relative_to(ROOT):
        args.log_dir = args.log_dir.relative_to(ROOT)
    lines, passed = section(runs, args)
    write_section("fuzz", lines, path=RELIABILITY, header=RELIABILITY_HEADER)
    print("\n".join(lines))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
