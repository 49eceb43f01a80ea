"""The Elasticsearch client built from ``Settings``, in one place.

Kept apart from the sink so the Airflow DAG can build ``Settings`` from an Airflow connection and get
the same client. Credentials go straight into the client; they are never logged (``Settings`` keeps
secrets out of its ``repr``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elastic_transport import ApiError, TransportError
from elasticsearch import Elasticsearch

from etl.errors import brief, network_reason, safe_url, unauthorized
from etl.logs import quiet_unless_verbose
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
    return safe_url(settings.es_url or "?")


@contextmanager
def server_errors(settings: Settings, action: str) -> Iterator[None]:
    """Turn client exceptions into one-line errors that say what failed and where, without credentials.

    ``action`` completes "cannot ... Elasticsearch at <url>", e.g. "write to" or "search articles on".
    A cluster that cannot be reached or refuses the credentials is said so whatever the action was.
    """
    where = endpoint(settings)
    try:
        yield
    except ApiError as err:
        if err.status_code == 401:
            message = unauthorized("Elasticsearch", where, bool(settings.es_api_key or settings.es_username), _error_reason(err))
        else:
            message = f"cannot {action} Elasticsearch at {where}: {api_reason(err)}"
        raise ElasticsearchRequestError(message) from err
    except TransportError as err:
        reason = network_reason(err, settings.es_timeout)
        raise ElasticsearchUnavailable(f"cannot reach Elasticsearch at {where} ({reason})") from err


def api_reason(err: ApiError) -> str:
    """The server's answer on one line, e.g. ``HTTP 403: security_exception: action [...] is unauthorized``."""
    reason = _error_reason(err)
    return f"HTTP {err.status_code}: {brief(reason)}" if reason else f"HTTP {err.status_code}"


def _error_reason(err: ApiError) -> str | None:
    """``type: reason`` of an Elasticsearch error body; None when there is no body (a HEAD request)."""
    error = err.body.get("error") if isinstance(err.body, dict) else err.body
    if isinstance(error, dict):
        return ": ".join(str(part) for part in (error.get("type"), error.get("reason")) if part) or None
    return str(error) if error else None


# Every retry is logged as a WARNING with a full traceback (~50 lines each), and every node given up
# on or revived; the request that finally fails is raised by `server_errors` in one line instead.
quiet_unless_verbose("elastic_transport", keep=logging.ERROR)
