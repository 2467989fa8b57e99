"""The storefront's pages. Each path answers the same HTML shell; the page's script reads the
path and asks /api/ for what to show, so a link or a reload lands on the right view."""

from django.urls import path

from storefront.views import StorefrontPage

page = StorefrontPage.as_view()

urlpatterns = [
    path("", page, name="storefront"),
    path("products/<uuid:product_id>/", page, name="storefront-product"),
    path("users/<uuid:user_id>/", page, name="storefront-seller"),
    path("signin/", page, name="storefront-signin"),
    path("signup/", page, name="storefront-signup"),
    path("bag/", page, name="storefront-bag"),
    path("orders/", page, name="storefront-orders"),
    path("selling/", page, name="storefront-selling"),
    path("selling/new/", page, name="storefront-selling-new"),
    path("selling/webhooks/", page, name="storefront-selling-webhooks"),
    path("selling/<uuid:product_id>/", page, name="storefront-selling-edit"),
    path("sales/", page, name="storefront-sales"),
]
