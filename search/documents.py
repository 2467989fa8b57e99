"""django-elasticsearch-dsl documents: which model feeds which index, which rows are
indexed (`get_queryset`) and how each is prepared (`prepare`), with the index settings from
the mapping files. Changes reach the index through the library's documented hook, the
signal processor (search.signals), and are written by search.indexing with external
versions, which the library's `update()` does not send. The mappings are the files'
(es/mappings/), applied by search.indices when an index is created; the library's own
`search_index` command is not used: it would create indices without aliases or versions
(use `manage.py search_reindex`)."""

from typing import Any

from django_elasticsearch_dsl import Document
from django_elasticsearch_dsl.registries import registry

from catalog.models import Product, Tag
from search.indexing import indexable_products, product_document, tag_document, tags_with_counts
from search.indices import alias, index_body


@registry.register_document
class ProductDocument(Document):
    class Index:
        name = alias("products")
        settings = index_body("products")["settings"]

    class Django:
        model = Product
        fields: list[str] = []
        auto_refresh = False

    def get_queryset(self) -> Any:
        return indexable_products()

    def prepare(self, instance: Product) -> dict[str, Any]:
        return product_document(instance)


@registry.register_document
class TagDocument(Document):
    class Index:
        name = alias("tags")
        settings = index_body("tags")["settings"]

    class Django:
        model = Tag
        fields: list[str] = []
        auto_refresh = False

    def get_queryset(self) -> Any:
        return tags_with_counts()

    def prepare(self, instance: Tag) -> dict[str, Any]:
        return tag_document(instance)
