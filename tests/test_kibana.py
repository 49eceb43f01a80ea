"""``import_saved_objects`` against a real local HTTP server (pytest-httpserver) standing in for Kibana, and the
saved objects' structure (Lens layers, dashboard panels, controls) checked against the index mappings."""

from __future__ import annotations

import base64
import json

import pytest
from werkzeug import Request, Response

from etl.index.elastic.indices import MAPPINGS_DIR
from etl.index.elastic.kibana import DATA_VIEWS, SAVED_OBJECTS, KibanaImportError, import_saved_objects
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
    assert {"index-pattern", "search", "visualization", "lens", "dashboard"} <= {o["type"] for o in uploaded}
    [dashboard] = [o for o in uploaded if o["type"] == "dashboard"]
    assert dashboard["attributes"]["controlGroupInput"] and dashboard == next(o for o in expected if o["type"] == "dashboard")


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


# --- The saved objects' structure, checked against the index mappings (Kibana itself is not needed) ---

LENS_TYPES = {"lnsXY", "lnsPie", "lnsDatatable", "lnsMetric"}
NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}
# Which mapping types each Lens operation can aggregate on; ``count`` counts documents (``___records___``).
AGGREGATABLE = {"terms": {"keyword", "boolean", "ip"} | NUMERIC, "date_histogram": {"date", "date_nanos"}}
RECORDS = "___records___"
STABLE_IDS = {"news-etl-articles", "news-etl-quotes", "news-etl-latest-articles", "news-etl-latest-quotes",
              "news-etl-articles-over-time", "news-etl-top-persons", "news-etl-top-organizations",
              "news-etl-top-locations", "news-etl-top-speaker", "news-etl-overview"}  # fmt: skip


def field_types(index: str) -> dict[str, str]:
    """Every field path of ``mappings/component_templates/<index>-mappings.json`` -> its type.

    Multi-fields (``source.folded``) are included; fields inside a ``nested`` object get the type
    ``nested <type>``, since a Lens layer cannot aggregate on them.
    """
    component = json.loads((MAPPINGS_DIR / "component_templates" / f"{index}-mappings.json").read_text())
    out: dict[str, str] = {}

    def walk(properties: dict, prefix: str, nested: bool) -> None:
        for name, definition in properties.items():
            kind = definition.get("type", "object")
            out[prefix + name] = f"nested {kind}" if nested else kind
            walk(definition.get("properties", {}), f"{prefix}{name}.", nested or kind == "nested")
            walk(definition.get("fields", {}), f"{prefix}{name}.", nested)

    walk(component["template"]["mappings"]["properties"], "", False)
    return out


