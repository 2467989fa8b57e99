from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        # Registered in every process, so the relay's wake-up runs eagerly in tests too.
        from api.metrics import watch_outbox_topic
        from events import tasks  # noqa: F401
        from events.envelope import EVENT_TOPIC

        watch_outbox_topic(EVENT_TOPIC)
