"""The pages around the API: sign-in page, OpenAPI, and docs that load nothing from other hosts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from pegboard.entrypoints.api.app import app_from_environment
from pegboard.entrypoints.api.docs import endpoint_list_html
from tests.e2e.test_api_support import Api, open_api

EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=:(]\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    yield from open_api(db_url)


def test_today_sends_a_stranger_to_sign_in_and_the_sign_in_page_links_to_the_docs(api: Api) -> None:
    today = api.client.get("/", follow_redirects=False)
    response = api.client.get(today.headers["location"])

    assert today.status_code == 303 and today.headers["location"] == "/login?next=/"
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Sign in" in response.text
    assert 'href="/docs"' in response.text
    assert "http://" not in response.text and "https://" not in response.text


def test_openapi_describes_every_endpoint_with_bearer_security(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()

    assert {"/api/v1/orders", "/api/v1/orders/{order_ref}/ship", "/api/v1/imports/{kind}"} <= set(
        spec["paths"]
    )
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "text/csv" in spec["paths"]["/api/v1/imports/{kind}"]["post"]["requestBody"]["content"]
    assert len(spec["paths"]) >= 20


def test_the_docs_page_loads_only_assets_served_here(api: Api) -> None:
    page = api.client.get("/docs")

    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert not EXTERNAL.search(page.text)
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert assets, "the docs page should load Swagger UI or list the endpoints"
    for asset in assets:
        assert asset.startswith("/"), asset
        assert api.client.get(asset).status_code == 200, asset


def test_without_swagger_ui_the_docs_list_the_endpoints_without_external_links(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()

    page = endpoint_list_html(spec, title="Pegboard")

    assert "/api/v1/orders/{order_ref}/ship" in page
    assert "http://" not in page and "https://" not in page


def test_the_server_app_reads_its_database_and_business_date_from_the_environment(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEGBOARD_DATABASE_URL", db_url)
    monkeypatch.setenv("PEGBOARD_TODAY", "2026-12-24")

    app = app_from_environment()

    try:
        assert app.state.pegboard.clock.today() == date(2026, 12, 24)
        assert app.state.pegboard.settings.database_url == db_url
    finally:
        app.state.pegboard.close()