def objects() -> list[dict]:
    lines = [line for line in SAVED_OBJECTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def data_view_mappings() -> dict[str, dict[str, str]]:
    return {view: field_types(index) for view, index in DATA_VIEWS.items()}


def lens_problems(objs: list[dict], mappings: dict[str, dict[str, str]]) -> list[str]:
    """What is wrong with the Lens objects: unknown data views, unmapped or unaggregatable fields, dangling accessors."""
    views = {o["id"] for o in objs if o["type"] == "index-pattern"}
    problems = []
    for obj in (o for o in objs if o["type"] == "lens"):
        name = f"lens {obj['id']}"
        attributes = obj["attributes"]
        if attributes.get("visualizationType") not in LENS_TYPES:
            problems.append(f"{name}: visualizationType {attributes.get('visualizationType')!r}")
        layers = attributes["state"]["datasourceStates"]["formBased"]["layers"]
        if not layers:
            problems.append(f"{name}: no formBased layers")
        refs = {r["name"]: r for r in obj["references"]}
        column_ids = set()
        for layer_id, layer in layers.items():
            ref = refs.get(f"indexpattern-datasource-layer-{layer_id}")
            if ref is None or ref["type"] != "index-pattern" or ref["id"] not in views:
                problems.append(f"{name}: layer {layer_id} reads no data view this file defines ({ref})")
                continue
            fields = mappings.get(ref["id"], {})
            if set(layer["columnOrder"]) != set(layer["columns"]):
                problems.append(f"{name}: layer {layer_id} columnOrder {layer['columnOrder']} != its columns")
            for column_id, column in layer["columns"].items():
                column_ids.add(column_id)
                operation, field = column["operationType"], column.get("sourceField")
                if operation == "count":
                    if field != RECORDS and field not in fields:
                        problems.append(f"{name}: column {column_id} counts unmapped field {field!r}")
                elif operation in AGGREGATABLE:
                    if field not in fields:
                        problems.append(f"{name}: column {column_id} uses {field!r}, not in the {ref['id']} mapping")
                    elif fields[field] not in AGGREGATABLE[operation]:
                        problems.append(f"{name}: column {column_id}: {operation} on {field!r} of type {fields[field]}")
                else:
                    problems.append(f"{name}: column {column_id}: operation {operation!r} not checked here")
                order_by = column.get("params", {}).get("orderBy", {})
                if order_by.get("type") == "column" and order_by["columnId"] not in layer["columns"]:
                    problems.append(f"{name}: column {column_id} is ordered by missing column {order_by['columnId']}")
        for accessor in _accessors(attributes["state"]["visualization"]):
            if accessor not in column_ids:
                problems.append(f"{name}: the visualization shows missing column {accessor!r}")
        for layer_id in _visualization_layers(attributes["state"]["visualization"]):
            if layer_id not in layers:
                problems.append(f"{name}: the visualization draws missing layer {layer_id!r}")
    return problems


def _visualization_layers(state: dict) -> list[str]:
    return [layer["layerId"] for layer in state.get("layers", [])] + ([state["layerId"]] if "layerId" in state else [])


def _accessors(state: dict) -> list[str]:
    """Column ids a Lens visualization state points at (XY, pie, datatable, metric)."""
    out = []
    for layer in state.get("layers", [state]):
        for key in ("xAccessor", "splitAccessor", "metricAccessor"):
            if layer.get(key):
                out.append(layer[key])
        for key in ("accessors", "primaryGroups", "metrics"):
            out.extend(layer.get(key, []))
        out.extend(column["columnId"] for column in layer.get("columns", []))
    return out


def control_group(dashboard: dict) -> dict[str, dict]:
    return json.loads(dashboard["attributes"]["controlGroupInput"]["panelsJSON"])


def control_problems(objs: list[dict], mappings: dict[str, dict[str, str]]) -> list[str]:
    views = {o["id"] for o in objs if o["type"] == "index-pattern"}
    problems = []
    for dashboard in (o for o in objs if o["type"] == "dashboard" and "controlGroupInput" in o["attributes"]):
        refs = {r["name"]: r for r in dashboard["references"]}
        for control_id, control in control_group(dashboard).items():
            explicit = control["explicitInput"]
            if explicit.get("id") != control_id:
                problems.append(f"control {control_id}: explicitInput.id {explicit.get('id')!r}")
            if control["type"] == "timeSlider":
                continue
            if control["type"] != "optionsListControl":
                problems.append(f"control {control_id}: type {control['type']!r} not checked here")
                continue
            view, field = explicit.get("dataViewId"), explicit.get("fieldName")
            ref = refs.get(f"controlGroup_{control_id}:optionsListDataView")
            if view not in views or ref is None or ref["id"] != view or ref["type"] != "index-pattern":
                problems.append(f"control {control_id}: data view {view!r} / reference {ref} not in this file")
            elif mappings[view].get(field) != "keyword":
                problems.append(f"control {control_id}: {field!r} is {mappings[view].get(field)}, not a keyword field of {view}")
    return problems


def test_ndjson_lines_parse_ids_are_unique_and_the_published_ids_stay():
    lines = SAVED_OBJECTS.read_text(encoding="utf-8").splitlines()
    assert lines and all(line.strip() for line in lines)
    objs = [json.loads(line) for line in lines]
    for obj in objs:
        assert isinstance(obj, dict) and {"type", "id", "attributes", "references"} <= set(obj), obj.get("id")
        assert obj["attributes"].get("title"), obj["id"]
    ids = [o["id"] for o in objs]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert STABLE_IDS <= set(ids)
    assert {o["type"] for o in objs} >= {"index-pattern", "search", "visualization", "lens", "dashboard"}


def test_every_reference_of_every_object_resolves_to_an_object_in_the_file():
    objs = objects()
    present = {(o["type"], o["id"]) for o in objs}
    dangling = [(o["id"], r) for o in objs for r in o["references"] if (r["type"], r["id"]) not in present]
    assert dangling == []


def test_lens_objects_read_file_data_views_and_aggregate_mapped_keyword_or_date_fields():
    objs = objects()
    lens = [o for o in objs if o["type"] == "lens"]
    assert {o["attributes"]["visualizationType"] for o in lens} == LENS_TYPES
    assert lens_problems(objs, data_view_mappings()) == []
    # The dashboard's new panels: by source, by language, and the trending entities.
    columns = {o["id"]: {(c["operationType"], c.get("sourceField"))
                         for layer in o["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values()
                         for c in layer["columns"].values()} for o in lens}  # fmt: skip
    assert ("terms", "source") in columns["news-etl-articles-by-source"]
    assert ("terms", "language") in columns["news-etl-articles-by-language"]
    for field in ("persons", "organizations", "locations"):
        assert {("terms", field), ("date_histogram", "published_at")} <= columns[f"news-etl-trending-{field}"]


@pytest.mark.parametrize(
    ("view", "field", "change", "expected"),
    [
        ("news-etl-articles", "source", "rename", "'source', not in the news-etl-articles mapping"),
        ("news-etl-articles", "persons", "text", "terms on 'persons' of type text"),
        ("news-etl-articles", "published_at", "keyword", "date_histogram on 'published_at' of type keyword"),
        ("news-etl-quotes", "speaker", "rename", "'speaker', not in the news-etl-quotes mapping"),
    ],
)
def test_the_lens_check_catches_a_renamed_or_retyped_mapping_field(view, field, change, expected):
    mappings = data_view_mappings()
    fields = mappings[view]
    kind = fields.pop(field)
    if change == "rename":
        fields[field + "_renamed"] = kind
    else:
        fields[field] = change
    assert any(expected in problem for problem in lens_problems(objects(), mappings))


def test_lens_check_catches_a_layer_without_its_data_view_reference():
    objs = objects()
    lens = next(o for o in objs if o["type"] == "lens")
    lens["references"] = [{**r, "id": "someone-elses-view"} for r in lens["references"]]
    assert any("reads no data view" in p for p in lens_problems(objs, data_view_mappings()))


def test_every_dashboard_panel_resolves_and_every_chart_is_on_the_dashboard():
    objs = objects()
    present = {(o["type"], o["id"]) for o in objs}
    [dashboard] = [o for o in objs if o["type"] == "dashboard"]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    refs = {r["name"]: r for r in dashboard["references"]}
    indexes = [p["panelIndex"] for p in panels]
    assert len(indexes) == len(set(indexes))
    shown = set()
    for panel in panels:
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert ref["type"] == panel["type"] and (ref["type"], ref["id"]) in present, ref
        shown.add((ref["type"], ref["id"]))
        grid = panel["gridData"]
        assert grid["i"] == panel["panelIndex"] and 0 <= grid["x"] and grid["x"] + grid["w"] <= 48
    panel_refs = {f"{p['panelIndex']}:{p['panelRefName']}" for p in panels}
    assert {name for name in refs if not name.startswith("controlGroup_")} == panel_refs  # no stale references
    charts = {(o["type"], o["id"]) for o in objs if o["type"] in ("visualization", "lens")}
    assert charts <= shown
    cells = [(x, y) for p in panels for g in [p["gridData"]]
             for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])]  # fmt: skip
    assert len(cells) == len(set(cells)), "dashboard panels overlap"


def test_dashboard_controls_filter_on_keyword_fields_of_the_file_data_views():
    objs = objects()
    [dashboard] = [o for o in objs if o["type"] == "dashboard"]
    controls = control_group(dashboard)
    options = {c["explicitInput"]["fieldName"] for c in controls.values() if c["type"] == "optionsListControl"}
    assert options >= {"source", "language", "persons"}
    assert "timeSlider" in {c["type"] for c in controls.values()}
    assert sorted(c["order"] for c in controls.values()) == list(range(len(controls)))
    json.loads(dashboard["attributes"]["controlGroupInput"]["ignoreParentSettingsJSON"])
    assert control_problems(objs, data_view_mappings()) == []
    mappings = data_view_mappings()
    mappings["news-etl-articles"]["persons"] = "text"  # persons indexed as text only: no options to list
    del mappings["news-etl-articles"]["language"]  # language renamed in the mapping
    found = control_problems(objs, mappings)
    assert any("'persons' is text" in p for p in found) and any("'language' is None" in p for p in found)
