"""Reading what PostgreSQL said, by its structured fields rather than its message text (the
message holds the values, which may contain any word)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, connection


def violated_constraint(error: IntegrityError) -> str:
    """The name of the constraint an IntegrityError violated ("" when unknown)."""
    diagnostics = getattr(error.__cause__, "diag", None)
    return str(getattr(diagnostics, "constraint_name", None) or "")


@contextmanager
def advisory_lock(key: int, name: str | None = None) -> Iterator[bool]:
    """A session-level PostgreSQL advisory lock, tried without waiting; yields whether it is
    held, and releases it after. Held across transactions (a relay's batches, an endpoint's
    deliveries). With `name`, the lock is (key, hashtext(name)): one per named thing."""
    args: list[int | str] = [key] if name is None else [key, name]
    keys = "%s" if name is None else "%s, hashtext(%s)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_lock({keys})", args)
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT pg_advisory_unlock({keys})", args)
