"""Webhooks: who registers what, which deliveries an event makes, and how each is sent.

Fan-out: the webhooks' outbox rows (each event with the ids of the users it concerns,
recorded in the transaction of the change) become one Delivery per matching endpoint: an
active endpoint of a user in the event's audience, or of staff, that wants the event's type.
One fan-out runs at a time (an advisory lock), so deliveries keep the events' order.

Delivery: per endpoint (an advisory lock per endpoint), the oldest pending delivery of each
subject (one order) whose next try is due, then the next: one order's events arrive in order.
Signed with the Standard Webhooks scheme (`standardwebhooks`): `webhook-id` (the CloudEvent
id, the same on every try), `webhook-timestamp`, `webhook-signature`; the body is the
CloudEvent. 2xx delivers; network errors, 5xx and 429 are tried again with exponential
back-off and jitter (`Retry-After` honoured) up to WEBHOOK_MAX_ATTEMPTS, then failed and
kept; any other answer (4xx, redirects) fails at once. An endpoint whose every attempt failed
for WEBHOOK_DISABLE_AFTER_SECONDS is disabled, with the reason for its owner to read.
"""

import base64
import logging
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from uuid import UUID

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError
from standardwebhooks.webhooks import Webhook

from core.db import advisory_lock
from core.errors import Conflict, Invalid, NotFound
from core.models import OUTBOX_POSITION_SEQUENCE, OutboxEntry
from events import outbound, schemas
from events.envelope import CONTENT_TYPE, WEBHOOK_TOPIC, encode, envelope
from events.metrics import WEBHOOK_DELIVERIES
from events.models import Delivery, DeliveryStatus, WebhookEndpoint
from events.relay import relay_lock

logger = logging.getLogger(__name__)

FANOUT_LOCK_ID = 0x5354_4F52_5748  # "STORWH"
ENDPOINT_LOCK_CLASS = 0x5748  # with hashtext(endpoint id): one deliverer per endpoint
DELIVER_TASK = "events.tasks.deliver_webhooks"
TEST_EVENT_TYPE = "store.webhook.test.v1"
USER_AGENT = "store-api-webhooks/1"


# --- endpoints --------------------------------------------------------------------------


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _checked(url: str | None, event_types: list[str] | None) -> None:
    errors: dict[str, list[str]] = {}
    if url is not None:
        try:
            outbound.check_destination(url)
        except outbound.UnsafeDestination as exc:
            errors["url"] = [str(exc)]
    if event_types:
        unknown = sorted(set(event_types) - set(schemas.event_types()))
        if unknown:
            errors["event_types"] = [f"Unknown event types: {', '.join(unknown)}."]
    if errors:
        raise Invalid("The webhook endpoint is invalid.", errors)


def endpoints_of(owner: Any) -> QuerySet[WebhookEndpoint]:
    """The caller's endpoints, newest first."""
    return WebhookEndpoint.objects.filter(owner=owner).order_by("-created")


def endpoint_of(owner: Any, endpoint_id: UUID) -> WebhookEndpoint:
    endpoint = endpoints_of(owner).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound()
    return endpoint


def deliveries_of(owner: Any, endpoint_id: UUID) -> QuerySet[Delivery]:
    """The deliveries of one of the caller's endpoints, newest first."""
    endpoint = endpoint_of(owner, endpoint_id)
    return Delivery.objects.filter(endpoint=endpoint).order_by("-position")


@transaction.atomic
def create_endpoint(
    *, owner: Any, url: str, event_types: list[str] | None = None, active: bool = True
) -> WebhookEndpoint:
    """Register an endpoint of the caller's; its secret is on the returned instance (the
    only time it is shown)."""
    _checked(url, event_types)
    return WebhookEndpoint.objects.create(
        owner=owner,
        url=url,
        event_types=sorted(set(event_types or [])),
        active=active,
        secret=new_secret(),
    )


