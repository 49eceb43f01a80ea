"""Index templates, versioned indices behind aliases, and zero-downtime mapping migrations.

The JSON under ``mappings/`` is what a user could PUT with curl for the default names (``articles``,
``quotes``); an installed wheel carries the same files as package data (``etl/mappings/``, see
setup.py). Physical indices are versioned (``articles-v1``, ``articles-v2``, ...) and readers and
writers only ever use the alias, so ``migrate`` can build a new version from changed mappings, fill
it, and swap the alias in one atomic step.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch
from elasticsearch.helpers import bulk

from etl.index.elastic.client import make_client, server_errors
from etl.search.vocabulary import (
    LANGUAGE_ALIASES,
    STEMMERS,
    VOCABULARIES,
    language_field,
)
from etl.settings import Settings

log = logging.getLogger(__name__)


def _mappings_dir() -> Path:
    """The index definitions and Kibana objects: package data in an installed wheel, else the checkout's
    top-level ``mappings/`` (editable install, source tree)."""
    packaged = resources.files("etl") / "mappings"
    if packaged.is_dir():
        return Path(str(packaged))  # pip unpacks wheels: a real folder, which callers copy and glob
    return Path(__file__).resolve().parents[3] / "mappings"


MAPPINGS_DIR = _mappings_dir()
INDICES = ("articles", "quotes")
SHARED_COMPONENT = "news-etl-settings"
FINGERPRINT_KEY = "news_etl_fingerprint"  # in each index's mapping _meta: which templates built it
REINDEX_TIMEOUT = 3600.0  # seconds; reindexing a big index takes far longer than one search


@dataclass(frozen=True)
class IndexTemplates:
    """The component templates and the index template for one alias, ready to PUT."""

    alias: str
    components: dict[str, dict[str, Any]]
    name: str
    body: dict[str, Any]
    fingerprint: str


def alias_for(settings: Settings, index: str) -> str:
    aliases = {"articles": settings.es_articles_alias, "quotes": settings.es_quotes_alias}
    if index not in aliases:
        raise ValueError(f"unknown index {index!r}; expected one of {', '.join(INDICES)}")
    return aliases[index]


def registry_index_for(settings: Settings) -> str:
    """The entity registry's index (``etl.index.registry``): named after the articles alias, outside its
    ``<alias>-v*`` versions, so each deployment (and each test's prefix) has its own."""
    return f"{settings.es_articles_alias}-entity-registry"


def load_templates(index: str, alias: str, mappings_dir: Path = MAPPINGS_DIR) -> IndexTemplates:
    """Read ``mappings/`` for ``index`` and rename it for ``alias`` (tests and tenants use other names)."""

    def rename(name: str) -> str:
        return alias + name[len(index) :] if name.startswith(index) else name

    def read(path: Path) -> dict[str, Any]:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ValueError(f"cannot read index definition {path}: {err}") from None

    body = read(mappings_dir / "index_templates" / f"{index}.json")
    components = {rename(name): read(mappings_dir / "component_templates" / f"{name}.json") for name in body["composed_of"]}
    body = {**body, "index_patterns": [f"{alias}-v*"], "composed_of": list(components)}
    fingerprint = hashlib.sha256(json.dumps([components, body], sort_keys=True).encode()).hexdigest()[:16]
    body["template"] = {"mappings": {"_meta": {FINGERPRINT_KEY: fingerprint}}}
    return IndexTemplates(alias, components, alias, body, fingerprint)


def put_templates(client: Elasticsearch, templates: IndexTemplates) -> None:
    for name, component in templates.components.items():
        client.cluster.put_component_template(name=name, **component)
    client.indices.put_index_template(name=templates.name, **templates.body)


def current_index(client: Elasticsearch, alias: str) -> str | None:
    """The physical index the alias writes to, or None when the alias does not exist yet."""
    if not client.indices.exists_alias(name=alias):
        return None
    found = client.indices.get_alias(name=alias).body
    writers = [name for name, v in found.items() if v["aliases"][alias].get("is_write_index")]
    return (writers or sorted(found))[0]


def ensure_index(client: Elasticsearch, templates: IndexTemplates) -> str:
    """Put the templates and create ``<alias>-v1`` behind the alias on first use; returns the physical index."""
    put_templates(client, templates)
    existing = current_index(client, templates.alias)
    if existing:
        # Strict mappings: a field the live index lacks refuses every document that has it.
        if _fingerprint_of(client, existing) != templates.fingerprint:
            log.warning("index %s was built from other mappings than this news-etl's; run `news-etl index migrate`",
                        existing)
        return existing
    repaired = _repair_alias(client, templates.alias)
    if repaired:
        return repaired
    first = f"{templates.alias}-v1"
    try:
        client.indices.create(index=first, aliases={templates.alias: {"is_write_index": True}})
        log.info("created index %s behind alias %s", first, templates.alias)
    except BadRequestError as err:
        if err.error != "resource_already_exists_exception":  # another worker won the race: fine
            raise
    return first


class AliasMissing(RuntimeError):
    """The alias is gone and cannot be put back safely: writing to its name would create a concrete index."""


def _repair_alias(client: Elasticsearch, alias: str) -> str | None:
    """With the alias gone (an operator removed it, a half-done migration): point it back at the one
    versioned index ``<alias>-vN`` there is and return that; None when there is none (first use).
    Refuses (``AliasMissing``) when several versions exist, or a concrete index holds the alias's name:
    which one is live is the operator's call, and a write to the name would land beside the alias."""
    if client.indices.exists(index=alias):  # a concrete index, since the alias does not exist
        raise AliasMissing(
            f"{alias!r} is a concrete index, not an alias (auto-created by a write?); move its documents "
            f"into {alias}-vN and delete it, then run again"
        )
    pattern = re.compile(rf"{re.escape(alias)}-v\d+")
    found = client.options(ignore_status=404).indices.get(index=f"{alias}-v*", expand_wildcards="all").body
    versions = sorted((name for name in found if pattern.fullmatch(name)), key=lambda n: int(n.rsplit("-v", 1)[1]))
    if not versions:
        return None
    if len(versions) > 1:
        raise AliasMissing(
            f"alias {alias!r} is missing and several versioned indices exist ({', '.join(versions)}); "
            f"point it at the live one (POST _aliases) and run again"
        )
    client.indices.put_alias(index=versions[0], name=alias, is_write_index=True)
    log.warning("alias %s was missing; pointed it back at %s, the only versioned index", alias, versions[0])
    return versions[0]


def next_version(index: str) -> str:
    match = re.fullmatch(r"(.+)-v(\d+)", index)
    if not match:
        raise ValueError(f"index {index!r} is not versioned (expected <alias>-v<N>); cannot migrate it")
    return f"{match[1]}-v{int(match[2]) + 1}"


def migrate(
    settings: Settings,
    *,
    indices: tuple[str, ...] = INDICES,
    mappings_dir: Path = MAPPINGS_DIR,
    force: bool = False,
    delete_old: bool = False,
    client: Elasticsearch | None = None,
) -> dict[str, dict[str, Any]]:
    """Move each alias to a new index version built from the current ``mappings/``, without downtime.

    Skips an index whose live mapping was built from the same templates unless ``force``. Steps: put
    the templates, create ``<alias>-v<N+1>``, reindex, swap the alias atomically (readers see the old
    index until the swap and the full new one after it), then copy again with ``op_type: create`` the
    documents written to the old index while the first copy ran; last, fill in the language copies
    (``body_fr``) that documents an older news-etl wrote lack.
    """
    own_client = client is None
    client = client or make_client(settings)
    report: dict[str, dict[str, Any]] = {}
    try:
        for index in indices:
            templates = load_templates(index, alias_for(settings, index), mappings_dir)
            with server_errors(settings, f"migrate {templates.alias} on"):
                report[index] = _migrate_one(client, templates, index, force=force, delete_old=delete_old)
    finally:
        if own_client:
            client.close()
    return report


def _migrate_one(client: Elasticsearch, templates: IndexTemplates, index: str, *, force: bool,
                 delete_old: bool) -> dict[str, Any]:
    alias = templates.alias
    old = current_index(client, alias)
    if old is None:
        return {"alias": alias, "from": None, "to": ensure_index(client, templates), "migrated": False, "docs": 0}
    put_templates(client, templates)
    if _fingerprint_of(client, old) == templates.fingerprint and not force:
        return {"alias": alias, "from": old, "to": old, "migrated": False, "docs": _count(client, old)}

    new = next_version(old)
    slow = client.options(request_timeout=REINDEX_TIMEOUT)
    client.indices.create(index=new)
    slow.reindex(source={"index": old}, dest={"index": new}, wait_for_completion=True, refresh=True)
    client.indices.update_aliases(
        actions=[
            {"remove": {"index": old, "alias": alias}},
            {"add": {"index": new, "alias": alias, "is_write_index": True}},
        ]
    )
    slow.reindex(source={"index": old}, dest={"index": new, "op_type": "create"}, conflicts="proceed", refresh=True)
    _add_language_copies(slow, new, index)
    old_docs, new_docs = _count(client, old), _count(client, new)
    if new_docs < old_docs:
        raise RuntimeError(
            f"migrate {alias}: {new} has {new_docs} documents but {old} has {old_docs}; {old} was kept, "
            f"point {alias} back at it if the new index is wrong"
        )
    if delete_old:
        client.indices.delete(index=old)
    log.info("migrated %s: %s -> %s (%d documents)", alias, old, new, new_docs)
    return {"alias": alias, "from": old, "to": new, "migrated": True, "docs": new_docs, "deleted_old": delete_old}


def _fingerprint_of(client: Elasticsearch, index: str) -> str | None:
    """Which templates built the index (see ``load_templates``)."""
    return client.indices.get_mapping(index=index).body[index]["mappings"].get("_meta", {}).get(FINGERPRINT_KEY)


def _add_language_copies(client: Elasticsearch, index: str, name: str) -> int:
    """Give the documents of an older version that lack their language copies (``body_fr``: news-etl
    before per-language analysis did not send them) those copies, from their _source; returns how many."""
    vocabulary = VOCABULARIES[name]
    if not vocabulary.stemmed:
        return 0
    codes = {code: [code, *(alias for alias, to in LANGUAGE_ALIASES.items() if to == code)] for code in STEMMERS}
    lacking = {"bool": {"should": [
        {"bool": {"filter": [{"terms": {"language": languages}}],
                  "must_not": [{"exists": {"field": language_field(field, code)}} for field in vocabulary.stemmed]}}
        for code, languages in codes.items()], "minimum_should_match": 1}}
    updated, after = 0, None
    while True:
        page = client.search(index=index, query=lacking, size=_COPY_PAGE, sort=[{"id": "asc"}],
                             **({"search_after": after} if after else {}))["hits"]["hits"]
        actions = [{"_op_type": "update", "_index": index, "_id": hit["_id"], "doc": copies}
                   for hit in page if (copies := vocabulary.language_copies(hit["_source"]))]
        if actions:
            updated += bulk(client, actions, refresh=True)[0]
        if len(page) < _COPY_PAGE:
            return updated
        after = page[-1]["sort"]


_COPY_PAGE = 500


def _count(client: Elasticsearch, index: str) -> int:
    return client.count(index=index)["count"]
