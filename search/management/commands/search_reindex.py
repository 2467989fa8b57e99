import time
from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from search.indexing import indexable_products, tags_with_counts
from search.management.base import EachIndexCommand
from search.reindex import reindex


class Command(EachIndexCommand):
    help = (
        "Build fresh indices from PostgreSQL with bulk requests, swap the aliases atomically "
        "and drop the old indices. Searches keep answering throughout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--chunk-size", type=int, default=1000)

    def handle_index(self, kind: str, **options: Any) -> None:
        total = (indexable_products() if kind == "products" else tags_with_counts()).count()
        with tqdm(total=total, desc=f"reindex {kind}", unit="doc", disable=None) as bar:
            started = time.perf_counter()
            written = reindex(kind, progress=bar.update, chunk_size=options["chunk_size"])
            seconds = time.perf_counter() - started
        rate = written / seconds if seconds else 0
        self.stdout.write(f"{kind}: {written} documents in {seconds:.1f}s ({rate:.0f}/s)")
