from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.schema import USER_ID
from api.headers import if_match, if_match_parameter
from api.permissions import TokenScopes
from api.routers import UUID_PATTERN
from api.schema import error_responses
from api.serializers import validated
from api.throttling import ProductCreateRateThrottle, ProductTagRateThrottle, TagCreateRateThrottle
from catalog import selectors, services
from catalog.models import Product, Tag
from catalog.serializers import (
    ProductCreateSerializer,
    ProductSerializer,
    ProductTagSerializer,
    ProductWriteSerializer,
    StateFilterSerializer,
    TagInputSerializer,
    TagQuerySerializer,
    TagSerializer,
)

TRANSITION_RESPONSES = {200: ProductSerializer, **error_responses(401, 403, 404, 409)}


IF_MATCH = if_match_parameter(
    'The product\'s ETag as read, e.g. `"3"` (or a list, or `*`): the change is '
    "refused with 412 if the product changed since. Empty means no precondition."
)


# PUT and PATCH: the same body (all fields, or some), the same answers.
UPDATE_SCHEMA = extend_schema(
    request=ProductWriteSerializer,
    responses={200: ProductSerializer, **error_responses(400, 401, 403, 404, 412)},
    parameters=[IF_MATCH],
)


def _product_versions(request: Request) -> list[str] | None:
    return if_match(request, expected='Expected the product\'s ETag, e.g. "3".')


def _with_etag(response: Response, product: Product) -> Response:
    response["ETag"] = f'"{product.version}"'
    return response


class ProductViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Product]):
    """A product (`/api/products/{id}/...`): anyone reads active ones, owners manage their
    own. The collection `/api/products/` is routed by the search app (its GET comes from
    Elasticsearch), which answers POST with `ProductCollectionViewSet` below."""

    serializer_class = ProductSerializer
    permission_classes = [TokenScopes, permissions.IsAuthenticatedOrReadOnly]
    throttle_classes = [ProductCreateRateThrottle, ProductTagRateThrottle]
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet[Product]:
        return selectors.products_visible_to(self.request.user)

    def get_owned_product(self) -> Product:
        """The product, if the caller may see it (else 404) and owns it (else 403)."""
        product = self.get_object()
        if product.owner_id != self.request.user.pk:
            raise PermissionDenied("Only the product's owner may change it.")
        return product

    def _answer(self, product: Product, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.products_visible_to(self.request.user).get(pk=product.pk)
        return _with_etag(Response(ProductSerializer(fresh).data, status=status_code), fresh)

    @extend_schema(responses={200: ProductSerializer, **error_responses(404)})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product = self.get_object()
        return _with_etag(Response(ProductSerializer(product).data), product)

    @UPDATE_SCHEMA
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=False)

    @UPDATE_SCHEMA
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        product = self.get_owned_product()
        changes = validated(ProductWriteSerializer, request.data, partial=partial)
        product = services.update_product(
            product=product,
            if_match=if_match(request, expected='Expected the product\'s ETag, e.g. "3".'),
            **changes,
        )
        return self._answer(product)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_product(product=self.get_owned_product())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _transition(self, event: str) -> Response:
        product = services.transition_product(product=self.get_owned_product(), event=event)
        return self._answer(product)

    @extend_schema(request=None, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self._transition("publish")

    @extend_schema(request=None, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        return self._transition("archive")

    @extend_schema(request=None, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        return self._transition("restore")

    @extend_schema(responses={200: ProductTagSerializer(many=True), **error_responses(404)})
    @action(detail=True, methods=["get"], url_path="tags", pagination_class=None)
    def tags(self, request: Request, pk: str | None = None) -> Response:
        # GET and HEAD only: a handler shared with POST would run the POST branch for HEAD.
        product = self.get_object()
        return Response(ProductSerializer(product).data["tags"])

    @extend_schema(
        request=TagInputSerializer,
        responses={200: TagSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
        description="Puts a tag (created when new) on the product; 409 when it already "
        f"carries {services.MAX_TAGS_PER_PRODUCT}.",
    )
    @tags.mapping.post
    def add_tag(self, request: Request, pk: str | None = None) -> Response:
        product = self.get_owned_product()
        name = validated(TagInputSerializer, request.data)["name"]
        tag = services.associate_tag(product=product, name=name)  # 409 at the 21st tag
        return Response(TagSerializer(selectors.tags_matching().get(pk=tag.pk)).data)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)})
    @action(detail=True, methods=["delete"], url_path=r"tags/(?P<slug>[-a-zA-Z0-9_]+)")
    def untag(self, request: Request, pk: str | None = None, slug: str | None = None) -> Response:
        product = self.get_owned_product()
        tag = get_object_or_404(Tag.objects.all(), slug=slug)
        services.dissociate_tag(product=product, tag=tag)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductCollectionViewSet(ProductViewSet):
    """The writing half of `/api/products/`: creating a product (the search app routes the
    collection and adds its GET)."""

    @extend_schema(
        request=ProductCreateSerializer,
        responses={201: ProductSerializer, **error_responses(400, 401, 429)},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(ProductCreateSerializer, request.data)
        product = services.create_product(owner=request.user, **data)  # type: ignore[arg-type]
        return self._answer(product, status.HTTP_201_CREATED)


class TagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Tag]):
    serializer_class = TagSerializer
    permission_classes = [TokenScopes, permissions.IsAuthenticatedOrReadOnly]
    throttle_classes = [TagCreateRateThrottle]
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet[Tag]:
        if self.action != "list":
            return selectors.tags_matching()
        q = validated(TagQuerySerializer, self.request.query_params).get("q")
        return selectors.tags_matching(q)

    @extend_schema(
        parameters=[TagQuerySerializer],
        responses={200: TagSerializer(many=True), **error_responses(400)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=TagInputSerializer,
        responses={201: TagSerializer, 200: TagSerializer, **error_responses(400, 401, 429)},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tag, created = services.get_or_create_tag(
            name=validated(TagInputSerializer, request.data)["name"]
        )
        fresh = selectors.tags_matching().get(pk=tag.pk)
        return Response(
            TagSerializer(fresh).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MyProductsView(generics.ListAPIView[Product]):
    """GET /api/users/me/products/: all my products, every state, newest first."""

    permission_classes = [TokenScopes, permissions.IsAuthenticated]
    serializer_class = ProductSerializer

    def get_queryset(self) -> QuerySet[Product]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return Product.objects.none()
        state = validated(StateFilterSerializer, self.request.query_params).get("state")
        return selectors.products_of(self.request.user, state=state)  # type: ignore[arg-type]

    @extend_schema(
        parameters=[StateFilterSerializer],
        responses={200: ProductSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class UserProductsView(generics.ListAPIView[Product]):
    """GET /api/users/{id}/products/: a user's active products, newest first."""

    permission_classes = [TokenScopes, permissions.AllowAny]
    serializer_class = ProductSerializer

    def get_queryset(self) -> QuerySet[Product]:
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        owner = get_object_or_404(User.objects.all(), pk=self.kwargs["user_id"])
        return selectors.active_products(owner=owner)

    @extend_schema(
        parameters=[USER_ID], responses={200: ProductSerializer(many=True), **error_responses(404)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
