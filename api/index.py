"""GET /api/: a small JSON index of the API, so a person or a client finds their way in."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import TokenScopes

# name -> (path under /api/, what it is); the main collections and where to read more.
LINKS: dict[str, tuple[str, str]] = {
    "docs": ("docs/", "Swagger UI"),
    "schema": ("schema/", "OpenAPI 3 schema"),
    "health": ("health/", "Is each backing service answering?"),
    "products": ("products/", "Active products; `?q=` searches (cursor pagination)"),
    "product_autocomplete": ("products/autocomplete/", "Product name suggestions: `?q=`"),
    "tags": ("tags/", "Tags with their product counts"),
    "tag_autocomplete": ("tags/autocomplete/", "Tag suggestions: `?q=`"),
    "users": ("users/", "Sign up (POST)"),
    "me": ("users/me/", "My profile (signed in)"),
    "token": ("oauth/token/", "OAuth2 token: password and refresh grants"),
    "bag": ("bag/", "My bag (signed in)"),
    "orders": ("orders/", "My orders; POST places one from the bag"),
    "sales": ("sales/", "Order lines of my products"),
}

_link = inline_serializer(
    "ApiLink",
    {"href": serializers.URLField(), "description": serializers.CharField()},
)


class ApiIndexView(APIView):
    permission_classes = [TokenScopes, AllowAny]

    @extend_schema(
        operation_id="api_index",
        summary="Index of the API",
        responses={
            200: inline_serializer(
                "ApiIndex",
                {
                    "name": serializers.CharField(),
                    "version": serializers.CharField(),
                    "oauth_client_id": serializers.CharField(),
                    "links": serializers.DictField(child=_link),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        spectacular: dict[str, Any] = settings.SPECTACULAR_SETTINGS
        return Response(
            {
                "name": spectacular["TITLE"],
                "version": spectacular["VERSION"],
                "oauth_client_id": settings.OAUTH_CLIENT_ID,
                "links": {
                    name: {
                        "href": request.build_absolute_uri(f"/api/{path}"),
                        "description": description,
                    }
                    for name, (path, description) in LINKS.items()
                },
            }
        )
