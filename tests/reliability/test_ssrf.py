"""Server-side request forgery, tried as an attacker would (issue #17, Security).

A feed entry, a URL-list line or a URL given as a source that points into the machine or its
network (loopback in every spelling, private ranges, the cloud metadata address, multicast,
reserved) must become a rejected record saying why, without a connection: a server listening
there must see no request, and an address with no server must be refused, not time out.
``allow_private_hosts`` opens exactly what it lists, and every redirect hop is checked again.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
from werkzeug import Response

from etl.settings import Settings
from reliability.loopback import INTERNAL_PAGE, OffMachineNet, requests_seen, start

HINT = "list it in NEWS_ETL_ALLOW_PRIVATE_HOSTS to allow"


@pytest.fixture(scope="module")
def servers():
    """Internal services on this machine: 127.0.0.1, 127.0.0.2 on the same port, and ::1."""
    first = start("127.0.0.1")
    others = start("127.0.0.2", first.port), start("::1")
    yield first, *others
    for server in (first, *others):
        server.clear()
        server.stop()


@pytest.fixture
def internal(servers):
    for server in servers:
        server.clear()
        server.expect_request("/internal").respond_with_data(INTERNAL_PAGE, content_type="text/html")
    return servers


@pytest.fixture(autouse=True)
def net(monkeypatch):
    """No connection leaves the machine; a test that tried one fails."""
    net = OffMachineNet(socket.create_connection)
    monkeypatch.setattr(socket, "create_connection", net)
    yield net
    assert not net.attempts, f"connections attempted to other machines: {net.attempts}"


def quick(tmp_path, **changes) -> Settings:
    """Embedded index in tmp, short timeouts and retries: a refusal must not wait for any of them."""
    return Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index", http_timeout=3.0,
                             http_retries=2, http_backoff=0.3, obey_robots_txt=False, **changes)  # robots.txt has its own tests (test_polite_fetching); these servers serve none


def outcomes(summary_dir) -> dict[str, str]:
    """origin -> reason, from the run's rejected.jsonl."""
    lines = (summary_dir / "rejected.jsonl").read_text().splitlines()
    return {record["origin"]: record["reason"] for record in map(json.loads, lines)}


