"""Rate limits of the accounts endpoints: sign-ups per address, and failure limits for
everything that checks a password (the token endpoint, the admin login, the password
change). Counters live in the Redis cache, shared by every web process."""

import hashlib
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.identity import canonical_username
from api.throttling import client_ip


class RegistrationRateThrottle(SimpleRateThrottle):
    """Sign-ups per client IP, whoever is signed in (rate: `registration`)."""

    scope = "registration"

    def allow_request(self, request: Request, view: APIView) -> bool:
        # Only sign-ups count: a wrong method is a 405, an OPTIONS a description, not a try.
        return request.method != "POST" or super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class Refused(Exception):
    """An attempt refused unseen: its subject failed too often (429 with `Retry-After`)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Refused for {retry_after} seconds.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Budget:
    """How many failures one subject (a username, an address, a pair, a user) may have in a
    window before it is locked out; `forget_on_success` clears its failures and back-off
    when an attempt succeeds (the person proved who they are from there)."""

    name: str
    subject: str
    failures: int
    forget_on_success: bool = False

    def key(self, part: str) -> str:
        # Hashed: a username may hold characters a cache key must not.
        digest = hashlib.sha256(f"{self.name}\0{self.subject}".encode()).hexdigest()[:40]
        return f"failures:{self.name}:{digest}:{part}"


# A reservation outlives no request: one still running after this long no longer counts.
_IN_FLIGHT_SECONDS = 60


class Attempt:
    """One attempt admitted by `limited_attempt`; say how it ended with `failed()` or
    `succeeded()` (neither: it counts for nothing, e.g. a malformed request)."""

    def __init__(self, budgets: list[Budget]) -> None:
        self.budgets = budgets

    def failed(self, *names: str) -> None:
        """Count a failure against the budgets named (all when none are). A budget that
        reaches its limit is locked for a window, doubled for each earlier lockout within
        FAILURE_LOCKOUT_MAX_SECONDS, and never longer than that."""
        window = settings.TOKEN_RATE_LIMIT_WINDOW_SECONDS
        longest = settings.FAILURE_LOCKOUT_MAX_SECONDS
        for budget in self.budgets:
            if names and budget.name not in names:
                continue
            if _increment(budget.key("failures"), window) < budget.failures:
                continue
            strikes = _increment(budget.key("strikes"), longest)
            lockout = min(window * 2 ** min(strikes - 1, 30), longest)
            cache.set(budget.key("lock"), time.time() + lockout, timeout=lockout)
            cache.delete(budget.key("failures"))

    def succeeded(self) -> None:
        """Successes never count; a pair's failures and back-off are forgotten."""
        cache.delete_many(
            [
                budget.key(part)
                for budget in self.budgets
                if budget.forget_on_success
                for part in ("failures", "strikes")
            ]
        )


@contextmanager
def limited_attempt(budgets: list[Budget]) -> Iterator[Attempt]:
    """Admit one attempt (a password check) or raise `Refused`.

    Refused unseen while any budget is locked out, so guessing stops, and while its failures
    plus the attempts still running would pass its limit (many parallel guesses cannot
    overshoot it). Only failures count; counters live in the Redis cache, shared by every
    web process.
    """
    now = time.time()
    locks = cache.get_many([budget.key("lock") for budget in budgets])
    waits = [until - now for until in locks.values() if until > now]
    if waits:
        raise Refused(max(1, math.ceil(max(waits))))
    reserved: list[str] = []
    try:
        failures = cache.get_many([budget.key("failures") for budget in budgets])
        for budget in budgets:
            key = budget.key("in-flight")
            reserved.append(key)
            running = _increment(key, _IN_FLIGHT_SECONDS)
            if failures.get(budget.key("failures"), 0) + running > budget.failures:
                raise Refused(1)  # others' attempts are using the rest of the budget
        yield Attempt(budgets)
    finally:
        for key in reserved:
            _decrement(key)


def _increment(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)  # a no-op when the key exists
    try:
        return int(cache.incr(key))  # atomic in Redis; keeps the key's expiry
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1


def _decrement(key: str) -> None:
    with suppress(ValueError):  # already expired
        cache.decr(key)


def sign_in_budgets(username: str, address: str) -> list[Budget]:
    """A password sign-in (the token endpoint, the admin login): tight per (username,
    address), loose per username (far above what one address can reach, so one attacker
    cannot lock the owner out), and per address across usernames. The username is
    canonical (accounts.identity), so `ADA` and `ada` share their counters."""
    name = canonical_username(username)
    return [
        Budget(
            "sign-in:username+address",
            f"{name}\0{address}",
            settings.TOKEN_RATE_LIMIT_PER_USERNAME_AND_IP,
            forget_on_success=True,
        ),
        Budget("sign-in:username", name, settings.TOKEN_RATE_LIMIT_PER_USERNAME),
        address_budget(address),
    ]


def address_budget(address: str) -> Budget:
    """Failed sign-ins (any grant, any username) from one client address."""
    return Budget("sign-in:address", address, settings.TOKEN_RATE_LIMIT_PER_IP)


def token_budgets(request: HttpRequest) -> list[Budget]:
    """The budgets a token request draws on: a password grant's sign-in budgets, else only
    the address's (a guessed refresh token)."""
    address = client_ip(request)
    username = request.POST.get("username", "")
    if request.POST.get("grant_type") == "password" and username:
        return sign_in_budgets(username, address)
    return [address_budget(address)]


def password_change_budgets(user_id: object, address: str) -> list[Budget]:
    """Wrong `old_password`s at the password change, per user and per address: a stolen
    access token cannot be used to guess the password it was issued for."""
    return [
        Budget("password-change:user", str(user_id), settings.PASSWORD_CHANGE_RATE_LIMIT_PER_USER),
        Budget("password-change:address", address, settings.PASSWORD_CHANGE_RATE_LIMIT_PER_IP),
    ]
