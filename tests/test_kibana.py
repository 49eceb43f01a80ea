"""``import_saved_objects`` against a real local HTTP server (pytest-httpserver) standing in for Kibana."""

from __future__ import annotations

import base64
import json

import pytest
from werkzeug import Request, Response

from etl.index.elastic.kibana import SAVED_OBJECTS, KibanaImportError, import_saved_objects
from etl.settings import Settings

IMPORT_PATH = "/api/saved_objects/_import"


def _uploaded_objects(request: Request) -> list[dict]:
    upload = request.files["file"]
    assert upload.filename.endswith(".ndjson")
    return [json.loads(line) for line in upload.read().decode().splitlines()]


def test_import_posts_every_saved_object_with_xsrf_header_overwrite_and_credentials(httpserver):
    seen: list[Request] = []
    uploaded: list[dict] = []

    def kibana(request: Request) -> Response:
        seen.append(request)
        uploaded.extend(_uploaded_objects(request))
        return Response(json.dumps({"success": True, "successCount": len(uploaded)}), content_type="application/json")

    httpserver.expect_request(IMPORT_PATH, method="POST").respond_with_handler(kibana)
    settings = Settings(es_username="elastic", es_password="changeme")

    summary = import_saved_objects(httpserver.url_for("/"), settings)

    [request] = seen
    assert request.headers["kbn-xsrf"] == "true"
    assert request.args["overwrite"] == "true"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"elastic:changeme").decode()
    expected = [json.loads(line) for line in SAVED_OBJECTS.read_text().splitlines()]
    assert [(o["type"], o["id"]) for o in uploaded] == [(o["type"], o["id"]) for o in expected]
    assert summary["imported"] == summary["objects"] == len(expected)


def test_import_into_a_space_with_an_api_key_points_data_views_at_the_configured_aliases(httpserver):
    uploaded: list[dict] = []
    headers = {}

    def kibana(request: Request) -> Response:
        headers.update(request.headers)
        uploaded.extend(_uploaded_objects(request))
        return Response(json.dumps({"success": True, "successCount": len(uploaded)}), content_type="application/json")

    httpserver.expect_request("/s/newsroom" + IMPORT_PATH, method="POST").respond_with_handler(kibana)
    settings = Settings(es_api_key="a2V5OnNlY3JldA==", es_articles_alias="prod-articles", es_quotes_alias="prod-quotes")

    import_saved_objects(httpserver.url_for("/"), settings, space="newsroom")

    assert headers["Authorization"] == "ApiKey a2V5OnNlY3JldA=="
    views = {o["id"]: o["attributes"]["title"] for o in uploaded if o["type"] == "index-pattern"}
    assert views == {"news-etl-articles": "prod-articles", "news-etl-quotes": "prod-quotes"}


def test_objects_kibana_refuses_are_reported_with_its_reasons(httpserver):
    httpserver.expect_request(IMPORT_PATH, method="POST").respond_with_json(
        {
            "success": False,
            "successCount": 9,
            "errors": [{"type": "dashboard", "id": "news-etl-overview", "error": {"type": "missing_references"}}],
        }
    )
    with pytest.raises(KibanaImportError, match="dashboard news-etl-overview: missing_references"):
        import_saved_objects(httpserver.url_for("/"), Settings())


def test_http_error_names_the_url_and_status_in_one_line(httpserver):
    page = "<html>\n<body>\n<h1>502 Bad Gateway</h1>\n</body>\n</html>\n"
    httpserver.expect_request(IMPORT_PATH, method="POST").respond_with_data(page, status=502)
    with pytest.raises(KibanaImportError, match=r"_import failed: HTTP 502: <html> <body> <h1>502 Bad Gateway</h1> </body> </html>$"):
        import_saved_objects(httpserver.url_for("/"), Settings())


@pytest.mark.parametrize("settings", [Settings(), Settings(es_username="elastic", es_password="s3cret")], ids=["none", "password"])
def test_401_says_credentials_are_missing_or_refused(httpserver, settings):
    answer = {"statusCode": 401, "error": "Unauthorized", "message": "[security_exception]: unable to authenticate user [elastic]"}
    httpserver.expect_request(IMPORT_PATH, method="POST").respond_with_json(answer, status=401)
    expected = "refused the credentials" if settings.es_username else "asks for credentials .* ELASTICSEARCH_USERNAME"
    with pytest.raises(KibanaImportError, match=rf"Kibana at {httpserver.url_for(IMPORT_PATH)} {expected}") as raised:
        import_saved_objects(httpserver.url_for("/"), settings)
    assert "unable to authenticate user [elastic]" in str(raised.value) and "s3cret" not in str(raised.value)


def test_cli_kibana_import(httpserver, monkeypatch, capsys):
    from etl.cli import main

    httpserver.expect_request(IMPORT_PATH, method="POST").respond_with_json({"success": True, "successCount": 10})
    monkeypatch.delenv("ELASTICSEARCH_API_KEY", raising=False)
    monkeypatch.delenv("NEWS_ETL_KIBANA_URL", raising=False)

    assert main(["kibana", "import", "--kibana-url", httpserver.url_for("/"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 10
    assert main(["kibana", "import"]) == 1  # no URL: a clear error, not a traceback
    assert "--kibana-url" in capsys.readouterr().err
