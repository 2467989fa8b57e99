"""The frozen baseline the checkout and load benchmarks compare against, in the same run.

The code of the annotated tag `baseline-21` (or its commit, when a clone lacks tags) is
checked out as a detached git worktree under `.bench/` (gitignored) and served by the same
`.venv` as the current code: the project is not installed in the venv, so gunicorn, Celery and
`manage.py`, started with that worktree as their working directory, import its code
(`check_code` proves it for every process, and fails loudly otherwise).

Each side (the baseline, the current checkout) has its own database, Redis db and index
prefix, since the new code may add migrations or mappings. The benchmarks reach both sides
through their public surface only: HTTP (accounts, tokens, products, bag, orders), their
own management commands, the database and the Redis stream. This module also measures where
the CPU goes (/proc, per component) and what each request asks of PostgreSQL
(pg_stat_statements, when the server loads it).
"""

import os
import secrets
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
import requests
from psycopg.types.json import Jsonb

from bench.harness import BENCH_LIMITS, BIN, ROOT, Report, Servers, concurrent_loop

BASELINE_TAG = "baseline-21"
BASELINE_COMMIT = "acf2d862bc673468277a2c0dde8ca4da0849924c"
WORKTREES = ROOT / ".bench"
SIDES = ("baseline", "current")


def git(*args: str, cwd: Path = ROOT) -> str:
    # git from PATH, as a developer runs it.
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)  # noqa: S607
    return done.stdout.strip()


def baseline_commit() -> str:
    """The tag's commit, or the recorded hash when this clone has no tags."""
    try:
        return git("rev-parse", "--verify", "--quiet", f"{BASELINE_TAG}^{{commit}}")
    except subprocess.CalledProcessError:
        return BASELINE_COMMIT


def baseline_worktree() -> Path:
    """`.bench/baseline-21`: reused when it is a clean checkout of the baseline commit, else
    (re)created with `git worktree add --detach`."""
    commit = baseline_commit()
    path = WORKTREES / BASELINE_TAG
    if (path / ".git").exists():
        with suppress(subprocess.CalledProcessError):
            clean = not git("status", "--porcelain", "--untracked-files=no", cwd=path)
            if git("rev-parse", "HEAD", cwd=path) == commit and clean:
                return path
        git("worktree", "remove", "--force", str(path))
    git("worktree", "prune")
    WORKTREES.mkdir(exist_ok=True)
    try:
        git("worktree", "add", "--detach", str(path), commit)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(
            f"cannot check out the baseline {commit} (a shallow clone? `git fetch --unshallow`):"
            f" {exc.stderr}"
        ) from exc
    return path


# --- the two sides --------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Side:
    """One side of the comparison: the code it runs (a checkout) and where its data lives."""

    name: str
    root: Path
    commit: str
    database_url: str
    redis_url: str
    index_prefix: str
    servers: Servers | None = None
    api: str = ""

    @property
    def database(self) -> str:
        return urlsplit(self.database_url).path.strip("/")

    def env(self) -> dict[str, str]:
        """The environment of this side's processes: its data, the lifted abuse limits, and
        nothing that would point Python or Celery elsewhere."""
        dropped = {"PYTHONPATH", "CELERY_BROKER_URL", "EVENTS_REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        env = {k: v for k, v in os.environ.items() if k not in dropped}
        return {
            **env,
            **BENCH_LIMITS,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "ELASTICSEARCH_INDEX_PREFIX": self.index_prefix,
        }

    def manage(self, *args: str, timeout: float = 3600) -> str:
        """`manage.py <args>` of this side's own checkout."""
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"{self.name}: manage.py {' '.join(args)}: {done.stderr[-2000:]}")
        return done.stdout

    def prepare(self) -> None:
        """Its database (created when missing) migrated by its own code."""
        subprocess.run(
            [str(ROOT / "scripts" / "services.sh"), "database", self.database],
            check=True,
            capture_output=True,
        )
        self.manage("migrate", "--noinput", "-v", "0")

    def describe(self) -> str:
        return (
            f"{self.name}: `{self.commit[:10]}` in `{self.root.relative_to(ROOT.parent)}`, "
            f"database `{self.database}`, Redis `{urlsplit(self.redis_url).path or '/0'}`, "
            f"index prefix `{self.index_prefix}`"
        )


def sides(baseline_database: str, baseline_redis_db: int, baseline_prefix: str) -> list[Side]:
    """The frozen baseline and the current checkout, the current's data as the environment
    names it (the make targets), the baseline's beside it."""
    current_db = os.environ["DATABASE_URL"]
    current_redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:56379/0")
    redis = urlsplit(current_redis)
    return [
        Side(
            "baseline",
            baseline_worktree(),
            baseline_commit(),
            with_database(current_db, baseline_database),
            urlunsplit(redis._replace(path=f"/{baseline_redis_db}")),
            baseline_prefix,
        ),
        Side(
            "current",
            ROOT,
            git("rev-parse", "HEAD"),
            current_db,
            current_redis,
            os.environ["ELASTICSEARCH_INDEX_PREFIX"],
        ),
    ]


