from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        # Registered in every process, so the relay's wake-up runs eagerly in tests too.
        from events import tasks  # noqa: F401
