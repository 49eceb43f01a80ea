"""The Airflow DAGs in dags/: they load cleanly, follow the team's rules, and a real run indexes the seeds.

Airflow reads its configuration from the environment when it is first imported, so every
check runs in a fresh Python process with a throwaway AIRFLOW_HOME (SQLite) and this repo's
dags/ folder; the test process never imports Airflow. The runs use ``dag.test()``, which
executes the tasks for real, spaCy model and Tantivy index included.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, SEED
from etl.index import open_sink
from etl.search.query import SearchRequest
from etl.settings import Settings
from s3_server import s3, s3_server, without_aws  # noqa: F401  (fixtures: a moto S3 server on loopback)

DAGS = ROOT / "dags"
sys.path.insert(0, str(DAGS))  # the connection helper, imported as Airflow imports it (dags/ on sys.path)
DAG_ID = "news_etl_daily"
LOGICAL_DATE = "2025-03-14"
# Modules a DAG file must not import at parse time: the scheduler re-parses every file often.
HEAVY_MODULES = ["spacy", "tantivy", "elasticsearch", "trafilatura", "etl.pipeline", "etl.index.embedded"]

INTEGRITY = """
import importlib.util, json, sys, time
from pathlib import Path
import airflow.sdk  # every DAG file pays for Airflow itself; time only what comes on top

dags_folder, heavy = Path(sys.argv[1]), json.loads(sys.argv[2])
sys.path.insert(0, str(dags_folder))
import_seconds = {}
for path in sorted(dags_folder.glob("*.py")):
    started = time.perf_counter()
    spec = importlib.util.spec_from_file_location(f"parse_{path.stem}", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    import_seconds[path.name] = round(time.perf_counter() - started, 3)
loaded_heavy = [name for name in heavy if name in sys.modules]

from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=str(dags_folder))
dags = {
    dag_id: {
        "tags": sorted(dag.tags),
        "min_retries": min(task.retries for task in dag.tasks),
        "retry_delays": sorted({task.retry_delay.total_seconds() for task in dag.tasks}),
        "schedule": getattr(dag.timetable, "expression", repr(dag.timetable)),
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "owners": sorted({task.owner for task in dag.tasks}),
        "doc": dag.doc_md or "",
        "params": sorted(dag.params),
        "outlets": {t.task_id: [a.name for a in t.outlets] for t in dag.tasks if t.outlets},
    }
    for dag_id, dag in bag.dags.items()
}
print(json.dumps({"import_errors": {str(k): v for k, v in bag.import_errors.items()},
                  "files": sorted(import_seconds), "import_seconds": import_seconds,
                  "heavy": loaded_heavy, "dags": dags}))
"""

RUN = """
import json, sys, time
from datetime import datetime, timezone
from sqlalchemy import select
from airflow.utils import db
from airflow.utils.session import create_session
from airflow.models.xcom import XComModel
from airflow.dag_processing.dagbag import DagBag

db.initdb()
dag = DagBag(dag_folder=sys.argv[1]).dags[sys.argv[2]]
for task in dag.tasks:  # a broken task should fail the test now, not after minutes of retries
    task.retries = 0
started = time.perf_counter()
run = dag.test(logical_date=datetime.fromisoformat(sys.argv[3]).replace(tzinfo=timezone.utc),
               run_conf=json.loads(sys.argv[4]))
seconds = time.perf_counter() - started
name = lambda row: row.task_id + (f"[{row.map_index}]" if row.map_index >= 0 else "")
with create_session() as session:
    rows = session.scalars(select(XComModel).where(
        XComModel.dag_id == dag.dag_id, XComModel.run_id == run.run_id, XComModel.key == "return_value"))
    xcoms = {name(row): XComModel.deserialize_value(row) for row in rows}
    states = {name(ti): str(ti.state) for ti in run.get_task_instances(session=session)}
print("RESULT " + json.dumps({"state": str(run.state), "states": states, "xcoms": xcoms, "seconds": seconds}))
"""


def airflow_env(home) -> dict[str, str]:
    """This repo's DAGs on SQLite in ``home``; none of the caller's Elasticsearch or news-etl settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW", "ELASTICSEARCH_", "NEWS_ETL_", "_AIRFLOW"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "PYTHONPATH": str(ROOT),
    })
    return env


