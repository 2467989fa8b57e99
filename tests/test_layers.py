"""The house's floors, read from the imports of the tree (docs/architecture.md, "Layout").

config (wiring) and ops (observing) at the top; the domains in the middle; api (the HTTP
edge) and core (the ground floor) below them. An import may point down, never up, and the
domains' imports of each other form no cycle."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = {"accounts", "catalog", "commerce", "search", "events", "storefront"}
PACKAGES = {"config", "ops", "api", "core", *DOMAINS}
# What each package may import of ours, besides itself.
ALLOWED = {
    "config": PACKAGES,
    "ops": PACKAGES - {"config"},
    "core": set(),
    "api": {"core"},
    # Domains: core, api and the other domains' services and selectors they need; never
    # the wiring or the observers.
    **{domain: {"core", "api", *DOMAINS} for domain in DOMAINS},
}
# The domains' own order: catalog never imports search (it writes outbox rows; search
# reacts), events knows nothing of orders.
FORBIDDEN = {("catalog", "search"), ("catalog", "commerce"), ("events", "commerce")}


def imports_of(package: str) -> dict[str, set[str]]:
    """Top-level packages of ours that each module of `package` imports (migrations aside)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = (names & PACKAGES) - {package}
    return found


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_imports_point_down(package):
    wrong = {
        module: sorted(targets - ALLOWED[package])
        for module, targets in imports_of(package).items()
        if targets - ALLOWED[package] or any((package, target) in FORBIDDEN for target in targets)
    }
    assert wrong == {}


def test_the_domains_import_each_other_without_cycles():
    graph = {domain: set().union(*imports_of(domain).values()) & DOMAINS for domain in DOMAINS}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        assert node not in visiting, f"import cycle: {' -> '.join([*visiting, node])}"
        if node in done:
            return
        visiting.append(node)
        for target in sorted(graph[node]):
            visit(target)
        visiting.pop()
        done.add(node)

    for domain in sorted(DOMAINS):
        visit(domain)


def test_nothing_imports_the_wiring_or_the_observers():
    for package in PACKAGES - {"config", "ops"}:
        for module, targets in imports_of(package).items():
            assert not targets & {"config", "ops"}, module
