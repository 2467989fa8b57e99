"""Each URL has one owner: no two URL modules route the same path (include order would then
decide silently which view answers)."""

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver


def routes(patterns: list, prefix: str = "") -> list[str]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            # path() says "products/", a router "^products/$": one route either way.
            found.append((prefix + str(pattern.pattern)).replace("^", "").replace("$", ""))
    return found


def test_no_path_is_routed_twice():
    counted = Counter(routes(get_resolver().url_patterns))
    assert {route: n for route, n in counted.items() if n > 1} == {}


def test_the_product_collection_is_the_search_apps():
    view = get_resolver().resolve("/api/products/").func
    assert getattr(view, "cls").__module__ == "search.views"  # noqa: B009
    actions = getattr(view, "actions")  # noqa: B009
    assert (actions["get"], actions["post"]) == ("list", "create")
