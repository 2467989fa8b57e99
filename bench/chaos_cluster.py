"""The cluster fault of bench/chaos.py: a three-node Elasticsearch cluster on this machine,
the indices with one replica, the node holding the products' primary shard killed while
shoppers search and users write."""

import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests

from bench.chaos_common import (
    FaultResult,
    Loops,
    Store,
    Writers,
    attempts_summary,
    services,
    verify_writes,
)
from bench.harness import (
    Report,
    p50_p95,
    running_servers,
)


@dataclass
class Search:
    at: float
    kind: str
    status: int
    seconds: float
    ids: tuple[str, ...] = ()


class Shoppers(Loops):
    """Threads that search over HTTP: full text, listings by tag (whose order is fixed:
    newest first) and autocomplete."""

    def __init__(self, api: str, queries: list[str], tags: list[str], threads: int) -> None:
        super().__init__(list(range(threads)))  # each thread's random seed
        self.api, self.queries, self.tags = api, queries, tags
        self.searches: list[Search] = []

    def one(self, session: requests.Session, rng: random.Random) -> Search:
        roll = rng.random()
        if roll < 0.5:
            kind, url = "search", f"{self.api}/api/products/?q={rng.choice(self.queries)}"
        elif roll < 0.8:
            kind, url = "listing", f"{self.api}/api/products/?tags={rng.choice(self.tags)}"
        else:
            prefix = rng.choice(self.queries)[:3]
            kind, url = "autocomplete", f"{self.api}/api/products/autocomplete/?q={prefix}"
        started = time.perf_counter()
        try:
            response = session.get(url, timeout=30)
            status = response.status_code
            body = response.json() if status == 200 else {}
        except requests.RequestException:
            status, body = 0, {}
        ids = tuple(r.get("id", "") for r in body.get("results", []))
        return Search(
            time.monotonic(),
            f"{kind} {url.split('?', 1)[1]}",
            status,
            time.perf_counter() - started,
            ids,
        )

    def loop(self, seed: int) -> None:
        rng = random.Random(seed)
        with requests.Session() as session:
            while self.going.is_set():
                search = self.one(session, rng)
                with self.lock:
                    self.searches.append(search)


def use_elasticsearch(urls: list[str], replicas: int) -> None:
    """Point this process's client (and index creation) at other Elasticsearch nodes."""
    from django.conf import settings
    from elasticsearch.dsl.connections import connections

    settings.ELASTICSEARCH_REPLICAS = replicas
    settings.ELASTICSEARCH_DSL = {
        "default": {**settings.ELASTICSEARCH_DSL["default"], "hosts": urls}
    }
    connections.configure(**settings.ELASTICSEARCH_DSL)