# (URL, what it is) -- {p}: the port of the servers on 127.0.0.1/127.0.0.2, {p6}: of the one on ::1.
WITH_A_SERVER = [
    ("http://127.0.0.1:{p}/internal", "loopback"),
    ("http://localhost:{p}/internal", "loopback"),
    ("http://LocalHost:{p}/internal", "loopback"),
    ("http://2130706433:{p}/internal", "loopback"),  # 127.0.0.1 as one integer
    ("http://0x7f.1:{p}/internal", "loopback"),  # hex and a short form
    ("http://0177.0.0.1:{p}/internal", "Invalid IPv4"),  # octal: httpx refuses to parse it at all
    ("http://127.1:{p}/internal", "loopback"),
    ("http://127.0.0.2:{p}/internal", "loopback"),
    ("http://[::1]:{p6}/internal", "loopback"),
    ("http://[::ffff:127.0.0.1]:{p}/internal", "loopback"),  # IPv4-mapped IPv6
    ("http://[::ffff:7f00:1]:{p}/internal", "loopback"),
    ("http://0.0.0.0:{p}/internal", "unspecified"),  # connects to this machine on Linux
    ("http://0:{p}/internal", "unspecified"),
]
NO_SERVER = [
    ("http://10.255.255.1/", "private"),
    ("http://172.16.0.1:8080/admin", "private"),
    ("http://172.31.255.254/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "link-local"),  # cloud metadata
    ("http://[fd00:ec2::254]/latest/meta-data/", "private"),  # the metadata service over IPv6
    ("http://[fe80::1]/", "link-local"),
    ("http://[fc00::1]/", "private"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://100.64.0.1/", "not a public"),  # carrier-grade NAT
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),  # NAT64 of 169.254.169.254
]


def addresses(servers) -> list[tuple[str, str]]:
    first, _, v6 = servers
    return [(url.format(p=first.port, p6=v6.port), kind) for url, kind in WITH_A_SERVER + NO_SERVER]


def test_internal_addresses_are_refused_by_default_from_every_kind_of_source(internal, tmp_path, nlp, tally):
    """Each address as a URL-list line, a feed entry's link and a source of its own: all refused at once."""
    cases = addresses(internal)
    as_list, as_feed = tmp_path / "morning.urls", tmp_path / "wire.rss"
    as_list.write_text("".join(f"{url}{'&' if '?' in url else '?'}via=list\n" for url, _ in cases))
    items = "".join(f"<item><title>Entry {n}</title><link>{url}?via=feed</link></item>" for n, (url, _) in enumerate(cases))
    as_feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>')
    direct = [f"{url}?via=source" for url, _ in cases]
    settings = quick(tmp_path)

    started = time.monotonic()
    summary = tally.run([as_list, as_feed, *direct], settings, inputs=3 * len(cases), nlp=nlp)
    elapsed = time.monotonic() - started

    assert summary.indexed == 0, f"{summary.indexed} internal pages were indexed"
    reasons = outcomes(settings.index_dir)
    for url, kind in cases:
        for via in ("list", "feed", "source"):
            reason = reasons.get(f"{url}?via={via}")
            assert reason and kind in reason, (url, via, reason)
            assert kind.startswith("Invalid") or (reason.startswith("refused") and HINT in reason), (url, via, reason)
            assert "attempts" not in reason and "timed out" not in reason, (url, via, reason)
    assert all(requests_seen(server) == [] for server in internal), "a refused request reached a server"
    assert elapsed < 20, f"refusals waited for timeouts or retries ({elapsed:.1f} s)"


def test_the_allow_list_opens_exactly_the_hosts_and_ranges_it_names(internal, tmp_path, nlp, tally):
    first, second, v6 = internal
    urls = {
        "listed address": f"http://127.0.0.1:{first.port}/internal",
        "name resolving to it": f"http://localhost:{first.port}/internal",
        "other loopback address": f"http://127.0.0.2:{first.port}/internal?other",
        "IPv6 loopback": f"http://[::1]:{v6.port}/internal",
    }
    settings = quick(tmp_path, allow_private_hosts="127.0.0.1")

    summary = tally.run(list(urls.values()), settings, inputs=len(urls), nlp=nlp)

    reasons = outcomes(settings.index_dir)
    assert summary.indexed == 1 and summary.duplicates == 1, reasons  # 127.0.0.1 and localhost: one page, twice
    assert set(reasons) == {urls["other loopback address"], urls["IPv6 loopback"]}
    assert "127.0.0.2 is a loopback address" in reasons[urls["other loopback address"]]
    assert requests_seen(first) == ["/internal", "/internal"] and requests_seen(second) == requests_seen(v6) == []


@pytest.mark.parametrize(
    "allow, reached",
    [
        ("127.0.0.0/8", {"127.0.0.1", "127.0.0.2", "localhost"}),  # localhost by its address, 127.0.0.1
        (" 127.0.0.2 , ::1 ", {"127.0.0.2", "::1"}),
        ("localhost", {"localhost"}),  # a name is trusted whatever it resolves to, and nothing else is
        ("::1/128,127.0.0.1/32", {"127.0.0.1", "::1", "localhost"}),
    ],
)
def test_hosts_and_cidrs_from_the_environment(allow, reached, internal, tmp_path, tally):
    from etl.sources import iter_sources

    first, _, v6 = internal
    hosts = {"127.0.0.1": first.port, "127.0.0.2": first.port, "::1": v6.port, "localhost": first.port}
    urls = {host: f"http://{'[::1]' if host == '::1' else host}:{port}/internal" for host, port in hosts.items()}
    settings = Settings.from_env({"NEWS_ETL_ALLOW_PRIVATE_HOSTS": allow}, http_retries=0, obey_robots_txt=False)
    tally.inputs += len(urls)

    items = dict(zip(urls, iter_sources(list(urls.values()), settings)))

    fetched = {host for host, item in items.items() if not hasattr(item, "reason")}
    assert fetched == reached, {host: getattr(item, "reason", "fetched") for host, item in items.items()}


@pytest.mark.parametrize("allow", ["10.0.0.0/33", "10.0.0.1/8x", "two words", "http://10.0.0.1/"])
def test_a_malformed_allow_list_stops_the_run_with_the_setting_named(allow, tmp_path, monkeypatch, capsys, tally):
    from etl.cli import main

    monkeypatch.setenv("NEWS_ETL_ALLOW_PRIVATE_HOSTS", allow)
    (tmp_path / "story.txt").write_text("A story that needs no fetching.")
    tally.inputs += 1
    try:
        code = main(["run", str(tmp_path / "story.txt"), "--index-dir", str(tmp_path / "index")])
    except SystemExit as exit:  # a bad setting is a bad argument: the parser's usage error
        code = exit.code
    err = capsys.readouterr().err
    assert code in (1, 2) and "allow_private_hosts" in err and allow.strip() in err and "Traceback" not in err


# --- redirects ------------------------------------------------------------------------------------

REDIRECTS = {
    # path on 127.0.0.1 -> Location (formatted with the ports); none of them may be followed
    "/to-other-loopback": "http://127.0.0.2:{p}/internal",
    "/to-ipv6-loopback": "http://[::1]:{p6}/internal",
    "/to-metadata": "http://169.254.169.254/latest/meta-data/",
    "/to-private": "http://10.0.0.1:8080/admin",
    "/to-integer": "http://2130706434:{p}/internal",  # 127.0.0.2
    "/scheme-relative": "//169.254.169.254/latest/meta-data/",
    "/two-hops": "/to-other-loopback",
    "/to-file": "file:///etc/passwd",
    "/to-ftp": "ftp://127.0.0.1:{p}/internal",
    "/to-javascript": "javascript:alert(document.domain)",
    "/to-data": "data:text/html,<script>alert(1)</script>",
    "/to-gopher": "gopher://127.0.0.1:{p}/_internal",
    "/to-malformed": "http://[::1",
}
NOT_HTTP = {"/to-file", "/to-ftp", "/to-javascript", "/to-data", "/to-gopher"}


class AsWritten(Response):
    """A response whose Location goes out as written (werkzeug would parse it, and fail on a broken one)."""

    def get_wsgi_headers(self, environ):
        return self.headers


def test_every_redirect_hop_is_checked_and_refused_once(internal, tmp_path, nlp, tally):
    """Only 127.0.0.1 is allowed: each redirect from it to somewhere else is one rejected record, never retried."""
    first, second, v6 = internal
    for path, location in REDIRECTS.items():
        first.expect_request(path).respond_with_response(
            AsWritten(status=302, headers={"Location": location.format(p=first.port, p6=v6.port), "Content-Length": "0"}))
    urls = [first.url_for(path) for path in REDIRECTS]
    settings = quick(tmp_path, allow_private_hosts="127.0.0.1")

    summary = tally.run(urls, settings, inputs=len(urls), nlp=nlp)

    reasons = outcomes(settings.index_dir)
    assert summary.indexed == 0 and set(reasons) == set(urls), reasons
    for path in REDIRECTS:
        reason = reasons[first.url_for(path)]
        assert "attempts" not in reason, f"{path} was retried: {reason}"
        if path in NOT_HTTP:
            assert reason.startswith("refused redirect to ") and "not an http(s) URL" in reason, (path, reason)
        elif path == "/to-malformed":
            assert reason.startswith("refused redirect to ") and "not a valid URL" in reason, (path, reason)
        else:
            assert reason.startswith("refused") and HINT in reason, (path, reason)
    seen = requests_seen(first)
    assert sorted(seen) == sorted([*REDIRECTS, "/to-other-loopback"]), "a redirect was retried or followed"
    assert requests_seen(second) == requests_seen(v6) == []


# --- the resolver: one answer, checked, and connected to -------------------------------------------


class Resolver:
    """A DNS stand-in: names -> successive answers (the last repeats); other names resolve as usual."""

    def __init__(self, real, answers: dict[str, list[list[str]]]):
        self.real, self.answers, self.asked = real, answers, []

    def __call__(self, host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.asked.append(name)
        queue = self.answers[name]
        ips = queue.pop(0) if len(queue) > 1 else queue[0]
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[6 if ":" in ip else 4], socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ips]


def test_dns_rebinding_connects_to_the_address_that_was_checked(internal, monkeypatch, tmp_path, tally):
    """The name answers 127.0.0.1 (allowed) once, then 127.0.0.2: the request must go where the check was."""
    from etl.sources import iter_sources

    first, second, _ = internal
    resolver = Resolver(socket.getaddrinfo, {"news.rebind.test": [["127.0.0.1"], ["127.0.0.2"]],
                                              "mixed.rebind.test": [["127.0.0.1", "10.0.0.7"]]})
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    settings = Settings.from_env({}, allow_private_hosts="127.0.0.1", http_retries=0, obey_robots_txt=False)
    tally.inputs += 2

    rebound, mixed = iter_sources([f"http://news.rebind.test:{first.port}/internal",
                                   f"http://mixed.rebind.test:{first.port}/internal"], settings)

    assert not hasattr(rebound, "reason"), rebound
    assert requests_seen(first) == ["/internal"] and requests_seen(second) == []
    assert first.log[0][0].headers["Host"] == f"news.rebind.test:{first.port}"  # the name is what the server sees
    assert resolver.asked.count("news.rebind.test") == 1, resolver.asked
    # One answer of two is private: the name is refused, not tried address by address.
    assert mixed.reason.startswith("refused") and "resolves to 10.0.0.7, a private address" in mixed.reason, mixed


def test_tls_to_a_name_keeps_its_certificate_check_while_connecting_by_address(monkeypatch, tmp_path, tally):
    """https://localhost/ is connected to 127.0.0.1, yet the certificate is checked for "localhost" (SNI)."""
    import ssl

    import trustme
    from pytest_httpserver import HTTPServer

    from etl.sources import iter_sources

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/internal").respond_with_data(INTERNAL_PAGE, content_type="text/html")
    server.start()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    settings = Settings.from_env({}, allow_private_hosts="127.0.0.1", http_retries=0, obey_robots_txt=False)
    tally.inputs += 2
    try:
        by_name, by_address = iter_sources([f"https://localhost:{server.port}/internal",
                                            f"https://127.0.0.1:{server.port}/internal"], settings)
    finally:
        server.stop()
    assert not hasattr(by_name, "reason"), by_name.reason
    assert "CERTIFICATE_VERIFY_FAILED" in by_address.reason  # the certificate names localhost, not 127.0.0.1
