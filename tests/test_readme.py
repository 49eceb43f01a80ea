"""The README's examples run as printed, so they cannot drift from the code and the mappings: the Python
example against an embedded index built from seeds/, the Elasticsearch queries against the test cluster."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

from conftest import ROOT, SEEDS
from etl.index.elastic.client import make_client
from etl.pipeline import run

README = ROOT / "README.md"


def section(title: str) -> str:
    """The README text under ``## title``, up to the next ``## `` heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def curl_queries(text: str) -> list[tuple[str, dict]]:
    """(index, request body) of each ``curl ... "$ES/<index>/_search" -d '<body>'``."""
    return [(index, json.loads(body)) for index, body in re.findall(r'"\$ES/(\w+)/_search" -d \'(.*?)\'', text, re.S)]


def test_python_example_runs_against_an_index_built_from_the_seeds(tmp_path):
    [code] = re.findall(r"```python\n(.*?)```", section("Use it from Python"), re.S)
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWS_ETL_", "ELASTICSEARCH_"))}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "'indexed': 1" in proc.stdout
    assert "the threat to Kyiv is over" in proc.stdout  # the quote search found John Kirby's words
    assert (tmp_path / "var" / "index").is_dir()  # the embedded index the example's defaults name


def test_elasticsearch_queries_use_the_real_field_names_and_find_the_seed(es_settings, nlp):
    assert run([str(SEEDS)], es_settings, nlp=nlp).indexed == 1
    queries = curl_queries(section("Use it from Python"))
    assert [index for index, _ in queries] == ["articles", "quotes"]
    aliases = {"articles": es_settings.es_articles_alias, "quotes": es_settings.es_quotes_alias}
    with make_client(es_settings) as client:
        client.indices.refresh(index=list(aliases.values()))
        found = {index: client.search(index=aliases[index], body=body).body for index, body in queries}

    articles = found["articles"]
    assert articles["hits"]["total"]["value"] == 1
    assert "<em>Kyiv</em>" in " ".join(articles["hits"]["hits"][0]["highlight"]["body"])
    assert "John Kirby" in {b["key"] for b in articles["aggregations"]["persons"]["buckets"]}
    quotes = [hit["_source"] for hit in found["quotes"]["hits"]["hits"]]
    assert quotes and all(q["speaker"] == "John Kirby" and q["kind"] in ("direct", "partial") for q in quotes)
    assert any("threat to Kyiv" in q["text"] for q in quotes)
