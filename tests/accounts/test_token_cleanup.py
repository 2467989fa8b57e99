from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken
from oauth2_provider.settings import oauth2_settings

from accounts.tasks import clear_expired_tokens
from tests.accounts.helpers import make_user

pytestmark = pytest.mark.django_db

REFRESH_LIFETIME = timedelta(seconds=oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS)


def issue(user, name, access_expires_in, with_refresh=True):
    application = Application.objects.get(client_id=settings.OAUTH_CLIENT_ID)
    access = AccessToken.objects.create(
        user=user,
        application=application,
        token=f"access-{name}",
        expires=timezone.now() + access_expires_in,
        scope="read write",
    )
    refresh = None
    if with_refresh:
        refresh = RefreshToken.objects.create(
            user=user, application=application, token=f"refresh-{name}", access_token=access
        )
    return access, refresh


@pytest.fixture
def tokens():
    user = make_user("ada")
    return {
        "valid": issue(user, "valid", timedelta(hours=1)),
        "valid_without_refresh": issue(user, "valid-alone", timedelta(hours=1), False),
        # Access expired a minute ago, but its refresh token may still mint a new one.
        "refreshable": issue(user, "refreshable", -timedelta(minutes=1)),
        "expired_without_refresh": issue(user, "expired-alone", -timedelta(minutes=1), False),
        # Access expired longer ago than the refresh lifetime: both are dead.
        "dead": issue(user, "dead", -(REFRESH_LIFETIME + timedelta(minutes=1))),
    }


def assert_cleaned(tokens):
    def alive(pair):
        access, refresh = pair
        access_alive = AccessToken.objects.filter(pk=access.pk).exists()
        refresh_alive = refresh is not None and RefreshToken.objects.filter(pk=refresh.pk).exists()
        return access_alive, refresh_alive

    assert alive(tokens["valid"]) == (True, True)
    assert alive(tokens["valid_without_refresh"]) == (True, False)
    assert alive(tokens["refreshable"]) == (True, True)
    assert alive(tokens["expired_without_refresh"]) == (False, False)
    assert alive(tokens["dead"]) == (False, False)


def test_beat_task_removes_expired_tokens_and_keeps_valid_ones(tokens):
    clear_expired_tokens.apply().get()  # synchronously, as a worker would run it
    assert_cleaned(tokens)


def test_cleartokens_command_does_the_same(tokens):
    call_command("cleartokens")
    assert_cleaned(tokens)


# That beat runs it on its own, with a real worker: tests/ops/test_beat.py.
