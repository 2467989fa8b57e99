"""Rate limits of the accounts endpoints. Counters live in the Redis cache, shared by every
web process."""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView


def client_ip(request: HttpRequest | Request) -> str:
    """The caller's address as DRF's throttles see it (honours `NUM_PROXIES`)."""
    # get_ident only reads headers and META, which Django's HttpRequest has too.
    return BaseThrottle().get_ident(request) or "unknown"  # type: ignore[arg-type]


class RegistrationRateThrottle(SimpleRateThrottle):
    """Sign-ups per client IP, whoever is signed in (rate: `registration`)."""

    scope = "registration"

    def allow_request(self, request: Request, view: APIView) -> bool:
        # Only sign-ups count: a wrong method is a 405, an OPTIONS a description, not a try.
        return request.method != "POST" or super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


@dataclass(frozen=True)
class Refusal:
    retry_after: int  # seconds until the window that refused the attempt ends


def check_token_attempt(request: HttpRequest) -> Refusal | None:
    """Count one attempt at the token endpoint; say whether it must be refused.

    Fixed windows of TOKEN_RATE_LIMIT_WINDOW_SECONDS. Every request counts against the
    client IP; password-grant requests also count against the (case-folded) username, so
    spreading guesses over many addresses does not help. A refused attempt never reaches
    the password check, so while limited even the right password fails.
    """
    window = settings.TOKEN_RATE_LIMIT_WINDOW_SECONDS
    now = time.time()
    window_number = int(now // window)
    retry_after = max(1, math.ceil((window_number + 1) * window - now))

    limits = [(f"ip:{client_ip(request)}", settings.TOKEN_RATE_LIMIT_PER_IP)]
    username = request.POST.get("username", "")
    if request.POST.get("grant_type") == "password" and username:
        # Hashed: a username may hold characters a cache key must not.
        digest = hashlib.sha256(username.casefold().encode()).hexdigest()
        limits.append((f"user:{digest}", settings.TOKEN_RATE_LIMIT_PER_USERNAME))

    refused = False
    for subject, limit in limits:
        key = f"token-attempts:{subject}:{window_number}"
        # add() is a no-op when the key exists; incr() is atomic in Redis.
        cache.add(key, 0, timeout=window + 1)
        if cache.incr(key) > limit:
            refused = True
    return Refusal(retry_after) if refused else None
