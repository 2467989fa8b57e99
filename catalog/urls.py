from django.urls import path
from rest_framework.routers import SimpleRouter

from catalog.views import MyProductsView, ProductViewSet, TagViewSet, UserProductsView

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register("tags", TagViewSet, basename="tag")

urlpatterns = [
    path("users/me/products/", MyProductsView.as_view(), name="my-products"),
    path("users/<uuid:user_id>/products/", UserProductsView.as_view(), name="user-products"),
    # GET/POST /api/products/ has one owner, search.urls (the listing reads Elasticsearch);
    # the catalog routes only each product's own path.
    *(url for url in router.urls if getattr(url, "name", None) != "product-list"),
]
