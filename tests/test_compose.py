"""docker-compose.yml, the Dockerfile and .env.example checked without Docker (none on these machines).

The file must be valid Compose (against the Compose Specification schema, vendored in
tests/fixtures/compose-spec.json), and everything it names on this side must exist: build
contexts, Dockerfiles, what a Dockerfile copies, bind-mounted paths and every variable.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import jsonschema
import pytest
import yaml

from conftest import FIXTURES, ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
# ${NAME}, ${NAME:-default}, ${NAME:?error}; "$${NAME}" is an escaped dollar for the container's shell.
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
# Compose durations are Go durations ("1m30s"), not the ISO 8601 ones jsonschema checks by default.
GO_DURATION = re.compile(r"(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+")
FORMATS = jsonschema.FormatChecker()
FORMATS.checks("duration")(lambda value: not isinstance(value, str) or GO_DURATION.fullmatch(value) is not None)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services(compose: dict) -> dict:
    return compose["services"]


def env_example_names() -> set[str]:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0].strip() for line in lines if "=" in line and not line.lstrip().startswith("#")}


def test_compose_file_is_valid_against_the_compose_specification(compose):
    schema = json.loads((FIXTURES / "compose-spec.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(schema, format_checker=FORMATS)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_check_catches_a_broken_compose_file(compose):
    """Guards the test above: a misspelt key must fail validation."""
    schema = json.loads((FIXTURES / "compose-spec.json").read_text(encoding="utf-8"))
    kibana = services(compose)["kibana"]
    for change in ({"helthcheck": {}}, {"healthcheck": {**kibana["healthcheck"], "interval": "10"}}):
        broken = {**compose, "services": {**services(compose), "kibana": {**kibana, **change}}}
        assert not jsonschema.Draft201909Validator(schema, format_checker=FORMATS).is_valid(broken), change


def test_the_stack_has_the_services_a_team_needs(compose):
    names = set(services(compose))
    assert {"elasticsearch", "kibana", "postgres", "news-etl-init"} <= names
    assert {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-init"} <= names
    elastic = services(compose)["elasticsearch"]["environment"]
    assert elastic["xpack.security.enabled"] == "true"
    assert elastic["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD")


def test_long_running_services_have_healthchecks_and_wait_for_healthy_dependencies(compose):
    one_shot = {name for name, service in services(compose).items() if service.get("restart") == "no" or name == "airflow-init"}
    for name, service in services(compose).items():
        if name not in one_shot:
            assert "healthcheck" in service, f"{name} has no healthcheck"
        for dependency, rule in (service.get("depends_on") or {}).items():
            expected = "service_completed_successfully" if dependency in one_shot else "service_healthy"
            assert rule == {"condition": expected}, f"{name} -> {dependency}"
            assert dependency in services(compose), f"{name} depends on unknown {dependency}"


def test_init_service_creates_index_templates_and_imports_kibana_objects(compose):
    command = " ".join(services(compose)["news-etl-init"]["command"])
    assert "news-etl index setup" in command
    assert "news-etl kibana import" in command


def test_build_contexts_and_dockerfiles_exist(compose):
    builds = [service["build"] for service in services(compose).values() if "build" in service]
    assert builds, "the Airflow services are built from this repo"
    for build in builds:
        context = ROOT / build["context"]
        assert context.is_dir(), context
        assert (context / build.get("dockerfile", "Dockerfile")).is_file()


def test_what_the_dockerfile_copies_exists():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM apache/airflow:\$\{AIRFLOW_VERSION\}-python3\.11$", dockerfile, re.M)
    copies = re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", dockerfile, re.M)
    assert copies
    for sources in copies:
        for source in sources.split():
            assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def test_the_dockerfiles_build_checks_pass_against_this_package():
    """The image's `python -c` checks fail the build when a module moves; they must pass here first."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    checks = re.findall(r'python -c "([^"]+)"', dockerfile)
    assert checks
    for check in checks:
        done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"Dockerfile check fails: {check}\n{done.stderr[-500:]}"


def test_bind_mounted_paths_exist(compose):
    for name, service in services(compose).items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):  # a bind mount; anything else is a named volume
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in compose["volumes"], f"{name} uses undeclared volume {source}"


def test_every_variable_the_compose_file_reads_is_in_env_example():
    used = set(VARIABLE.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    assert used, "the compose file takes its passwords and versions from .env"
    assert used - env_example_names() == set()


def test_init_service_runs_commands_the_cli_has(compose):
    from etl.cli import build_parser

    command = services(compose)["news-etl-init"]["command"][-1]
    for step in command.split("&&"):
        program, *args = step.split()
        assert program == "news-etl"
        build_parser().parse_args(args)  # exits (fails the test) on an unknown command


def test_the_celery_profile_scales_out_with_two_workers_and_object_storage_staging(compose):
    celery = {name: s for name, s in services(compose).items() if "celery" in s.get("profiles", [])}
    workers = [s for s in celery.values() if s.get("command") == "celery worker"]
    assert len(workers) == 2 and {"redis", "minio", "minio-setup"} <= celery.keys()
    assert "mb --ignore-existing local/news-etl-staging" in " ".join(celery["minio-setup"]["command"])
    env = services(compose)["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW_EXECUTOR:-LocalExecutor}"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert env["NEWS_ETL_STAGING_DIR"].startswith("${NEWS_ETL_STAGING_DIR")
    # without the profile, no service depends on one of its services
    for name, service in services(compose).items():
        if name not in celery:
            assert not set(service.get("depends_on") or {}) & celery.keys(), name
