"""Serializer building blocks every app's request bodies use, so that what the OpenAPI schema
promises about a body (its JSON types) is exactly what the API accepts, and text is text."""

import unicodedata
from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from api.text import name_problem, text_problem


def json_type_problem(field: serializers.Field[Any, Any, Any, Any], value: Any) -> str | None:
    """Why `value` is not the JSON type the schema documents for `field`, or None.

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
        # Documented as a decimal string ("19.90"): a JSON number could not say 19.90 exactly.
        return None if isinstance(value, str) else 'Expected a decimal as a string, e.g. "19.90".'
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
    if isinstance(
        field,
        serializers.CharField
        | serializers.UUIDField
        | serializers.DateTimeField
        | serializers.DateField
        | serializers.TimeField
        | serializers.DurationField,
    ):
        if not isinstance(value, str):
            return "Expected a string."
        if not getattr(field, "allow_control_characters", False):
            return text_problem(value)
    return None


class StrictInputMixin:
    """For serializers of request bodies: JSON types exactly as documented, and no control
    characters in text (tab and line breaks aside). Query parameters are strings by nature
    and do not use it."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {}
            for field in self._writable_fields:  # type: ignore[attr-defined]
                if field.field_name in data:
                    problem = json_type_problem(field, data[field.field_name])
                    if problem:
                        errors[field.field_name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class BodySerializer(StrictInputMixin, serializers.Serializer[Any]):
    """Base of every request-body serializer that is not a ModelSerializer."""


class NameField(serializers.CharField):
    """A name people read (a product, a tag, a person): one line, trimmed, no control or
    direction-override characters, at least one visible character."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value:
            problem = name_problem(value)
            if problem:
                raise serializers.ValidationError(problem)
        return value


class PasswordField(serializers.CharField):
    """A secret, taken as typed: never trimmed, any character (it is only ever hashed)."""

    allow_control_characters = True

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(**kwargs)


def nfkc(value: str) -> str:
    """Compatibility-normalised text: a fullwidth "\uff41" is an "a" (as Django does to
    usernames)."""
    return unicodedata.normalize("NFKC", value)
