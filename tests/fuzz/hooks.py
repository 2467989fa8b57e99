"""Schemathesis hooks of the fuzz suite (schemathesis.toml: `hooks`).

`before_call` signs token introspection in as the confidential client the fuzz fixture
creates (introspection is for resource servers, not shoppers), so the fuzzer gets past the
client check. (Schemathesis's per-operation `auth.basic` would do, but in 4.32 it also takes
the shoppers' bearer tokens off every other operation.)

`positive_data_acceptance_beyond_the_schema` is Schemathesis's own `positive_data_acceptance`
(a schema-valid request must not be refused) run unchanged, letting through only refusals
that no OpenAPI schema can state. It replaces the built-in check, which schemathesis.toml
turns off for that reason. Anything else a schema-valid request is refused for still fails.
"""

from base64 import b64encode
from typing import Any

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

INTROSPECTION_PATH = "/api/oauth/introspect/"
RESOURCE_SERVER_ID = "fuzz-resource-server"
RESOURCE_SERVER_SECRET = "fuzz-resource-server-secret"  # a test-only client


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if case.operation.path == INTROSPECTION_PATH:
        pair = f"{RESOURCE_SERVER_ID}:{RESOURCE_SERVER_SECRET}".encode()
        # Auth was applied before this hook: this replaces a shopper's bearer token.
        case.headers = {
            **(case.headers or {}),
            "Authorization": "Basic " + b64encode(pair).decode(),
        }


# A 400 naming only these fields is a rule the schema describes in words, not in JSON Schema.
RULES_BEYOND_THE_SCHEMA = {
    # Django's password validators: not too common, not all digits, not like the username.
    "password": "password strength",
    "new_password": "password strength",
    # A secret the caller must know.
    "old_password": "the current password",
    # An opaque token: only the cursors that `next` links carry are valid.
    "cursor": "a cursor the API issued",
    # A rule between two parameters.
    "min_price": "min_price <= max_price",
    # Following oneself.
    "user": "another user",
    # The bag: one's own product, a product not for sale, more lines than a bag holds.
    "product_id": "a product one may buy",
    # More than the product's stock.
    "quantity": "the stock",
    # Placing an order from an empty bag.
    "bag": "a bag with something in it",
    # A webhook URL: https, a host name DNS resolves to public addresses only (not private,
    # loopback or link-local), no longer than DNS allows.
    "url": "a public https URL that resolves",
}


def _error_fields(response: Any) -> set[str]:
    try:
        details = response.json()["error"]["details"]
    except (ValueError, KeyError, TypeError):
        return set()
    return set(details) if isinstance(details, dict) else set()


def _refused_beyond_the_schema(response: Any, case: Any) -> bool:
    # 422 is this API's answer to a well-formed request a rule refuses (an Idempotency-Key
    # used for another bag): by definition what a schema cannot state.
    if response.status_code == 422:
        return True
    if response.status_code == 400:
        fields = _error_fields(response)
        return bool(fields) and fields <= set(RULES_BEYOND_THE_SCHEMA)
    # A well-formed If-Match naming a version the product no longer has: 412 by definition.
    headers = {name.lower() for name in (case.headers or {})}
    return response.status_code == 412 and "if-match" in headers


@schemathesis.check
def positive_data_acceptance_beyond_the_schema(ctx: Any, response: Any, case: Any) -> Any:
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if _refused_beyond_the_schema(response, case):
            return None
        raise
