from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower

from core.models import BaseModel, EveryRowManager, SoftDeleteQuerySet


class UserManager(DjangoUserManager["User"]):
    """Creates users like Django's; soft-deleted users are invisible (and so cannot sign in)."""

    def get_queryset(self) -> SoftDeleteQuerySet["User"]:
        return SoftDeleteQuerySet(self.model, using=self._db).filter(deleted__isnull=True)

    def get_by_natural_key(self, username: str | None) -> "User":
        # Usernames are unique case-insensitively, so signing in ignores case too.
        return self.get(username__iexact=username)


class User(BaseModel, AbstractUser):
    """A person who sells and buys. `created` is when they joined."""

    email = models.EmailField("email address", blank=True)
    bio = models.TextField(blank=True, max_length=2000)

    objects: ClassVar[UserManager] = UserManager()
    all_objects: ClassVar[EveryRowManager[Any]] = EveryRowManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_ci_unique"
            ),
        ]


class Follow(BaseModel):
    """`follower` follows `followee`. Unfollowing soft-deletes the row; following again adds one."""

    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_links")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "followee"],
                condition=models.Q(deleted__isnull=True),
                name="follow_alive_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="follow_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followee_id}"
