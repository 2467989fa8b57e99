"""Serializer building blocks for request bodies, so that what the OpenAPI schema promises
about a body is exactly what the API accepts: the JSON types, the lengths and the patterns
the schema shows are checked on the raw value, before DRF trims or coerces anything."""

import copy
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.text import (
    EMAIL_MESSAGE,
    EMAIL_PATTERN,
    MONEY_MESSAGE,
    MONEY_PATTERN,
    NAME_MESSAGE,
    NAME_PATTERN,
    TEXT_MESSAGE,
    TEXT_PATTERN,
)

Field = serializers.Field[Any, Any, Any, Any]
# DRF refuses NUL in any text field, and the request guard in any form field or query value;
# this makes the schema say so where no other pattern does.
NO_NUL = RegexValidator(r"^[^\x00]*$", "NUL characters are not allowed.")
STRING_FIELDS = (
    serializers.CharField,
    serializers.UUIDField,
    serializers.DateTimeField,
    serializers.DateField,
    serializers.TimeField,
    serializers.DurationField,
)


def _string_problem(field: Field, value: str) -> str | None:
    """Length and patterns as the schema states them, on the value as sent (JSON Schema's
    `pattern` is a search, as in Python's `re.search`)."""
    if value == "" and getattr(field, "allow_blank", False):
        return None  # documented as the empty alternative, whatever the pattern says
    max_length, min_length = getattr(field, "max_length", None), getattr(field, "min_length", None)
    if max_length is not None and len(value) > max_length:
        return f"Ensure this field has no more than {max_length} characters."
    if min_length is not None and len(value) < min_length:
        return f"Ensure this field has at least {min_length} characters."
    for validator in field.validators:
        if isinstance(validator, RegexValidator) and not re.search(validator.regex, value):
            return str(validator.message)
    return None


def json_type_problem(field: Field, value: Any) -> str | None:
    """Why `value` is not what the schema documents for `field`, or None.

    DRF is lenient (`"5"` for an integer, `0` for a string, `"yes"` for a boolean); the schema
    is not, and a client that follows it must not learn the difference by accident."""
    if value is None:
        return None  # DRF answers "may not be null" itself, or accepts it when allow_null
    if isinstance(field, serializers.ListSerializer):
        return None if isinstance(value, list) else "Expected a list."
    if isinstance(field, serializers.BaseSerializer):
        return None if isinstance(value, Mapping) else "Expected an object."
    if isinstance(field, serializers.JSONField):
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Expected true or false."
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "Expected an integer."
    if isinstance(field, serializers.FloatField):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "Expected a number."
    if isinstance(field, serializers.DecimalField):
        if not isinstance(value, str):
            return 'Expected a decimal as a string, e.g. "19.90".'
        return _string_problem(field, value)
    if isinstance(field, serializers.ListField | serializers.MultipleChoiceField):
        if not isinstance(value, list):
            return "Expected a list."
        child = getattr(field, "child", None)
        problems = [json_type_problem(child, item) for item in value] if child else []
        return next((p for p in problems if p), None)
    if isinstance(field, serializers.DictField):
        if not isinstance(value, Mapping):
            return "Expected an object."
        problems = [json_type_problem(field.child, item) for item in value.values()]
        return next((p for p in problems if p), None)
    if isinstance(field, serializers.ChoiceField):
        if all(isinstance(choice, str) for choice in field.choices):
            return None if isinstance(value, str) else "Expected a string."
        return None
    if isinstance(field, STRING_FIELDS):
        return _string_problem(field, value) if isinstance(value, str) else "Expected a string."
    return None


def _with_text_rule(field: Field) -> None:
    """Free text gets the text pattern (no control characters) unless it states its own."""
    if isinstance(field, serializers.ListField | serializers.DictField):
        _with_text_rule(field.child)
        return
    if (
        isinstance(field, serializers.CharField)
        and not getattr(field, "allow_control_characters", False)
        and not any(isinstance(v, RegexValidator) for v in field.validators)
    ):
        field.validators.append(RegexValidator(TEXT_PATTERN, TEXT_MESSAGE))


