"""Related articles (etl.search.related) in both engines on the 181 real pages: never the article itself,
None for an unknown id, and related articles that share the article's topic."""

from __future__ import annotations

import pytest

from etl.search.query import SearchError, SearchRequest
from etl.search.related import related

ENTITY_FIELDS = ("persons", "organizations", "locations")


def entities(doc: dict) -> set[str]:
    return {value for name in ENTITY_FIELDS for value in doc.get(name) or []}


def articles_with_entities(sink, count: int = 20) -> list[dict]:
    """The newest articles naming at least three entities: each has a topic to share."""
    hits = sink.search(SearchRequest(size=200, sort="newest")).hits
    docs = [sink.get(hit.id) for hit in hits]
    return [doc for doc in docs if len(entities(doc)) >= 3][:count]


@pytest.mark.parametrize("engine", ["embedded", "elastic"])
def test_related_articles_share_the_articles_topic(engine, request):
    sink = request.getfixturevalue(engine)
    sampled = articles_with_entities(sink)
    assert len(sampled) >= 10
    sharing = 0
    for doc in sampled:
        found = related(sink, doc["id"], 5)
        ids = [hit["id"] for hit in found["hits"]]
        assert doc["id"] not in ids and len(ids) == len(set(ids)) <= 5
        assert found["hits"], f"nothing related to {doc['id']} ({doc['title']})"
        top = sink.get(ids[0])
        sharing += bool(entities(doc) & entities(top))
    # An article and the next one of the sample (unrelated, newest first): how often two share a name by chance
    # ("United States" is in many).
    chance = sum(bool(entities(a) & entities(b)) for a, b in zip(sampled, sampled[1:] + sampled[:1]))
    # The top related article names one of the article's people, organisations or places in most cases
    # (the 181 pages are on many subjects: a car review has no neighbour that names the same ones).
    if engine == "elastic" and request.getfixturevalue("es_cluster").real is None and sharing <= chance:
        # Seen: 4 of 20 against 9 by chance. osmem-server scores with a model of its own (see test_parity.py).
        pytest.xfail(f"osmem-server's more_like_this picks no topic: {sharing} of {len(sampled)}, by chance {chance}")
    assert sharing >= 0.5 * len(sampled) and sharing > chance, f"{sharing} of {len(sampled)}, by chance {chance}"


@pytest.mark.parametrize("engine", ["embedded", "elastic"])
def test_an_unknown_id_is_none_and_size_is_bounded(engine, request):
    sink = request.getfixturevalue(engine)
    assert related(sink, "no-such-article") is None
    some = sink.search(SearchRequest(size=1)).hits[0].id
    assert len(related(sink, some, 2)["hits"]) <= 2
    with pytest.raises(SearchError, match="size"):
        related(sink, some, 0)
