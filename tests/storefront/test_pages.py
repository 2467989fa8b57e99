"""The storefront is served by Django itself with DEBUG off: one HTML shell at each page path,
ES modules and CSS through WhiteNoise, no model read. And GET /api/ is an index, not a 404."""

import ast
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings

STOREFRONT = Path(__file__).resolve().parents[2] / "storefront"
PAGES = [
    "/",
    "/?q=walnut&tags=kitchen,lighting",
    f"/products/{uuid.uuid4()}/",
    f"/users/{uuid.uuid4()}/",
    "/signin/",
    "/signup/",
    "/bag/",
    "/orders/",
    "/selling/",
    "/selling/new/",
    "/selling/webhooks/",
    f"/selling/{uuid.uuid4()}/",
    "/sales/",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_path_answers_the_html_shell(client, path):
    assert settings.DEBUG is False
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<script type="module" src="/static/storefront/main.js"></script>' in html
    assert f'data-client-id="{settings.OAUTH_CLIENT_ID}"' in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_other_paths_are_the_json_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_every_module_the_page_imports_is_served_with_debug_off(client):
    """Follow the import graph from main.js through WhiteNoise: a missing or misnamed
    module would leave a blank page in a browser."""
    seen: set[str] = set()
    todo = ["/static/storefront/main.js"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert "javascript" in response["Content-Type"], url
        source = b"".join(response.streaming_content).decode()
        for target in re.findall(r'^import .*? from "(\.{1,2}/[^"]+)";$', source, re.MULTILINE):
            todo.append(str(Path(url).parent.joinpath(target).resolve()))
    assert len(seen) >= 10
    css = client.get("/static/storefront/style.css")
    assert css.status_code == 200
    assert css["Content-Type"].startswith("text/css")


def test_the_storefront_reads_no_model():
    """A client of /api/ like any other: its Python imports none of the store's apps."""
    apps = {"accounts", "catalog", "commerce", "search", "events"}
    for module in STOREFRONT.glob("*.py"):
        tree = ast.parse(module.read_text())
        imported = {
            ((node.module if isinstance(node, ast.ImportFrom) else alias.name) or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not imported & apps, (module.name, imported & apps)


@pytest.mark.django_db
def test_the_api_index_links_to_the_docs_schema_health_and_collections(client):
    response = client.get("/api/")
    assert response.status_code == 200
    body = response.json()
    assert body["oauth_client_id"] == settings.OAUTH_CLIENT_ID
    links = body["links"]
    for name in ("docs", "schema", "health", "products", "tags", "bag", "orders", "sales", "token"):
        assert links[name]["href"].startswith("http://testserver/api/"), name
        assert links[name]["description"]
    for name in ("docs", "schema", "tags"):
        assert client.get(links[name]["href"]).status_code == 200, name
