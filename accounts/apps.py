from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_first_party_client(**kwargs: Any) -> None:
    from accounts.services import ensure_first_party_client

    ensure_first_party_client()


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import schema  # noqa: F401  (registers the OpenAPI auth extension)

        # After every migrate, so a changed OAUTH_CLIENT_ID is honoured without a data migration.
        post_migrate.connect(
            _ensure_first_party_client, sender=self, dispatch_uid="accounts.first_party_client"
        )
