"""Sales orders: the ranked list, a new order, one order's page and its actions."""

from __future__ import annotations

from fastapi import APIRouter

from pegboard.entrypoints.web.rendering import Renderer


def make_router(renderer: Renderer) -> APIRouter:
    """/orders, /orders/new, /orders/{ref} and the order's actions."""
    router = APIRouter(include_in_schema=False)
    return router
