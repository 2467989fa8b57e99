from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from search.management.base import EachIndexCommand
from search.reindex import find_drift, repair


class Command(EachIndexCommand):
    help = (
        "Compare the database with the index (ids and versions), repair the drift and print "
        "what was repaired. --dry-run only reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true")

    def handle_index(self, kind: str, **options: Any) -> None:
        with tqdm(desc=f"scan {kind}", unit="doc", disable=None) as bar:
            drift = find_drift(kind, progress=bar.update)
        verb = "found" if options["dry_run"] else "repaired"
        if drift.total and not options["dry_run"]:
            repair(kind, drift)
        self.stdout.write(
            f"{kind}: {verb} {drift.total} "
            f"(missing {len(drift.missing)}, stale {len(drift.stale)}, "
            f"extra {len(drift.extra)})"
        )
        for label, ids in (
            ("missing", drift.missing),
            ("stale", drift.stale),
            ("extra", drift.extra),
        ):
            for doc_id in ids[:20]:
                self.stdout.write(f"  {label} {doc_id}")
