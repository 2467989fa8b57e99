"""What the index commands share: `--index` to name one index, every index otherwise."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from search.indices import KINDS


class EachIndexCommand(BaseCommand):
    """Runs `handle_index` for the index `--index` names, or for each index in turn."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--index", choices=KINDS, help="Only this index (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        for kind in [options["index"]] if options["index"] else KINDS:
            self.handle_index(kind, **options)

    def handle_index(self, kind: str, **options: Any) -> None:
        raise NotImplementedError
