from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self) -> None:
        from accounts.models import User
        from catalog import receivers

        pre_save.connect(receivers.remember_owner, sender=User, dispatch_uid="catalog-owner-pre")
        post_save.connect(receivers.owner_saved, sender=User, dispatch_uid="catalog-owner")
