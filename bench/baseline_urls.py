"""The baselines of bench/search.py: product search "the way a plain DRF app does it" (a
ListAPIView over PostgreSQL with SearchFilter (icontains) and page-number pagination), and
the search API as it was before issue 10 (bench/before.py)."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from rest_framework import filters, generics, pagination, permissions, serializers

from catalog.models import Product, ProductState, ProductTag


class BaselineProductSerializer(serializers.ModelSerializer[Product]):
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "name", "description", "price", "stock", "state", "created", "tags"]

    def get_tags(self, product: Product) -> list[str]:
        return [link.tag.name for link in getattr(product, "alive_tag_links", [])]


class BaselinePagination(pagination.PageNumberPagination):
    page_size = 20


class BaselineProductSearch(generics.ListAPIView[Product]):
    serializer_class = BaselineProductSerializer
    pagination_class = BaselinePagination
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []
    filter_backends = [filters.SearchFilter]
    search_fields = ["name", "description", "tag_links__tag__name"]

    def get_queryset(self) -> QuerySet[Product]:
        links = ProductTag.objects.select_related("tag")
        return (
            Product.objects.filter(state=ProductState.ACTIVE)
            .prefetch_related(Prefetch("tag_links", queryset=links, to_attr="alive_tag_links"))
            .order_by("-created", "-id")
        )


def ready(request: HttpRequest) -> JsonResponse:
    """What the harness waits for before measuring: the server answers."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("api/health/", ready),
    path("baseline/products/", BaselineProductSearch.as_view()),
    path("", include("bench.before")),
]
