"""The storefront's pages. Each path answers the same HTML shell; the page's script reads the
path and asks /api/ for what to show, so a link or a reload lands on the right view."""

from django.urls import path

from storefront.views import StorefrontPage

# The paths main.js routes (its `routes` table), below the home page.
PAGES = [
    "products/<uuid:product_id>/",
    "users/<uuid:user_id>/",
    "signin/",
    "signup/",
    "bag/",
    "orders/",
    "selling/",
    "selling/new/",
    "selling/webhooks/",
    "selling/<uuid:product_id>/",
    "sales/",
]

page = StorefrontPage.as_view()

urlpatterns = [path("", page, name="storefront"), *(path(route, page) for route in PAGES)]
