import uuid
from datetime import timedelta

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def make_user(name: str = "ada") -> User:
    return User.objects.create_user(username=name, email=f"{name}@example.com", password="x")


def test_entities_have_uuid_ids_and_utc_timestamps():
    user = make_user()

    assert isinstance(user.id, uuid.UUID)
    assert user.created.tzinfo is not None
    assert user.created.utcoffset() == timedelta(0)
    assert user.updated >= user.created
    assert user.deleted is None


def test_soft_deleted_row_stays_in_the_table_and_leaves_the_default_manager():
    user = make_user()

    user.delete()

    assert not User.objects.filter(pk=user.pk).exists()
    kept = User.all_objects.get(pk=user.pk)
    assert kept.deleted is not None
    assert kept.is_deleted


def test_queryset_delete_is_soft_too():
    make_user("a")
    make_user("b")

    count, _ = User.objects.all().delete()

    assert count == 2
    assert User.objects.count() == 0
    assert User.all_objects.filter(deleted__isnull=False).count() == 2
