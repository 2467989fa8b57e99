"""The storefront page: one HTML shell and static ES modules. It reads no model: everything
it shows comes from /api/ in the browser, with the shopper's bearer token."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.generic import TemplateView

# Scripts and styles only from this origin, no inline code, no framing: API data is shown as
# text, and even a slip in escaping could not run a script.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class StorefrontPage(TemplateView):
    template_name = "storefront/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oauth_client_id"] = settings.OAUTH_CLIENT_ID
        context["currency"] = settings.STORE_CURRENCY
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        # The shell is tiny and names the current static files: always revalidate it.
        response["Cache-Control"] = "no-cache"
        return response
