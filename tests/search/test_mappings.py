from typing import Any

import pytest

from search.client import get_client
from search.indices import alias, index_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["products", "tags"])
def test_live_mapping_equals_the_mapping_file(kind):
    live = get_client().indices.get_mapping(index=alias(kind)).body

    (mapping,) = (m["mappings"] for m in live.values())
    assert mapping == index_body(kind)["mappings"]


def _without_object_types(mapping):
    # Elasticsearch leaves out `"type": "object"` when it answers a mapping.
    if isinstance(mapping, dict):
        return {
            k: _without_object_types(v)
            for k, v in mapping.items()
            if not (k == "type" and v == "object")
        }
    return mapping


@pytest.mark.parametrize("kind", ["products", "tags"])
def test_the_documents_mapping_is_the_mapping_file(kind):
    from search.documents import ProductDocument, TagDocument

    documents: dict[str, Any] = {"products": ProductDocument, "tags": TagDocument}

    mapping = documents[kind]._index.to_dict()["mappings"]

    assert _without_object_types(mapping) == index_body(kind)["mappings"]
