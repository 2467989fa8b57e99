"""Checkout benchmark: the current code against the frozen baseline (bench/frozen.py, the tag
`baseline-21` served from its own worktree) in the same run, each side with its gunicorn, its
Celery worker, its own database, Redis db and index prefix. Phase by phase, baseline then
current, 16 buyers (threads with keep-alive sessions):

1. bag reads: `GET /api/bag/`; 2. bag adds: `POST /api/bag/items/`;
3. distinct products: each buyer adds its own two products and places the order; meanwhile a
   sampler measures commit-to-searchable, and the order events' lag is read from the stream;
4. one hot product: every buyer buys it until it sells out; oversold units checked over HTTP;
5. the floor: the same transaction through psycopg alone at the same concurrency on the
   current side's database.

Around each phase: CPU per request by component (/proc) and statements per request
(pg_stat_statements, when loaded). It writes its section of docs/PERFORMANCE.md. Not a test.

    .venv/bin/python -m bench.checkout [--buyers 16] [--seconds 20]
"""

import argparse
import os
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from bench.frozen import (
    Account,
    Comparison,
    Side,
    floor,
    list_product,
    ratio,
    serving,
    sides,
    sign_up,
    sign_up_many,
)
from bench.frozen_cpu import CpuTable, QueryLog
from bench.harness import (
    arguments,
    configure,
    ms,
    p50_p95,
    parse_and_set_up,
    percentile,
    publish,
    times,
    verdict,
)

configure(index_prefix="bench")

STOCK = 1_000_000
SEARCHABLE_TIMEOUT = 15.0


@dataclass
class People:
    """One side's seller, buyers (two products each, named by a unique word) and hot product."""

    seller: Account
    buyers: list[Account]
    products: dict[str, list[str]]  # buyer username -> its two product ids
    words: dict[str, str]  # product id -> the unique word of its name
    hot: str
    sold: Counter[str] = field(default_factory=Counter)  # units in this side's 201s so far


