import pytest

from search.client import get_client
from search.indices import alias, index_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["products", "tags"])
def test_live_mapping_equals_the_mapping_file(kind):
    live = get_client().indices.get_mapping(index=alias(kind)).body

    (mapping,) = (m["mappings"] for m in live.values())
    assert mapping == index_body(kind)["mappings"]


@pytest.mark.parametrize("kind", ["products", "tags"])
def test_the_documents_index_the_rows_the_sync_indexes(kind):
    """The documents declare what is indexed: the same rows as the sync and the reindex."""
    from search.documents import ProductDocument, TagDocument
    from search.indexing import indexable_products, tags_with_counts

    if kind == "products":
        assert str(ProductDocument().get_queryset().query) == str(indexable_products().query)
    else:
        assert str(TagDocument().get_queryset().query) == str(tags_with_counts().query)
