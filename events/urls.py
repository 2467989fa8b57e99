from django.urls import path
from rest_framework.routers import SimpleRouter

from api.routers import UUID_PATTERN
from events.views import (
    DeliveryViewSet,
    EventSchemaListView,
    EventSchemaView,
    WebhookEndpointViewSet,
)

router = SimpleRouter()
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register(
    rf"webhooks/(?P<endpoint_id>{UUID_PATTERN})/deliveries",
    DeliveryViewSet,
    basename="webhook-delivery",
)

urlpatterns = [
    path("events/schemas/", EventSchemaListView.as_view(), name="event-schemas"),
    path("events/schemas/<str:type>.json", EventSchemaView.as_view(), name="event-schema"),
    *router.urls,
]
