"""The running server against its own /openapi.json (schemathesis): whatever the parameters, never a
server error, and every response as documented (status code, content type, schema).

The schema is loaded from the server a fixture starts; schemathesis' own lazy pytest loader
(``schemathesis.pytest.from_fixture``) does not run under pytest 9, so each operation's strategy is
driven by Hypothesis directly.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

OPERATIONS = ["GET /api/search", "GET /api/quotes", "GET /api/articles/{id}", "GET /api/stats", "GET /healthz",
              "GET /api/trending", "GET /api/articles/{id}/related"]
EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def api_schema(api_server):
    return schemathesis.openapi.from_url(api_server + "/openapi.json")


def operation(api_schema, label: str):
    return api_schema.find_operation_by_label(label)


def test_the_schema_lists_the_operations(api_schema):
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert labels == set(OPERATIONS)


@pytest.mark.parametrize("label", OPERATIONS)
def test_valid_parameters_get_documented_answers(api_schema, api_server, label):
    @given(operation(api_schema, label).as_strategy(GenerationMode.POSITIVE))
    @EXAMPLES
    def check(case):
        # Every check (no 5xx, documented status, content type, headers, schema) but positive_data_acceptance:
        # a schema-valid string can still be a bad FIELD:VALUE, date or cursor, refused with a 422 that says why.
        case.call_and_validate(base_url=api_server, timeout=30, excluded_checks=[positive_data_acceptance])

    check()


@pytest.mark.parametrize("label", ["GET /api/search", "GET /api/quotes"])
def test_invalid_parameters_are_refused_never_a_server_error(api_schema, api_server, label):
    @given(operation(api_schema, label).as_strategy(GenerationMode.NEGATIVE))
    @EXAMPLES
    def check(case):
        response = case.call(base_url=api_server, timeout=30)
        assert response.status_code < 500, (case.as_curl_command(), response.text)
        assert response.headers["content-type"] == ["application/json"]

    check()
