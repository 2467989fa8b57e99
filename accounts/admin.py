from collections.abc import Sequence

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import services
from accounts.models import Follow, User
from accounts.throttling import Refused, limited_attempt, sign_in_budgets
from api.throttling import client_ip


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in, drawing on the token endpoint's failure budgets (the same
    counters: guesses at either count together). While a budget is locked the password is
    not checked and the form says how long to wait."""

    def clean(self) -> dict[str, object]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password or self.request is None:
            return super().clean()
        try:
            with limited_attempt(sign_in_budgets(username, client_ip(self.request))) as attempt:
                try:
                    cleaned = super().clean()
                except ValidationError:
                    # A staff check refusing a right password is no guess.
                    if self.user_cache is None:
                        attempt.failed()
                    raise
                attempt.succeeded()
                return cleaned
        except Refused as refused:
            raise ValidationError(
                "Too many failed sign-ins. Try again in %(seconds)d seconds.",
                code="throttled",
                params={"seconds": refused.retry_after},
            ) from refused


# Not a custom AdminSite (that would need the admin app swapped in INSTALLED_APPS): the
# default site's documented hook for its login form.
admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(User)
class StoreUserAdmin(UserAdmin):
    """Django's user admin; User.validate_unique refuses a lookalike of another account's
    name in its forms. Deleting goes through the service, so the account's tokens die too
    (the row is soft-deleted either way)."""

    def get_deleted_objects(
        self, objs: Sequence[User] | QuerySet[User], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        # A soft delete cascades nothing (orders, products and follows stay, tokens are
        # revoked by the service): the confirmation lists the accounts alone, and needs no
        # delete permission on token rows, which DOT's admin never grants.
        names = [str(user) for user in objs]
        perms_needed = set() if self.has_delete_permission(request) else {"user"}
        return names, {str(User._meta.verbose_name_plural): len(names)}, perms_needed, []

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.delete_account(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.delete_account(user=user)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created", "deleted")
    raw_id_fields = ("follower", "followee")
