from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web too), not only in workers.
        from search import tasks  # noqa: F401
