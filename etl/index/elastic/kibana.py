"""Load the project's Kibana saved objects (data views, saved searches, dashboard) into a Kibana.

``mappings/kibana/saved_objects.ndjson`` is what Kibana's own export produces, so a user can also
import it by hand (Stack Management > Saved objects > Import). Here it goes through the saved-objects
import API with ``overwrite`` so re-running the import updates the objects in place.
"""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import httpx

from etl.errors import brief, network_reason, safe_url, unauthorized
from etl.index.elastic.indices import MAPPINGS_DIR
from etl.settings import Settings

SAVED_OBJECTS = MAPPINGS_DIR / "kibana" / "saved_objects.ndjson"
# Data view id -> which index alias it shows (the alias names are configurable).
DATA_VIEWS = {"news-etl-articles": "articles", "news-etl-quotes": "quotes"}


class KibanaImportError(RuntimeError):
    pass


def saved_objects(settings: Settings, path: Path = SAVED_OBJECTS) -> list[dict[str, Any]]:
    """The saved objects, with each data view pointed at the configured alias."""
    aliases = {"articles": settings.es_articles_alias, "quotes": settings.es_quotes_alias}
    objects = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as err:
            raise KibanaImportError(f"{path}:{number}: not a JSON object ({err})") from None
        if obj.get("type") == "index-pattern" and obj.get("id") in DATA_VIEWS:
            obj["attributes"]["title"] = aliases[DATA_VIEWS[obj["id"]]]
        objects.append(obj)
    return objects


def import_saved_objects(
    kibana_url: str,
    settings: Settings,
    *,
    path: Path = SAVED_OBJECTS,
    space: str | None = None,
    overwrite: bool = True,
) -> dict[str, Any]:
    """POST the saved objects to ``<kibana>[/s/<space>]/api/saved_objects/_import``; a summary of what landed.

    Kibana authenticates against Elasticsearch, so the Elasticsearch credentials and CA of ``settings``
    are used. Raises ``KibanaImportError`` with Kibana's reasons when any object is refused.
    """
    objects = saved_objects(settings, path)
    ndjson = "".join(json.dumps(obj) + "\n" for obj in objects)
    url = kibana_url.rstrip("/") + (f"/s/{space}" if space else "") + "/api/saved_objects/_import"
    shown = safe_url(url)  # a user:password in the Kibana URL is used, never shown
    headers = {"kbn-xsrf": "true"}  # Kibana refuses API writes without it
    auth = None
    if settings.es_api_key:
        headers["Authorization"] = f"ApiKey {settings.es_api_key}"
    elif settings.es_username:
        auth = httpx.BasicAuth(settings.es_username, settings.es_password or "")
    verify: ssl.SSLContext | bool = settings.es_verify_certs
    if settings.es_ca_certs:
        verify = ssl.create_default_context(cafile=settings.es_ca_certs)
    try:
        response = httpx.post(
            url,
            params={"overwrite": str(overwrite).lower()},
            headers=headers,
            auth=auth,
            files={"file": ("news-etl.ndjson", ndjson.encode(), "application/ndjson")},
            verify=verify,
            timeout=settings.es_timeout,
        )
    except httpx.HTTPError as err:
        raise KibanaImportError(f"cannot reach Kibana at {shown} ({network_reason(err, settings.es_timeout)})") from None
    if response.status_code == 401:
        has_credentials = bool(settings.es_api_key or settings.es_username or httpx.URL(url).userinfo)
        raise KibanaImportError(unauthorized("Kibana", shown, has_credentials, _kibana_reason(response)))
    if response.status_code != 200:
        reason = brief(_kibana_reason(response))
        raise KibanaImportError(f"Kibana import at {shown} failed: HTTP {response.status_code}: {reason}")
    body = response.json()
    if not body.get("success"):
        reasons = [f"{e.get('type')} {e.get('id')}: {e.get('error', {}).get('type')}" for e in body.get("errors", [])]
        raise KibanaImportError(f"Kibana refused {len(reasons)} of {len(objects)} saved objects: {'; '.join(reasons)}")
    return {"url": shown, "objects": len(objects), "imported": body.get("successCount", 0)}


def _kibana_reason(response: httpx.Response) -> str:
    """Kibana's error message (its JSON errors carry one), else the start of the body."""
    try:
        body = response.json()
    except ValueError:  # not JSON: a proxy's HTML page, plain text
        body = None
    return str(body.get("message") or response.text) if isinstance(body, dict) else response.text
