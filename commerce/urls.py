from django.urls import path
from rest_framework.routers import SimpleRouter

from commerce.views import BagItemViewSet, BagView, OrderViewSet, SaleViewSet

router = SimpleRouter()
router.register("bag/items", BagItemViewSet, basename="bag-item")
router.register("orders", OrderViewSet, basename="order")
router.register("sales", SaleViewSet, basename="sale")

urlpatterns = [
    path("bag/", BagView.as_view(), name="bag"),
    *router.urls,
]
