"""The delivery channels of a wired Pegboard, in the order each event visits them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pegboard.adapters.notify.email import EmailChannel
from pegboard.adapters.shopify.admin import AdminClient
from pegboard.adapters.shopify.channel import ShopifyChannel
from pegboard.adapters.shopify.refunds import ShopifyRefundChannel
from pegboard.services.ports import Channel
from pegboard.services.promising import PromisesChannel

if TYPE_CHECKING:
    from pegboard.bootstrap import Pegboard


def channels_for(pb: Pegboard) -> list[Channel]:
    """Re-promising first (an email may quote the promise), then customer email and the shop."""
    channels: list[Channel] = [PromisesChannel(uow_factory=pb.uow, clock=pb.clock)]
    if pb.settings.smtp_host:
        channels.append(EmailChannel(pb.settings, uow_factory=pb.uow, clock=pb.clock))
    settings = pb.settings
    if settings.shopify_shop_url and settings.shopify_access_token:
        client = AdminClient(
            settings.shopify_shop_url, settings.shopify_access_token, api_version=settings.shopify_api_version
        )
        channels.append(ShopifyChannel(client, uow_factory=pb.reader))
        channels.append(
            ShopifyRefundChannel(client, uow_factory=pb.uow, clock=pb.clock, currency=settings.currency)
        )
    return channels