@transaction.atomic
def update_endpoint(*, owner: Any, endpoint_id: UUID, **fields: Any) -> WebhookEndpoint:
    """Change the URL, the event types or the active flag. Activating a disabled endpoint
    clears why it was disabled, and its pending deliveries go out again."""
    endpoint = endpoint_of(owner, endpoint_id)
    _checked(fields.get("url"), fields.get("event_types"))
    if "event_types" in fields:
        fields["event_types"] = sorted(set(fields["event_types"] or []))
    if fields.get("active") and not endpoint.active:
        fields.update(disabled_reason="", failing_since=None)
        _wake_after_commit([endpoint.pk])
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.save()
    return endpoint


def delete_endpoint(*, owner: Any, endpoint_id: UUID) -> None:
    """Remove the endpoint: nothing more is sent to it."""
    endpoint_of(owner, endpoint_id).delete()


@transaction.atomic
def rotate_secret(*, owner: Any, endpoint_id: UUID) -> WebhookEndpoint:
    """A new secret; the old one still signs for WEBHOOK_SECRET_GRACE_SECONDS."""
    endpoint = endpoint_of(owner, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires = timezone.now() + timedelta(
        seconds=settings.WEBHOOK_SECRET_GRACE_SECONDS
    )
    endpoint.secret = new_secret()
    endpoint.save()
    return endpoint


def _next_position() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [OUTBOX_POSITION_SEQUENCE])
        return int(cursor.fetchone()[0])


def _active(endpoint: WebhookEndpoint) -> None:
    if not endpoint.active:
        raise Conflict(
            "The endpoint is not active; activate it first.",
            {"disabled_reason": endpoint.disabled_reason},
            code="endpoint_inactive",
        )


@transaction.atomic
def send_test_event(*, owner: Any, endpoint_id: UUID) -> Delivery:
    """Send `store.webhook.test.v1` to the endpoint (after commit); returns its delivery."""
    endpoint = endpoint_of(owner, endpoint_id)
    _active(endpoint)
    event = envelope(
        type=TEST_EVENT_TYPE,
        source=settings.EVENTS_SOURCE,
        subject=str(endpoint.pk),
        data={"endpoint_id": str(endpoint.pk), "message": "A test event: it arrived."},
    )
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event_id=event["id"],
        event_type=TEST_EVENT_TYPE,
        subject=event["subject"],
        position=_next_position(),
        payload=event,
        next_try=timezone.now(),
    )
    _wake_after_commit([endpoint.pk])
    return delivery


@transaction.atomic
def redeliver(*, owner: Any, endpoint_id: UUID, delivery_id: UUID) -> Delivery:
    """Send a delivery again (same id and body), with a fresh retry budget."""
    endpoint = endpoint_of(owner, endpoint_id)
    _active(endpoint)
    delivery = (
        Delivery.objects.select_for_update().filter(endpoint=endpoint, pk=delivery_id).first()
    )
    if delivery is None:
        raise NotFound()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_try = timezone.now()
    delivery.attempts_before = delivery.attempts
    delivery.save()
    _wake_after_commit([endpoint.pk])
    return delivery


# --- fan-out ----------------------------------------------------------------------------


def _pending_rows() -> QuerySet[OutboxEntry]:
    return OutboxEntry.objects.filter(topic=WEBHOOK_TOPIC, processed__isnull=True)


def _wants(endpoint: WebhookEndpoint, event: dict[str, Any], audience: set[str]) -> bool:
    if event["type"] == TEST_EVENT_TYPE:
        return False
    if endpoint.event_types and event["type"] not in endpoint.event_types:
        return False
    return endpoint.owner.is_staff or str(endpoint.owner_id) in audience


def fan_out_batch(batch_size: int = 500) -> int:
    """Turn the oldest pending webhook rows into deliveries; returns how many rows."""
    with transaction.atomic():
        rows = list(
            _pending_rows()
            .select_for_update(skip_locked=True)
            .order_by("position")
            .values_list("pk", "position", "payload")[:batch_size]
        )
        if not rows:
            return 0
        # Every active endpoint of an active owner: few enough to hold (one query per batch).
        endpoints = list(
            WebhookEndpoint.objects.filter(active=True, owner__is_active=True).select_related(
                "owner"
            )
        )
        now = timezone.now()
        deliveries = [
            Delivery(
                endpoint=endpoint,
                event_id=payload["event"]["id"],
                event_type=payload["event"]["type"],
                subject=payload["event"]["subject"],
                position=position,
                payload=payload["event"],
                next_try=now,
            )
            for _, position, payload in rows
            for endpoint in endpoints
            if _wants(endpoint, payload["event"], set(payload.get("audience", [])))
        ]
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)  # a re-run adds none
        OutboxEntry.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
            processed=now, attempts=F("attempts") + 1
        )
        _wake_after_commit(sorted({delivery.endpoint_id for delivery in deliveries}))
    return len(rows)


