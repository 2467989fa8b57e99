from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from search import synonyms


class Command(BaseCommand):
    help = (
        'Synonym rules of search: add "tv, television" (each for the others), add '
        '"laptop => notebook" (one way), remove RULE, list. Stored in PostgreSQL; every web '
        "process applies them within SEARCH_SYNONYMS_REFRESH_SECONDS, without a reindex."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["add", "remove", "list"])
        parser.add_argument("rule", nargs="?", help='e.g. "tv, television" or "laptop => notebook"')

    def handle(self, *args: Any, **options: Any) -> None:
        action, rule = options["action"], options["rule"]
        if action == "list":
            for stored in synonyms.list_rules():
                self.stdout.write(stored)
            return
        if not rule:
            raise CommandError(f'{action} needs a rule, e.g. "tv, television"')
        try:
            if action == "add":
                self.stdout.write(f"added: {synonyms.add_rule(rule).rule}")
            else:
                synonyms.remove_rule(rule)
                self.stdout.write(f"removed: {synonyms.normalise(rule)}")
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.details}") from exc
