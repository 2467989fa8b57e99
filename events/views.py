"""Webhook endpoints and their deliveries over HTTP: always the caller's own (anyone else's is
404); and the event schemas, public."""

from typing import Any
from uuid import UUID

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from api.permissions import TokenScopes
from api.routers import UUID_PATTERN
from api.schema import error_responses, own_list_and_detail
from events import schemas, webhooks
from events.envelope import schema_url
from events.models import Delivery, WebhookEndpoint
from events.serializers import (
    DeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
)

# Who may call: one place, so that main's api.permissions.TokenScopes (read for GET, write
# for the rest; newer than this branch) is composed here at merge: [TokenScopes, ...].
SIGNED_IN: list[type[permissions.BasePermission]] = [TokenScopes, permissions.IsAuthenticated]
ANYONE: list[type[permissions.BasePermission]] = [TokenScopes, permissions.AllowAny]


def _valid(serializer: BaseSerializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@own_list_and_detail(
    WebhookEndpointSerializer,
    list_description="My endpoints, newest first.",
    detail_description="One of my endpoints.",
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[WebhookEndpoint]
):
    """My webhook endpoints: they receive, signed, the events about my orders and my sales."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = SIGNED_IN
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> Any:
        return webhooks.endpoints_of(self.request.user)

    @extend_schema(
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointWithSecretSerializer, **error_responses(400, 401)},
    )
    def create(self, request: Request) -> Response:
        """Register an endpoint. The answer holds its signing `secret` (`whsec_<base64>`):
        the only time it is shown. 400 for a URL that is not https or that resolves to a
        private, loopback or link-local address."""
        data = _valid(WebhookEndpointSerializer(data=request.data))
        endpoint = webhooks.create_endpoint(owner=request.user, **data)
        return Response(
            WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=WebhookEndpointSerializer,
        responses={200: WebhookEndpointSerializer, **error_responses(400, 401, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the URL, the event types or `active` (activating a disabled endpoint
        clears its `disabled_reason` and sends what waited)."""
        data = _valid(WebhookEndpointSerializer(data=request.data, partial=True))
        endpoint = webhooks.update_endpoint(owner=request.user, endpoint_id=UUID(pk), **data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: None, **error_responses(401, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        """Remove the endpoint: nothing more is sent to it."""
        webhooks.delete_endpoint(owner=request.user, endpoint_id=UUID(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: WebhookEndpointWithSecretSerializer, **error_responses(401, 404)},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        """A new signing secret, shown once; the old one also signs until
        `previous_secret_expires` (WEBHOOK_SECRET_GRACE_SECONDS)."""
        endpoint = webhooks.rotate_secret(owner=request.user, endpoint_id=UUID(pk))
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(
        request=None, responses={202: DeliverySerializer, **error_responses(401, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        """Send a `store.webhook.test.v1` event to the endpoint; 202 with its delivery.
        409 when the endpoint is not active."""
        delivery = webhooks.send_test_event(owner=request.user, endpoint_id=UUID(pk))
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Delivery]):
    """The deliveries of one of my endpoints: status, attempts, last answer, next try."""

    serializer_class = DeliverySerializer
    permission_classes = SIGNED_IN
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> Any:
        return webhooks.deliveries_of(self.request.user, UUID(self.kwargs["endpoint_id"]))

    @extend_schema(responses={200: DeliverySerializer(many=True), **error_responses(401, 404)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The endpoint's deliveries, newest first."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=None, responses={202: DeliverySerializer, **error_responses(401, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, endpoint_id: str, pk: str) -> Response:
        """Send the delivery again (same `webhook-id` and body) with a fresh retry budget;
        202. 409 when the endpoint is not active."""
        delivery = webhooks.redeliver(
            owner=request.user, endpoint_id=UUID(endpoint_id), delivery_id=UUID(pk)
        )
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class EventSchemaListView(APIView):
    """GET /api/events/schemas/: every event type, each with its schema's URL."""

    permission_classes = ANYONE

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **error_responses(401)})
    def get(self, request: Request) -> Response:
        """The event types the store emits and where each one's JSON Schema is served."""
        return Response(
            {"results": [{"type": t, "dataschema": schema_url(t)} for t in schemas.event_types()]}
        )


class EventSchemaView(APIView):
    """GET /api/events/schemas/<type>.json: the JSON Schema of an event type's `data`, at
    the URL each event names in its `dataschema`."""

    permission_classes = ANYONE

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "type", str, OpenApiParameter.PATH, enum=schemas.event_types(), required=True
            )
        ],
        responses={200: OpenApiTypes.OBJECT, **error_responses(401, 404)},
    )
    def get(self, request: Request, type: str) -> Response:
        """The JSON Schema (draft 2020-12) of the event type's `data`."""
        document = schemas.schema(type)
        if document is None:
            raise Http404
        return Response(document)