def fan_out(batch_size: int = 500) -> int:
    """Fan out every pending webhook row; returns how many. Safe to call from many workers."""
    done = 0
    while True:
        with relay_lock(FANOUT_LOCK_ID) as held:
            if not held:
                return done  # another fan-out is at it, and looks again when done
            while count := fan_out_batch(batch_size):
                done += count
        if not _pending_rows().exists():
            return done


def _wake_after_commit(endpoint_ids: list[Any]) -> None:
    def wake() -> None:
        for endpoint_id in endpoint_ids:
            try:
                current_app.signature(DELIVER_TASK, args=[str(endpoint_id)]).apply_async()
            except OperationalError:  # broker down: beat's re-drive tries them
                logger.warning("Could not enqueue webhook deliveries; beat will re-drive them")
                return

    if endpoint_ids:
        transaction.on_commit(wake)


# --- delivery ---------------------------------------------------------------------------


@contextmanager
def endpoint_lock(endpoint_id: Any) -> Iterator[bool]:
    """Session-level advisory lock per endpoint: one deliverer at a time keeps the order."""
    with advisory_lock(ENDPOINT_LOCK_CLASS, str(endpoint_id)) as held:
        yield held


def _due(endpoint: WebhookEndpoint, now: datetime, limit: int) -> list[Delivery]:
    """The oldest due deliveries that head their subjects (nothing earlier of the same
    subject pending): at most one per subject, so sending them in turn keeps each order's
    events in order."""
    earlier = Delivery.objects.filter(
        endpoint=OuterRef("endpoint"),
        subject=OuterRef("subject"),
        status=DeliveryStatus.PENDING,
        position__lt=OuterRef("position"),
    )
    return list(
        Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING, next_try__lte=now)
        .exclude(Exists(earlier))
        .order_by("position")[:limit]
    )


def _deliver_rounds(endpoint_id: Any, batch_size: int) -> tuple[int, bool]:
    """Rounds of due deliveries until none is left; (attempts, whether it stopped early)."""
    attempts = 0
    while True:
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).first()
        batch = _due(endpoint, timezone.now(), batch_size) if endpoint else []
        if endpoint is None or not batch:
            return attempts, False
        caller = outbound.Caller()
        try:
            for delivery in batch:
                outcome = attempt(endpoint, delivery, caller)
                attempts += 1
                if outcome == "retrying" or not endpoint.active:
                    return attempts, True
        finally:
            caller.close()


def deliver(endpoint_id: Any, batch_size: int = 100) -> int:
    """Send the endpoint's due deliveries, in order; returns how many attempts were made.
    A round ends at the first failure worth retrying (the endpoint is down or busy: its other
    deliveries wait for the next round rather than each waiting out a timeout now). A
    deliverer that finds the endpoint's lock taken returns at once; the one holding it looks
    again after letting go, so a wake-up that arrived meanwhile is never lost."""
    attempts = 0
    while True:
        with endpoint_lock(endpoint_id) as held:
            if not held:
                return attempts  # another worker is delivering to it
            made, stopped = _deliver_rounds(endpoint_id, batch_size)
            attempts += made
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).first()
        if stopped or endpoint is None or not _due(endpoint, timezone.now(), 1):
            return attempts


def redrive() -> int:
    """Beat: fan out rows left pending, and deliver to every endpoint with a due delivery."""
    fan_out()
    due = (
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_try__lte=timezone.now(),
            endpoint__active=True,
            endpoint__deleted__isnull=True,
        )
        .values_list("endpoint_id", flat=True)
        .distinct()
    )
    endpoint_ids = list(due)
    for endpoint_id in endpoint_ids:
        current_app.signature(DELIVER_TASK, args=[str(endpoint_id)]).apply_async()
    return len(endpoint_ids)


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one during its grace period."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires
    if endpoint.previous_secret and expires and expires > now:
        found.append(endpoint.previous_secret)
    return found


