from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

from accounts.models import Follow, User
from accounts.throttling import Refused, client_ip, limited_attempt, sign_in_budgets


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
# User.validate_unique refuses a lookalike of another account's name in the admin's forms.
admin.site.register(User, UserAdmin)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created", "deleted")
    raw_id_fields = ("follower", "followee")
