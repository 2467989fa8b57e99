from collections.abc import Collection, Iterable
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from accounts.identity import canonical_username
from core.models import BaseModel, EveryRowManager, SoftDeleteQuerySet, unique_among_alive

USERNAME_TAKEN = "A user with that username already exists."


class UserManager(DjangoUserManager["User"]):
    """Creates users like Django's; soft-deleted users are invisible (and so cannot sign in)."""

    def get_queryset(self) -> SoftDeleteQuerySet["User"]:
        return SoftDeleteQuerySet(self.model, using=self._db).filter(deleted__isnull=True)

    def get_by_natural_key(self, username: str | None) -> "User":
        # Sign-in (Django's ModelBackend, so DOT's password grant and the admin) finds the
        # one account whose canonical name matches: a unique column, never two rows.
        if not isinstance(username, str):
            raise self.model.DoesNotExist
        return self.get(username_canonical=canonical_username(username))


class User(BaseModel, AbstractUser):
    """A person who sells and buys. `created` is when they joined."""

    email = models.EmailField("email address", blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    # canonical_username(username), kept by save(); unique, so lookalikes cannot coexist.
    username_canonical = models.TextField(editable=False)

    objects: ClassVar[UserManager] = UserManager()
    all_objects: ClassVar[EveryRowManager[Any]] = EveryRowManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["username_canonical"], name="user_username_canonical_unique"
            ),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_ci_unique"
            ),
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._password_disabled = False
        self._token_kept: Any = None
        # Read by the post_save receiver in accounts.apps, which revokes the user's tokens.
        self.password_changed_on_save = False
        self.token_kept_on_password_change: Any = None

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keeps `username_canonical` in step with `username` (including saves limited by
        `update_fields`), and flags a password change for accounts.apps to revoke tokens."""
        self.username_canonical = canonical_username(self.username or "")
        update_fields: Iterable[str] | None = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_canonical"}
        # Django keeps the raw password in `_password` from set_password() until the save,
        # and clears it first for a mere hash upgrade at sign-in, which is no change.
        raw_password = getattr(self, "_password", None)
        self.password_changed_on_save = raw_password is not None or self._password_disabled
        self.token_kept_on_password_change = self._token_kept
        try:
            super().save(*args, **kwargs)
        finally:
            self.password_changed_on_save = self._password_disabled = False
            self.token_kept_on_password_change = self._token_kept = None

    def set_password(self, raw_password: str | None, *, keep_token: Any = None) -> None:
        """Django's, plus: the next save revokes every token of the user except `keep_token`
        (an access token, and its refresh token), whoever changed the password and how."""
        super().set_password(raw_password)
        self._password_disabled = raw_password is None
        self._token_kept = keep_token

    def set_unusable_password(self) -> None:
        """Django's; disabling the password revokes the user's tokens on save too."""
        super().set_unusable_password()
        self._password_disabled = True
        self._token_kept = None

    def validate_unique(self, exclude: Collection[str] | None = None) -> None:
        """Model forms (the admin's) refuse a lookalike of another account's name, naming
        the username field, before the database's unique index would."""
        super().validate_unique(exclude=exclude)
        if exclude and "username" in exclude:
            return
        taken = User.all_objects.filter(username_canonical=canonical_username(self.username))
        if taken.exclude(pk=self.pk).exists():
            raise ValidationError({"username": [USERNAME_TAKEN]}, code="unique")


class Follow(BaseModel):
    """`follower` follows `followee`. Unfollowing soft-deletes the row; following again adds one."""

    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_links")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_links")

    class Meta:
        constraints = [
            unique_among_alive(fields=["follower", "followee"], name="follow_alive_unique"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="follow_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followee_id}"