class StrictInputMixin:
    """JSON types, lengths and patterns exactly as the schema documents them, checked on the
    value as sent, and no control characters in text (tab and line breaks aside)."""

    # Query parameters are strings by nature, and an empty one means "not given".
    query_parameters = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Once per class, on the declared fields (instances share them: QueryParamsSerializer).
        for field in getattr(cls, "_declared_fields", {}).values():
            _with_text_rule(field)

    def get_fields(self) -> dict[str, Field]:
        fields: dict[str, Field] = super().get_fields()  # type: ignore[misc]
        for field in fields.values():  # a model serializer's fields are made per instance
            _with_text_rule(field)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {}
            for field in self._writable_fields:  # type: ignore[attr-defined]
                if field.field_name not in data:
                    continue
                value = data[field.field_name]
                if not self.query_parameters:
                    problem = json_type_problem(field, value)
                elif value != "" and isinstance(field, STRING_FIELDS):
                    problem = _string_problem(field, value)
                else:
                    problem = None
                if problem:
                    errors[field.field_name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class BodySerializer(StrictInputMixin, serializers.Serializer[Any]):
    """Base of every request-body serializer that is not a ModelSerializer."""


class QueryParamsSerializer(StrictInputMixin, serializers.Serializer[Any]):
    """Base of every serializer of query parameters, validated once per request."""

    query_parameters = True

    def get_fields(self) -> dict[str, Field]:
        # DRF deep-copies (re-creates) every declared field per instance: half the cost of
        # validating a search's parameters. Shallow copies suffice: binding a field only sets
        # attributes of its own, and validating changes none (the text rule was added to the
        # declared fields once, when the class was made).
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class CanonicalUUIDField(serializers.UUIDField):
    """A UUID written as the schema's `format: uuid` means it: 36 characters, hyphenated (DRF
    would also take 32 bare hex digits, braces or a `urn:uuid:` prefix)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not (
            len(data) == 36 and all(data[i] == "-" for i in (8, 13, 18, 23))
        ):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class NameField(serializers.CharField):
    """A name people read (a product, a tag, a person): one line, trimmed, no control or
    direction-override characters, at least one visible character (core.text.NAME_PATTERN)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", True)
        super().__init__(**kwargs)
        # Blank, where allowed, is the schema's own empty alternative (DRF skips validators).
        self.validators.append(RegexValidator(NAME_PATTERN, NAME_MESSAGE))


class EmailAddressField(serializers.CharField):
    """An e-mail address (core.text.EMAIL_PATTERN), the schema's `format: email` made exact."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)
        self.validators.append(RegexValidator(EMAIL_PATTERN, EMAIL_MESSAGE))


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": MONEY_PATTERN, "example": "19.90"}
)
class MoneyField(serializers.DecimalField):
    """An amount as a decimal string ("19.90"), never a JSON number (core.text.MONEY_PATTERN)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, str) and not re.search(MONEY_PATTERN, data):
            if re.fullmatch(r"\s*-[0-9.]+\s*", data):  # a negative amount: say just that
                self.fail("min_value", min_value=self.min_value)
            raise serializers.ValidationError(MONEY_MESSAGE)
        return super().to_internal_value(data)


class PasswordField(serializers.CharField):
    """A secret, taken as typed: never trimmed, any character but NUL (it is only hashed)."""

    allow_control_characters = True

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(**kwargs)
        self.validators.append(NO_NUL)


def nfkc(value: str) -> str:
    """Compatibility-normalised text: a fullwidth "\\uff41" is an "a" (as Django does to
    usernames)."""
    return unicodedata.normalize("NFKC", value)


def validated(
    serializer_class: type[serializers.BaseSerializer[Any]], data: Any, **kwargs: Any
) -> dict[str, Any]:
    """`data` as `serializer_class` accepts it, or its 400 (the views' one way to read input)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
