"""docker-compose.yml cannot run here (no Docker engine), so it is checked statically: against
the compose specification's JSON schema (vendored in tests/ops/schemas/, from
check-jsonschema 0.39.0, which takes it from compose-spec/compose-spec; Apache-2.0), and
against what the app reads, so the file and the settings cannot drift apart."""

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Path(__file__).parent / "schemas" / "compose-spec.json"
APP_SERVICES = ("migrate", "web", "worker", "beat")
APP_CONFIG = (ROOT / "config" / "settings.py", ROOT / "config" / "gunicorn.py")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def settings_environment(path: Path = APP_CONFIG[0]) -> set[str]:
    """Every environment variable a configuration module reads (os.environ.get/[...],
    env_int, env_bool), found in its syntax tree: config/settings.py unless told."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = ast.unparse(node.func)
            if func in {"os.environ.get", "os.getenv", "env_int", "env_bool"}:
                names.add(str(node.args[0].value))
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(str(node.slice.value))
    return names


def test_the_compose_file_follows_the_compose_specification():
    assert schema_errors(compose()) == []


def test_the_schema_check_catches_a_broken_file():
    broken = compose()
    broken["services"]["web"]["depends_on"]["migrate"]["condition"] = "service_finished"
    broken["services"]["worker"]["restart_policy"] = "always"
    errors = schema_errors(broken)
    assert any("depends_on" in e for e in errors), errors
    assert any("restart_policy" in e for e in errors), errors


def test_the_app_image_is_built_once_and_shared():
    services = compose()["services"]
    builders = [name for name, service in services.items() if "build" in service]
    assert builders == ["migrate"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert images == {"store-api:local"}


def test_postgres_is_ready_only_when_it_answers_over_tcp():
    probe = compose()["services"]["postgres"]["healthcheck"]["test"]
    # The image's init server listens on the Unix socket only: -h 127.0.0.1 forces TCP.
    assert probe[:2] == ["CMD", "pg_isready"]
    assert probe[probe.index("-h") + 1] == "127.0.0.1"


@pytest.mark.parametrize("name", ["postgres", "redis", "elasticsearch", "web", "worker", "beat"])
def test_long_running_services_restart_and_report_their_health(name):
    service = compose()["services"][name]
    assert service["restart"] == "unless-stopped"
    assert service["healthcheck"]["test"]


def test_the_app_starts_after_its_dependencies_are_healthy_and_migrated():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
        for backing in ("postgres", "redis", "elasticsearch"):
            assert depends[backing] == {"condition": "service_healthy"}
        assert set(depends) <= set(services)
    assert services["migrate"]["restart"] == "no"


def test_kafka_is_optional():
    services = compose()["services"]
    assert services["kafka"]["profiles"] == ["kafka"]
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["kafka"] == {
            "condition": "service_healthy",
            "required": False,
        }


def test_every_variable_the_app_gets_is_a_setting_the_app_reads():
    known = set().union(*(settings_environment(path) for path in APP_CONFIG))
    services = compose()["services"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert set(environment) <= known, (name, set(environment) - known)
        for value in map(str, environment.values()):  # ${VAR:-default} passes the host's VAR
            assert set(re.findall(r"\$\{(\w+)", value)) <= known, (name, value)


def test_the_settings_scan_finds_what_settings_read():
    # Guards the scan above: a few settings read in each of the ways it understands.
    assert {"DATABASE_URL", "DEBUG", "TOKEN_CLEANUP_INTERVAL_SECONDS", "METRICS_TOKEN"} <= (
        settings_environment()
    )
    assert {"WEB_BIND", "PROMETHEUS_MULTIPROC_DIR"} <= settings_environment(APP_CONFIG[1])


def test_the_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `(\w+)`(?:, `(\w+)`)? \|", readme, flags=re.MULTILINE))
    names = {name for row in documented for name in row if name}
    for path in APP_CONFIG:
        assert settings_environment(path) - names == set(), path.name


def test_nothing_git_ignores_goes_into_the_image():
    def entries(path: Path) -> set[str]:
        lines = (ROOT / path).read_text().splitlines()
        return {line.strip().removeprefix("**/").rstrip("/") for line in lines if line.strip()}

    assert entries(Path(".gitignore")) - entries(Path(".dockerignore")) == set()


def test_the_image_runs_in_production_mode_and_compose_needs_a_secret_key():
    # Issue 17, finding 8: production refuses the development key (test_production_settings).
    environment = compose()["x-app"]["environment"]
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert environment["STORE_ENV"] == "production"
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    # collectstatic runs before production mode: it needs no key of the operator's.
    assert dockerfile.index("collectstatic") < dockerfile.index("ENV STORE_ENV=production")
