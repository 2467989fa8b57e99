from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web too), not only in workers.
        # The timed client class, set before anything opens the connection.
        from search import (
            client,  # noqa: F401
            tasks,  # noqa: F401
        )
