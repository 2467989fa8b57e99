"""The bag, orders and sales over HTTP: always the caller's own; anyone else's is 404."""

import re
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api.headers import if_match, if_match_parameter
from api.permissions import TokenScopes
from api.routers import UUID_PATTERN
from api.schema import error_responses, own_list_and_detail
from api.serializers import validated
from api.throttling import OrderRateThrottle
from commerce import selectors, services
from commerce.models import Bag, Order, OrderLine
from commerce.serializers import (
    BagItemCreateSerializer,
    BagItemUpdateSerializer,
    BagSerializer,
    OrderFilterSerializer,
    OrderSerializer,
    SaleFilterSerializer,
    SaleSerializer,
)

# 1 to 255 printable ASCII characters, not starting or ending with a space (HTTP servers
# strip those, so the key would not be the one the client sent).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]([ -~]{0,253}[!-~])?$"
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID is best), 1-255 printable ASCII characters. "
    "Retrying with the same key returns the same order (200) instead of placing another.",
)


IF_MATCH = if_match_parameter(
    "The bag's ETag as read from GET /api/bag/: I accept the prices of that bag. "
    "The order is placed at the bag's current prices if it is still that bag, else 412. "
    "Without it (or empty, or `*`), a price that rose since a line was put in the bag is 409 "
    "`price_changed`."
)
BAG_ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    description="The bag's version: changes when a line's quantity or a product's price "
    "changes. Send it as `If-Match` with POST /api/orders/ to accept the bag's prices.",
    response=True,
)


def _caller(request: Request) -> User:
    assert isinstance(request.user, User)  # noqa: S101  (IsAuthenticated ran first)
    return request.user


def _bag_answer(bag: Bag, status_code: int = status.HTTP_200_OK) -> Response:
    if "items" not in getattr(bag, "_prefetched_objects_cache", {}):
        bag = selectors.bag_with_items(bag)
    answer = Response(BagSerializer(bag).data, status=status_code)
    answer["ETag"] = selectors.etag_of(bag)
    return answer


def _bag_etags(request: Request) -> list[str] | None:
    """The bag ETags an `If-Match` header accepts, quoted as the ETag header sends them."""
    tags = if_match(request, expected="Expected the bag's ETag, as GET /api/bag/ sent it.")
    return None if tags is None else [f'"{tag}"' for tag in tags]


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return ""
    if not re.search(IDEMPOTENCY_KEY_PATTERN, key):
        raise ValidationError(
            {"Idempotency-Key": ["Expected 1 to 255 printable ASCII characters."]}
        )
    return key


