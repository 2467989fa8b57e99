"""Production mode (STORE_ENV=production, the Docker image's): no default secret key, secure
cookies, proxy/TLS settings from the environment, and a clean `manage.py check --deploy`
(issue 17, finding 8). Each case starts a fresh interpreter: settings are read at start-up."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(50)
# Importing the settings module is enough (and quick): it reads the environment at import.
READ_SETTINGS = """
import json
import config.settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "SECRET_KEY", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "CSRF_TRUSTED_ORIGINS"]}))
"""
# What a shell may carry in that would change the answers.
CLEARED = {
    "SECRET_KEY",
    "STORE_ENV",
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CSRF_TRUSTED_ORIGINS",
}


def run(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(  # noqa: S603  (our own interpreter)
        [sys.executable, *argv], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def settings_with(**env: str) -> dict[str, Any]:
    result = run("-c", READ_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("key", [None, "", "insecure-local-development-key-change-me"])
def test_production_refuses_to_start_without_a_secret_key_of_its_own(key):
    env = {"STORE_ENV": "production"} | ({"SECRET_KEY": key} if key is not None else {})

    result = run("-c", "import config.settings", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_development_runs_with_the_development_key_and_debug_off():
    # make run, the tests and the benchmarks: DEBUG off, no SECRET_KEY.
    loaded = settings_with(DEBUG="false")

    assert loaded["SECRET_KEY"] == "insecure-local-development-key-change-me"
    assert loaded["SESSION_COOKIE_SECURE"] is False


def test_an_unknown_store_env_is_refused():
    result = run("-c", "import config.settings", STORE_ENV="prod")

    assert result.returncode != 0
    assert "STORE_ENV must be development or production" in result.stderr


def test_production_defaults_are_secure_and_proxy_settings_come_from_the_environment():
    production = settings_with(STORE_ENV="production", SECRET_KEY=STRONG_KEY)
    behind_proxy = settings_with(
        STORE_ENV="production",
        SECRET_KEY=STRONG_KEY,
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        CSRF_TRUSTED_ORIGINS="https://store.example.com, https://admin.example.com",
    )

    assert production["SECRET_KEY"] == STRONG_KEY
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] is None  # opt-in: it can be forged otherwise
    assert production["SECURE_SSL_REDIRECT"] is False  # the proxy's job by default
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind_proxy["SECURE_SSL_REDIRECT"] is True
    assert behind_proxy["SECURE_HSTS_SECONDS"] == 31536000
    assert behind_proxy["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert behind_proxy["SECURE_HSTS_PRELOAD"] is True
    assert behind_proxy["CSRF_TRUSTED_ORIGINS"] == [
        "https://store.example.com",
        "https://admin.example.com",
    ]


def test_check_deploy_is_clean_with_the_production_settings():
    result = run(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", STORE_ENV="production",
        SECRET_KEY=STRONG_KEY,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.django_db
@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
)
def test_behind_a_tls_proxy_plain_http_is_redirected_and_https_gets_hsts(api_client):
    plain = api_client.get("/api/")
    secure = api_client.get("/api/", HTTP_X_FORWARDED_PROTO="https")
    health = api_client.get("/api/health/")  # the container's own probe speaks plain HTTP

    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    assert health.status_code == 200
