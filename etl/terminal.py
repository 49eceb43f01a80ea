"""Search results and summaries as a person reads them in a terminal.

Highlights arrive as HTML (escaped text around ``<b>`` marks, the engines' JSON shape); here they
become bold on a terminal and plain text elsewhere, with entities decoded and each fragment on one
line. Counts agree with their nouns, and the date histogram is a small bar chart.
"""

from __future__ import annotations

import html
import os
import re
import sys
from typing import Any, TextIO

from etl.search.query import SearchRequest, SearchResult

BOLD, RESET = "\x1b[1m", "\x1b[0m"
_MARK = re.compile(r"</?b>")
_BAR_WIDTH = 40
_INTERVAL_LABEL = {"day": 10, "week": 10, "month": 7, "year": 4}  # characters of the ISO date shown
_NOUNS = {"articles": ("article", "articles"), "quotes": ("quote", "quotes")}


def plural(count: int, singular: str, many: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else (many or singular + 's')}"


def fragment_text(fragment: str, bold: bool) -> str:
    """One highlight fragment as one line of text: ``<b>`` as bold (or nothing), entities decoded."""
    pieces = _MARK.split(fragment)
    marks = _MARK.findall(fragment)
    out = [html.unescape(pieces[0])]
    for mark, piece in zip(marks, pieces[1:]):
        if bold:
            out.append(BOLD if mark == "<b>" else RESET)
        out.append(html.unescape(piece))
    return " ".join("".join(out).split())


