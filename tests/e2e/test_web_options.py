"""Configured products in the web app: the item page lists its options, the import page takes
the options kind, and the order, MO and status pages show a line's choices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pegboard.domain.quantities import to_quantity
from pegboard.entrypoints import demo
from pegboard.services import manufacturing, status_links
from pegboard.services.imports import ImportKind
from pegboard.services.tokens import Role
from pegboard.services.users import create_user
from tests.builders import import_text
from tests.e2e.test_api_support import Api, open_api
from tests.scenarios.test_lightsaber_options import OPTIONS, place

PASSWORD = "long-enough-pw"


@pytest.fixture
def web(db_url: str, tmp_path: Path) -> Iterator[Api]:
    for api in open_api(db_url, assets_dir=str(tmp_path)):
        demo.load_catalogue(api.pb)
        import_text(
            api.pb,
            ImportKind.ITEMS,
            "sku,name,procurement,unit,lead_time_days,supplier\n"
            "HILT-ENGRAVED,Engraved hilt,buy,pcs,3,Passing Traders\n"
            "ENGRAVING,Engraving labour,buy,min,0,\n",
        )
        create_user("ada", Role.OPERATOR, PASSWORD, uow=api.pb.uow())
        api.client.post("/login", data={"username": "ada", "password": PASSWORD})
        yield api


def test_the_import_page_takes_options_and_the_item_page_lists_them(web: Api) -> None:
    uploaded = web.client.post(
        "/import", data={"kind": "options"}, files={"file": ("options.csv", OPTIONS.encode(), "text/csv")}
    )
    item = web.client.get("/items/SABER-BLUE")

    assert uploaded.status_code == 200 and "Imported 3 options row(s)" in uploaded.text
    assert 'id="options-h">Options' in item.text
    assert 'HILT <span class="muted">(default standard)</span>' in item.text
    assert "engraved: replaces HILT by 1 HILT-ENGRAVED, adds 30 ENGRAVING" in item.text


def test_a_bad_options_file_is_refused_on_the_import_page_naming_row_and_field(web: Api) -> None:
    bad = OPTIONS.splitlines()[0] + "\nSABER-BLUE,HILT,engraved,HILT-ENGRAVED,,\n"

    refused = web.client.post(
        "/import", data={"kind": "options"}, files={"file": ("options.csv", bad.encode(), "text/csv")}
    )

    assert refused.status_code == 422
    assert "Problems in the file" in refused.text
    assert "enter how much HILT-ENGRAVED one unit takes" in refused.text
    assert web.get("/items/SABER-BLUE/options").json()["options"] == []


def test_the_order_mo_and_status_pages_show_the_choices(web: Api) -> None:
    import_text(web.pb, ImportKind.OPTIONS, OPTIONS)
    import_text(web.pb, ImportKind.STOCK, "sku,quantity\nHILT-ENGRAVED,1\nENGRAVING,60\n")
    place(web.pb, "SO-7", "SABER-BLUE", 1, HILT="engraved")
    mo = manufacturing.open_manufacturing_order(
        "SABER-BLUE", to_quantity(1), uow=web.pb.uow(), clock=web.pb.clock, options={"HILT": "engraved"}
    )
    token = status_links.issue_link("SO-7", uow=web.pb.uow())

    order = web.client.get("/orders/SO-7")
    made = web.client.get(f"/manufacturing-orders/{mo.mo_ref}")
    status = web.client.get(f"/status/{token}")

    assert '<span class="choices">HILT: engraved</span>' in order.text
    assert "<dt>Options</dt><dd>HILT: engraved</dd>" in made.text
    assert "HILT-ENGRAVED" in made.text and "ENGRAVING" in made.text
    assert ">HILT</a>" not in made.text  # the plain hilt is not picked for an engraved saber
    assert '<p class="choices">HILT: engraved</p>' in status.text


def test_the_stored_plan_pages_show_a_configured_mo_with_its_choices(web: Api) -> None:
    import_text(web.pb, ImportKind.OPTIONS, OPTIONS)
    place(web.pb, "SO-7", "SABER-BLUE", 1, HILT="engraved")
    ran = web.client.post("/plan/run")

    production = web.client.get("/production")
    plan = web.client.get("/plan")

    assert ran.status_code in (200, 303), ran.text
    assert '<a href="/items/SABER-BLUE">SABER-BLUE [HILT=engraved]</a>' in production.text
    assert '<a href="/items/SABER-BLUE">SABER-BLUE [HILT=engraved]</a> Blue lightsaber' in plan.text
