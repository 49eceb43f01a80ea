"""Main-text extraction quality on the Scrapinghub article-extraction benchmark.

Scores our cleaner (``etl.clean.clean``, the code path of ``news-etl clean``), plain
trafilatura and bs4 ``get_text`` over the benchmark pages in ``../shared/bench/extraction``
with the benchmark's own metric (see that folder's README): 4-token shingles as a
multiset, per-page tp/fp/fn normalised to sum to 1, precision and recall averaged over
pages, F1 the harmonic mean of the two means.

    python -m bench.extraction [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import trafilatura
from bs4 import BeautifulSoup

from etl.clean import clean
from etl.records import RawDocument, RejectedInput
from etl.settings import Settings

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "extraction"

_TOKEN = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4
BOOTSTRAP = 1000


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(text: str, n: int = SHINGLE) -> Counter:
    toks = tokens(text)
    # A text shorter than n tokens still gives one (short) shingle, as in the benchmark.
    return Counter(" ".join(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i : i + n])


def page_score(truth: str, prediction: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page, so every page weighs the same."""
    true, pred = shingles(truth), shingles(prediction)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision_recall(scores: list[tuple[float, float, float]]) -> tuple[float, float]:
    precisions = [tp / (tp + fp) for tp, fp, _ in scores if tp + fp > 0]
    recalls = [tp / (tp + fn) for tp, _, fn in scores if tp + fn > 0]
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    return mean(precisions), mean(recalls)


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def summarise(scores: list[tuple[float, float, float]], exact: list[bool]) -> dict[str, float]:
    precision, recall = precision_recall(scores)
    rng = random.Random(42)
    resampled = []
    for _ in range(BOOTSTRAP):
        sample = [scores[rng.randrange(len(scores))] for _ in scores]
        resampled.append(f1(*precision_recall(sample)))
    mean_f1 = sum(resampled) / len(resampled)
    std = (sum((x - mean_f1) ** 2 for x in resampled) / len(resampled)) ** 0.5
    return {
        "f1": round(f1(precision, recall), 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "accuracy": round(sum(exact) / len(exact), 4) if exact else 0.0,
        "f1_std": round(std, 4),
    }


def pages(limit: int | None = None, bench: Path = BENCH) -> Iterator[tuple[str, bytes, str, str]]:
    """(id, html bytes, page url, true article body) for each benchmark page, in id order."""
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth)[:limit]:
        html = gzip.decompress((bench / "html" / f"{page_id}.html.gz").read_bytes())
        yield page_id, html, truth[page_id].get("url") or "", truth[page_id].get("articleBody") or ""


def ours(settings: Settings) -> Callable[[str, bytes, str], str]:
    def run(page_id: str, html: bytes, url: str) -> str:
        raw = RawDocument(origin=page_id, content=html, media_type="text/html", url=url or None)
        try:
            return clean(raw, settings).body
        except RejectedInput:
            return ""

    return run


# trafilatura's three configurations, as keyword arguments of ``trafilatura.extract``.
TRAFILATURA_CONFIGS = {"default": {}, "favor_precision": {"favor_precision": True}, "favor_recall": {"favor_recall": True}}


def trafilatura_in(config: str) -> Callable[[str, bytes, str], str]:
    options = TRAFILATURA_CONFIGS[config]

    def run(page_id: str, html: bytes, url: str) -> str:
        return trafilatura.extract(html.decode("utf-8"), include_comments=False, **options) or ""

    return run


plain_trafilatura = trafilatura_in("favor_precision")


def trafilatura_f1s(limit: int | None = None, bench: Path = BENCH) -> dict[str, float]:
    """F1 of each trafilatura configuration on the benchmark pages."""
    scores: dict[str, list] = {config: [] for config in TRAFILATURA_CONFIGS}
    for page_id, html, url, truth in pages(limit, bench):
        for config in TRAFILATURA_CONFIGS:
            scores[config].append(page_score(truth, trafilatura_in(config)(page_id, html, url)))
    return {config: round(f1(*precision_recall(page_scores)), 4) for config, page_scores in scores.items()}


def get_text(page_id: str, html: bytes, url: str) -> str:
    return BeautifulSoup(html, "lxml").get_text(" ")


def evaluate(limit: int | None = None, settings: Settings | None = None, bench: Path = BENCH) -> dict:
    """Scores of our cleaner (``extract_*``), plain trafilatura and bs4 get_text on the benchmark."""
    methods = {"extract": ours(settings or Settings()), "trafilatura": plain_trafilatura, "get_text": get_text}
    scores: dict[str, list] = {name: [] for name in methods}
    exact: dict[str, list] = {name: [] for name in methods}
    for page_id, html, url, truth in pages(limit, bench):
        for name, method in methods.items():
            prediction = method(page_id, html, url)
            scores[name].append(page_score(truth, prediction))
            exact[name].append(tokens(prediction) == tokens(truth))
    result: dict = {"pages": len(scores["extract"])}
    for name in methods:
        for metric, value in summarise(scores[name], exact[name]).items():
            result[f"{name}_{metric}"] = value
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = evaluate(args.limit, Settings.from_env())
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"Article extraction, {result['pages']} pages (Scrapinghub benchmark metric)\n")
    print(f"{'method':<14}{'F1':>8}{'prec':>8}{'recall':>8}{'acc':>8}{'F1 std':>8}")
    for name in ("extract", "trafilatura", "get_text"):
        row = [result[f"{name}_{m}"] for m in ("f1", "precision", "recall", "accuracy", "f1_std")]
        print(f"{name:<14}" + "".join(f"{v:>8.3f}" for v in row))


if __name__ == "__main__":
    main()
