"""The bench's own tools: the baseline process of the model's full pipeline, the model alone in two processes
at once, and the scaled page sets."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

from bench import corpus
from bench.processes import ROOT, measure_together
from etl.clean import clean
from etl.records import RawDocument


def test_the_full_pipeline_baseline_runs_every_default_component_of_the_model_and_none_of_ours(tmp_path):
    for n, text in enumerate(["The mayor of Leeds said the bridge would reopen in May.",
                              "Shares of Acme Corp fell 4% on Tuesday, traders in New York said."]):
        (tmp_path / f"{n}.txt").write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bench.raw_nlp", "--full", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout)
    assert figures["docs"] == 2
    assert {"attribute_ruler", "lemmatizer", "parser", "ner"} <= set(figures["components"])
    assert not any(name.startswith("news_") for name in figures["components"])


def test_the_model_alone_is_timed_without_our_enrichers_and_each_enricher_after_it(tmp_path):
    story = ('"We will rebuild the bridge before the winter," Mayor Ann Holt of Leeds said on Monday. '
             "The council voted to fund the repairs after the river flooded the old crossing in March, and "
             "engineers from the county said the work would take about six months to finish. ") * 2
    (tmp_path / "0.txt").write_text(story, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bench.raw_nlp", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout)
    assert figures["docs"] == 1
    assert not {"news_entities", "news_quotes"} & set(figures["components"])
    assert set(figures["enrichers_cpu_seconds"]) == {"news_entities", "news_quotes"}
    assert figures["cpu_seconds"] > 0 and all(seconds > 0 for seconds in figures["enrichers_cpu_seconds"].values())


def test_the_models_two_process_figure_halves_the_bodies_by_text_and_runs_both_halves_at_once(tmp_path):
    texts = tmp_path / "text"
    texts.mkdir()
    for n, words in enumerate([900, 500, 450, 400, 60, 50, 40]):
        (texts / f"{n:05d}.txt").write_text("The council met. " * words, encoding="utf-8")
    halves = corpus.halves(texts)
    dealt = [sorted(p.name for p in half.iterdir()) for half in halves]
    assert sorted(dealt[0] + dealt[1]) == sorted(p.name for p in texts.iterdir())  # each body once
    sizes = [sum(p.stat().st_size for p in half.iterdir()) for half in halves]
    assert max(sizes) / min(sizes) < 1.5  # not the long ones on one side
    # Each command waits for the other's mark: run one after the other, the first would time out.
    meet = ("import pathlib, sys, time\n"
            "pathlib.Path(sys.argv[1]).touch()\n"
            "end = time.time() + 30\n"
            "while not pathlib.Path(sys.argv[2]).exists():\n"
            "    if time.time() > end: sys.exit('alone')\n"
            "    time.sleep(0.05)\n")
    marks = [str(tmp_path / name) for name in ("a", "b")]
    done = measure_together([([sys.executable, "-c", meet, marks[0], marks[1]], "a"),
                             ([sys.executable, "-c", meet, marks[1], marks[0]], "b")], tmp_path / "logs")
    assert len(done) == 2 and all(d.seconds > 0 for d in done)


def test_a_scaled_set_takes_every_page_in_turn_then_new_variations_of_them(tmp_path, settings):
    originals = sum(1 for _ in corpus.pages())
    folder = corpus.scaled(tmp_path / "scaled", originals + 2)
    files = sorted(folder.iterdir())
    assert len(files) == originals + 2 and all(f.name.endswith(".html.gz") for f in files)
    first_round = {f.name.split("-", 1)[1] for f in files if f.name.startswith("0000-")}
    assert len(first_round) == originals  # every page once before any repeats
    again = [f for f in files if f.name.startswith("0001-")]
    assert {f.name.split("-", 1)[1] for f in again} <= first_round
    for repeat in again:  # a new article of another site, not a copy the run would drop as a duplicate
        original = folder / f"0000-{repeat.name.split('-', 1)[1]}"
        read = [clean(RawDocument(origin=str(path), content=gzip.decompress(path.read_bytes()),
                                  media_type="text/html"), settings) for path in (original, repeat)]
        assert read[0].id != read[1].id and read[0].url != read[1].url
