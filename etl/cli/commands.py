"""The commands of `news-etl`, each a thin shell over the library: read the parsed arguments, call,
print for people or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from etl.settings import Settings

DEFAULT_SOURCE = "seeds"


class CommandError(Exception):
    """The command could not run; the message says why (exit status 1)."""


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from etl.pipeline import run
    from etl.run_log import REJECTED_FILE
    from etl.terminal import Progress, plural

    sources = _check_sources(args.sources or [DEFAULT_SOURCE])
    with Progress(enabled=not (args.json or args.no_progress)) as progress:
        summary = run(sources, settings, on_document=progress.document, on_reject=progress.reject)
    if args.json:
        _print_json(summary.to_dict())
        return _exit_status(summary)
    print(
        f"read {summary.read}, indexed {summary.indexed}, rejected {summary.rejected}, "
        f"duplicates {summary.duplicates}, unchanged {summary.unchanged} in {summary.seconds:.1f} s ({summary.docs_per_s} docs/s) "
        f"into {settings.sink_name} {settings.index_dir if settings.sink_name == 'embedded' else settings.es_url}"
    )
    for reason, count in summary.reasons.most_common():
        print(f"  rejected {plural(count, 'input')}: {reason}")
    if summary.rejected:
        print(f"  details: {settings.reject_folder / REJECTED_FILE}")
    if summary.not_enriched:
        languages = ", ".join(f"{language} {count}" for language, count in summary.not_enriched.most_common())
        print(f"  indexed {plural(summary.not_enriched.total(), 'article')} without entities or quotes, no spaCy model "
              f"for their language ({languages}): each says why in enrich_skipped; setting NEWS_ETL_MODELS adds models")
    if summary.recanonicalized:
        print(f"  re-canonicalized {plural(summary.recanonicalized, 'indexed article')} with full names this run brought")
    if summary.stopped_by:
        print(f"stopped by signal {summary.stopped_by}: what was read is committed; run again for the rest")
    return _exit_status(summary)


def _exit_status(summary) -> int:
    """0, or 128 + the number of the signal that stopped the run, as a shell reports a process it stopped."""
    import signal

    return 128 + signal.Signals[summary.stopped_by] if summary.stopped_by else 0


def cmd_clean(args: argparse.Namespace, settings: Settings) -> int:
    from etl.pipeline import clean_stream
    from etl.records import Rejected
    from etl.sources import iter_sources

    rejects = _StderrRejects()
    for item in clean_stream(iter_sources(_check_sources(args.sources), settings), settings):
        if isinstance(item, Rejected):
            rejects.write(item)
        else:
            _print_json_line(item)
    return 0


def cmd_enrich(args: argparse.Namespace, settings: Settings) -> int:
    from etl.pipeline import process
    from etl.run_log import RunLog

    sources = _check_sources(args.sources)
    for doc in process(sources, settings, RunLog(None, on_reject=_StderrRejects().write)):
        _print_json_line(doc)
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    return _search(_request(args, "articles"), settings, args.json)


def cmd_quotes(args: argparse.Namespace, settings: Settings) -> int:
    return _search(_request(args, "quotes", [("speaker", name) for name in args.speaker]), settings, args.json)


def _request(args: argparse.Namespace, index: str, filters: list[tuple[str, str]] = ()):
    from etl.search.params import search_request  # shared with `news-etl serve`

    return search_request(
        text=args.query, filters=args.filter + list(filters), facets=args.facet, since=args.since, until=args.until,
        size=args.size, page=args.page, index=index, interval=args.interval, facet_size=args.facet_size,
        cursor=args.cursor, sort=args.sort, unique=getattr(args, "unique", False),
    )


def cmd_get(args: argparse.Namespace, settings: Settings) -> int:
    from etl.index import open_sink
    from etl.terminal import print_document

    with open_sink(settings) as sink:
        doc = sink.get(args.doc_id)
    if doc is None:
        raise CommandError(f"no article with id {args.doc_id!r} in the {settings.sink_name} index")
    return _emit(doc, args.json, print_document)


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from etl.index import open_sink
    from etl.stats import index_stats
    from etl.terminal import print_stats

    with open_sink(settings) as sink:
        return _emit(index_stats(sink), args.json, print_stats)


def cmd_trending(args: argparse.Namespace, settings: Settings) -> int:
    from etl.index import open_sink
    from etl.search.trending import trending  # shared with GET /api/trending
    from etl.terminal import print_trending

    with open_sink(settings) as sink:
        found = trending(sink, since=args.since, until=args.until, text=args.query, filters=args.filter,
                         fields=args.field, size=args.size)
    return _emit(found, args.json, print_trending)


def cmd_related(args: argparse.Namespace, settings: Settings) -> int:
    from etl.index import open_sink
    from etl.search.related import related  # shared with GET /api/articles/{id}/related
    from etl.terminal import print_related

    with open_sink(settings) as sink:
        found = related(sink, args.doc_id, args.size)
    if found is None:
        raise CommandError(f"no article with id {args.doc_id!r} in the {settings.sink_name} index")
    return _emit(found, args.json, print_related)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from etl.api.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_index_setup(args: argparse.Namespace, settings: Settings) -> int:
    from etl.index.elastic import ElasticSink

    with ElasticSink(settings) as sink:
        found = sink.ensure_indices()
    if args.json:
        _print_json(found)
    else:
        for alias, index in found.items():
            print(f"{alias} -> {index}")
    return 0


def cmd_index_prune(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import datetime, timedelta

    from etl.index import open_sink
    from etl.terminal import plural

    # "older than" excludes WHEN itself: prune what search --until would find up to just before it
    until = args.older_than - (timedelta(microseconds=1) if isinstance(args.older_than, datetime) else timedelta(days=1))
    with open_sink(settings, write=True) as sink:
        deleted = sink.prune(until)
    if args.json:
        _print_json({"older_than": args.older_than.isoformat(), "deleted": deleted})
    else:
        print(f"deleted {plural(deleted['articles'], 'article')} and {plural(deleted['quotes'], 'quote')} "
              f"published before {args.older_than.isoformat()} from the {settings.sink_name} index")
    return 0


def cmd_index_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from etl.index.elastic.indices import INDICES, MAPPINGS_DIR, migrate

    report = migrate(
        settings, indices=tuple(args.index or INDICES), mappings_dir=args.mappings or MAPPINGS_DIR,
        force=args.force, delete_old=args.delete_old,
    )
    if args.json:
        _print_json(report)
        return 0
    for step in report.values():
        if step["migrated"]:
            print(f"{step['alias']}: {step['from']} -> {step['to']} ({step['docs']} documents)")
        else:
            print(f"{step['alias']}: {step['to']} is up to date ({step['docs']} documents)")
    return 0


def cmd_kibana_import(args: argparse.Namespace, settings: Settings) -> int:
    from etl.index.elastic.kibana import SAVED_OBJECTS, import_saved_objects

    url = args.kibana_url or settings.kibana_url
    if not url:
        raise CommandError("no Kibana URL: pass --kibana-url or set NEWS_ETL_KIBANA_URL")
    summary = import_saved_objects(url, settings, path=args.objects or SAVED_OBJECTS, space=args.space)
    if args.json:
        _print_json(summary)
    else:
        print(f"imported {summary['imported']} of {summary['objects']} saved objects into {summary['url']}")
    return 0


# --- helpers --------------------------------------------------------------------


def _search(request, settings: Settings, as_json: bool) -> int:
    from etl.index import open_sink

    # The sinks' errors name the engine, the place and the reason; main prints them in one line.
    request.validate()
    with open_sink(settings) as sink:
        result = sink.search(request)
    if as_json:
        _print_json(result.to_dict())
    else:
        from etl.terminal import ResultPrinter

        ResultPrinter().print(result, request)
    return 0


def _check_sources(sources: Iterable[str]) -> list[str]:
    """Fail fast on a local path that does not exist: that is a bad argument, not a rejected input."""
    from etl.sources.discovery import is_discovery
    from etl.sources.http import is_url

    checked = []
    for source in sources:
        if not (is_url(source) or is_discovery(source)) and not Path(source).exists():
            raise CommandError(f"source {source!r} does not exist")
        checked.append(source)
    return checked


def _print_json_line(record: Any) -> None:
    print(json.dumps(record.to_dict(), ensure_ascii=False))


class _StderrRejects:
    """A reject log for streaming commands: rejected inputs are reported on stderr, stdout stays pure JSON Lines."""

    def write(self, rejected) -> None:
        print(f"rejected {rejected.origin} at {rejected.stage}: {rejected.reason}", file=sys.stderr)


def _emit(data: Any, as_json: bool, show) -> int:
    """``data`` as indented JSON for scripts, else through ``show`` for people."""
    if as_json:
        _print_json(data)
    else:
        show(data)
    return 0


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))