def check_code(side: Side) -> str:
    """Fail loudly unless every process of the side runs its own checkout's code: the
    project is importable only from a working directory (not installed in the venv, no
    PYTHONPATH) and each process's working directory is the side's checkout."""
    found = subprocess.run(
        [str(BIN / "python"), "-c", "import importlib.util as u; print(u.find_spec('config'))"],
        cwd="/",
        env={k: v for k, v in side.env().items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if found != "None":
        raise RuntimeError(f"the project is importable outside a checkout ({found}): uninstall it")
    assert side.servers is not None
    checked = 0
    for popen in side.servers.processes:
        for process in [psutil.Process(popen.pid), *psutil.Process(popen.pid).children(True)]:
            with suppress(psutil.NoSuchProcess):
                cwd = Path(process.cwd()).resolve()
                if cwd != side.root.resolve() or "PYTHONPATH" in process.environ():
                    raise RuntimeError(
                        f"{side.name}: process {process.pid} ({process.name()}) runs in {cwd}, "
                        f"not {side.root}: it would not serve the side's code"
                    )
                checked += 1
    line = f"{side.name}: {checked} processes run the code of {side.root} ({side.commit[:10]})"
    print(line, flush=True)
    return line


@contextmanager
def serving(all_sides: list[Side], report: Report, workers: int = 2) -> Iterator[None]:
    """Each side's API (gunicorn as `make run` serves it) and Celery worker, started in the
    side's checkout; stopped at the end (logs printed if a phase failed)."""
    with tempfile.TemporaryDirectory(prefix="bench-frozen-") as logs:
        try:
            for side in all_sides:
                log_dir = Path(logs) / side.name
                log_dir.mkdir()
                side.servers = Servers(log_dir, cwd=side.root, env=side.env())
                side.api = side.servers.api(workers=workers)
                side.servers.worker()
            for side in all_sides:
                assert side.servers is not None
                side.servers.wait()
                report.notes.append(check_code(side))
            yield
        finally:
            for side in all_sides:
                if side.servers is not None:
                    side.servers.stop()
                    if report.errors:
                        side.servers.print_logs()


# --- accounts and products over HTTP ---------------------------------------------------------


@dataclass
class Account:
    username: str
    token: str
    user_id: str
    session: requests.Session = field(default_factory=requests.Session)


def sign_up(api: str, username: str) -> Account:
    """Register (`POST /api/users/`) and sign in with the password grant: an account with a
    bearer token, as a shopper gets one."""
    password = f"Bench-{secrets.token_urlsafe(12)}"
    email = f"{username}@bench.example.com"
    answer = requests.post(
        f"{api}/api/users/",
        json={"username": username, "email": email, "password": password},
        timeout=60,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"sign-up of {username}: {answer.status_code} {answer.text[:300]}")
    token = requests.post(
        f"{api}/api/oauth/token/",
        data={
            "grant_type": "password",
            "username": username,
            "password": password,
            "client_id": os.environ.get("OAUTH_CLIENT_ID", "storefront"),
            "scope": "read write",
        },
        timeout=60,
    )
    if token.status_code != 200:
        raise RuntimeError(f"sign-in of {username}: {token.status_code} {token.text[:300]}")
    account = Account(username, token.json()["access_token"], answer.json()["id"])
    account.session.headers["Authorization"] = f"Bearer {account.token}"
    return account


def sign_up_many(api: str, usernames: list[str]) -> list[Account]:
    with ThreadPoolExecutor(4) as pool:  # password hashing: a few at once
        return list(pool.map(lambda name: sign_up(api, name), usernames))


def list_product(
    api: str, seller: Account, name: str, *, price: str, stock: int, description: str = ""
) -> str:
    """A published product of `seller` (`POST /api/products/` with `publish`): its id."""
    answer = seller.session.post(
        f"{api}/api/products/",
        json={
            "name": name,
            "description": description,
            "price": price,
            "stock": stock,
            "publish": True,
        },
        timeout=60,
    )
    if answer.status_code != 201 or answer.json().get("state") != "active":
        raise RuntimeError(f"product {name}: {answer.status_code} {answer.text[:300]}")
    return str(answer.json()["id"])


# --- the floor: the order's rows through psycopg alone --------------------------------------

FLOOR_TOPIC = "bench.floor"  # no consumer reads it: the rows are deleted after the phase
# What the floor writes, per table: a column the schema requires (NOT NULL, no default) and
# this list lacks fails the phase, so a schema change is seen, not silently skipped.
FLOOR_COLUMNS = {
    "commerce_bag": {"id", "created", "updated", "owner_id", "state"},
    "commerce_order": {
        "id",
        "created",
        "updated",
        "number",
        "state",
        "total",
        "currency",
        "idempotency_key",
        "bag_id",
        "buyer_id",
    },
    "commerce_orderline": {
        "id",
        "created",
        "updated",
        "product_name",
        "unit_price",
        "quantity",
        "line_total",
        "order_id",
        "product_id",
        "seller_id",
        "position",
    },
    "api_outboxentry": {
        "id",
        "created",
        "updated",
        "topic",
        "key",
        "payload",
        "attempts",
        "last_error",
    },
}


def check_floor_schema(connection: Any) -> None:
    for table, written in FLOOR_COLUMNS.items():
        required = {
            name
            for (name,) in connection.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND is_nullable = 'NO' AND column_default IS NULL",
                (table,),
            ).fetchall()
        }
        if not required:
            raise RuntimeError(f"floor: table {table} not found in the current schema")
        if required - written:
            raise RuntimeError(f"floor: {table} now requires {sorted(required - written)}")


def floor_transaction(connection: Any, buyer_id: str, products: list[str]) -> None:
    payload = Jsonb({"type": "bench.floor", "lines": [{"product_id": p} for p in products]})
    with connection.transaction():
        rows = connection.execute(
            "SELECT id, name, price, owner_id FROM catalog_product WHERE id = ANY(%s) "
            "ORDER BY id FOR UPDATE",
            (products,),
        ).fetchall()
        connection.execute(
            "UPDATE catalog_product SET stock = stock - 1, version = version + 1, "
            "updated = now() WHERE id = ANY(%s)",
            (products,),
        )
        bag, order = uuid.uuid4(), uuid.uuid4()
        connection.execute(
            "INSERT INTO commerce_bag (id, created, updated, owner_id, state) "
            "VALUES (%s, now(), now(), %s, 'checked_out')",
            (bag, buyer_id),
        )
        connection.execute(
            "INSERT INTO commerce_order (id, created, updated, number, state, total, currency, "
            "idempotency_key, bag_id, buyer_id) VALUES (%s, now(), now(), %s, 'placed', %s, "
            "'EUR', '', %s, %s)",
            (order, f"FLR-{uuid.uuid4().hex[:12]}", sum(r[2] for r in rows), bag, buyer_id),
        )
        for position, (pk, name, price, owner) in enumerate(rows, start=1):
            connection.execute(
                "INSERT INTO commerce_orderline (id, created, updated, product_name, unit_price, "
                "quantity, line_total, order_id, product_id, seller_id, position) VALUES "
                "(%s, now(), now(), %s, %s, 1, %s, %s, %s, %s, %s)",
                (uuid.uuid4(), name, price, price, order, pk, owner, position),
            )
        for key in [*products, str(order)]:
            connection.execute(
                "INSERT INTO api_outboxentry (id, created, updated, topic, key, payload, "
                "attempts, last_error) VALUES (%s, now(), now(), %s, %s, %s, 0, '')",
                (uuid.uuid4(), FLOOR_TOPIC, key, payload),
            )


@dataclass
class Floor:
    rate: float
    latencies: list[float]
    errors: int


def floor(side: Side, buyers: list[tuple[str, list[str]]], seconds: float) -> Floor:
    """The order's transaction at one thread per buyer (its user id and two products), each
    thread with its own connection, on `side`'s database."""
    import psycopg

    with psycopg.connect(side.database_url, autocommit=True) as connection:
        check_floor_schema(connection)
    connections = [psycopg.connect(side.database_url, autocommit=True) for _ in buyers]
    mine = iter(zip(connections, buyers, strict=True))
    lock = threading.Lock()

    def make() -> tuple[Any, str, list[str]]:
        with lock:
            connection, (buyer_id, products) = next(mine)
        return connection, buyer_id, sorted(products)

    try:
        rate, latencies, errors = concurrent_loop(
            len(buyers), lambda own, _: floor_transaction(*own), make=make, seconds=seconds
        )
    finally:
        for connection in connections:
            connection.close()
        with psycopg.connect(side.database_url, autocommit=True) as connection:
            connection.execute("DELETE FROM api_outboxentry WHERE topic = %s", (FLOOR_TOPIC,))
    return Floor(rate, latencies, errors)


# --- the side-by-side report ----------------------------------------------------------------


class Comparison(Report):
    """A report whose rows read: figure | baseline | current | current/baseline | target |
    result, the result decided by the figures."""

    def table(self) -> list[str]:
        lines = [
            "| figure | baseline | current | current / baseline | target | result |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.figure} | {r.baseline} | {r.value} | {r.ratio} | {r.target} | {r.status} |"
            for r in self.rows
        ]
        return lines

    def met(self) -> str:
        """The conclusion on the targets, computed from the rows."""
        judged = [r for r in self.rows if r.status]
        missed = [r.figure for r in judged if r.status != "PASS"]
        text = f"{len(judged) - len(missed)} of {len(judged)} targets met"
        return text + (f"; missed: {'; '.join(missed)}." if missed else ".")


def ratio(current: float, baseline: float) -> float:
    return current / baseline if baseline else float("nan")