@dataclass
class Tally:
    """What one phase saw: latencies of the timed call's successes, answers by status."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    orders: list[dict[str, Any]] = field(default_factory=list)  # 201 bodies + when received
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            if 200 <= status < 300:
                self.latencies.append(seconds)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else float("nan")

    def errors(self, *allowed: int) -> int:
        return sum(n for s, n in self.statuses.items() if not 200 <= s < 300 and s not in allowed)


def timed(call: Callable[[], requests.Response]) -> tuple[requests.Response | None, float]:
    started = time.perf_counter()
    try:
        response = call()
        response.content  # noqa: B018 - read the whole body
    except requests.RequestException:
        return None, time.perf_counter() - started
    return response, time.perf_counter() - started


def status(response: requests.Response | None) -> int:
    return response.status_code if response is not None else 599


def run_buyers(
    buyers: list[Account], loop: Callable[[int, Callable[[], bool]], None], s: float
) -> float:
    stop_at = time.monotonic() + s
    started = time.perf_counter()
    with ThreadPoolExecutor(len(buyers)) as pool:
        list(pool.map(lambda i: loop(i, lambda: time.monotonic() < stop_at), range(len(buyers))))
    return time.perf_counter() - started


# --- set-up, over HTTP ----------------------------------------------------------------------


def make_people(side: Side, n_buyers: int, hot_stock: int) -> People:
    run = uuid.uuid4().hex[:6]
    seller = sign_up(side.api, f"bench-seller-{run}")
    buyers = sign_up_many(side.api, [f"bench-buyer-{run}-{n:02d}" for n in range(n_buyers)])
    products: dict[str, list[str]] = {}
    words: dict[str, str] = {}
    for n, buyer in enumerate(buyers):
        for k in range(2):
            word = f"zq{run}b{n}p{k}"
            pk = list_product(
                side.api,
                seller,
                f"Bench item {word}",
                price="12.50",
                stock=STOCK,
                description="For the checkout benchmark.",
            )
            products.setdefault(buyer.username, []).append(pk)
            words[pk] = word
    hot = list_product(side.api, seller, f"Bench hot item {run}", price="99.00", stock=hot_stock)
    return People(seller, buyers, products, words, hot)


def empty_bags(side: Side, people: People) -> None:
    for buyer in people.buyers:
        bag = buyer.session.get(f"{side.api}/api/bag/", timeout=60).json()
        for item in bag.get("items", []):
            buyer.session.delete(f"{side.api}/api/bag/items/{item['id']}/", timeout=60)


# --- phases ---------------------------------------------------------------------------------


def bag_reads(side: Side, people: People, seconds: float) -> Tally:
    tally = Tally()

    def loop(i: int, going: Callable[[], bool]) -> None:
        session = people.buyers[i].session
        while going():
            response, took = timed(lambda: session.get(f"{side.api}/api/bag/", timeout=30))
            tally.record(status(response), took)

    tally.elapsed = run_buyers(people.buyers, loop, seconds)
    return tally


def bag_adds(side: Side, people: People, seconds: float) -> Tally:
    tally = Tally()

    def loop(i: int, going: Callable[[], bool]) -> None:
        buyer = people.buyers[i]
        products, k = people.products[buyer.username], 0
        while going():
            body = {"product_id": products[k % 2], "quantity": 1}
            response, took = timed(
                lambda body=body: buyer.session.post(  # type: ignore[misc]
                    f"{side.api}/api/bag/items/", json=body, timeout=30
                )
            )
            tally.record(status(response), took)
            k += 1

    tally.elapsed = run_buyers(people.buyers, loop, seconds)
    empty_bags(side, people)
    return tally


class Sampler(threading.Thread):
    """Commit-to-searchable: after a 201, the time until the search listing
    (`GET /api/products/?q=<the product's unique word>`) shows the stock the order left
    (or less: the buyer's next order may already have landed)."""

    def __init__(self, api: str) -> None:
        super().__init__(daemon=True)
        self.api = api
        self.slot: tuple[str, str, int, float] | None = None
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.samples: list[float] = []
        self.timeouts = 0

    def offer(self, product: str, word: str, expected: int) -> None:
        with self.lock:
            if self.slot is None:
                self.slot = (product, word, expected, time.perf_counter())

    def run(self) -> None:
        session = requests.Session()
        while not self.stop.is_set():
            with self.lock:
                slot = self.slot
            if slot is None:
                time.sleep(0.01)
                continue
            product, word, expected, committed = slot
            while time.perf_counter() - committed < SEARCHABLE_TIMEOUT:
                with_it = session.get(f"{self.api}/api/products/", params={"q": word}, timeout=30)
                hits = [r for r in with_it.json().get("results", []) if str(r["id"]) == product]
                if hits and int(hits[0]["stock"]) <= expected:
                    self.samples.append(time.perf_counter() - committed)
                    break
                time.sleep(0.02)
            else:
                self.timeouts += 1
            with self.lock:
                self.slot = None


def checkouts(
    side: Side, people: People, seconds: float, *, hot: bool, sampler: Sampler | None
) -> Tally:
    """Each buyer fills its bag and places the order, in a loop; only the POST is timed."""
    orders = Tally()
    sold = people.sold
    sold_out = threading.Event()

    def loop(i: int, going: Callable[[], bool]) -> None:
        buyer = people.buyers[i]
        products = [people.hot] if hot else people.products[buyer.username]
        while going() and not sold_out.is_set():
            for product in products:
                body = {"product_id": product, "quantity": 1}
                added = buyer.session.post(f"{side.api}/api/bag/items/", json=body, timeout=30)
                if hot and added.status_code == 400:  # sold out: nothing left to race for
                    sold_out.set()
                    return
            placed, took = timed(lambda: buyer.session.post(f"{side.api}/api/orders/", timeout=30))
            orders.record(status(placed), took)
            if placed is not None and placed.status_code == 201:
                order = placed.json()
                with orders.lock:
                    orders.orders.append({**order, "received": time.time()})
                    for line in order["lines"]:
                        sold[str(line["product_id"])] += int(line["quantity"])
                if sampler is not None:
                    product = products[0]
                    sampler.offer(product, people.words[product], STOCK - sold[product])

    orders.elapsed = run_buyers(people.buyers, loop, seconds)
    empty_bags(side, people)
    return orders


def event_lags(side: Side, orders: list[dict[str, Any]], since: float) -> list[float]:
    """Publish time of each order's `placed` event on the side's stream (the entry id's
    milliseconds) minus the order's `created`."""
    import os

    import redis

    created = {str(o["id"]): datetime.fromisoformat(o["created"]).timestamp() for o in orders}
    stream = redis.Redis.from_url(side.redis_url)
    lags: list[float] = []
    start = f"{int(since * 1000)}-0"
    try:
        while True:
            entries: Any = stream.xrange(
                os.environ.get("EVENTS_STREAM", "store.orders"), min=start, count=1000
            )
            for entry_id, fields in entries:
                event = __import__("json").loads(fields[b"event"])
                if event["type"] == "store.order.placed.v1" and event["subject"] in created:
                    published = int(entry_id.decode().split("-")[0]) / 1000
                    lags.append(published - created[event["subject"]])
            if len(entries) < 1000:
                break
            start = "(" + entries[-1][0].decode()
    finally:
        stream.close()
    return lags


def oversold(side: Side, people: People, tally: Tally, initial: int) -> tuple[int, str, bool]:
    units = sum(
        int(line["quantity"])
        for order in tally.orders
        for line in order["lines"]
        if str(line["product_id"]) == people.hot
    )
    stock = requests.get(f"{side.api}/api/products/{people.hot}/", timeout=30).json()["stock"]
    over = max(0, units - initial)
    ok = over == 0 and stock + units == initial and stock >= 0
    return over, f"{over} ({units} units in 201s, stock {initial} → {stock})", ok


# --- the run --------------------------------------------------------------------------------


@dataclass
class Results:
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    searchable: dict[str, tuple[list[float], int]] = field(default_factory=dict)
    lags: dict[str, list[float]] = field(default_factory=dict)
    oversold: dict[str, tuple[int, str, bool]] = field(default_factory=dict)


PHASES = ("bag reads", "bag adds", "distinct checkout", "hot product")


def run_phase(
    phase: str, side: Side, people: People, args: argparse.Namespace, res: Results
) -> Tally:
    if phase == "bag reads":
        return bag_reads(side, people, args.seconds)
    if phase == "bag adds":
        return bag_adds(side, people, args.seconds)
    if phase == "hot product":
        tally = checkouts(side, people, args.seconds, hot=True, sampler=None)
        res.oversold[side.name] = oversold(side, people, tally, args.hot_stock)
        return tally
    sampler = Sampler(side.api)
    sampler.start()
    since = time.time()
    tally = checkouts(side, people, args.seconds, hot=False, sampler=sampler)
    sampler.stop.set()
    sampler.join(timeout=SEARCHABLE_TIMEOUT + 5)
    res.searchable[side.name] = (sampler.samples, sampler.timeouts)
    time.sleep(1)  # the relay publishes the last orders' events
    res.lags[side.name] = event_lags(side, tally.orders, since - 1)
    return tally


def rows(report: Comparison, res: Results, args: argparse.Namespace, fl: Any) -> None:
    def pair(phase: str) -> tuple[Tally, Tally]:
        return res.tallies.get((phase, "baseline"), Tally()), res.tallies.get(
            (phase, "current"), Tally()
        )

    def rate_row(figure: str, phase: str, unit: str, target: float) -> None:
        b, c = pair(phase)
        r = ratio(c.rate, b.rate)
        report.add(
            figure,
            f"{c.rate:,.1f} {unit}/s",
            baseline=f"{b.rate:,.1f} {unit}/s",
            ratio=times(r),
            target=f"≥ {target:g}x",
            status=verdict(r >= target),
        )

    def latency_row(figure: str, phase: str, p95_target: float | None = None) -> None:
        b, c = pair(phase)
        p95 = percentile(c.latencies, 95)
        report.add(
            figure,
            p50_p95(c.latencies),
            baseline=p50_p95(b.latencies),
            ratio=times(ratio(p95, percentile(b.latencies, 95))) + " (p95)",
            target=f"p95 ≤ {ms(p95_target)}" if p95_target else "",
            status=verdict(p95 <= p95_target) if p95_target else "",
        )

    rate_row("`GET /api/bag/` req/s", "bag reads", "req", 2)
    latency_row("`GET /api/bag/` p50 / p95", "bag reads")
    rate_row("`POST /api/bag/items/` req/s", "bag adds", "req", 2)
    latency_row("`POST /api/bag/items/` p50 / p95", "bag adds")
    rate_row("distinct products: orders/s", "distinct checkout", "orders", 3)
    latency_row("distinct products: `POST /api/orders/` p50 / p95", "distinct checkout", 0.2)
    b, c = pair("distinct checkout")
    report.add(
        "distinct products: answers other than 201",
        str(c.errors()),
        baseline=str(b.errors()),
        target="0",
        status=verdict(c.errors() == 0),
    )
    rate_row("hot product: orders/s", "hot product", "orders", 2)
    over = {s: res.oversold.get(s, (0, "not measured", False)) for s in ("baseline", "current")}
    report.add(
        "hot product: oversold units",
        over["current"][1],
        baseline=over["baseline"][1],
        target="0, stock + sold = initial",
        status=verdict(over["current"][2]),
    )
    if fl is not None:
        report.add(
            f"floor: the order's transaction through psycopg alone, {args.buyers} threads",
            f"{fl.rate:,.1f} tx/s, p50 / p95 {p50_p95(fl.latencies)}",
            baseline="(current side's database)",
        )
        report.add(
            "API distinct orders/s ÷ floor",
            f"{ratio(c.rate, fl.rate):.3f}",
            baseline=f"{ratio(b.rate, fl.rate):.3f}",
            ratio=times(ratio(c.rate, b.rate)),
        )
    sb, sc = res.searchable.get("baseline", ([], 0)), res.searchable.get("current", ([], 0))
    p95 = percentile(sc[0], 95) if not sc[1] else float("inf")
    report.add(
        "commit-to-searchable p95 (during distinct checkout)",
        f"{ms(percentile(sc[0], 95))} (n={len(sc[0])}, {sc[1]} timeouts)",
        baseline=f"{ms(percentile(sb[0], 95))} (n={len(sb[0])}, {sb[1]} timeouts)",
        target="≤ 1.5 s",
        status=verdict(bool(sc[0]) and p95 <= 1.5),
    )
    lb, lc = res.lags.get("baseline", []), res.lags.get("current", [])
    report.add(
        "event lag p95 (`created` → on the stream)",
        f"{ms(percentile(lc, 95))} (n={len(lc)})",
        baseline=f"{ms(percentile(lb, 95))} (n={len(lb)})",
        target="≤ 100 ms",
        status=verdict(bool(lc) and percentile(lc, 95) <= 0.1),
    )
    for phase in PHASES:
        b, c = pair(phase)
        report.notes.append(
            f"{phase}: answers by status, baseline {dict(sorted(b.statuses.items()))}, "
            f"current {dict(sorted(c.statuses.items()))}."
        )


def write_report(
    report: Comparison,
    args: argparse.Namespace,
    all_sides: list[Side],
    cpu: CpuTable,
    queries: QueryLog,
    res: Results,
) -> None:
    baseline = all_sides[0]
    cpu_note = cpu_conclusion(cpu)
    ceiling = cpu_ceiling(cpu, res)
    if ceiling:
        report.whys.append(ceiling)
    publish(
        "checkout",
        report,
        title="Checkout: `bench/checkout.py` (`make bench-checkout`)",
        intro=(
            f"Current code against the frozen baseline, commit `{baseline.commit}` (tag "
            "`baseline-21`, served from its own git worktree by the same venv), measured in "
            f"the same run. {report.met()}",
            "",
        ),
        machine_note=". Each side: gunicorn as `make run` serves it (`config/gunicorn.py`, 2 "
        "workers) + a Celery worker `--concurrency 2`, started in its own checkout.",
        facts=tuple(f"- {side.describe()}." for side in all_sides),
        command_note=f"; {args.seconds:.0f} s a phase, {args.buyers} buyers, each a thread with "
        "its own keep-alive session; each phase runs on one side then the other (who goes first "
        "alternates), after a 2 s unmeasured warm-up of each side.",
        how="How: everything is set up over HTTP on each side (sign-up, password grant, "
        "`POST /api/products/` published). Rates count 2xx answers over the phase's wall time; "
        "in the checkout phases each buyer adds its products then places the order, only the "
        "`POST /api/orders/` timed, so orders/s is the rate a buyer really checks out at. The "
        "hot phase ends when the hot product sells out; oversold = units in the 201 answers "
        "against the initial stock and the stock read back over HTTP. Commit-to-searchable: "
        "after a 201, one sampler polls `GET /api/products/?q=<the product's unique word>` "
        "every 20 ms until the stock shown is at most what the order left. Event lag: each "
        "order's `placed` event read back from the side's Redis stream, its entry id's time "
        "minus the order's `created`. The floor locks two products in id order, takes their "
        "stock, inserts a bag (the order's bag is unique and required), the order, two lines "
        "and three outbox rows (a topic no consumer reads, deleted after), one transaction, "
        "psycopg only.",
        after=(
            "### Where the CPU goes (ms of CPU per 2xx request; per order in the checkout phases)",
            "",
            *cpu.lines("req"),
            "",
            "Read from /proc/<pid>/stat (utime + stime + the reaped children's) before and "
            "after each phase, over each component's process tree. gunicorn and Celery are "
            "each side's own; PostgreSQL (whole server), Elasticsearch and Redis are shared "
            "with anything else running on the machine, so they include others' load. " + cpu_note,
            "",
            *(queries.lines("req") or [queries.note()]),
            "",
        ),
    )


def cpu_conclusion(cpu: CpuTable) -> str:
    key = "distinct checkout"
    b = cpu.rows.get((key, "baseline"))
    c = cpu.rows.get((key, "current"))
    if not b or not c:
        return ""
    exclusive = [k for k in c if "this side" not in k]  # the backends are in the server's
    total_b, total_c = sum(b[k] for k in exclusive), sum(c[k] for k in exclusive)
    top = max(exclusive, key=lambda k: c[k])
    return (
        f"Distinct checkout: {total_c:.0f} ms of CPU per order now against {total_b:.0f} ms "
        f"on the baseline ({times(ratio(total_c, total_b))}); the largest share now is "
        f"{top} ({c[top]:.0f} ms)."
    )


def cpu_ceiling(cpu: CpuTable, res: Results, target: float = 3.0) -> str:
    """Why distinct orders/s is where it is: the machine's cores over the CPU one order costs
    (every component, this run's figures) is the most orders/s it can take."""
    key = "distinct checkout"
    b_cpu, c_cpu = cpu.rows.get((key, "baseline")), cpu.rows.get((key, "current"))
    b, c = res.tallies.get((key, "baseline")), res.tallies.get((key, "current"))
    if not (b_cpu and c_cpu and b and c and b.rate):
        return ""
    exclusive = [k for k in c_cpu if "this side" not in k]
    per_order = sum(c_cpu[k] for k in exclusive)
    cores = os.cpu_count() or 1
    cap = cores * 1000 / per_order
    needed = cores * 1000 / (target * b.rate)
    return (
        f"Orders/s is bounded by CPU: one distinct-product order (two bag adds and the order, "
        f"with the worker's drains, PostgreSQL, Elasticsearch and Redis) cost {per_order:.0f} ms "
        f"of CPU, so {cores} cores take at most {cap:.1f} orders/s; this run placed "
        f"{c.rate:.1f} ({100 * c.rate / cap:.0f}% of that). {target:g}x the baseline's "
        f"{b.rate:.1f} orders/s needs at most {needed:.0f} ms of CPU per order, "
        f"{per_order / needed:.1f}x less than now; the web process alone spent "
        f"{c_cpu.get('web (gunicorn master + workers)', float('nan')):.0f} ms."
    )


def main() -> int:
    options = arguments(
        __doc__,
        buyers=(16, "concurrent buyers"),
        seconds=(20.0, "length of each phase"),
        hot_stock=(200, "units of the hot product (sells out mid-phase)"),
        baseline_database=("store_bench_base", "the frozen side's database"),
        baseline_redis_db=(7, "the frozen side's Redis db"),
        baseline_prefix=("benchbase", "the frozen side's index prefix"),
    )
    args = parse_and_set_up(options)
    report = Comparison()
    res = Results()
    cpu = CpuTable()
    fl = None
    all_sides = sides(args.baseline_database, args.baseline_redis_db, args.baseline_prefix)
    with report.phase("migrate both sides"):
        for side in all_sides:
            side.prepare()
    queries = QueryLog(all_sides)
    with serving(all_sides, report):
        people: dict[str, People] = {}
        with report.phase("set up buyers and products over HTTP"):
            for side in all_sides:
                people[side.name] = make_people(side, args.buyers, args.hot_stock)
        with report.phase("warm-up: 2 s of bag reads and checkouts a side, not measured"):
            for side in all_sides:
                bag_reads(side, people[side.name], 2)
                checkouts(side, people[side.name], 2, hot=False, sampler=None)
        for n, phase in enumerate(PHASES):
            # Alternate which side goes first, so drift in the machine's load is shared.
            for side in all_sides if n % 2 == 0 else all_sides[::-1]:
                with report.phase(f"{side.name}: {phase}"):
                    count = [0]
                    with cpu.measure(phase, side, count), queries.measure(phase, side, count):
                        tally = run_phase(phase, side, people[side.name], args, res)
                        count[0] = tally.ok
                    res.tallies[(phase, side.name)] = tally
                    print(f"   {tally.rate:,.1f}/s, {p50_p95(tally.latencies)}", flush=True)
        with report.phase("floor: the same transaction through psycopg"):
            current = all_sides[1]
            mine = people[current.name]
            fl = floor(
                current, [(b.user_id, mine.products[b.username]) for b in mine.buyers], args.seconds
            )
    rows(report, res, args, fl)
    write_report(report, args, all_sides, cpu, queries, res)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
