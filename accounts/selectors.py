"""Reads of accounts: public profiles and follow lists."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from accounts.models import Follow, User
from core.errors import NotFound


def get_user(user_id: Any) -> User:
    """A live user by id; unknown, soft-deleted or malformed ids are all 404 (never 500)."""
    try:
        pk = uuid.UUID(str(user_id))
    except ValueError:
        raise NotFound() from None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise NotFound()
    return user


def count_active_products(user: User) -> int:
    """Products for sale the user owns, by catalog's own rule, through the reverse relation
    (catalog depends on accounts, not the other way round)."""
    return int(user.products.for_sale().count())


@dataclass(frozen=True)
class PublicProfile:
    id: uuid.UUID
    username: str
    bio: str
    joined: datetime
    active_products: int
    followers: int
    following: int


def get_public_profile(user_id: Any) -> PublicProfile:
    """What anyone may see of a user: never e-mail or names."""
    user = get_user(user_id)
    return PublicProfile(
        id=user.pk,
        username=user.username,
        bio=user.bio,
        joined=user.created,
        active_products=count_active_products(user),
        followers=Follow.objects.filter(followee=user, follower__deleted__isnull=True).count(),
        following=Follow.objects.filter(follower=user, followee__deleted__isnull=True).count(),
    )


def list_followers(user: User) -> QuerySet[User]:
    """Live users following `user`, most recent follow first."""
    return User.objects.filter(
        following_links__followee=user, following_links__deleted__isnull=True
    ).order_by("-following_links__created", "id")


def list_following(user: User) -> QuerySet[User]:
    """Live users `user` follows, most recent follow first."""
    return User.objects.filter(
        follower_links__follower=user, follower_links__deleted__isnull=True
    ).order_by("-follower_links__created", "id")
