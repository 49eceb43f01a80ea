"""`make bench`: every figure of issues #8 and #18 measured in one run, printed against its target.

    python -m bench [--small N] [--texts M] [--index-docs K] ...

Builds the corpus under ``var/bench/`` (the seed, the extraction benchmark pages and variations
of them, see ``bench.corpus``), then measures, in this order (later steps reuse earlier outputs):
clean over the pages (its articles give the clean bodies), the model alone (in one process, then
in two at once over half the bodies each) and ``enrich`` over those bodies, in turns with a whole
process of the model's full pipeline (its documents are the templates for the sink benchmarks),
clean against trafilatura alone, ``run`` over N pages and over 10 x N (one and two processes, in
turns), the sinks, the quality evaluations, a profile of a run, and last peak memory of runs over
1,000 and 10,000 pages. Figures compared in turns are medians of the turns. Prints the table and
writes ``var/bench/results.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from bench import corpus, report, sinks, synthetic
from bench.processes import ROOT, available_cores
from bench.speed import Speed
from etl.settings import Settings
from etl.spacy_build import profiling_hooks

WORK = ROOT / "var" / "bench"
RESULTS = WORK / "results.json"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    settings = Settings.from_env({})  # project defaults: the figures are those of an out-of-the-box install
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "spacy_profiling_hooks": profiling_hooks()}, "load_average": {}}
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
    # The model alone (our reduced pipeline, then the full one in a process of its own) and enrich in
    # turns, medians of each: other work on the machine falls on all three alike.
    raws, pairs, fulls, enriches, enrich_processes, enrichers = [], [], [], [], [], []
    halves = corpus.halves(texts)
    for turn in range(1, args.turns + 1):
        step(f"nlp.pipe alone over {text_docs} clean bodies ({turn}/{args.turns})")
        raw_docs, seconds, ours = speed.raw_nlp(texts, f"raw-nlp-{turn}")
        raws.append(seconds)
        enrichers.append(ours)
        step(f"nlp.pipe alone over the same bodies in two processes at once, half each ({turn}/{args.turns})")
        pairs.append(speed.raw_nlp_pair(halves, f"raw-nlp-pair-{turn}"))
        step(f"full pipeline process over the same {text_docs} bodies ({turn}/{args.turns})")
        fulls.append(speed.raw_full(texts, f"raw-full-{turn}")[1])
        step(f"enrich over the same {text_docs} bodies ({turn}/{args.turns})")
        whole, seconds, enriched = speed.enrich(texts, f"enrich-{turn}")
        enriches.append(seconds)
        enrich_processes.append(whole)
    median = statistics.median
    results["raw_nlp_docs_per_s"] = round(raw_docs / median(raws), 2)
    results["enrich_docs_per_s"] = round(raw_docs / median(enriches), 2)
    results["enrich_vs_raw"] = round(median(raws) / median(enriches), 3)
    # What two cores give the model's own work on this machine now: the ceiling of two_process_speedup.
    results["model_two_process_speedup"] = round(median(raws) / median(pairs), 3)
    # Issue 13: our entity and quote components alone, over the documents the model parsed in that turn (CPU).
    results["components_share_of_model"] = round(
        median(sum(v for k, v in cpu.items() if k != "model") / cpu["model"] for cpu in enrichers), 4)
    results["components_cpu_seconds"] = {name: round(median(cpu[name] for cpu in enrichers), 2) for name in enrichers[0]}
    results["raw_full_process_s"] = round(median(fulls), 1)
    results["enrich_process_s"] = round(median(enrich_processes), 1)
    results["enrich_vs_raw_full"] = round(median(fulls) / median(enrich_processes), 3)
    results["enrich_startup_s"] = round(speed.startup("enrich"), 1)  # the command on one tiny input
    results["model_seconds_per_turn"] = {
        "raw": _rounded(raws), "raw_2_processes": _rounded(pairs), "raw_full_process": _rounded(fulls),
        "enrich": _rounded(enriches), "enrich_process": _rounded(enrich_processes),
    }

    step(f"clean vs trafilatura alone over the {pages.counts['pages']} pages")
    results.update(clean_vs_trafilatura(pages.pages))

    small_docs, large_docs = pages.counts["html-small"], pages.counts["html-large"]
    step(f"run over {small_docs} pages")
    small = speed.run(pages.html_small, "run-small")
    results["rss_mb_small"] = round(small.rss_mb, 1)
    # One and two processes in turns, medians of each: other jobs on a shared machine slow some runs down.
    ones, twos, cores = [], [], []
    for turn in range(1, args.repeats + 1):
        step(f"run over {large_docs} pages, 1 process ({turn}/{args.repeats})")
        ones.append(speed.run(pages.html_large, f"run-large-{turn}"))
        step(f"run over {large_docs} pages, 2 workers ({turn}/{args.repeats})")
        cores.append(available_cores(2))
        twos.append(speed.run(pages.html_large, f"run-large-2-workers-{turn}", workers=2))
    large, two = _median_run(ones), _median_run(twos)
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

    # Last: the longest step (most of the bench's time), and the one figure other work on the machine does not skew.
    if not args.no_memory:
        step(f"peak memory: run over {args.memory_small:,} and over {args.memory_large:,} pages")
        results.update(memory(speed, args.memory_small, args.memory_large))

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
    parser.add_argument("--repeats", type=int, default=3, help="turns of the 1- and 2-process runs (medians count)")
    parser.add_argument("--turns", type=int, default=5, help="turns of the model-alone, full-pipeline and enrich processes (medians count)")
    parser.add_argument("--memory-small", type=int, default=1000, help="pages in the smaller run of the memory figure")
    parser.add_argument("--memory-large", type=int, default=10_000, help="pages in the larger run of the memory figure")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory figure's two runs (the longest step)")
    parser.add_argument("--no-quality", action="store_true", help="skip the extraction and quotes evaluations")
    args = parser.parse_args(argv)
    if min(args.small, args.texts, args.repeats, args.turns, args.index_docs, args.queries, args.es_docs,
           args.memory_small, args.memory_large) < 1:
        parser.error("every size and count must be 1 or more")
    if args.queries < 4:
        parser.error("--queries must be 4 or more (the first half of a short run warms the index, the rest are timed)")
    return args


def _rounded(seconds: list[float]) -> list[float]:
    return [round(s, 2) for s in seconds]


def _median_run(runs: list):
    """The run of median time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda r: r.seconds)[(len(runs) - 1) // 2]


def clean_vs_trafilatura(pages: Path) -> dict:
    from bench.clean_speed import measure

    try:
        figures = measure(pages, WORK)
    except RuntimeError as err:  # clean rejected a benchmark page: the figure is n/a, the bench's other figures still count
        return {"clean_vs_trafilatura": None, "clean_speed_error": str(err)}
    return {"clean_vs_trafilatura": figures["clean_vs_trafilatura"], "clean_speed": figures}


def memory(speed: Speed, small: int, large: int) -> dict:
    """Peak RSS of ``run`` over ``large`` pages against over ``small``: flat when nothing accumulates per document."""
    started = time.perf_counter()
    runs = {count: speed.run(corpus.scaled(WORK / "corpus" / f"memory-{count}", count), f"memory-{count}")
            for count in (small, large)}
    return {
        "rss_10k_vs_1k": round(runs[large].rss_mb / runs[small].rss_mb, 3),
        "memory_runs": {str(count): {"docs": run.docs, "seconds": round(run.seconds, 1), "rss_mb": round(run.rss_mb, 1)}
                        for count, run in runs.items()},
        "memory_step_seconds": round(time.perf_counter() - started, 1),
    }


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
    # Issue 14: facet entities against the blind real-news gold.
    from bench import entities_eval

    ents = {k: v for k, v in entities_eval.evaluate().items() if k != "errors"}
    return {
        "extract_f1": extract["extract_f1"],
        **{key: quotes.get(key) for key in headline},
        "entities_f1": ents["entities_f1"], "persons_precision": ents["persons_precision"],
        "quality": {"extraction": extract, "quotes": sections, "entities": ents},
    }


def profile(folder: Path, settings: Settings) -> dict:
    from bench.profiling import parent_load, profile_run
    from etl.enrich import load_nlp

    nlp = load_nlp(settings)
    return {**profile_run(folder, WORK, nlp, settings), "parent_of_2_workers": parent_load(folder, WORK, nlp, settings)}


if __name__ == "__main__":
    main()
