"""The Elasticsearch client built from ``Settings``, in one place.

Kept apart from the sink so the Airflow DAG can build ``Settings`` from an Airflow connection and get
the same client. Credentials go straight into the client; they are never logged (``Settings`` keeps
secrets out of its ``repr``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from elastic_transport import ApiError, TransportError
from elasticsearch import Elasticsearch

from etl.settings import Settings

# 429 is left to the bulk helper, which backs off; the transport retries these at once on another node.
RETRY_ON_STATUS = (502, 503, 504)


class ElasticsearchNotConfigured(ValueError):
    pass


class ElasticsearchUnavailable(ConnectionError):
    """The cluster could not be reached (after the client's retries)."""


class ElasticsearchRequestError(RuntimeError):
    """The cluster answered a request with an error (authentication, a missing privilege, a bad mapping ...)."""


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``Elasticsearch(...)``: endpoint, auth, TLS and timeouts."""
    if settings.es_cloud_id:
        options: dict[str, Any] = {"cloud_id": settings.es_cloud_id}
    elif settings.es_url:
        options = {"hosts": [settings.es_url]}
    else:
        raise ElasticsearchNotConfigured(
            "Elasticsearch is not configured: set ELASTICSEARCH_URL (or ELASTICSEARCH_CLOUD_ID), or use --sink embedded"
        )
    if settings.es_api_key:
        options["api_key"] = settings.es_api_key
    elif settings.es_username:
        options["basic_auth"] = (settings.es_username, settings.es_password or "")
    if settings.es_ca_certs:
        options["ca_certs"] = settings.es_ca_certs
    if not settings.es_verify_certs:
        options["verify_certs"] = False
    options.update(
        request_timeout=settings.es_timeout,
        retry_on_timeout=True,
        max_retries=settings.es_max_retries,
        retry_on_status=RETRY_ON_STATUS,
    )
    return options


def make_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(**client_options(settings))


def endpoint(settings: Settings) -> str:
    """Where the cluster is, for messages: the URL without any user:password in it, or the cloud id's name."""
    if settings.es_cloud_id:
        return f"Elastic Cloud {settings.es_cloud_id.split(':', 1)[0]}"
    parts = urlsplit(settings.es_url or "")
    return parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")).geturl() if parts.hostname else "?"


@contextmanager
def server_errors(settings: Settings, action: str) -> Iterator[None]:
    """Turn client exceptions into errors that say what failed and where, without credentials.

    ``action`` completes "cannot ... Elasticsearch at <url>", e.g. "write to" or "search articles on".
    """
    where = f"cannot {action} Elasticsearch at {endpoint(settings)}"
    try:
        yield
    except ApiError as err:
        raise ElasticsearchRequestError(f"{where}: HTTP {err.status_code}: {err.message}") from err
    except TransportError as err:
        raise ElasticsearchUnavailable(f"{where}: {err.message}") from err
