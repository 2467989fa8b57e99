from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    # The label its tables (api_outboxentry) and migrations were created under, when this
    # package was part of `api`: renaming a label rewrites tables and history for no gain.
    label = "api"
    verbose_name = "Shared building blocks"
