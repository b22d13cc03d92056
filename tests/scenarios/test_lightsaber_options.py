"""Configured sabers on the lightsaber workshop, on SQLite and PostgreSQL: an engraved hilt is
made to order and waits for HILT-ENGRAVED, while a plain saber ships from stock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from pegboard.adapters.notify.email import long_date
from pegboard.bootstrap import Pegboard
from pegboard.domain.errors import InvalidValue
from pegboard.domain.quantities import to_quantity
from pegboard.entrypoints import demo
from pegboard.services import manufacturing, orders, purchasing, shipping, shopify
from pegboard.services.imports import ImportKind, ImportRejected
from pegboard.services.orders import LineDraft, OrderDraft
from pegboard.services.planning import run_plan
from pegboard.services.quoting import QuoteRequest, quote
from tests.builders import import_text
from tests.integration.services.test_customer_email import Mail, text_of
from tests.integration.services.test_shopify import CREATE, deliver
from tests.shopify_server import order_json
from tests.smtp_server import SmtpServer

OPTIONS = """parent_sku,option,value,component_sku,quantity,replaces_sku
SABER-BLUE,HILT,standard,,,
SABER-BLUE,HILT,engraved,HILT-ENGRAVED,1,HILT
SABER-BLUE,HILT,engraved,ENGRAVING,30,
"""


def load_engraving(pb: Pegboard) -> None:
    demo.load_catalogue(pb)
    import_text(
        pb,
        ImportKind.ITEMS,
        "sku,name,procurement,unit,lead_time_days,supplier\n"
        "HILT-ENGRAVED,Engraved hilt,buy,pcs,3,Passing Traders\n"
        "ENGRAVING,Engraving labour,buy,min,0,\n",
    )
    import_text(pb, ImportKind.STOCK, "sku,quantity\nENGRAVING,600\n")
    import_text(pb, ImportKind.OPTIONS, OPTIONS)


def place(pb: Pegboard, ref: str, sku: str, quantity: int, **choices: str) -> None:
    line = LineDraft(sku, to_quantity(quantity), options=choices)
    orders.place_order(OrderDraft(ref, "Luke", (line,)), uow=pb.uow(), clock=pb.clock)


def line_of(pb: Pegboard, ref: str) -> tuple[Decimal, Decimal, str]:
    with pb.reader() as uow:
        order = uow.orders.get(ref)
    assert order is not None
    line = order.lines[0]
    return line.allocated_quantity, line.backordered_quantity, line.options


def test_an_engraved_saber_waits_for_its_hilt_while_a_plain_one_ships_from_stock(pb: Pegboard) -> None:
    load_engraving(pb)

    place(pb, "SO-7", "SABER-BLUE", 1, HILT="engraved")
    place(pb, "SO-8", "SABER-BLUE", 1)
    place(pb, "SO-9", "SABER-BLUE", 1, HILT="standard")

    # Five blue sabers are on the shelf, yet the engraved one takes none: it is made to order.
    assert line_of(pb, "SO-7") == (0, 1, "HILT=engraved")
    assert line_of(pb, "SO-8") == (1, 0, "")
    assert line_of(pb, "SO-9") == (1, 0, "")  # the default value is the plain saber
    shipping.ship_order("SO-8", uow=pb.uow(), clock=pb.clock)

    # Planning explodes the configured BOM: an engraved hilt (3 days) plus one day of making.
    run = run_plan(uow=pb.uow(), clock=pb.clock)
    promise = next(p for p in run.result.promises if p.order_ref == "SO-7")
    assert (promise.sku, promise.date) == ("SABER-BLUE", pb.clock.today() + timedelta(days=4))
    assert [(s.sku, s.quantity) for s in run.result.purchase_suggestions] == [("HILT-ENGRAVED", 1)]
    assert [(s.sku, s.quantity) for s in run.result.production_suggestions] == [
        ("SABER-BLUE [HILT=engraved]", 1)
    ]
    entry = run.result.production_queue[0]
    assert [m.sku for m in entry.missing] == ["HILT-ENGRAVED"]

    # Confirming makes a configured MO; it waits for the hilt, then its saber goes to SO-7.
    confirmed = run_plan(uow=pb.uow(), clock=pb.clock, confirm=True)
    mo_ref = next(ref for ref in confirmed.created if ref.startswith("MO"))
    po_ref = next(ref for ref in confirmed.created if ref.startswith("PO"))
    with pb.reader() as uow:
        mo = uow.supply.manufacturing_order(mo_ref)
    assert mo is not None and (mo.sku, mo.options) == ("SABER-BLUE", "HILT=engraved")
    assert [
        s.sku
        for s in manufacturing.material_check("SABER-BLUE", Decimal(1), uow=pb.reader(), options=mo.options)
    ] == ["HILT-ENGRAVED"]
    purchasing.receive(po_ref, "HILT-ENGRAVED", Decimal(1), uow=pb.uow(), clock=pb.clock, policy=pb.policy)
    manufacturing.complete_manufacturing_order(mo_ref, uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert line_of(pb, "SO-7") == (1, 0, "HILT=engraved")
    with pb.reader() as uow:
        levels = uow.stock.levels(["HILT", "HILT-ENGRAVED", "ENGRAVING"])
    # The engraved hilt and 30 minutes went in; the plain hilt stayed on the shelf.
    assert (levels["HILT"].on_hand, levels["HILT-ENGRAVED"].on_hand, levels["ENGRAVING"].on_hand) == (
        10,
        0,
        570,
    )


def test_a_plain_saber_never_takes_the_output_of_a_configured_mo(pb: Pegboard) -> None:
    load_engraving(pb)
    import_text(pb, ImportKind.STOCK, "sku,quantity\nHILT-ENGRAVED,1\n")
    place(pb, "SO-10", "SABER-BLUE", 6)  # older: takes the five blue sabers and waits for one
    place(pb, "SO-7", "SABER-BLUE", 1, HILT="engraved")
    mo = manufacturing.open_manufacturing_order(
        "SABER-BLUE", to_quantity(1), uow=pb.uow(), clock=pb.clock, options={"HILT": "engraved"}
    )

    manufacturing.complete_manufacturing_order(mo.mo_ref, uow=pb.uow(), clock=pb.clock, policy=pb.policy)

    assert line_of(pb, "SO-7") == (1, 0, "HILT=engraved")
    assert line_of(pb, "SO-10") == (5, 1, "")


@pytest.mark.parametrize(
    ("choices", "named"),
    [
        ({"HILT": "gold"}, "'HILT=gold'"),
        ({"BLADE": "long"}, "'BLADE'"),
    ],
)
def test_an_unknown_option_or_value_is_refused_naming_the_line_and_nothing_is_written(
    pb: Pegboard, choices: dict[str, str], named: str
) -> None:
    load_engraving(pb)

    with pytest.raises(InvalidValue) as refused:
        place(pb, "SO-7", "SABER-BLUE", 1, **choices)

    assert "SO-7 line 1 options" in refused.value.message
    assert named in refused.value.message
    with pb.reader() as uow:
        assert uow.orders.get("SO-7") is None


def test_a_required_option_left_out_and_choices_on_a_plain_item_are_refused_in_the_csv(pb: Pegboard) -> None:
    load_engraving(pb)
    import_text(
        pb,
        ImportKind.OPTIONS,
        OPTIONS + "SABER-BLUE,EMITTER,long,EMITTER,2,EMITTER\nSABER-BLUE,EMITTER,short,EMITTER,1,EMITTER\n",
    )

    with pytest.raises(ImportRejected) as refused:
        import_text(
            pb,
            ImportKind.ORDERS,
            "order_ref,sku,quantity,options\n"
            "SO-20,SABER-BLUE,1,HILT=engraved\n"
            "SO-21,SABER-GREEN,1,HILT=engraved\n",
        )

    problems = refused.value.problems
    assert any("row 1, field 'options', value 'HILT=engraved'" in p and "'EMITTER'" in p for p in problems)
    assert any("row 2, field 'options'" in p and "SABER-GREEN has no options" in p for p in problems)
    with pb.reader() as uow:
        assert uow.orders.get_many(["SO-20", "SO-21"]) == {}


def test_bad_option_rows_are_refused_naming_row_field_and_value(pb: Pegboard) -> None:
    load_engraving(pb)

    with pytest.raises(ImportRejected) as refused:
        import_text(
            pb,
            ImportKind.OPTIONS,
            "parent_sku,option,value,component_sku,quantity,replaces_sku\n"
            "SABER-GREEN,HILT,engraved,HILT-ENGRAVED,1,KYBER-BLUE\n"
            "HILT,COLOUR,red,,,\n",
        )

    problems = refused.value.problems
    assert any("row 1, field 'replaces_sku', value 'KYBER-BLUE': is not in the BOM" in p for p in problems)
    assert any("row 2, field 'parent_sku', value 'HILT'" in p for p in problems)
    with pb.reader() as uow:
        assert "SABER-GREEN" not in uow.catalogue.options()


def test_the_quote_of_a_configured_saber_equals_its_promise_after_placing(pb: Pegboard) -> None:
    load_engraving(pb)
    demo.place_orders(pb)
    place(pb, "SO-7", "SABER-BLUE", 1, HILT="engraved")  # another engraved saber waits ahead
    request = QuoteRequest((("SABER-BLUE", Decimal(2)),), options=({"HILT": "engraved"},))

    quoted = quote(request, uow=pb.reader(), clock=pb.clock)
    plain = quote(QuoteRequest((("SABER-BLUE", Decimal(2)),)), uow=pb.reader(), clock=pb.clock)
    place(pb, "SO-11", "SABER-BLUE", 2, HILT="engraved")
    promised = [p for p in run_plan(uow=pb.uow(), clock=pb.clock).result.promises if p.order_ref == "SO-11"]

    line = quoted.lines[0]
    assert (line.now, quoted.date) == (0, pb.clock.today() + timedelta(days=4))
    assert [(p.quantity, p.date, p.reason) for p in line.parts] == [
        (p.quantity, p.date, p.reason) for p in promised
    ]
    # The plain saber's quote is the shelf's: three blue sabers are free today.
    assert (plain.lines[0].now, plain.date) == (2, pb.clock.today())


def test_a_quote_with_an_unknown_value_is_refused_naming_the_line(pb: Pegboard) -> None:
    load_engraving(pb)
    request = QuoteRequest(
        (("SABER-GREEN", Decimal(1)), ("SABER-BLUE", Decimal(1))), options=({}, {"HILT": "gold"})
    )

    with pytest.raises(InvalidValue) as refused:
        quote(request, uow=pb.reader(), clock=pb.clock)

    assert refused.value.field == "lines[2].options"


def shop_order(properties: list[dict[str, str]]) -> dict[str, object]:
    payload = order_json(lines=[("SABER-BLUE", 1)])
    payload["line_items"][0]["properties"] = properties  # type: ignore[index]
    return payload


def test_shopify_line_item_properties_are_the_choices_by_option_name(pb: Pegboard) -> None:
    load_engraving(pb)
    properties = [
        {"name": "HILT", "value": "engraved"},
        {"name": "Gift note", "value": "May the Force be with you"},
        {"name": "_bundle", "value": "x"},
    ]

    placed = deliver(pb, CREATE, shop_order(properties))
    held = deliver(pb, CREATE, {**shop_order([{"name": "HILT", "value": "gold"}]), "id": 7, "name": "#7"})

    assert placed.outcome is shopify.Outcome.PLACED
    assert line_of(pb, "SHOP-1001") == (0, 1, "HILT=engraved")
    assert held.outcome is shopify.Outcome.HELD
    assert held.problem is not None and "line 1 options" in held.problem and "'gold'" in held.problem
    with pb.reader() as uow:
        assert uow.orders.get("SHOP-7") is None


def test_the_confirmation_email_lists_the_customers_choices(pb: Pegboard, smtp_server: SmtpServer) -> None:
    load_engraving(pb)
    mail = Mail(pb, smtp_server)
    line = LineDraft("SABER-BLUE", to_quantity(1), options={"HILT": "engraved"})
    draft = OrderDraft("SO-7", "Luke", (line,), email="luke@example.com")
    orders.place_order(draft, uow=pb.uow(), clock=pb.clock)
    run_plan(uow=pb.uow(), clock=pb.clock)

    assert mail.deliver() == {}

    [message] = mail.messages()
    due = long_date(pb.clock.today() + timedelta(days=4))
    assert f"1 x Blue lightsaber (HILT: engraved) (SABER-BLUE): expected to ship on {due}" in text_of(message)
