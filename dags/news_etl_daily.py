"""
### news-etl daily

Ingests the day's news articles, cleans them, enriches them with named entities and
attributed quotes (spaCy), and indexes them for search (Elasticsearch, or the embedded
Tantivy index when no Elasticsearch is configured).

1. **discover_inputs**: the files dropped in `<drop_dir>/<YYYY-MM-DD>/` for the run's
   logical date, plus the feeds and URL lists in the `sources` param.
2. **plan**: splits them into batches of `batch_size`, each with a folder under
   `<staging_dir>/<YYYY-MM-DD>/` (emptied first, so a re-run starts clean).
3. **process** (one mapped task per batch): clean + enrich into staged JSON Lines
   (`documents.jsonl`, with `rejected.jsonl` and `duplicates.jsonl` beside it);
   a failed batch retries alone.
4. **index**: writes the staged documents to the sink, dropping duplicates across
   batches (logged to the sink's `duplicates.jsonl`); ids are stable, so re-running
   a day overwrites instead of duplicating.
   Updates the `news_articles` asset.
5. **report**: counts read / indexed / rejected / duplicates, and fails the run when
   the reject rate passes `max_reject_rate`.

Elasticsearch comes from the `elasticsearch_default` connection when it is defined
(`AIRFLOW_CONN_ELASTICSEARCH_DEFAULT`), else from the project's `ELASTICSEARCH_*`
settings. `staging_dir` may be a bucket (`s3://bucket/prefix`, `gs://`, `az://`), so the
mapped tasks can run on any worker; its credentials come from the connection named by
`NEWS_ETL_STAGING_CONN_ID`, else from the store's standard variables (`AWS_*`, ...).
Every param can be overridden when triggering a run by hand.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task

NEWS_ARTICLES = Asset(name="news_articles", uri="news-etl://index/articles")


def _settings(params: dict):
    """The project's settings with this run's params and Airflow's Elasticsearch connection applied."""
    from etl.settings import Settings
    from news_etl_connection import lookup_connection, settings_from_connection

    settings = settings_from_connection(Settings.from_env(), lookup_connection())
    folders = {name: params[name] if "://" in params[name] and name != "index_dir" else Path(params[name])
               for name in ("drop_dir", "staging_dir", "index_dir") if params[name]}
    return settings.with_(sink=params["sink"], **folders)


def _storage_options(settings) -> dict | None:
    """The staging store's credentials from the `staging_conn_id` connection; None: its standard environment."""
    from news_etl_connection import lookup_connection, storage_options_from_connection

    if not settings.staging_conn_id:
        return None
    conn = lookup_connection(settings.staging_conn_id)
    if conn is None:
        raise ValueError(f"staging_conn_id {settings.staging_conn_id!r}: no Airflow connection of that id")
    return storage_options_from_connection(conn)


def _run_day():
    """The day a run covers: its logical date, or the trigger time for a run that has none."""
    context = get_current_context()
    return (context.get("logical_date") or context["dag_run"].run_after).date()


@dag(
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,  # `airflow backfill create` still fills past days on request
    max_active_runs=1,  # runs of one day share a staging folder and the index writer
    default_args={
        "owner": "news-etl",
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
    },
    tags=["news-etl", "etl", "search"],
    doc_md=__doc__,
    params={
        "sources": Param([], type="array", items={"type": "string"}, description="Feed URLs, URL-list files"),
        "drop_dir": Param(None, type=["null", "string"], description="Folder of per-day drop folders"),
        "staging_dir": Param(None, type=["null", "string"],
                             description="Where runs stage their batches: a folder, or a bucket (s3://bucket/prefix)"),
        "sink": Param(None, type=["null", "string"], enum=[None, "embedded", "elasticsearch"]),
        "index_dir": Param(None, type=["null", "string"], description="Embedded index folder"),
        "batch_size": Param(50, type="integer", minimum=1),
        "max_reject_rate": Param(0.2, type="number", minimum=0, maximum=1),
    },
)
def news_etl_daily():
    # The library is imported inside the tasks: the dag-processor re-parses this file every few
    # seconds, and spaCy, Tantivy and the Elasticsearch client only belong in the workers.

    @task
    def discover_inputs(params: dict) -> list[str]:
        from etl.staging import discover

        return discover(_settings(params).drop_dir, _run_day(), params["sources"])

    @task
    def plan(inputs: list[str], params: dict) -> list[dict]:
        from etl.staging import day_folder, plan_batches

        settings = _settings(params)
        run_dir = day_folder(settings.staging_dir, _run_day())
        return plan_batches(inputs, params["batch_size"], run_dir, _storage_options(settings))

    @task(map_index_template="{{ batch_name }}")
    def process(batch: dict, params: dict) -> dict:
        from etl.staging import stage_batch

        name = batch["out_dir"].replace("\\", "/").rstrip("/").rpartition("/")[2]  # batch-NNNN, of a path or a URL
        get_current_context()["batch_name"] = name  # names the mapped task in the UI
        settings = _settings(params)
        return stage_batch(batch["inputs"], batch["out_dir"], settings, storage_options=_storage_options(settings))

    @task(outlets=[NEWS_ARTICLES])
    def index(staged: list[dict], params: dict) -> dict:
        from etl.staging import index_staged

        settings = _settings(params)
        return index_staged([batch["documents"] for batch in staged], settings, _storage_options(settings))

    @task
    def report(staged: list[dict], indexed: dict, params: dict) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from etl.staging import RejectRateExceeded, summarize

        try:
            return summarize(list(staged), indexed, params["max_reject_rate"])
        except RejectRateExceeded as err:
            raise AirflowFailException(str(err)) from err  # retrying would reject the same inputs

    staged = process.expand(batch=plan(discover_inputs()))
    report(staged, index(staged))


news_etl_daily()
