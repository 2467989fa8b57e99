"""OpenAPI pieces of accounts (imported in AccountsConfig.ready so spectacular finds them)."""

from typing import Any

from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

USER_ID = OpenApiParameter(
    "user_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The user's id."
)


class BearerTokenScheme(DjangoOAuthToolkitScheme):
    """Our bearer authentication is DOT's, documented as the OAuth2 password flow. The scopes of
    each operation come from api.permissions.TokenScopes (a TokenHasScope), read by the base
    class: `read` for safe methods, `write` for the rest."""

    target_class = "accounts.authentication.BearerTokenAuthentication"

    def get_security_requirement(self, auto_schema: Any) -> Any:
        return super().get_security_requirement(auto_schema) or {self.name: []}
