"""Write use-cases of accounts: one function per thing a user does, each one transaction."""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
)

from accounts.errors import AccountsErrorCode
from accounts.identity import canonical_username
from accounts.models import Follow, User
from core.db import violated_constraint
from core.errors import Conflict, Invalid

PROFILE_FIELDS = ("username", "email", "first_name", "last_name", "bio")


def _unique_violation(
    error: IntegrityError,
    *,
    username: str | None = None,
    email: str | None = None,
    user: User | None = None,
) -> Conflict:
    """A taken username (its canonical form, accounts.identity: case and lookalike letters
    ignored) or e-mail (case-insensitive), soft-deleted users included: the database's
    unique indexes decide, so two sign-ups racing for one name cannot both win.
    A well-formed request that conflicts with existing data: 409, naming the field the
    violated constraint tells (the message holds the value, which may say "email"), and the
    other one too when it is taken as well (PostgreSQL reports only the first index hit)."""
    constraint = violated_constraint(error)
    fields = {"email" if "email" in constraint else "username"}
    others = User.all_objects.exclude(pk=user.pk) if user is not None else User.all_objects
    if (
        username is not None
        and others.filter(username_canonical=canonical_username(username)).exists()
    ):
        fields.add("username")
    # lower() on both sides, as the unique index on e-mail has it (iexact would use upper()).
    if email and others.alias(lower=Lower("email")).filter(lower=Lower(Value(email))).exists():
        fields.add("email")
    messages = {field: f"A user with that {field} already exists." for field in sorted(fields)}
    first = messages.get("username") or messages["email"]
    return Conflict(
        first,
        {field: [message] for field, message in messages.items()},
        code=AccountsErrorCode.ALREADY_EXISTS,
    )


@transaction.atomic
def register_user(*, username: str, email: str, password: str) -> User:
    """Create an account. Input was validated by the serializer (password validators); the
    database's unique indexes (canonical username, lower-cased e-mail) decide whether the
    name is taken."""
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError as error:
        raise _unique_violation(error, username=username, email=email) from error


@transaction.atomic
def update_profile(*, user: User, **changes: Any) -> User:
    """Change the caller's own profile fields (username, email, names, bio)."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(user, field, value)
    try:
        with transaction.atomic():
            user.save(update_fields=[*changes, "updated"])
    except IntegrityError as error:
        username, email = changes.get("username"), changes.get("email")
        raise _unique_violation(error, username=username, email=email, user=user) from error
    return user


@transaction.atomic
def change_password(*, user: User, new_password: str, current_token: Any) -> None:
    """Set a new password; saving it revokes every token of the user except the caller's
    own (accounts.apps), so a stolen token dies with the old password while the caller
    stays signed in."""
    user.set_password(new_password, keep_token=current_token)
    user.save(update_fields=["password", "updated"])


def revoke_tokens(*, user: User, keep: Any = None) -> None:
    """Revoke the user's refresh tokens and delete their access tokens, except `keep` (an
    access token) and the refresh token paired with it. Runs in the caller's transaction."""
    refresh_tokens = get_refresh_token_model().objects.filter(user=user, revoked__isnull=True)
    access_tokens = get_access_token_model().objects.filter(user=user)
    if keep is not None:
        refresh_tokens = refresh_tokens.exclude(access_token=keep)
        access_tokens = access_tokens.exclude(pk=keep.pk)
    # Refresh tokens first: an orphaned, unrevoked refresh token could mint new access tokens.
    refresh_tokens.update(revoked=timezone.now(), access_token=None)
    access_tokens.delete()


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Soft-delete the account and revoke all its tokens: it can no longer sign in, its
    public profile answers 404."""
    revoke_tokens(user=user)
    user.delete()


@transaction.atomic
def follow_user(*, follower: User, followee: User) -> Follow:
    """Follow someone; following again is a no-op. Following oneself is refused."""
    if follower.pk == followee.pk:
        raise Invalid(details={"user": ["You cannot follow yourself."]})
    existing = Follow.objects.filter(follower=follower, followee=followee).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Follow.objects.create(follower=follower, followee=followee)
    except IntegrityError:
        # A concurrent follow won the unique constraint: the outcome is the same.
        return Follow.objects.get(follower=follower, followee=followee)


@transaction.atomic
def unfollow_user(*, follower: User, followee: User) -> None:
    """Stop following someone (soft-deletes the link); not following is a no-op."""
    Follow.objects.filter(follower=follower, followee=followee).delete()


@transaction.atomic
def ensure_first_party_client() -> None:
    """Make sure the public first-party OAuth2 client `settings.OAUTH_CLIENT_ID` exists: no
    secret, password grant (refresh comes with it). Idempotent; run after every migrate."""
    application_model = get_application_model()
    if application_model._meta.db_table not in connection.introspection.table_names():
        return  # oauth2_provider is not migrated yet (e.g. `migrate accounts` alone)
    application_model.objects.update_or_create(
        client_id=settings.OAUTH_CLIENT_ID,
        defaults={
            "name": "Storefront (first party)",
            "client_type": application_model.CLIENT_PUBLIC,
            "authorization_grant_type": application_model.GRANT_PASSWORD,
            "client_secret": "",
            "hash_client_secret": False,
            "redirect_uris": "",
            "skip_authorization": True,
        },
    )