def python(script: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def integrity(tmp_path_factory) -> dict:
    out = python(INTEGRITY, str(DAGS), json.dumps(HEAVY_MODULES), env=airflow_env(tmp_path_factory.mktemp("airflow")))
    return json.loads(out.strip().splitlines()[-1])


def test_dagbag_loads_every_file_in_dags_without_import_errors(integrity):
    assert integrity["import_errors"] == {}
    assert "news_etl_daily.py" in integrity["files"]
    assert set(integrity["dags"]) == {DAG_ID}


def test_dag_files_do_no_heavy_work_at_import(integrity, record_property):
    """Parsing must not pull in spaCy, Tantivy or the Elasticsearch client: they load inside tasks."""
    record_property("dag_import_seconds", integrity["import_seconds"])
    assert integrity["heavy"] == []


def test_every_dag_is_tagged_retried_owned_and_runs_daily(integrity):
    for dag_id, dag in integrity["dags"].items():
        assert dag["tags"], dag_id
        assert dag["min_retries"] >= 2, dag_id
        assert min(dag["retry_delays"]) > 0, dag_id
        assert dag["schedule"] in ("@daily", "0 0 * * *"), dag_id
        assert dag["owners"] == ["news-etl"], dag_id
        assert dag["max_active_runs"] >= 1, dag_id


def test_daily_dag_is_documented_overridable_and_announces_fresh_data(integrity):
    dag = integrity["dags"][DAG_ID]
    assert dag["catchup"] is False
    assert "discover_inputs" in dag["doc"] and "max_reject_rate" in dag["doc"]
    assert {"sources", "drop_dir", "staging_dir", "sink", "index_dir", "batch_size", "max_reject_rate"} <= set(dag["params"])
    assert dag["outlets"] == {"index": ["news_articles"]}


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """A drop folder for LOGICAL_DATE: the seed, the same story under another name, and an empty file."""
    root = tmp_path_factory.mktemp("news")
    drop = root / "drop" / LOGICAL_DATE
    drop.mkdir(parents=True)
    shutil.copy(SEED, drop / "a-story.txt")
    shutil.copy(SEED, drop / "b-same-story.txt")  # lands in another batch: a cross-batch duplicate
    (drop / "c-empty.txt").write_text("", encoding="utf-8")
    conf = {"drop_dir": str(root / "drop"), "staging_dir": str(root / "staging"), "index_dir": str(root / "index"),
            "sink": "embedded", "batch_size": 1, "max_reject_rate": 0.5}
    return root, conf


def run_dag(home, conf: dict, env: dict[str, str] | None = None) -> dict:
    """One ``dag.test()`` of LOGICAL_DATE; the result's "log" (the run's output) explains a failure."""
    out = python(RUN, str(DAGS), DAG_ID, LOGICAL_DATE, json.dumps(conf), env=env or airflow_env(home))
    log, result = out.rsplit("RESULT ", 1)
    return {**json.loads(result.splitlines()[0]), "log": log[-4000:]}


def test_dag_run_indexes_the_day_and_a_rerun_overwrites_it(day, tmp_path, record_property):
    """Two runs of one logical date: the second (with a stricter reject threshold) re-indexes the
    same documents without duplicating them, then fails its report because 1 of 3 inputs was rejected."""
    root, conf = day
    settings = Settings.from_env({}).with_(index_dir=root / "index", sink="embedded")

    first = run_dag(tmp_path / "airflow", conf)
    record_property("dag_test_seconds", round(first["seconds"], 1))

    assert first["state"] == "success", first["log"]
    assert {k for k in first["states"] if k.startswith("process[")} == {"process[0]", "process[1]", "process[2]"}
    report = first["xcoms"]["report"]
    assert {k: report[k] for k in ("read", "indexed", "rejected", "duplicates")} == {
        "read": 3, "indexed": 1, "rejected": 1, "duplicates": 1}
    assert sum(report["reasons"].values()) == 1
    rejected = (root / "staging" / LOGICAL_DATE / "batch-0002" / "rejected.jsonl").read_text(encoding="utf-8")
    assert json.loads(rejected)["origin"].endswith("c-empty.txt")
    with open_sink(settings) as sink:
        assert sink.count() == 1
        quotes = sink.count("quotes")
        hits = sink.search(SearchRequest(text="Putin")).hits
    assert len(hits) == 1  # the seed is searchable; its copy in another batch was dropped as a duplicate
    [duplicate] = [json.loads(line) for line in (root / "index" / "duplicates.jsonl").read_text().splitlines()]
    assert (Path(duplicate["origin"]).name, Path(duplicate["duplicate_of_origin"]).name) == ("b-same-story.txt", "a-story.txt")
    staged = sorted(p.relative_to(root).as_posix() for p in (root / "staging").rglob("*.jsonl"))
    assert staged == [f"staging/{LOGICAL_DATE}/batch-000{n}/{name}" for n in range(3)
                      for name in ("documents.jsonl", "duplicates.jsonl", "rejected.jsonl")]

    second = run_dag(tmp_path / "airflow", {**conf, "max_reject_rate": 0.1})

    assert second["states"]["index"] == "success"
    assert second["xcoms"]["index"]["indexed"] == 1
    with open_sink(settings) as sink:
        assert (sink.count(), sink.count("quotes")) == (1, quotes)
    assert second["states"]["report"] == "failed"  # 33% rejected is over the 10% this run allows
    assert second["state"] == "failed"


def test_dag_run_into_elasticsearch_from_the_airflow_connection(day, tmp_path, es_settings):
    """No sink param: the run finds Elasticsearch through AIRFLOW_CONN_ELASTICSEARCH_DEFAULT."""
    root, conf = day
    url = urlsplit(es_settings.es_url)
    connection = {"conn_type": "elasticsearch", "host": url.hostname, "port": url.port, "schema": url.scheme,
                  "login": es_settings.es_username, "password": es_settings.es_password,
                  "extra": {"api_key": es_settings.es_api_key, "verify_certs": es_settings.es_verify_certs}}
    env = airflow_env(tmp_path / "airflow")
    env["AIRFLOW_CONN_ELASTICSEARCH_DEFAULT"] = json.dumps(connection)
    env["NEWS_ETL_ES_ARTICLES_ALIAS"] = es_settings.es_articles_alias  # per-test names on a real cluster
    env["NEWS_ETL_ES_QUOTES_ALIAS"] = es_settings.es_quotes_alias
    es_conf = {**conf, "sink": None, "staging_dir": str(root / "es-staging")}

    result = run_dag(tmp_path / "airflow", es_conf, env)

    assert result["state"] == "success", result["log"]
    assert result["xcoms"]["index"]["indexed"] == 1
    with open_sink(es_settings) as sink:
        assert sink.count() == 1
        assert len(sink.search(SearchRequest(text="Putin")).hits) == 1


def test_dag_run_stages_in_a_bucket_with_the_credentials_of_an_airflow_connection(day, tmp_path, s3):
    """staging_dir = s3://bucket/prefix: the batches are staged there and indexed from there, with the
    credentials and endpoint of the connection named by NEWS_ETL_STAGING_CONN_ID (no AWS_* variable set)."""
    root, conf = day
    connection = {"conn_type": "aws", "login": "testing", "password": "testing",
                  "extra": {"endpoint_url": s3.endpoint, "region_name": "us-east-1"}}
    env = without_aws(airflow_env(tmp_path / "airflow"))
    env["AIRFLOW_CONN_NEWS_STAGING"] = json.dumps(connection)
    env["NEWS_ETL_STAGING_CONN_ID"] = "news_staging"
    s3_conf = {**conf, "staging_dir": f"s3://{s3.bucket}/prefix", "index_dir": str(tmp_path / "index")}

    result = run_dag(tmp_path / "airflow", s3_conf, env)

    assert result["state"] == "success", result["log"]
    assert result["xcoms"]["process[0]"]["documents"] == f"s3://{s3.bucket}/prefix/{LOGICAL_DATE}/batch-0000/documents.jsonl"
    assert s3.objects() == [f"prefix/{LOGICAL_DATE}/batch-000{n}/{name}" for n in range(3)
                            for name in ("documents.jsonl", "duplicates.jsonl", "rejected.jsonl")]
    assert json.loads(s3.text(f"prefix/{LOGICAL_DATE}/batch-0002/rejected.jsonl"))["origin"].endswith("c-empty.txt")
    report = result["xcoms"]["report"]
    assert {k: report[k] for k in ("read", "indexed", "rejected", "duplicates")} == {
        "read": 3, "indexed": 1, "rejected": 1, "duplicates": 1}
    with open_sink(Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index")) as sink:
        assert sink.count() == 1
        assert len(sink.search(SearchRequest(text="Putin")).hits) == 1
    assert not (ROOT / "s3:").exists() and not (tmp_path / "s3:").exists()  # no local folder named after the URL


def test_a_staging_dir_with_an_unsupported_scheme_fails_the_run_with_a_clear_reason(day, tmp_path):
    root, conf = day

    result = run_dag(tmp_path / "airflow", {**conf, "staging_dir": "ftp://files.example.com/staging"})

    assert result["states"]["plan"] == "failed" and result["state"] == "failed"
    assert "staging ftp://files.example.com/staging: unsupported storage scheme 'ftp'" in result["log"]
    assert not (ROOT / "ftp:").exists()


def test_connections_become_object_storage_options():
    """A plain object stands in for airflow.sdk.Connection, as above; the bucket run reads a real one."""
    from news_etl_connection import storage_options_from_connection

    aws = SimpleNamespace(conn_type="aws", host=None, login="AKIA", password="secret", extra_dejson={
        "endpoint_url": "http://minio:9000", "region_name": "eu-west-1", "aws_session_token": "tok"})
    assert storage_options_from_connection(aws) == {
        "key": "AKIA", "secret": "secret", "token": "tok", "endpoint_url": "http://minio:9000",
        "client_kwargs": {"region_name": "eu-west-1"}}
    anonymous = SimpleNamespace(conn_type="aws", host=None, login=None, password=None, extra_dejson={})
    assert storage_options_from_connection(anonymous) == {}  # s3fs falls back to the AWS_* variables
    gcp = SimpleNamespace(conn_type="google_cloud_platform", host=None, login=None, password=None,
                          extra_dejson={"keyfile_dict": '{"type": "service_account"}', "project": "news"})
    assert storage_options_from_connection(gcp) == {"token": {"type": "service_account"}, "project": "news"}
    other = SimpleNamespace(conn_type="generic", host=None, login=None, password=None,
                            extra_dejson={"storage_options": '{"anon": true}'})
    assert storage_options_from_connection(other) == {"anon": True}


def test_a_dropped_file_whose_name_is_not_utf8_is_indexed_not_a_failed_run(tmp_path):
    """Before, its path (a Python string with surrogates) could not cross from discover_inputs to the
    next task as JSON over HTTP, and the run failed at every retry (issue 17)."""
    drop = tmp_path / "drop" / LOGICAL_DATE
    drop.mkdir(parents=True)
    shutil.copy(SEED, os.path.join(os.fsencode(drop), b"caf\xe9.txt"))  # a Latin-1 name
    conf = {"drop_dir": str(tmp_path / "drop"), "staging_dir": str(tmp_path / "staging"),
            "index_dir": str(tmp_path / "index"), "sink": "embedded", "batch_size": 1, "max_reject_rate": 0.0}

    result = run_dag(tmp_path / "airflow", conf)

    assert result["state"] == "success", result["log"]
    assert result["xcoms"]["index"]["indexed"] == 1
    with open_sink(Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index")) as sink:
        [hit] = sink.search(SearchRequest(text="Putin")).hits
        assert sink.get(hit.id)["origin"].endswith("caf\\xe9.txt")  # its bytes escaped, readable


def test_connection_parts_become_elasticsearch_settings():
    """A plain object stands in for airflow.sdk.Connection (only its attributes are read);
    the DAG run above reads a real connection."""
    from news_etl_connection import settings_from_connection

    conn = SimpleNamespace(conn_type="elasticsearch", host="es01", port=9243, schema="https", login="elastic",
                           password="s3cret", extra_dejson={"ca_certs": "/certs/ca.crt", "verify_certs": "false"})
    settings = settings_from_connection(Settings.from_env({}), conn)

    assert (settings.es_url, settings.es_username, settings.es_password) == ("https://es01:9243", "elastic", "s3cret")
    assert (settings.es_ca_certs, settings.es_verify_certs, settings.sink_name) == ("/certs/ca.crt", False, "elasticsearch")
    assert settings_from_connection(Settings.from_env({}), None).sink_name == "embedded"
    url_host = SimpleNamespace(conn_type="http", host="https://es.example.com:443/", port=None, schema=None,
                               login=None, password=None, extra_dejson={})
    assert settings_from_connection(Settings.from_env({}), url_host).es_url == "https://es.example.com:443"


def test_a_connection_never_inherits_credentials_or_a_cloud_id_from_the_environment():
    """A plain object stands in for airflow.sdk.Connection, as above."""
    from news_etl_connection import settings_from_connection

    env = Settings.from_env({"ELASTICSEARCH_CLOUD_ID": "prod:abc", "ELASTICSEARCH_API_KEY": "env-key",
                             "ELASTICSEARCH_USERNAME": "env-user", "ELASTICSEARCH_PASSWORD": "env-pass",
                             "ELASTICSEARCH_VERIFY_CERTS": "false"})
    conn = SimpleNamespace(conn_type="elasticsearch", host="es01", port=9200, schema="https", login=None,
                           password=None, extra_dejson={})
    settings = settings_from_connection(env, conn)

    assert settings.es_url == "https://es01:9200" and settings.es_cloud_id is None
    assert (settings.es_api_key, settings.es_username, settings.es_password) == (None, None, None)
    assert settings.es_verify_certs is True  # the connection did not turn verification off
