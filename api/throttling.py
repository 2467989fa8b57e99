"""Abuse limits shared by several apps: per-user rates of the writes that cost others
something (placing orders, creating products and tags, following) and per-address rates of
what anonymous callers read (search, health). Rates are
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]`; counters live in the Redis cache, shared by
every web process. A refusal is DRF's 429 with `Retry-After`, in the one error body."""

import logging
from typing import TypeVar, cast

from django.http import HttpRequest
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

logger = logging.getLogger(__name__)
_T = TypeVar("_T", bound="_ScopedThrottle")


def client_ip(request: HttpRequest | Request) -> str:
    """The caller's address as DRF's throttles see it (honours `NUM_PROXIES`)."""
    # get_ident only reads headers and META, which Django's HttpRequest has too.
    return BaseThrottle().get_ident(request) or "unknown"  # type: ignore[arg-type]


class _ScopedThrottle(SimpleRateThrottle):
    scope: str

    def get_rate(self) -> str | None:
        # Read at each request, not at import (DRF's class attribute), so tests and
        # operators changing the settings are obeyed.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return None if rate is None else str(rate)

    def counts(self, request: Request, view: APIView) -> bool:
        raise NotImplementedError

    def allow_request(self, request: Request, view: APIView) -> bool:
        if not self.counts(request, view):
            return True
        # Fail open: a limit is worth less than the sale; orders are taken while Redis (the
        # counters' home) is down, as they always were (make chaos).
        try:
            return bool(super().allow_request(request, view))
        except RedisError:
            logger.warning("Rate limit %s not checked: Redis is unavailable", self.scope)
            return True


class UserWriteThrottle(_ScopedThrottle):
    """One signed-in user's uses of a writing action (the view's `action` among `actions`;
    for a plain APIView, its POST). Reads and other actions of the view never count."""

    actions: frozenset[str] = frozenset({"create"})

    def counts(self, request: Request, view: APIView) -> bool:
        action = getattr(view, "action", None)
        if action is None:
            return request.method == "POST"
        return action in self.actions

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None  # refused by the permissions already; nothing to count
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousReadThrottle(_ScopedThrottle):
    """Anonymous reads (GET, HEAD) per client address (`NUM_PROXIES` honoured). Signed-in
    callers are not counted here: their token is the handle to stop them by."""

    def counts(self, request: Request, view: APIView) -> bool:
        anonymous = not request.user or not request.user.is_authenticated
        return anonymous and request.method in {"GET", "HEAD"}

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def _rate(kind: type[_T], scope: str, **attrs: object) -> type[_T]:
    """A throttle of `kind` counting against the rate named `scope`."""
    namespace = {"scope": scope, "__module__": __name__, **attrs}
    return cast("type[_T]", type(f"{kind.__name__}[{scope}]", (kind,), namespace))


# One throttle per rate of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], and what it counts.
OrderRateThrottle = _rate(UserWriteThrottle, "orders")  # POST /api/orders/ per buyer
ProductCreateRateThrottle = _rate(UserWriteThrottle, "products")  # POST /api/products/ per seller
TagCreateRateThrottle = _rate(UserWriteThrottle, "tags")  # POST /api/tags/ per user
# POST /api/products/{id}/tags/ creates the tag when new: the same `tags` counter.
ProductTagRateThrottle = _rate(UserWriteThrottle, "tags", actions=frozenset({"add_tag"}))
FollowRateThrottle = _rate(UserWriteThrottle, "follows")  # POST /api/users/{id}/follow/ per user
# Anonymous listing, search and autocomplete per address.
SearchRateThrottle = _rate(AnonymousReadThrottle, "search")
# GET /api/health/ per address: it probes every backing service.
HealthRateThrottle = _rate(AnonymousReadThrottle, "health")


__all__ = [
    "AnonymousReadThrottle",
    "FollowRateThrottle",
    "HealthRateThrottle",
    "OrderRateThrottle",
    "ProductCreateRateThrottle",
    "ProductTagRateThrottle",
    "SearchRateThrottle",
    "TagCreateRateThrottle",
    "UserWriteThrottle",
]
