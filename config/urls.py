from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from api.index import ApiIndexView
from api.schema import DocsView, SchemaView
from ops.health import HealthView
from ops.metrics import metrics_view

api_patterns: list[URLPattern | URLResolver] = [
    path("", ApiIndexView.as_view(), name="api-index"),
    path("health/", HealthView.as_view(), name="health"),
    path("", include("accounts.urls")),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="schema"), name="docs"),
    # search owns /api/products/ (list and create) and the autocomplete paths.
    path("", include("search.urls")),
    path("", include("catalog.urls")),
    path("", include("commerce.urls")),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),
    # The shoppers' page: HTML and static files, a client of /api/ like any other.
    path("", include("storefront.urls")),
]

handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
