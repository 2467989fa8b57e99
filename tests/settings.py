"""Settings of the test suite: the project's, in a namespace of its own.

pytest-django loads settings before any conftest runs, so this is where a test run gets its
own index prefix and event stream (runs never see each other's indices or events, nor the
development ones) and its own Redis database (`TEST_REDIS_DB`, 15 by default; tests flush
the cache; the development broker, cache and event stream live in database 0).
"""

import os
import uuid

RUN_ID = uuid.uuid4().hex[:8]
os.environ.setdefault("ELASTICSEARCH_INDEX_PREFIX", f"test-{RUN_ID}")
os.environ.setdefault("EVENTS_STREAM", f"test-{RUN_ID}.orders")
# TEST_REDIS_DB lets two checkouts run their suites at once against one Redis.
os.environ["REDIS_URL"] = (
    os.environ.get("REDIS_URL", "redis://127.0.0.1:56379/0").rsplit("/", 1)[0]
    + "/"
    + os.environ.get("TEST_REDIS_DB", "15")
)

from api.settings import *  # noqa: E402, F403
