"""Verified bearer tokens remembered per web process, forgotten at once on any revocation.

Every authenticated request used to ask PostgreSQL for its token (django-oauth-toolkit's
lookup joins the token, its application and its user): about a tenth of a checkout's CPU in
the web process (docs/PERFORMANCE.md, checkout). A process now keeps what that lookup
returned for TOKEN_CACHE_SECONDS, never past the token's own expiry.

Revocation is immediate in every process: any change that can end a token's validity (a
token deleted or changed, a user saved or deleted: password, deactivation, soft delete)
writes a new random *epoch* to Redis after its transaction commits, before its own response
leaves. Every cached answer is used only while Redis still holds the epoch it was cached
under, which costs one Redis GET per request instead of a PostgreSQL query. When Redis
cannot be read, nothing is taken from the cache (tokens are checked in PostgreSQL), and a
revocation that cannot write the epoch is refused (503) before it commits, so a cache can
never keep a revoked token past the moment its revocation answered.
"""

import hashlib
import logging
import threading
import time
import uuid
from copy import copy
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from redis.exceptions import RedisError

from core.errors import Unavailable

logger = logging.getLogger(__name__)

EPOCH_KEY = "accounts:token-epoch"
MAX_ENTRIES = 10_000


def _current_epoch() -> str | None:
    """The epoch in Redis (a fresh one if Redis lost it); None when Redis can't be read."""
    try:
        epoch = cache.get(EPOCH_KEY)
        if epoch is None:  # first use, or Redis restarted empty: every cache starts over
            cache.add(EPOCH_KEY, uuid.uuid4().hex, timeout=None)
            epoch = cache.get(EPOCH_KEY)
    except RedisError:
        return None
    return str(epoch) if epoch is not None else None


def new_epoch() -> None:
    """Make every process forget the tokens it verified (raises RedisError)."""
    cache.set(EPOCH_KEY, uuid.uuid4().hex, timeout=None)


def forget_verified_tokens() -> None:
    """Called when a change may end tokens' validity, inside the changing transaction: a new
    epoch now (refused with 503 while Redis can't take it, so the change rolls back) and
    again once the change is committed (an answer cached in between is dropped too), that
    one registered once per transaction however many tokens it deletes."""
    try:
        new_epoch()
    except RedisError as exc:
        raise Unavailable(
            "Signing out needs Redis, which is unreachable; try again shortly."
        ) from exc
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "forgets_tokens", False) for _, callback, *_ in connection.run_on_commit
    ):
        return

    def after_commit() -> None:
        try:
            new_epoch()
        except RedisError:
            logger.exception("Could not renew the token epoch after a revocation committed")

    after_commit.forgets_tokens = True  # type: ignore[attr-defined]
    transaction.on_commit(after_commit)


class VerifiedTokens:
    """token checksum -> (when cached, user, access token), valid for one epoch."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Any, Any]] = {}
        self._epoch: str | None = None
        self._lock = threading.Lock()

    @staticmethod
    def checksum(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()

    def lookup(self, raw_token: str) -> tuple[tuple[Any, Any] | None, str | None]:
        """(user, token) if this process verified the token in the current epoch, and the
        epoch read (to pass to `remember`); (None, None) when the cache is off or Redis
        can't be read."""
        if settings.TOKEN_CACHE_SECONDS <= 0:
            return None, None
        epoch = _current_epoch()
        if epoch is None:
            return None, None
        with self._lock:
            if epoch != self._epoch:
                self._entries.clear()
                self._epoch = epoch
            entry = self._entries.get(self.checksum(raw_token))
        if entry is None:
            return None, epoch
        cached_at, user, token = entry
        if time.monotonic() - cached_at > settings.TOKEN_CACHE_SECONDS or (
            token.expires <= timezone.now()
        ):
            return None, epoch
        # Each request gets its own instances: a view may change request.user in place.
        user, token = copy(user), copy(token)
        token.user = user
        return (user, token), epoch

    def remember(self, raw_token: str, user: Any, token: Any, epoch: str | None) -> None:
        """Keep a token PostgreSQL just verified, if the epoch read before that check is
        still this process's (a revocation in between must not be undone)."""
        if epoch is None:
            return
        with self._lock:
            if epoch != self._epoch:
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[self.checksum(raw_token)] = (time.monotonic(), user, token)


verified_tokens = VerifiedTokens()