def signed_headers(endpoint: WebhookEndpoint, message_id: str, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers (one signature per valid secret, space-separated)."""
    now = timezone.now()
    return {
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(
            Webhook(secret).sign(message_id, now, body) for secret in signing_secrets(endpoint, now)
        ),
    }


def _retry_after(value: str | None, now: datetime) -> float:
    """Seconds the receiver asked us to wait (`Retry-After`: seconds or an HTTP date)."""
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return 0.0


def backoff(tries: int, retry_after: float = 0.0) -> float:
    """Seconds before the next try: base·2^(tries-1), capped, half of it random ("equal
    jitter", so endpoints that failed together do not retry together), and never sooner
    than the receiver's Retry-After."""
    delay = min(
        settings.WEBHOOK_RETRY_MAX_SECONDS, settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (tries - 1)
    )
    jittered = delay / 2 + random.uniform(0, delay / 2)  # noqa: S311  (not cryptographic)
    return min(settings.WEBHOOK_RETRY_MAX_SECONDS, max(jittered, retry_after))


ATTEMPT_FIELDS = [
    "status",
    "attempts",
    "next_try",
    "last_attempt",
    "response_code",
    "duration_ms",
    "error",
]


def attempt(
    endpoint: WebhookEndpoint, delivery: Delivery, caller: outbound.Caller | None = None
) -> str:
    """Try one delivery once and record the outcome: delivered, retrying or failed."""
    body = encode(delivery.payload)
    now = timezone.now()
    code: int | None = None
    duration_ms: int | None = None
    retry_after = 0.0
    try:
        headers = signed_headers(endpoint, str(delivery.event_id), body)
        if caller is None:
            answer = outbound.post(endpoint.url, body, headers)
        else:
            answer = caller.post(endpoint.url, body, headers)
    except outbound.UnsafeDestination as exc:
        error, retryable = str(exc), False
    except outbound.CallFailed as exc:
        error, retryable = str(exc), True
    else:
        code, duration_ms = answer.status, answer.duration_ms
        retryable = code == 429 or code >= 500
        error = (
            ""
            if 200 <= code < 300
            else f"HTTP {code}: {answer.body[:500].decode(errors='replace')}"
        )
        retry_after = _retry_after(answer.headers.get("retry-after"), now)
    delivery.attempts += 1
    delivery.last_attempt = now
    delivery.response_code = code
    delivery.duration_ms = duration_ms
    delivery.error = error
    disabling = False
    was_failing = endpoint.failing_since is not None
    if not error:
        outcome = "delivered"
        delivery.status = DeliveryStatus.DELIVERED
        delivery.next_try = None
        endpoint.failing_since = None
    else:
        tries = delivery.attempts - delivery.attempts_before
        if retryable and tries < settings.WEBHOOK_MAX_ATTEMPTS:
            outcome = "retrying"
            delivery.next_try = now + timedelta(seconds=backoff(tries, retry_after))
        else:
            outcome = "failed"
            delivery.status = DeliveryStatus.FAILED
            delivery.next_try = None
        endpoint.failing_since = endpoint.failing_since or now
        failing = (now - endpoint.failing_since).total_seconds()
        if failing >= settings.WEBHOOK_DISABLE_AFTER_SECONDS:
            disabling = True
            endpoint.active = False
            endpoint.disabled_reason = (
                f"Disabled at {now.isoformat()}: every delivery failed since "
                f"{endpoint.failing_since.isoformat()}. Last error: {error}"
            )[:2000]
    with transaction.atomic():
        delivery.save(update_fields=[*ATTEMPT_FIELDS, "updated"])
        # Only what this attempt decides (the owner may have changed the rest meanwhile), and
        # only when it changed: a healthy endpoint's row is not written on every delivery.
        if disabling or was_failing != (endpoint.failing_since is not None):
            changed = ["failing_since", "updated"]
            if disabling:
                changed += ["active", "disabled_reason"]
            endpoint.save(update_fields=changed)
    WEBHOOK_DELIVERIES.labels(outcome).inc()
    return outcome
