"""What the fault runs of bench/chaos.py share: the services script, the writers (signed-in
users writing over HTTP, each attempt recorded with its time), the store they write to, and
the check that every write made during a fault is visible after recovery."""

import random
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

import requests

from bench.harness import (
    ROOT,
    new_user,
    products_for_sale,
    signed_in,
)
from bench.stores import placed_events, products_in_index

SERVICES = ROOT / "scripts" / "services.sh"


def services(*args: str) -> str:
    return subprocess.run(
        ["/bin/bash", str(SERVICES), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout.strip()


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


@dataclass
class Shopper:
    session: requests.Session
    own: list[str]


@dataclass
class Attempt:
    at: float  # time.monotonic()
    kind: str
    status: int  # 0: no answer at all
    product: str | None = None
    order: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in (200, 201)


class Loops:
    """Threads that each run `loop(argument)` until stopped; what they record is kept under
    `lock`."""

    def __init__(self, arguments: list[Any]) -> None:
        self.arguments = arguments
        self.lock = threading.Lock()
        self.going = threading.Event()
        self.threads: list[threading.Thread] = []

    def loop(self, argument: Any) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        self.going.set()
        self.threads = [threading.Thread(target=self.loop, args=(a,)) for a in self.arguments]
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.going.clear()
        for thread in self.threads:
            thread.join()


class Writers(Loops):
    """Threads that write over HTTP until stopped, each attempt recorded with its time."""

    def __init__(
        self, actions: list[Callable[[Shopper], Attempt]], shoppers: list[Shopper]
    ) -> None:
        super().__init__(list(shoppers))
        self.actions = actions
        self.attempts: list[Attempt] = []

    def loop(self, shopper: Shopper) -> None:
        rng = random.Random(id(shopper))
        while self.going.is_set():
            action = rng.choice(self.actions)
            try:
                attempt = action(shopper)
            except requests.RequestException:
                attempt = Attempt(time.monotonic(), action.__name__, 0)
            with self.lock:
                self.attempts.append(attempt)
            time.sleep(0.05)

    def between(self, start: float, end: float) -> list[Attempt]:
        return [a for a in self.attempts if start <= a.at <= end]


class Store:
    """The API's URL and the people who write to it."""

    def __init__(self, api: str, n_shoppers: int) -> None:

        self.api = api
        run = uuid.uuid4().hex[:6]
        seller = new_user(f"chaos-seller-{run}")
        self.supply = products_for_sale(
            seller, f"Chaos supply {run} ", 20, "Bought while things break.", "5.00", 1_000_000
        )
        self.shoppers = []
        for n in range(n_shoppers):
            user = new_user(f"chaos-{run}-{n}")
            own = products_for_sale(
                user, f"Chaos listing {run} {n}-", 3, "Edited while things break.", "10.00", 5
            )
            self.shoppers.append(Shopper(signed_in(user), own))

    def create(self, shopper: Shopper) -> Attempt:
        word = uuid.uuid4().hex[:10]
        response = shopper.session.post(
            f"{self.api}/api/products/",
            json={"name": f"Chaos item {word}", "price": "7.50", "stock": 3, "publish": True},
            timeout=30,
        )
        product = response.json().get("id") if response.status_code == 201 else None
        return Attempt(time.monotonic(), "create", response.status_code, product=product)

    def edit(self, shopper: Shopper) -> Attempt:
        product = random.choice(shopper.own)
        response = shopper.session.patch(
            f"{self.api}/api/products/{product}/",
            json={"name": f"Chaos edit {uuid.uuid4().hex[:10]}", "stock": random.randint(1, 9)},
            timeout=30,
        )
        return Attempt(time.monotonic(), "edit", response.status_code, product=product)

    def order(self, shopper: Shopper) -> Attempt:
        product = random.choice(self.supply)
        added = shopper.session.post(
            f"{self.api}/api/bag/items/", json={"product_id": product, "quantity": 1}, timeout=30
        )
        if added.status_code != 201:
            return Attempt(time.monotonic(), "order", added.status_code)
        placed = shopper.session.post(
            f"{self.api}/api/orders/", headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=30
        )
        order = placed.json().get("id") if placed.status_code == 201 else None
        return Attempt(time.monotonic(), "order", placed.status_code, product=product, order=order)


@dataclass
class FaultResult:
    fault: str
    what: str
    writes_ok: int = 0
    writes_failed: int = 0
    written: str = ""  # what the writes were
    visible: str = ""
    all_visible: bool = False
    recovery: str = ""
    searches_ok: bool = True  # the cluster fault: every search 200 and complete
    notes: list[str] = field(default_factory=list)


def attempts_summary(attempts: list[Attempt]) -> str:
    kinds: dict[str, int] = {}
    for attempt in attempts:
        if attempt.ok:
            kinds[attempt.kind] = kinds.get(attempt.kind, 0) + 1
    return ", ".join(f"{n} {kind}s" for kind, n in sorted(kinds.items()))


def verify_writes(
    result: FaultResult, during: list[Attempt], since: datetime, back_at: float, timeout: float
) -> None:
    """Wait until the writes made during the fault are all visible (or `timeout`); record
    how many are and how long after the service came back it took."""
    products = {a.product for a in during if a.ok and a.product}
    orders = {a.order for a in during if a.ok and a.order}

    def counts() -> tuple[int, int]:
        return products_in_index(products), len(placed_events(since, orders)) if orders else 0

    wait_until(lambda: counts() == (len(products), len(orders)), timeout, step=0.5)
    seen_products, seen_orders = counts()
    result.recovery = f"{time.monotonic() - back_at:.1f} s after it came back"
    result.visible = (
        f"{seen_products:,} of {len(products):,} products in the index at their version"
    )
    if orders:
        result.visible += f"; {seen_orders:,} of {len(orders):,} orders' events on the stream"
    result.all_visible = seen_products == len(products) and seen_orders == len(orders)
    if not result.all_visible:
        result.recovery = f"not within {timeout:.0f} s"