def fault_cluster(store_args: dict[str, Any], report: Report) -> FaultResult:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from catalog.models import Tag
    from catalog.seed_vocabulary import ADJECTIVES, CATEGORIES, MATERIALS
    from search.client import get_client, prefixed

    result = FaultResult(
        "Three-node Elasticsearch cluster loses a node while shoppers search",
        "",
    )
    single: list[str] = settings.ELASTICSEARCH_URL.split(",")
    urls = services("cluster-start").splitlines()[-1].split(",")
    try:
        with running_servers("chaos-cluster", report) as servers:
            use_elasticsearch(urls, replicas=1)
            started = time.perf_counter()
            call_command("search_reindex")
            client = get_client()
            client.options(request_timeout=200).cluster.health(
                wait_for_status="green", timeout="180s"
            )
            indexed_in = time.perf_counter() - started
            report.notes.append(f"cluster: catalog indexed with one replica in {indexed_in:.0f} s")
            env = {"ELASTICSEARCH_URL": ",".join(urls), "ELASTICSEARCH_REPLICAS": "1"}
            api = servers.api("api-cluster", 2, **env)
            servers.worker("worker-cluster", 2, **env)
            servers.beat(name="beat-cluster", **env)
            servers.wait()
            store = Store(api, **store_args)

            shards: Any = client.cat.shards(index=prefixed("products"), format="json").body
            primary = next(s["node"] for s in shards if s["prirep"] == "p")
            victim = int(primary.rsplit("-", 1)[1])
            masters: Any = client.cat.master(format="json").body
            master = masters[0]["node"]
            result.what = (
                f"SIGKILL to {primary}, which held the products' primary shard"
                f"{' and was the elected master' if master == primary else ''}"
            )
            nouns = [n for _, names in CATEGORIES.values() for n in names]
            rng = random.Random(7)
            queries = [
                f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS + nouns)}" for _ in range(60)
            ]
            tags = list(Tag.objects.order_by("-updated").values_list("slug", flat=True)[:30])
            shoppers = Shoppers(api, queries, tags, threads=6).start()
            health: list[tuple[float, int]] = []
            watching = threading.Event()
            watching.set()

            def watch_health() -> None:
                while watching.is_set():
                    try:
                        status = requests.get(f"{api}/api/health/", timeout=5).status_code
                    except requests.RequestException:
                        status = 0
                    health.append((time.monotonic(), status))
                    time.sleep(0.5)

            watcher = threading.Thread(target=watch_health)
            watcher.start()
            since = timezone.now()
            writers = Writers([store.edit, store.create], store.shoppers).start()
            try:
                time.sleep(10)  # warm-up: caches and connections of a freshly started API
                warm_at = time.monotonic()
                time.sleep(15)
                killed_at = time.monotonic()
                services("cluster-kill-node", str(victim))
                time.sleep(30)
                restarted_at = time.monotonic()
                services("cluster-start-node", str(victim))
                back_at = time.monotonic()
                result.what += (
                    f"; started again {restarted_at - killed_at:.0f} s later, answering "
                    f"{back_at - killed_at:.0f} s after the kill"
                )
                client.options(request_timeout=320).cluster.health(
                    wait_for_status="green", timeout="300s"
                )
                green_at = time.monotonic()
                time.sleep(10)
            finally:
                writers.stop()
                shoppers.stop()
                watching.clear()
                watcher.join()

            before = [s for s in shoppers.searches if warm_at <= s.at < killed_at]
            during = [s for s in shoppers.searches if killed_at <= s.at <= green_at]
            after = [s for s in shoppers.searches if s.at > green_at]
            # Listings are sorted newest first: a complete answer is exactly the one before.
            expected: dict[str, tuple[str, ...]] = {}
            for s in before:
                if s.kind.startswith("listing") and s.status == 200:
                    expected.setdefault(s.kind, s.ids)
            compared = [s for s in during if s.kind in expected and s.status == 200]
            differing = [s for s in compared if s.ids != expected[s.kind]]
            not_ok = [s for s in during + after if s.status != 200]
            health_during = [status for at, status in health if killed_at <= at <= green_at]
            result.notes += [
                f"searches while a node was missing or recovering: {len(during):,}, "
                f"{len(during) - sum(s.status != 200 for s in during):,} answered 200; "
                f"after: {len(after):,}, {sum(s.status == 200 for s in after):,} answered 200",
                f"listings compared with the answer before the kill: {len(compared):,}, "
                f"{len(compared) - len(differing)} identical",
                f"search latency p50 / p95: before {p50_p95([s.seconds for s in before])}, "
                f"with a node missing {p50_p95([s.seconds for s in during])}",
                f"health while the node was missing: {health_during.count(200)} x 200, "
                f"{len(health_during) - health_during.count(200)} x other",
                f"green again {green_at - back_at:.1f} s after the node was back "
                f"({green_at - killed_at:.0f} s after the kill)",
            ]
            result.searches_ok = not not_ok and not differing
            writes = writers.between(killed_at, green_at)
            result.writes_ok = sum(a.ok for a in writes)
            result.writes_failed = sum(not a.ok for a in writes)
            result.written = attempts_summary(writes)
            verify_writes(result, writes, since, green_at, timeout=120)
            result.recovery = f"green {green_at - back_at:.1f} s after the node returned"
            if not_ok:
                statuses = sorted({s.status for s in not_ok})
                result.notes.append(f"searches not answered 200: {len(not_ok)} ({statuses})")
    finally:
        services("cluster-stop")
        use_elasticsearch(single, replicas=0)
    return result
