"""What the search app counts (prometheus-client); /metrics (ops) serves it."""

from prometheus_client import Histogram

ELASTICSEARCH_REQUEST_SECONDS = Histogram(
    "store_elasticsearch_request_duration_seconds",
    "Requests to Elasticsearch by API (search, bulk, ...) and outcome (ok, error, unreachable).",
    ["endpoint", "outcome"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
