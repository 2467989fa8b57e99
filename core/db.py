"""Reading what PostgreSQL said, by its structured fields rather than its message text (the
message holds the values, which may contain any word)."""

from django.db import IntegrityError


def violated_constraint(error: IntegrityError) -> str:
    """The name of the constraint an IntegrityError violated ("" when unknown)."""
    diagnostics = getattr(error.__cause__, "diag", None)
    return str(getattr(diagnostics, "constraint_name", None) or "")
