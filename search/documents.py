"""django-elasticsearch-dsl documents: which model feeds which index, which rows are
indexed (`get_queryset`) and how each is prepared (`prepare`), with the index settings from
the mapping files. Changes reach the index through the library's documented hook, the
signal processor (search.signals), and are written by search.indexing with external
versions, which the library's `update()` does not send. The mappings are the files'
(es/mappings/), applied by search.indices when an index is created; the library's own
`search_index` command is not used: it would create indices without aliases or versions
(use `manage.py search_reindex`)."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django_elasticsearch_dsl import Document
from django_elasticsearch_dsl.registries import registry

from catalog.models import Product, Tag
from search.indexing import indexable_products, product_document, tag_document, tags_with_counts
from search.indices import alias, index_body


def _index_document(
    model_: type[Model],
    kind: str,
    rows: Callable[[], Any],
    to_document: Callable[[Any], dict[str, Any]],
) -> type[Document]:
    """Register the document of index `kind`: the `rows` of `model_` it holds, each written as
    `to_document` writes it, with the settings of the index's mapping file."""

    @registry.register_document
    class IndexDocument(Document):
        class Index:
            name = alias(kind)
            settings = index_body(kind)["settings"]

        class Django:
            model = model_
            fields: list[str] = []
            auto_refresh = False

        def get_queryset(self) -> Any:
            return rows()

        def prepare(self, instance: Model) -> dict[str, Any]:
            return to_document(instance)

    IndexDocument.__name__ = IndexDocument.__qualname__ = f"{model_.__name__}Document"
    return IndexDocument


ProductDocument = _index_document(Product, "products", indexable_products, product_document)
TagDocument = _index_document(Tag, "tags", tags_with_counts, tag_document)
