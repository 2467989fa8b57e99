import pytest

from config.celery import app as celery_app
from search.client import get_client
from search.indices import KINDS, alias, drop_indices, ensure_index, indices_behind


@pytest.fixture(autouse=True)
def eager_celery():
    """Run the drain task in-process right after commit (the real worker is in the bench)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def no_remembered_synonyms():
    """A rule a former test added (rolled back since) is not in this process's copy."""
    from search import synonyms

    synonyms.forget()
    yield
    synonyms.forget()


@pytest.fixture(autouse=True)
def fresh_indices():
    """Empty indices behind this run's aliases: no test sees another's documents."""
    for kind in KINDS:
        drop_indices(indices_behind(kind))
        ensure_index(kind)


def refresh() -> None:
    get_client().indices.refresh(index=[alias(k) for k in KINDS])


def indexed_ids(kind: str = "products") -> set[str]:
    refresh()
    hits = get_client().search(index=alias(kind), size=1000, query={"match_all": {}})
    return {h["_id"] for h in hits["hits"]["hits"]}


def pending_count() -> int:
    """Search outbox rows not drained yet."""
    from core.models import OutboxEntry
    from search.sync import TOPICS

    return OutboxEntry.objects.filter(topic__in=TOPICS, processed__isnull=True).count()
