from search.client import get_client


def test_a_document_written_to_a_scratch_index_is_read_back(es_scratch_index):
    client = get_client()

    client.index(index=es_scratch_index, id="1", document={"name": "red kettle"}, refresh=True)

    assert client.get(index=es_scratch_index, id="1")["_source"] == {"name": "red kettle"}
    hits = client.search(index=es_scratch_index, query={"match": {"name": "kettle"}})["hits"]
    assert hits["total"]["value"] == 1
