"""The model alone: ``nlp.pipe`` over the clean bodies of a folder.

    python -m bench.raw_nlp FOLDER         ->  {"docs": n, "seconds": s} on stdout
    python -m bench.raw_nlp --full FOLDER  ->  the same, for the model's full pipeline

Without ``--full``: the bodies are read by the pipeline's own source and clean stages (so they are
exactly the texts ``news-etl enrich`` gives the model) before the clock starts; the model is the one
``load_nlp`` builds, minus the enrichers this project adds, which are the ETL's cost being measured
against it. Then the enrichers alone are timed over the same parsed documents (``enrichers_cpu_seconds``,
against the model's ``cpu_seconds``), for issue #13's "the components' cost stays under 5 % of the model's time". With ``--full``: what a user of spaCy alone would write, the plain ``spacy.load`` of the
model (every component it enables by default, none of ours) and ``nlp.pipe`` with spaCy's defaults
over the folder's ``.txt`` files; only spaCy is imported, so the whole process (start-up and model
load included) is the baseline ``news-etl enrich`` is timed against (issue #18).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

PROBE = '"The bridge will reopen in May," Mayor Ann Holt of Leeds said on Monday.'


def reduced(folder: str) -> dict:
    from etl.enrich import load_nlp
    from etl.enrich.components import ENTITIES, QUOTES
    from etl.pipeline import clean_stream
    from etl.records import Article
    from etl.settings import Settings
    from etl.sources import iter_sources

    settings = Settings.from_env()
    bodies = [a.body for a in clean_stream(iter_sources([folder], settings), settings) if isinstance(a, Article)]
    nlp = load_nlp(settings)
    ours = [name for name in (ENTITIES, QUOTES) if name in nlp.pipe_names]
    with nlp.select_pipes(disable=ours):
        started, cpu = time.perf_counter(), time.process_time()
        docs = list(nlp.pipe(bodies, batch_size=settings.nlp_batch_size))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        names = nlp.pipe_names
    nlp(PROBE)  # tables our enrichers load on first use are start-up, like the model's own load
    enrichers = {}
    for name in ours:  # in pipeline order, as the quote finder reads the entities
        component, started = nlp.get_pipe(name), time.process_time()
        docs = [component(doc) for doc in docs]
        enrichers[name] = time.process_time() - started
    # CPU seconds for the enrichers' share: other work on a shared machine slows wall time unevenly.
    return {"docs": len(bodies), "seconds": seconds, "cpu_seconds": cpu, "components": names,
            "enrichers_cpu_seconds": enrichers}


def full(folder: str, model: str) -> dict:
    import spacy

    nlp = spacy.load(model)
    texts = [path.read_text(encoding="utf-8") for path in sorted(Path(folder).glob("*.txt"))]
    started = time.perf_counter()
    for _ in nlp.pipe(texts):
        pass
    return {"docs": len(texts), "seconds": time.perf_counter() - started, "components": nlp.pipe_names}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--full"]:
        # The model's name only: etl.settings imports nothing heavy.
        from etl.settings import Settings

        figures = full(argv[1], Settings.from_env().model)
    else:
        figures = reduced(argv[0])
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
