"""Settings of the baseline server the search benchmark starts: the project's settings with
a URLConf that serves a plain DRF list view (bench/baseline_urls.py)."""

from api.settings import *  # noqa: F403

ROOT_URLCONF = "bench.baseline_urls"