class BagView(APIView):
    """GET /api/bag/: my open bag; DELETE empties it."""

    permission_classes = [TokenScopes, permissions.IsAuthenticated]

    @extend_schema(responses={200: BagSerializer, **error_responses(401)}, parameters=[BAG_ETAG])
    def get(self, request: Request) -> Response:
        """My open bag (created on first use): each line with the product's current name,
        price and availability, line totals, the total and the currency."""
        bag = selectors.open_bag_of(_caller(request))
        if bag is None:  # first use: open one (a concurrent first use opens the same)
            bag = services.open_bag(buyer=_caller(request))
        return _bag_answer(bag)

    @extend_schema(responses={204: None, **error_responses(401)})
    def delete(self, request: Request) -> Response:
        """Empty my bag: it is abandoned, and the next use opens a new one."""
        services.empty_bag(buyer=_caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BagItemViewSet(viewsets.ViewSet):
    """Lines of my open bag. Each change answers the whole bag (totals change with it)."""

    permission_classes = [TokenScopes, permissions.IsAuthenticated]
    lookup_value_regex = UUID_PATTERN

    @extend_schema(
        request=BagItemCreateSerializer,
        responses={201: BagSerializer, **error_responses(400, 401)},
        parameters=[BAG_ETAG],
    )
    def create(self, request: Request) -> Response:
        """Put a product in my bag (added to its line if it has one). 400 for my own
        product, a product not for sale, or more than its stock (at most 999)."""
        data = validated(BagItemCreateSerializer, request.data)
        bag = services.add_to_bag(buyer=_caller(request), **data)
        return _bag_answer(bag, status.HTTP_201_CREATED)

    @extend_schema(
        request=BagItemUpdateSerializer,
        responses={200: BagSerializer, **error_responses(400, 401, 404)},
        parameters=[BAG_ETAG],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change how many units of a line I want."""
        quantity = validated(BagItemUpdateSerializer, request.data)["quantity"]
        bag = services.change_quantity(buyer=_caller(request), item_id=UUID(pk), quantity=quantity)
        return _bag_answer(bag)

    @extend_schema(responses={204: None, **error_responses(401, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        """Take a line out of my bag."""
        services.remove_from_bag(buyer=_caller(request), item_id=UUID(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


@own_list_and_detail(
    OrderSerializer,
    list_description="My orders, newest first.",
    detail_description="One of my orders.",
    list_parameters=[OrderFilterSerializer],
)
class OrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Order]
):
    """My orders: place one from my bag, read them, cancel one."""

    serializer_class = OrderSerializer
    permission_classes = [TokenScopes, permissions.IsAuthenticated]
    throttle_classes = [OrderRateThrottle]
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet[Order]:
        state = None
        if self.action == "list":
            state = validated(OrderFilterSerializer, self.request.query_params).get("state")
        return selectors.orders_of(_caller(self.request), state=state)

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY, IF_MATCH],
        responses={
            201: OrderSerializer,
            200: OrderSerializer,
            **error_responses(400, 401, 409, 412, 422, 429),
        },
        description="Place an order from my open bag (no body). 201 with the new order; "
        "200 with the order an earlier request with the same Idempotency-Key placed. "
        "400 when the bag is empty; 409 when a line is short of stock, no longer active or "
        "deleted (`insufficient_stock`, `details.lines` lists every such line), when I would "
        "hold more units of a product in open orders than allowed (`open_units_limit`), or "
        "when a price rose since the line entered the bag (`price_changed`, `details.lines` "
        "with each line's old and new price; confirm with If-Match); nothing changes. A price "
        "that fell is charged without asking. 412 when If-Match names a bag that changed "
        "since; 422 when the Idempotency-Key was used for a different bag; 429 when I place "
        "orders too fast (`Retry-After`).",
    )
    def create(self, request: Request) -> Response:
        order, created = services.place_order(
            buyer=_caller(request),
            idempotency_key=_idempotency_key(request),
            accepted_etags=_bag_etags(request),
        )
        answer = Response(
            OrderSerializer(self.get_queryset().get(pk=order.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        if not created:
            answer["Idempotent-Replayed"] = "true"
        return answer

    @extend_schema(request=None, responses={200: OrderSerializer, **error_responses(401, 404, 409)})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel my order while no line is fulfilled; its stock returns. 409 otherwise."""
        order = services.cancel_order(buyer=_caller(request), order_id=UUID(pk))
        return Response(OrderSerializer(self.get_queryset().get(pk=order.pk)).data)


class SaleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[OrderLine]):
    """Lines of other people's orders for my products; I fulfil them one by one."""

    serializer_class = SaleSerializer
    permission_classes = [TokenScopes, permissions.IsAuthenticated]
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet[OrderLine]:
        filters = {}
        if self.action == "list":
            filters = validated(SaleFilterSerializer, self.request.query_params)
        return selectors.sales_of(_caller(self.request), **filters)

    @extend_schema(
        parameters=[SaleFilterSerializer],
        responses={200: SaleSerializer(many=True), **error_responses(400, 401)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Lines of orders for my products, newest first."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: SaleSerializer, **error_responses(401, 404, 409)})
    @action(detail=True, methods=["post"])
    def fulfil(self, request: Request, pk: str) -> Response:
        """Mark a line of my product as sent; the last line fulfilled completes the order.
        409 when already fulfilled or the order was cancelled."""
        line = services.fulfil_line(seller=_caller(request), line_id=UUID(pk))
        return Response(SaleSerializer(self.get_queryset().get(pk=line.pk)).data)
