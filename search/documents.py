"""django-elasticsearch-dsl documents: which model feeds which index, built from the
mapping files. The sync and the reindex write through search.indexing with external
versions; these classes keep the library's registry and the Index definitions in one place."""

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
        ignore_signals = True  # the outbox processor handles changes
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
        ignore_signals = True
        auto_refresh = False

    def get_queryset(self) -> Any:
        return tags_with_counts()

    def prepare(self, instance: Tag) -> dict[str, Any]:
        return tag_document(instance)


# The mapping files are the one source: the documents' mappings are read from them too, so
# the library's own tooling (`ProductDocument._index.to_dict()`) describes the same index.
for _document, _kind in ((ProductDocument, "products"), (TagDocument, "tags")):
    _document._doc_type.mapping._update_from_dict(index_body(_kind)["mappings"])
