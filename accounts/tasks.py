from celery import shared_task
from oauth2_provider.models import clear_expired


@shared_task(name="accounts.tasks.clear_expired_tokens")
def clear_expired_tokens() -> None:
    """Delete expired tokens with django-oauth-toolkit's own cleanup (as `manage.py
    cleartokens` does): access tokens without a refresh token once expired, refresh tokens
    REFRESH_TOKEN_EXPIRE_SECONDS after their access token expired (with that access token),
    and revoked refresh tokens."""
    clear_expired()
