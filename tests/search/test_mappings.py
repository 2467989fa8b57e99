import pytest

from search.client import get_client
from search.indices import alias, index_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["products", "tags"])
def test_live_mapping_equals_the_mapping_file(kind):
    live = get_client().indices.get_mapping(index=alias(kind)).body

    (mapping,) = (m["mappings"] for m in live.values())
    assert mapping == index_body(kind)["mappings"]
