"""Elasticsearch settings from the Airflow connection ``elasticsearch_default``.

Airflow users keep server addresses and secrets in connections (the UI, a secrets backend,
or ``AIRFLOW_CONN_ELASTICSEARCH_DEFAULT``), not in the project's own environment variables.
This turns that connection into the project's ``Settings``; the library never sees Airflow.
Fields follow the Elasticsearch provider's conventions: ``host``, ``port``, ``schema`` (the
scheme, ``http`` or ``https``), ``login``/``password`` for basic auth, and in ``extra``:
``api_key``, ``ca_certs``, ``verify_certs``.
"""

from __future__ import annotations

import dataclasses
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


def lookup_connection(conn_id: str = ES_CONN_ID) -> Any | None:
    """The Airflow connection, or None when it is not defined (call at run time, inside a task)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None
