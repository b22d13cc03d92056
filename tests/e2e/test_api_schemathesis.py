"""Generated requests for every operation in /openapi.json (schemathesis, bounded and seeded):
no answer is a server error, and every status, content type and body is one the description
documents. About 20 s per database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.test_api_support import Api, make_items, open_api, set_stock

#: Examples per operation: the whole run stays within a minute on both databases.
EXAMPLES = 20
BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


@pytest.mark.slow
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(api: Api) -> None:
    make_items(api.pb, "KETTLE")
    set_stock(api.pb, KETTLE=3)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    headers = {"Authorization": f"Bearer {api.admin}"}
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"an operation the description cannot generate for: {result}"
        operations.append(result.ok())

    for operation in operations:

        @BOUNDED
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(
                response,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
            )

        try:
            call()
        except Exception as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:600]}")

    assert len(operations) > 30
    assert not failures, "\n\n".join(failures)
