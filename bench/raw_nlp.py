"""The model alone: ``nlp.pipe`` over the clean bodies of a folder, with the pipeline's own components.

    python -m bench.raw_nlp FOLDER   ->  {"docs": n, "seconds": s} on stdout

The bodies are read by the pipeline's own source and clean stages (so they are exactly the texts
``news-etl enrich`` gives the model) before the clock starts; the model is the one ``load_nlp``
builds, minus the enrichers this project adds, which are the ETL's cost being measured against it.
"""

from __future__ import annotations

import json
import sys
import time

from etl.enrich import load_nlp
from etl.enrich.components import ENTITIES, QUOTES
from etl.pipeline import clean_stream
from etl.records import Article
from etl.settings import Settings
from etl.sources import iter_sources


def main(folder: str) -> None:
    settings = Settings.from_env()
    bodies = [a.body for a in clean_stream(iter_sources([folder], settings), settings) if isinstance(a, Article)]
    nlp = load_nlp(settings)
    with nlp.select_pipes(disable=[ENTITIES, QUOTES]):
        started = time.perf_counter()
        for _ in nlp.pipe(bodies, batch_size=settings.nlp_batch_size):
            pass
        seconds = time.perf_counter() - started
    print(json.dumps({"docs": len(bodies), "seconds": seconds, "components": nlp.pipe_names}))


if __name__ == "__main__":
    main(sys.argv[1])
