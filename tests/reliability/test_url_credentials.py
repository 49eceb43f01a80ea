"""Credentials written into source URLs (issue #17, Security): used for the request, shown nowhere.

A feed or page URL may carry a password (``http://user:pw@host/``) or a token in its query
(``?token=``, ``?api_key=``, ``?sig=`` ...). The server must still get them; the run's output, its
``-v`` log, ``rejected.jsonl``, ``runs.jsonl`` and the stored documents must show them redacted.
"""

from __future__ import annotations

import base64
import logging

import pytest
from werkzeug import Response

from etl.cli import main
from reliability.loopback import INTERNAL_PAGE, start

PASSWORD = "pw-Tr0ub4dor-3xyzzy"
# query parameter -> a secret value of its own, so that each leak is named
PARAMS = {
    "token": "tok-6f1c2e", "api_key": "ak-93d0ba", "apikey": "ak2-c4a7e1", "key": "key-2b8f90", "password": "pwq-77aa01",
    "secret": "sec-0d5e33", "access_token": "at-58c1f2", "sig": "sig-a1b2c3", "signature": "sgn-d4e5f6",
    "X-Amz-Signature": "amz-0f9e8d", "Token": "tokcase-3c3c3c",
}
SECRETS = [PASSWORD, *PARAMS.values()]


def leaks(**places: str) -> dict[str, list[str]]:
    """place -> the secrets found in it (none, when all is well)."""
    found = {place: [secret for secret in SECRETS if secret in text] for place, text in places.items()}
    return {place: secrets for place, secrets in found.items() if secrets}


@pytest.fixture
def server():
    server = start("127.0.0.1")
    auth = "Basic " + base64.b64encode(f"reader:{PASSWORD}".encode()).decode()
    server.expect_request("/members/story", headers={"Authorization": auth}).respond_with_data(INTERNAL_PAGE, content_type="text/html")
    server.expect_request("/members/story").respond_with_data("who are you?", status=401)
    server.expect_request("/api/story").respond_with_data(INTERNAL_PAGE.replace("INTERNAL", "API"), content_type="text/html")
    server.expect_request("/api/gone").respond_with_data("gone", status=404)
    server.expect_request("/api/moved").respond_with_response(Response(status=302, headers={"Location": "ftp://files.example.org/story"}))
    yield server
    server.clear()
    server.stop()


def test_passwords_and_tokens_in_source_urls_are_used_but_never_shown(server, tmp_path, monkeypatch, capsys, caplog, tally):
    base = f"127.0.0.1:{server.port}"
    query = "&".join(f"{name}={value}" for name, value in PARAMS.items())
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "members.urls").write_text(
        f"http://reader:{PASSWORD}@{base}/members/story?edition=1\n"  # the page: indexed, with its url redacted
        f"http://{base}/api/story?{query}\n"
        f"http://{base}/api/gone?{query}#access_token={PARAMS['access_token']}\n"
        f"http://reader:{PASSWORD}@{base}/api/moved?sig={PARAMS['sig']}\n"
        f"ftp://reader:{PASSWORD}@{base}/api/story?secret={PARAMS['secret']}\n"  # not http(s): the line is quoted
    )
    items = "".join(f"<item><title>Entry {n}</title><link>http://{base}/api/gone?{name}={value}</link></item>"
                    for n, (name, value) in enumerate(PARAMS.items()))
    (tmp_path / "in" / "wire.rss").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>')
    sources = [str(tmp_path / "in"), f"http://reader:{PASSWORD}@{base}/api/gone?token={PARAMS['token']}"]
    monkeypatch.setenv("NEWS_ETL_ALLOW_PRIVATE_HOSTS", "127.0.0.1")
    monkeypatch.setenv("NEWS_ETL_HTTP_RETRIES", "0")
    monkeypatch.setenv("NEWS_ETL_OBEY_ROBOTS_TXT", "false")  # robots.txt has its own tests (test_polite_fetching); these servers serve none
    caplog.set_level(logging.INFO)
    tally.inputs += 5 + len(PARAMS) + 1

    code = main(["-v", "run", *sources, "--index-dir", str(tmp_path / "index")])
    search = main(["search", "--json", "INTERNAL", "--index-dir", str(tmp_path / "index")])
    out, err = capsys.readouterr()

    if code != 0:
        raise tally.crashed(f"news-etl run exited {code}: {err[-2000:]}")
    assert search == 0 and '"total": 1' in out, out  # the members' page was fetched with its password
    got = {request.full_path: request.headers.get("Authorization") for request, _ in server.log}
    assert any(path.startswith("/members/story") and auth for path, auth in got.items()), got
    assert any(f"token={PARAMS['token']}" in path for path in got), "the token was not sent"
    files = {path.name: path.read_text(errors="replace") for path in tmp_path.rglob("*.jsonl")}
    written = "".join(files.values())
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))  # not the server's
    assert leaks(stdout=out, stderr=err, log=ours, **files) == {}
    assert "***" in written and "/api/gone" in written  # redacted, not removed: the reader can tell which URL it was


@pytest.mark.parametrize(
    "url, shown",
    [
        ("http://user:pw@host.example/feed", "http://***@host.example/feed"),
        ("https://user@host.example:8443/feed", "https://***@host.example:8443/feed"),
        ("https://host.example/feed?token=abc&page=2", "https://host.example/feed?token=***&page=2"),
        ("https://host.example/f?API_KEY=a&apikey=b&key=c&Sig=d&x-amz-signature=e", "https://host.example/f?API_KEY=***&apikey=***&key=***&Sig=***&x-amz-signature=***"),
        ("https://host.example/f?refresh_token=a&client_secret=b&passwd=c", "https://host.example/f?refresh_token=***&client_secret=***&passwd=***"),
        ("https://host.example/cb#access_token=abc&state=1", "https://host.example/cb#access_token=***&state=1"),
        ("https://host.example/f?monkey=1&keyword=news&tokens_left=3", "https://host.example/f?monkey=1&keyword=news&tokens_left=3"),
        ("https://host.example/f?token", "https://host.example/f?token"),
        ("https://host.example/story#0", "https://host.example/story#0"),
        ("http://u:p@[::1/feed", "http://***@[::1/feed"),  # not even a valid URL: still redacted
        ("/data/in/story.html", "/data/in/story.html"),
    ],
)
def test_one_redaction_for_every_url_shown(url, shown, tally):
    from etl.redact import redact_url

    tally.inputs += 1
    assert redact_url(url) == shown
