from django.urls import path
from rest_framework.routers import SimpleRouter

from catalog.views import MyProductsView, ProductViewSet, TagViewSet, UserProductsView

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register("tags", TagViewSet, basename="tag")

urlpatterns = [
    path("users/me/products/", MyProductsView.as_view(), name="my-products"),
    path("users/<uuid:user_id>/products/", UserProductsView.as_view(), name="user-products"),
    # Each product's own paths: /api/products/ itself is search.urls' (tests/api/test_routes.py).
    *router.urls,
]
