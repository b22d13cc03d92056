"""The books: payments and refunds of an order, the journal and the trial balance."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Body, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from pegboard.domain.books import account_names
from pegboard.entrypoints.api.deps import Outcome, PegboardDep, ReaderDep, WriteDep
from pegboard.entrypoints.api.routing import api_router, json_response
from pegboard.entrypoints.api.schemas import Amount
from pegboard.services import books
from pegboard.services import valuation as stock_value
from pegboard.services.ports import UnitOfWork
from pegboard.views import books as book_views
from pegboard.views.json import number

router = api_router("books")


class PaymentIn(BaseModel):
    """Money received for the order."""

    model_config = ConfigDict(extra="forbid")
    amount: Amount
    method: str = Field(default="", max_length=50, description="How it was paid, e.g. card")
    reference: str = Field(default="", max_length=120, description="The payment's reference")


class RefundIn(BaseModel):
    """Money paid back; no amount means the whole refund due."""

    model_config = ConfigDict(extra="forbid")
    amount: Amount | None = None
    reference: str = Field(default="", max_length=120, description="The refund's reference")


def _order_money(money: books.OrderMoney) -> dict[str, Any]:
    return {
        "order_ref": money.order_ref,
        "entry": money.entry,
        "deposit": number(money.deposit),
        "receivable": number(money.receivable),
        "refund_due": number(money.refund_due),
    }


@router.post("/orders/{order_ref}/payments", status_code=201)
def pay(order_ref: str, body: PaymentIn, write: WriteDep) -> Response:
    """Record money received: a customer deposit until the goods ship; 404 for an unknown order."""

    def work(uow: UnitOfWork) -> Outcome:
        paid = books.pay(
            order_ref, body.amount, method=body.method, reference=body.reference, uow=uow, clock=write.clock
        )
        return Outcome(201, _order_money(paid))

    return write.run(work)


@router.post("/orders/{order_ref}/refunds", status_code=201)
def refund(order_ref: str, write: WriteDep, body: Annotated[RefundIn | None, Body()] = None) -> Response:
    """Record money paid back; never more than was paid and not shipped (422 naming `amount`)."""
    chosen = body or RefundIn()

    def work(uow: UnitOfWork) -> Outcome:
        done = books.refund(order_ref, chosen.amount, reference=chosen.reference, uow=uow, clock=write.clock)
        return Outcome(201, _order_money(done))

    return write.run(work)


@router.get("/journal")
def journal(
    uow: ReaderDep,
    pb: PegboardDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """The journal's lines in the order booked, as `pegboard journal --json` prints them."""
    rows = books.journal(uow, start=start, end=end)
    return json_response(book_views.journal(rows, account_names(pb.settings.account_names)))


@router.get("/balance")
def balance(uow: ReaderDep, pb: PegboardDep) -> Response:
    """The trial balance, as `pegboard balance --json` prints it."""
    lines = books.trial_balance(uow, names=pb.settings.account_names)
    return json_response(book_views.balance(lines, pb.settings.currency))


@router.get("/valuation")
def valuation(
    uow: ReaderDep, pb: PegboardDep, as_of: Annotated[date | None, Query(alias="as_of")] = None
) -> Response:
    """The stock value per item and in total, as `pegboard valuation --json` prints it."""
    found = stock_value.valuation(uow, as_of=as_of)
    return json_response(book_views.valuation(found, pb.settings.currency))