class ResultPrinter:
    """Prints a ``SearchResult`` for ``search`` and ``quotes``; ``bold`` is for terminals."""

    def __init__(self, out: TextIO | None = None, bold: bool | None = None):
        self.out = out or sys.stdout
        self.bold = self.out.isatty() if bold is None else bold
        encoding = getattr(self.out, "encoding", None) or "ascii"
        self.bar = "█" if _encodes("█", encoding) else "#"

    def print(self, result: SearchResult, request: SearchRequest) -> None:
        self._header(result, request)
        for hit in result.hits:
            if request.index == "quotes":
                self._quote(hit)
            else:
                self._article(hit, ranked=bool(request.text and request.text.strip()))
        for name, buckets in result.facets.items():
            values = ", ".join(f"{b.value} ({b.count:,})" for b in buckets) or "(none)"
            self._line(f"\n{name}: {values}")
        if result.histogram:
            self._histogram(result)

    def _line(self, text: str = "") -> None:
        print(text, file=self.out)

    def _header(self, result: SearchResult, request: SearchRequest) -> None:
        singular, many = _NOUNS.get(request.index, ("hit", "hits"))
        found = plural(result.total, singular, many)
        if result.hits:
            first, last = request.offset + 1, request.offset + len(result.hits)
            self._line(f"{found} (showing {first}-{last})")
        elif request.size and request.offset and result.total:
            pages = -(-result.total // request.size)
            self._line(f"{found}; page {request.page} is past the end (the last page is {pages})")
        else:
            self._line(found)

    def _fragments(self, highlights: dict[str, list[str]], skip: tuple[str, ...] = ()) -> None:
        for name, fragments in highlights.items():
            if name in skip:
                continue
            for fragment in fragments[:2]:
                self._line(f"    … {fragment_text(fragment, self.bold)} …")

    def _article(self, hit, ranked: bool) -> None:
        day = (hit.published_at or "")[:10] or "undated"
        title = hit.title or "(untitled)"
        # Without words to rank by, hits come newest first and every score is 0: no use showing it.
        self._line(f"\n  {title}  [{day}, score {hit.score:.2f}]" if ranked else f"\n  {title}  [{day}]")
        self._line(f"    {hit.url or hit.id}")
        self._fragments(hit.highlights)

    def _quote(self, hit) -> None:
        fields = hit.fields
        highlighted = hit.highlights.get("text")
        text = fragment_text(highlighted[0], self.bold) if highlighted else " ".join(str(fields.get("text") or "").split())
        kind = fields.get("kind") or "direct"
        # Reported speech is the writer's words, not the speaker's: never inside quotation marks.
        self._line(f"\n  {text}" if kind == "indirect" else f"\n  “{text}”")
        speaker = fields.get("speaker") or fields.get("speaker_label") or "unattributed"
        day = (hit.published_at or "")[:10] or "undated"
        cue = f", {fields['cue']}" if fields.get("cue") else ""
        self._line(f"    — {speaker} ({kind}{cue}), in {hit.title or '(untitled)'} ({day})")
        if hit.url:
            self._line(f"      {hit.url}")
        self._fragments(hit.highlights, skip=("text",))

    def _histogram(self, result: SearchResult) -> None:
        interval = result.histogram_interval
        self._line(f"\npublished, by {interval}:")
        top = max(b.count for b in result.histogram)
        width = _INTERVAL_LABEL.get(interval, 10)
        for bucket in result.histogram:
            bar = self.bar * max(1, round(bucket.count / top * _BAR_WIDTH))
            self._line(f"  {bucket.date[:width]:<{width}}  {bar} {bucket.count:,}")


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


class Progress:
    """``run``'s progress bar on stderr when it is a terminal: documents done, their rate, rejects so far.

    Off the terminal (a pipe, a log file, cron) it does nothing, and the summary alone is printed.
    """

    def __init__(self, enabled: bool = True, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.rejected = 0
        self._bar = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm

            # A terminal that reports no size (0 x 0: some CI ptys, serial consoles) gets no bar at
            # all from tqdm; give it a fixed size instead of following resizes.
            sized = _columns(self.stream) > 0
            self._bar = tqdm(desc="indexing", unit=" doc", file=self.stream, dynamic_ncols=sized,
                             ncols=None if sized else 80, nrows=None if sized else 24,
                             bar_format="{desc}: {n_fmt} docs [{elapsed}, {rate_fmt}{postfix}]")
            self._bar.set_postfix_str("0 rejected")

    def document(self, _doc: Any) -> None:
        if self._bar is not None:
            self._bar.update()

    def reject(self, _rejected: Any) -> None:
        self.rejected += 1
        if self._bar is not None:
            self._bar.set_postfix_str(f"{self.rejected:,} rejected")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def print_document(doc: dict[str, Any], out: TextIO | None = None) -> None:
    """One stored article for reading: metadata, body, entity facets and quotes."""
    out = out or sys.stdout
    lines = [doc.get("title") or "(untitled)", f"  {doc.get('url') or '(no url)'}"]
    meta = [doc.get("source"), (doc.get("published_at") or "undated")[:25], doc.get("language"),
            plural(doc["word_count"], "word") if doc.get("word_count") is not None else None]
    lines.append("  " + " · ".join(str(m) for m in meta if m))
    if doc.get("authors"):
        lines.append("  by " + ", ".join(doc["authors"]))
    lines.append(f"  id {doc.get('id')}")
    lines += ["", doc.get("body") or "", ""]
    for name in ("persons", "organizations", "locations", "speakers"):
        if doc.get(name):
            lines.append(f"{name}: {', '.join(doc[name])}")
    quotes = doc.get("quotes") or []
    if quotes:
        lines.append(f"\n{plural(len(quotes), 'quote')}:")
    for quote in quotes:
        text = " ".join(str(quote.get("text") or "").split())
        kind = quote.get("kind") or "direct"
        said = text if kind == "indirect" else f"“{text}”"
        speaker = quote.get("speaker") or quote.get("speaker_label") or "unattributed"
        lines.append(f"  {said}\n    — {speaker} ({kind}{', ' + quote['cue'] if quote.get('cue') else ''})")
    print("\n".join(lines), file=out)


def print_stats(stats: dict[str, Any], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    lines = [f"{plural(stats['articles'], 'article')}, {plural(stats['quotes'], 'quote')} in the {stats['sink']} index"]
    dates = stats["published"]
    if dates["first"]:
        lines.append(f"published {dates['first']} to {dates['last']}" + (f" ({dates['undated']:,} undated)" if dates["undated"] else ""))
    for name in ("sources", "languages"):
        values = ", ".join(f"{b['value']} ({b['count']:,})" for b in stats[name])
        lines.append(f"{name}: {values or '(none)'}")
    last = stats.get("last_run")
    if last:
        lines.append(f"last run {last['finished_at']}: read {last['read']}, indexed {last['indexed']}, "
                     f"rejected {last['rejected']}, duplicates {last['duplicates']}"
                     + (f", unchanged {last['unchanged']}" if last.get("unchanged") else ""))
    else:
        lines.append("last run: none recorded")
    rejects = stats["rejects"]
    lines.append(f"rejected inputs logged: {rejects['total']:,}" + (f" in {rejects['file']}" if rejects["total"] else ""))
    print("\n".join(lines), file=out)


def print_trending(trends: dict[str, Any], out: TextIO | None = None) -> None:
    """A ranked table per field: value, JLH score, articles in the range and in the whole index."""
    out = out or sys.stdout
    span = f"{trends['since'] or 'the first article'} to {trends['until'] or 'the last'}"
    lines = [f"trending {span}: {plural(trends['articles'], 'article')} of {trends['background_articles']:,}"]
    if not trends["articles"]:
        lines.append("no articles in this range: nothing can be trending")
    for name, rows in trends["fields"].items():
        lines.append(f"\n{name}:")
        if not rows:
            lines.append("  (nothing stands out)")
            continue
        width = max(len(row["value"]) for row in rows)
        lines.append(f"  {'':{width}}  {'score':>8}  {'range':>6}  {'all':>6}")
        lines += [f"  {row['value']:{width}}  {row['score']:8.3f}  {row['count']:6,}  {row['background_count']:6,}"
                  for row in rows]
    print("\n".join(lines), file=out)


def print_related(related: dict[str, Any], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if not related["hits"]:
        print(f"no articles related to {related['id']}", file=out)
        return
    lines = [f"related to {related['id']}:"]
    for hit in related["hits"]:
        lines.append(f"  {hit.get('title') or '(untitled)'}\n    {(hit.get('published_at') or 'undated')[:10]} "
                     f"· {hit.get('source') or ''} · id {hit['id']}")
    print("\n".join(lines), file=out)
