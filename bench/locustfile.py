"""The shoppers of `make load` (bench/load.py starts locust with this file; not a test).

Each user is a signed-in shopper (its own bearer token) who searches, reads and buys, and who
also sells a few products of their own. Task weights: 70 % search and autocomplete, 20 %
product and bag reads, 10 % writes and checkouts. No think time: every user always has a
request in flight. Any answer but a 2xx counts as a failure.

The accounts, products and words come from the JSON file named by LOAD_DATA, written by
bench/load.py (this file imports nothing of the project: locust patches the process with
gevent).
"""

import itertools
import json
import os
import random
import uuid
from typing import Any

from locust import FastHttpUser, constant, task

DATA: dict[str, Any] = json.loads(open(os.environ["LOAD_DATA"]).read())  # noqa: SIM115
_next_account = itertools.count()


class Shopper(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        accounts = DATA["accounts"]
        self.account = accounts[next(_next_account) % len(accounts)]
        self.auth = {"Authorization": f"Bearer {self.account['token']}"}
        self.random = random.Random(self.account["token"])

    # --- 70 %: search and autocomplete (Elasticsearch) ----------------------------------------

    @task(40)
    def search(self) -> None:
        q = self.random.choice(DATA["queries"])
        self.client.get(
            "/api/products/", params={"q": q}, headers=self.auth, name="GET /api/products/?q="
        )

    @task(10)
    def browse_a_tag(self) -> None:
        tag = self.random.choice(DATA["tags"])
        self.client.get(
            "/api/products/",
            params={"tags": tag, "in_stock": "true"},
            headers=self.auth,
            name="GET /api/products/?tags=&in_stock=",
        )

    def autocomplete(self, kind: str) -> None:
        prefix = self.random.choice(DATA["prefixes"])
        path = f"/api/{kind}/autocomplete/"
        self.client.get(path, params={"q": prefix}, headers=self.auth, name=f"GET {path}")

    @task(10)
    def autocomplete_products(self) -> None:
        self.autocomplete("products")

    @task(10)
    def autocomplete_tags(self) -> None:
        self.autocomplete("tags")

    # --- 20 %: product and bag reads (PostgreSQL) -------------------------------------------

    @task(12)
    def read_a_product(self) -> None:
        product = self.random.choice(DATA["read_products"])
        self.client.get(
            f"/api/products/{product}/", headers=self.auth, name="GET /api/products/{id}/"
        )

    @task(8)
    def read_the_bag(self) -> None:
        self.client.get("/api/bag/", headers=self.auth, name="GET /api/bag/")

    # --- 10 %: writes and checkouts ---------------------------------------------------------

    def add_to_bag(self) -> None:
        self.client.post(
            "/api/bag/items/",
            json={"product_id": self.random.choice(DATA["buyable_products"]), "quantity": 1},
            headers=self.auth,
            name="POST /api/bag/items/",
        )

    @task(4)
    def put_in_the_bag(self) -> None:
        self.add_to_bag()

    @task(3)
    def check_out(self) -> None:
        self.add_to_bag()
        self.client.post(
            "/api/orders/",
            headers={**self.auth, "Idempotency-Key": str(uuid.uuid4())},
            name="POST /api/orders/",
        )

    @task(2)
    def edit_my_product(self) -> None:
        product = self.random.choice(self.account["own_products"])
        self.client.request(
            "PATCH",
            f"/api/products/{product}/",
            json={
                "price": f"{self.random.uniform(5, 200):.2f}",
                "stock": self.random.randint(1, 50),
            },
            headers=self.auth,
            name="PATCH /api/products/{id}/",
        )

    @task(1)
    def list_a_product(self) -> None:
        self.client.post(
            "/api/products/",
            json={
                "name": f"{self.random.choice(DATA['names'])} {uuid.uuid4().hex[:6]}",
                "description": "Listed during the load test.",
                "price": f"{self.random.uniform(5, 200):.2f}",
                "stock": self.random.randint(1, 20),
                "publish": True,
            },
            headers=self.auth,
            name="POST /api/products/",
        )
