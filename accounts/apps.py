from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


def _ensure_first_party_client(**kwargs: Any) -> None:
    from accounts.services import ensure_first_party_client

    ensure_first_party_client()


def _revoke_tokens_on_password_change(instance: Any, created: bool, **kwargs: Any) -> None:
    """Any change of a password (the API, the admin's form, `manage.py changepassword`, any
    `set_password` + save) revokes the user's tokens, in the saving transaction."""
    from accounts.services import revoke_tokens

    if instance.password_changed_on_save and not created:
        revoke_tokens(user=instance, keep=instance.token_kept_on_password_change)


def _forget_verified_tokens(created: bool = False, **kwargs: Any) -> None:
    """A token deleted or changed, a user changed or deleted: every web process forgets the
    tokens it verified (a new token or user ends nobody's access)."""
    from accounts.token_cache import forget_verified_tokens

    if not created:
        forget_verified_tokens()


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import schema  # noqa: F401  (registers the OpenAPI auth extension)

        post_save.connect(
            _revoke_tokens_on_password_change,
            sender=self.get_model("User"),
            dispatch_uid="accounts.revoke_tokens_on_password_change",
        )
        from oauth2_provider.models import get_access_token_model

        for model in (self.get_model("User"), get_access_token_model()):
            for signal in (post_save, post_delete):
                signal.connect(
                    _forget_verified_tokens,
                    sender=model,
                    dispatch_uid=f"accounts.forget_tokens.{signal is post_save}.{model.__name__}",
                )
        # After every migrate, so a changed OAUTH_CLIENT_ID is honoured without a data migration.
        post_migrate.connect(
            _ensure_first_party_client, sender=self, dispatch_uid="accounts.first_party_client"
        )
