"""Pegboard: backorder-first inventory, sales, purchasing and production."""

__version__ = "0.1.0"
