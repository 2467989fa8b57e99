"""Reading /metrics the way Prometheus does: the text format, parsed by prometheus-client."""

from collections.abc import Callable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


class Scraper:
    """`scrape()` then, after something happened, `delta(name, **labels)`: how much the
    sample grew (counters accumulate for the whole test process)."""

    def __init__(self, fetch: Callable[[], Any]) -> None:
        self.fetch = fetch
        self.before: Samples = {}
        self.after: Samples = {}

    def scrape(self) -> Samples:
        text = self.fetch()
        self.before, self.after = self.after, parse(text)
        return self.after

    def delta(self, name: str, **labels: str) -> float:
        return value(self.after, name, **labels) - value(self.before, name, **labels)
