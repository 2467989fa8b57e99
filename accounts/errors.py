"""The error codes accounts' services answer with (the `code` of the one error body)."""

from enum import StrEnum


class AccountsErrorCode(StrEnum):
    ALREADY_EXISTS = "already_exists"  # a username (or a lookalike of it) or e-mail taken
    NOT_FOUND = "not_found"
    INVALID = "invalid"  # e.g. following oneself
