"""`make bench`: every figure of issue #8 measured in one run, printed against its target.

    python -m bench [--small N] [--texts M] [--index-docs K] ...

Builds the corpus under ``var/bench/`` (the seed, the extraction benchmark pages and variations
of them, see ``bench.corpus``), then measures, in this order (later steps reuse earlier outputs):
clean over the pages (its articles give the clean bodies), the model alone and ``enrich`` over
those bodies (its documents are the templates for the sink benchmarks), ``run`` over N pages and
over 10 x N (one and two processes, in turns), the sinks, the quality evaluations, and a profile
of a run. Prints the table and writes ``var/bench/results.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from bench import corpus, report, sinks, synthetic
from bench.processes import ROOT, available_cores
from bench.speed import Speed
from etl.settings import Settings

WORK = ROOT / "var" / "bench"
RESULTS = WORK / "results.json"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    settings = Settings.from_env({})  # project defaults: the figures are those of an out-of-the-box install
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "load_average": {}}
    speed = Speed(WORK)

    def step(name: str) -> None:
        results["load_average"][name] = round(os.getloadavg()[0], 2)  # other work on the machine skews figures
        print(f"[{time.perf_counter() - started:6.0f} s] {name}", flush=True)

    step("corpus")
    pages = corpus.build(WORK / "corpus", args.small)
    results["corpus"] = dict(pages.counts)

    step(f"clean over the {pages.counts['pages']} pages")
    clean_seconds, articles = speed.clean(pages.pages)
    results["clean_docs_per_s"] = round(pages.counts["pages"] / clean_seconds, 2)

    texts = WORK / "corpus" / "text"
    text_docs = corpus.write_texts(articles, texts, args.texts)
    results["corpus"]["text"] = text_docs
    # The model alone and enrich in turns, best of each (as for the runs below).
    raws, enriches = [], []
    for turn in range(1, args.repeats + 1):
        step(f"nlp.pipe alone over {text_docs} clean bodies ({turn}/{args.repeats})")
        raw_docs, seconds = speed.raw_nlp(texts, f"raw-nlp-{turn}")
        raws.append(seconds)
        step(f"enrich over the same {text_docs} bodies ({turn}/{args.repeats})")
        seconds, enriched = speed.enrich(texts, f"enrich-{turn}")
        enriches.append(seconds)
    results["raw_nlp_docs_per_s"] = round(raw_docs / min(raws), 2)
    results["enrich_docs_per_s"] = round(raw_docs / min(enriches), 2)
    results["enrich_vs_raw"] = round(min(raws) / min(enriches), 3)
    results["raw_and_enrich_seconds_per_turn"] = {"raw": raws, "enrich": enriches}

    small_docs, large_docs = pages.counts["html-small"], pages.counts["html-large"]
    step(f"run over {small_docs} pages")
    small = speed.run(pages.html_small, "run-small")
    results["rss_mb_small"] = round(small.rss_mb, 1)
    # One and two processes in turns, best of each: other jobs on a shared machine slow some runs down.
    ones, twos, cores = [], [], []
    for turn in range(1, args.repeats + 1):
        step(f"run over {large_docs} pages, 1 process ({turn}/{args.repeats})")
        ones.append(speed.run(pages.html_large, f"run-large-{turn}"))
        step(f"run over {large_docs} pages, 2 workers ({turn}/{args.repeats})")
        cores.append(available_cores(2))
        twos.append(speed.run(pages.html_large, f"run-large-2-workers-{turn}", workers=2))
    large, two = min(ones, key=lambda r: r.seconds), min(twos, key=lambda r: r.seconds)
    results["rss_mb_large"] = round(max(r.rss_mb for r in ones), 1)
    results["run_docs_per_s"] = round(large.docs / large.seconds, 2)
    # Per document, as the clean figure comes from the pages and the run from their variations.
    results["clean_share_of_run"] = round(results["run_docs_per_s"] / results["clean_docs_per_s"], 3)
    results["run_2_docs_per_s"] = round(two.docs / two.seconds, 2)
    results["two_process_speedup"] = round(large.seconds / two.seconds, 3)
    # 1.0: two processes do no more work than one, so the speedup is whatever cores the machine gives.
    results["two_process_cpu_ratio"] = round(two.cpu_seconds / large.cpu_seconds, 3)
    results["cores_available"] = max(cores)
    results["runs"] = {
        name: {**run.summary, "cpu_seconds": round(run.cpu_seconds, 1), "rss_mb": round(run.rss_mb, 1)}
        for name, run in [("small", small)] + [(f"large_1_process_{n}", r) for n, r in enumerate(ones, 1)]
        + [(f"large_2_workers_{n}", r) for n, r in enumerate(twos, 1)]
    }
    results["cores_available_per_turn"] = cores

    templates = synthetic.load_templates(enriched)
    step(f"embedded index of {args.index_docs:,} pre-enriched documents")
    index = WORK / "index" / "search"
    results.update(sinks.index_embedded(templates, args.index_docs, index, settings))
    step(f"{args.queries} searches")
    results.update(sinks.search_latency(index, settings, synthetic.query_words(templates, args.queries)))

    step(f"bulk of {args.es_docs:,} documents into the Elasticsearch stand-in")
    results.update(elasticsearch(templates, args.es_docs, settings))

    if not args.no_quality:
        step("quality evaluations")
        results.update(quality())

    step("profile")
    results["profile"] = profile(pages.html_small, settings)

    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    report.write(results, RESULTS)
    print()
    print(report.table(results))
    for line in report.diagnosis(results):
        print(f"\n{line}")
    from bench.profiling import describe

    print()
    print(describe(results["profile"]))
    print(f"\n{RESULTS.relative_to(ROOT)} written in {results['bench_seconds']:.0f} s")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=40, help="N: pages in the small run (the large one has 10 x N)")
    parser.add_argument("--texts", type=int, default=400, help="at most this many clean bodies for the model-alone and enrich figures")
    parser.add_argument("--index-docs", type=int, default=100_000, help="documents in the search benchmark's index")
    parser.add_argument("--queries", type=int, default=300, help="search requests timed")
    parser.add_argument("--es-docs", type=int, default=1000, help="documents bulk-indexed into Elasticsearch")
    parser.add_argument("--repeats", type=int, default=2, help="turns of the 1- and 2-process runs (best of each counts)")
    parser.add_argument("--no-quality", action="store_true", help="skip the extraction and quotes evaluations")
    args = parser.parse_args(argv)
    if min(args.small, args.texts, args.repeats, args.index_docs, args.queries, args.es_docs) < 1:
        parser.error("every size and count must be 1 or more")
    return args


def elasticsearch(templates, count: int, settings: Settings) -> dict:
    from bench.es_standin import standin

    try:
        with standin() as url:
            seconds = sinks.index_elasticsearch(templates, count, settings.with_(es_url=url))
    except (ImportError, OSError) as err:  # no osmem-server binary for this platform
        return {"es_bulk_docs_per_s": None, "es_bulk_error": str(err)}
    return {"es_bulk_docs_per_s": round(count / seconds)}


def quality() -> dict:
    from bench import extraction, quotes_eval

    extract = extraction.evaluate()
    quotes = quotes_eval.evaluate()
    headline = ("quotes_e2e_f1", "real_quotes_e2e_f1", "real_quotes_indirect_f1", "real_indirect_precision",
                "real_textacy_e2e_f1")
    sections = {name: {k: v for k, v in quotes[name].items() if k != "errors"} for name in ("written", "real") if name in quotes}
    from bench import entities_eval  # issue 14: facet entities against the blind real-news gold

    ents = {k: v for k, v in entities_eval.evaluate().items() if k != "errors"}
    return {
        "extract_f1": extract["extract_f1"],
        **{key: quotes.get(key) for key in headline},
        "entities_f1": ents["entities_f1"], "persons_precision": ents["persons_precision"],
        "quality": {"extraction": extract, "quotes": sections, "entities": ents},
    }


def profile(folder: Path, settings: Settings) -> dict:
    from bench.profiling import profile_run
    from etl.enrich import load_nlp

    return profile_run(folder, WORK, load_nlp(settings), settings)


if __name__ == "__main__":
    main()
