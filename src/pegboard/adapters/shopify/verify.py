"""Webhook authenticity: Shopify signs each raw body with the app's shared secret (HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature(body: bytes, secret: str) -> str:
    """The base64 HMAC-SHA256 of the raw body, as Shopify sends it in X-Shopify-Hmac-Sha256."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def is_authentic(body: bytes, secret: str | None, header: str | None) -> bool:
    """True only when a secret is configured and the header matches the body's signature.

    The comparison takes the same time wherever the first difference is, so the signature
    cannot be guessed byte by byte.
    """
    if not secret or not header:
        return False
    return hmac.compare_digest(signature(body, secret).encode(), header.strip().encode())
