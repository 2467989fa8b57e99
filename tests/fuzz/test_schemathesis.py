"""Schemathesis over HTTP against the API served from this test process, on the real
PostgreSQL, Redis and Elasticsearch: every operation the schema lists (read from the schema,
so new endpoints are fuzzed without editing anything), every phase, every check, signed in
and anonymously, with a fixed seed. Settings: schemathesis.toml; custom checks:
tests/fuzz/hooks.py; budget and figures: docs/RELIABILITY.md (written by bench/fuzz_report.py
from the files this writes to FUZZ_LOG_DIR, after `make fuzz`).

`make test` runs it with a small budget; `make fuzz` with a long one (FUZZ_MAX_EXAMPLES).
"""

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).with_name("st")
SEED = int(os.environ.get("FUZZ_SEED", "20261125"))
# Examples per operation in the fuzzing phase; stateful scenarios are four times as many.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
STATEFUL_SCENARIOS = 4 * MAX_EXAMPLES
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fuzz]


@dataclass(frozen=True)
class Shopper:
    name: str
    token: str


@dataclass(frozen=True)
class ApiUnderTest:
    base_url: str
    operations: set[str]
    shoppers: list[Shopper]


def _token_for(user: Any) -> str:
    from oauth2_provider.models import AccessToken

    token = f"fuzz-{uuid.uuid4().hex}"
    AccessToken.objects.create(
        user=user, token=token, expires=timezone.now() + timedelta(hours=6), scope="read write"
    )
    return token


def _resource_server() -> None:
    """The confidential client tests/fuzz/hooks.py introspects tokens with."""
    from oauth2_provider.models import Application

    from tests.fuzz.hooks import RESOURCE_SERVER_ID, RESOURCE_SERVER_SECRET

    Application.objects.create(
        name="Fuzz resource server",
        client_id=RESOURCE_SERVER_ID,
        client_secret=RESOURCE_SERVER_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
    )


def _seed_store(users: list[Any]) -> None:
    """A little of everything, so reads have something to find and follow: products in
    every state, a follow, and for each shopper an order of the other's product (a sale for
    the other) and a bag with a line in it."""
    from decimal import Decimal

    from accounts import services as accounts_services
    from catalog import services as catalog_services
    from commerce import services as commerce_services

    on_sale = []
    for n, user in enumerate(users):
        for publish in (True, False):
            product = catalog_services.create_product(
                owner=user,
                name=f"Walnut desk lamp {n}{'' if publish else ' (draft)'}",
                description="Turned by hand.\nOiled twice.",
                price=Decimal("49.90"),
                stock=3,
                tags=["Lighting", f"Workshop {n}"],
                publish=publish,
            )
            if publish:
                on_sale.append(product)
    accounts_services.follow_user(follower=users[0], followee=users[1])
    for buyer, product in zip(users, reversed(on_sale), strict=True):
        commerce_services.add_to_bag(buyer=buyer, product_id=product.id, quantity=1)
        commerce_services.place_order(buyer=buyer)
        commerce_services.add_to_bag(buyer=buyer, product_id=product.id, quantity=1)


