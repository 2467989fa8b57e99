"""Shapes and validation of accounts at the edge of the API."""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import User
from api.serializers import (
    BodySerializer,
    EmailAddressField,
    NameField,
    PasswordField,
    StrictInputMixin,
    nfkc,
)

# Django's sign-up rule (letters and digits of any script, and . @ + - _): no spaces, control,
# direction-override or escape characters, no SQL wildcards.
USERNAME_PATTERN = r"^[\w.@+-]+\Z"


class UsernameField(serializers.RegexField):
    """The one username rule, at sign-up and at every change: compatibility-normalised like
    Django's `normalize_username`, then checked."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 150)
        super().__init__(USERNAME_PATTERN, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(nfkc(data) if isinstance(data, str) else data))


class OwnProfileSerializer(StrictInputMixin, serializers.ModelSerializer[User]):
    """The caller's own profile: private fields included, never the password."""

    # Declared, not derived from the model: the rules are the sign-up's, and uniqueness (a
    # functional index on lower(...)) is the database's to settle (409, accounts.services).
    username = UsernameField()
    email = EmailAddressField(allow_blank=True, required=False)
    first_name = NameField(max_length=150, allow_blank=True, required=False)
    last_name = NameField(max_length=150, allow_blank=True, required=False)
    joined = serializers.DateTimeField(source="created", read_only=True)

    class Meta:
        model = User
        fields = ("id", "username", "email", "first_name", "last_name", "bio", "joined")
        read_only_fields = ("id", "joined")


class RegistrationSerializer(BodySerializer):
    username = UsernameField()
    email = EmailAddressField()
    password = PasswordField(max_length=128)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Django's validators, with the would-be user so similarity to the name is caught.
        candidate = User(username=attrs["username"], email=attrs["email"])
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
        return attrs


WRONG_PASSWORD = "wrong_password"  # noqa: S105  (an error code, not a password)


class PasswordChangeSerializer(BodySerializer):
    old_password = PasswordField()
    new_password = PasswordField(max_length=128)

    def validate_old_password(self, value: str) -> str:
        if not self.context["user"].check_password(value):
            raise serializers.ValidationError("The current password is wrong.", WRONG_PASSWORD)
        return value

    def wrong_old_password(self) -> bool:
        """Whether validation refused `old_password` for being wrong (a guess, which the
        view's limiter counts), not for being missing or malformed."""
        errors = self.errors.get("old_password", [])
        return any(getattr(error, "code", None) == WRONG_PASSWORD for error in errors)

    def validate_new_password(self, value: str) -> str:
        try:
            password_validation.validate_password(value, user=self.context["user"])
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from error
        return value


class PublicProfileSerializer(serializers.Serializer[Any]):
    """What anyone may see of a user."""

    id = serializers.UUIDField()
    username = serializers.CharField()
    bio = serializers.CharField()
    joined = serializers.DateTimeField()
    active_products = serializers.IntegerField(help_text="Products of this user on sale now.")
    followers = serializers.IntegerField()
    following = serializers.IntegerField()


class UserSummarySerializer(serializers.ModelSerializer[User]):
    """One entry of a followers/following list: public fields only."""

    class Meta:
        model = User
        fields = ("id", "username")
        read_only_fields = fields
