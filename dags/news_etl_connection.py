"""Elasticsearch settings from the Airflow connection ``elasticsearch_default``.

Airflow users keep server addresses and secrets in connections (the UI, a secrets backend,
or ``AIRFLOW_CONN_ELASTICSEARCH_DEFAULT``), not in the project's own environment variables.
This turns that connection into the project's ``Settings``; the library never sees Airflow.
Fields follow the Elasticsearch provider's conventions: ``host``, ``port``, ``schema`` (the
scheme, ``http`` or ``https``), ``login``/``password`` for basic auth, and in ``extra``:
``api_key``, ``ca_certs``, ``verify_certs``.

The staging folder's credentials come from the connection named by the ``staging_conn_id``
setting, turned into fsspec's storage options (the library only sees those): an ``aws``
connection (``login``/``password`` the access key id and secret, extras ``endpoint_url``,
``region_name``, ``aws_session_token``), a ``google_cloud_platform`` one (extras ``key_path``,
``keyfile_dict``, ``project``), a ``wasb`` one (``login``/``password`` the account name and key,
extras ``connection_string``, ``sas_token``); any connection's extra ``storage_options`` (an
object) is passed as it is, on top.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from etl.settings import Settings

ES_CONN_ID = "elasticsearch_default"
SCHEMES = ("http", "https")


def es_url(host: str, port: int | None, scheme: str | None) -> str:
    """``https://es01:9200`` from the connection's parts; a host given as a full URL is kept."""
    if "://" in host:
        return host.rstrip("/")
    return f"{scheme if scheme in SCHEMES else 'http'}://{host}:{port or 9200}"


def settings_from_connection(settings: Settings, conn: Any | None) -> Settings:
    """``settings`` pointed at the connection's Elasticsearch; unchanged when there is no connection."""
    if conn is None or not conn.host:
        return settings
    extra = conn.extra_dejson or {}
    scheme = conn.schema if conn.schema in SCHEMES else conn.conn_type
    verify = extra.get("verify_certs")
    if isinstance(verify, str):  # extras set as a URI query string arrive as text
        verify = verify.strip().lower() not in ("0", "false", "no", "off")
    # Every connection field is set, empty ones included: credentials or a cloud id from the
    # environment must never be sent to (or take precedence over) the connection's host.
    return dataclasses.replace(
        settings,
        es_url=es_url(conn.host, conn.port, scheme),
        es_cloud_id=None,
        es_username=conn.login or None,
        es_password=conn.password or None,
        es_api_key=extra.get("api_key"),
        es_ca_certs=extra.get("ca_certs"),
        es_verify_certs=True if verify is None else verify,
    )


def storage_options_from_connection(conn: Any) -> dict[str, Any]:
    """fsspec storage options (credentials, endpoint) for the object store the connection describes."""
    extra = conn.extra_dejson or {}

    def get(name: str) -> Any:  # extras are also written with the provider's old prefixes
        return extra.get(name) or extra.get(f"extra__{conn.conn_type}__{name}") or None

    kind = (conn.conn_type or "").lower()
    options: dict[str, Any] = {}
    if kind in ("aws", "s3"):
        options = {"key": conn.login, "secret": conn.password, "token": get("aws_session_token"),
                   "endpoint_url": get("endpoint_url") or (conn.host or None)}
        if get("region_name"):
            options["client_kwargs"] = {"region_name": get("region_name")}
    elif kind in ("google_cloud_platform", "gcp", "gcs"):
        keyfile = get("keyfile_dict")
        options = {"token": (json.loads(keyfile) if isinstance(keyfile, str) else keyfile) or get("key_path"),
                   "project": get("project")}
    elif kind in ("wasb", "azure", "adls", "azure_data_lake"):
        options = {"account_name": conn.login, "account_key": conn.password,
                   "connection_string": get("connection_string"), "sas_token": get("sas_token")}
    options = {name: value for name, value in options.items() if value not in (None, "")}
    more = extra.get("storage_options")
    if isinstance(more, str):  # extras set as a URI query string arrive as text
        more = json.loads(more)
    return {**options, **(more or {})}


def lookup_connection(conn_id: str = ES_CONN_ID) -> Any | None:
    """The Airflow connection, or None when it is not defined (call at run time, inside a task)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None