@pytest.fixture
def api_under_test(live_server, settings, monkeypatch) -> Iterator[ApiUnderTest]:
    import logging

    from accounts.throttling import RegistrationRateThrottle
    from config.celery import app as celery_app
    from search.indices import KINDS, drop_indices, ensure_index, indices_behind
    from tests.accounts.helpers import make_user

    # The limiters have their own tests; here they would only starve the fuzzer of answers
    # other than 429 (still documented, still checked when they happen).
    monkeypatch.setattr(RegistrationRateThrottle, "rate", "1000000/hour", raising=False)
    settings.TOKEN_RATE_LIMIT_PER_IP = settings.TOKEN_RATE_LIMIT_PER_USERNAME = 1_000_000
    settings.TOKEN_RATE_LIMIT_PER_USERNAME_AND_IP = 1_000_000
    settings.PASSWORD_CHANGE_RATE_LIMIT_PER_USER = 1_000_000
    settings.PASSWORD_CHANGE_RATE_LIMIT_PER_IP = 1_000_000
    settings.ORDER_MAX_OPEN_UNITS_PER_PRODUCT = 1_000_000
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/min"
        ),
    }
    # Thousands of 4xx answers and index writes are the point here; nobody reads each line.
    monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.ERROR)
    monkeypatch.setattr(logging.getLogger("celery.app.trace"), "level", logging.WARNING)
    monkeypatch.setattr(logging.getLogger("api.requests"), "level", logging.WARNING)
    # The search sync runs in the server thread right after each commit.
    celery_app.conf.task_always_eager = True
    for kind in KINDS:
        drop_indices(indices_behind(kind))
        ensure_index(kind)

    users = [make_user(name) for name in ("fuzz-alice", "fuzz-bob")]
    _seed_store(users)
    _resource_server()
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operations = {
        f"{method.upper()} {path}"
        for path, item in schema.json()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    yield ApiUnderTest(
        base_url=live_server.url,
        operations=operations,
        shoppers=[Shopper(user.username, _token_for(user)) for user in users],
    )
    celery_app.conf.task_always_eager = False


def run_schemathesis(api: ApiUnderTest, tmp_path: Path, *, signed_in: bool) -> dict[str, Any]:
    """One `st run`; returns its JSON report."""
    config = (ROOT / "schemathesis.toml").read_text()
    config += f"\n[phases.stateful.generation]\nmax-examples = {STATEFUL_SCENARIOS}\n"
    if signed_in:
        # Both shoppers: the first is who the fuzzer is; the other is the peer whose objects
        # the first must not see (object-level authorization), and the reverse.
        auth = {
            "auth": [
                {
                    "name": shopper.name,
                    "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {shopper.token}"}],
                }
                for shopper in api.shoppers
            ]
        }
        auth_file = tmp_path / "auth.json"
        auth_file.write_text(json.dumps(auth))
        peers = ", ".join(f'"{s.name}"' for s in api.shoppers)
        config += f'\n[auth.wfc]\npath = "{auth_file}"\npeers = [{peers}]\n'
    config_file = tmp_path / "schemathesis.toml"
    config_file.write_text(config)
    report = tmp_path / "report.json"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config_file),
        "--no-color",
        "run",
        f"{api.base_url}/api/schema/",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    started = time.monotonic()
    finished = subprocess.run(  # noqa: S603  (our own tool, fixed arguments)
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=max(3600, 60 * MAX_EXAMPLES),
        check=False,
    )
    elapsed = time.monotonic() - started
    label = "signed-in" if signed_in else "anonymous"
    output = finished.stdout + finished.stderr
    log_dir = Path(os.environ.get("FUZZ_LOG_DIR") or tmp_path)
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / f"schemathesis-{label}.txt").write_text(output)
    if log_dir != tmp_path:
        # bench/fuzz_report.py writes docs/RELIABILITY.md's figures from these three files.
        (log_dir / f"schemathesis-{label}.toml").write_text(config)
        if report.exists():
            (log_dir / f"report-{label}.json").write_text(report.read_text())
    assert finished.returncode == 0, output[-30_000:]
    result = dict(json.loads(report.read_text()))
    cases = result["test_cases"]
    print(
        f"\nschemathesis, {label}: {result['operations']['tested']} operations, "
        f"{cases['generated']} test cases, {cases['with_failures']} failing, "
        f"{len(result['failures'])} unique failures, {elapsed:.0f} s "
        f"(seed {SEED}, {MAX_EXAMPLES} examples per operation, {STATEFUL_SCENARIOS} "
        f"stateful scenarios; output in {log_dir})"
    )
    return result


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_every_operation_passes_every_check(api_under_test, tmp_path, signed_in):
    report = run_schemathesis(api_under_test, tmp_path, signed_in=signed_in)

    operations = report["operations"]
    assert operations["total"] == len(api_under_test.operations)
    assert operations["tested"] == operations["total"], operations
    assert (operations["errored"], operations["skipped"]) == (0, 0), operations
    assert report["failures"] == []
    assert report["errors"] == []
    for phase in ("coverage", "fuzzing", "stateful"):
        assert report["phases"][phase]["status"] == "success", report["phases"]
    if signed_in:  # the shoppers' tokens worked everywhere a shopper may go
        assert report["warnings"]["missing_auth"] == [], report["warnings"]
