"""Domain errors: what a service says when it refuses, in the store's words, without HTTP.

Services raise these from a view, a task, a command or a test alike; only the API edge
(`api.errors`) turns each class into a status code and the one error body. `code` is a stable
machine-readable string (each app keeps its codes in its `errors.py` enum); `details` holds
what a client needs to act (the fields refused, the lines short, the allowed events)."""

from typing import Any


class DomainError(Exception):
    """Base of every refusal a service can make."""

    default_code = "error"
    default_message = "The request cannot be done."

    def __init__(
        self,
        message: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        code: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = str(code or self.default_code)
        self.details = details or {}
        super().__init__(self.message)


class NotFound(DomainError):
    """The thing does not exist, or is not the caller's to see (the two look the same)."""

    default_code = "not_found"
    default_message = "Not found."


class Invalid(DomainError):
    """Input refused by a rule of the domain; `details` maps field names to messages."""

    default_code = "invalid"
    default_message = "The request is invalid."


class Conflict(DomainError):
    """Valid input that the current state of the data refuses."""

    default_code = "conflict"
    default_message = "The resource's current state does not allow this."


class InvalidTransition(Conflict):
    """A state machine refused an event: the state and the events it allows are the details."""

    default_code = "invalid_transition"

    def __init__(self, *, state: str, event: str, allowed_events: list[str]) -> None:
        super().__init__(
            f"Cannot {event} when {state}.",
            {"state": state, "event": event, "allowed_events": allowed_events},
        )
        self.state = state
        self.event = event
        self.allowed_events = allowed_events


class PreconditionFailed(DomainError):
    """The caller's precondition (the version it read) no longer holds."""

    default_code = "precondition_failed"
    default_message = "The resource changed since you read it (If-Match does not match)."


class Unavailable(DomainError):
    """A service the answer needs (search) is unreachable or overloaded: try again shortly."""

    default_code = "service_unavailable"
    default_message = "A service this endpoint needs is unavailable; try again shortly."


class Unprocessable(DomainError):
    """Well-formed, but contradicting an earlier request (e.g. an idempotency key reused for
    another bag)."""

    default_code = "unprocessable"
    default_message = "The request contradicts an earlier one."
