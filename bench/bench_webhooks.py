"""Shopify webhook intake: signed `orders/create` deliveries to a real `pegboard serve`, on loopback.

    python -m bench.bench_webhooks --db postgres --orders 3000 --runs 3
    python -m bench.bench_webhooks --db postgres --orders 3000 --runs 3 --rate 700
    python -m bench.bench_webhooks --db postgres --orders 3000 --duplicates 0.1

Each run gets a fresh database with the workload's catalogue, stock and POs imported (untimed)
and a server started as `pegboard serve --workers W` (PEGBOARD_SHOPIFY_SECRET set; background
outbox delivery off, so that only intake is measured). Every order of the workload becomes a
Shopify order payload of realistic shape and size, signed with HMAC-SHA256 ahead of time, and is
POSTed to /shopify/webhooks once with its own X-Shopify-Event-Id; `--duplicates F` re-sends that
share of them (Shopify's retries), which must change nothing. Each delivery is verified,
de-duplicated and placed with allocation in one transaction by the server.

The load comes from this process: a small asyncio HTTP/1.1 client on raw sockets (keep-alive,
`--concurrency` connections; about 0.1 ms of CPU per request, reported). Without `--rate` it is
closed-loop (each connection sends its next delivery when the last is answered: the most the
server takes). With `--rate R` it is open-loop: deliveries are due at R per second whatever
happens, and latency counts from when each was due, so a server that falls behind shows it in
p99 (no coordinated omission). Reported: deliveries acknowledged (200) per second, p50/p99
latency, CPU per delivery of client, server and PostgreSQL, and a check that every order was
stored exactly once and no item is allocated beyond its on-hand.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.bench_http import cpu_snapshot, create_token, free_port, server
from bench.common import (
    cpu_used,
    fresh_database,
    load_catalogue,
    machine,
    open_board,
    outcome,
    percentile,
    spread,
)
from bench.workload import Sizes, generate
from pegboard.adapters.shopify.verify import signature
from pegboard.services.orders import OrderDraft

SECRET = "bench-shopify-secret"
PATH = "/shopify/webhooks"


def shop_payload(draft: OrderDraft, n: int) -> bytes:
    """The order as Shopify's orders/create webhook sends it (the fields Pegboard reads, and others)."""
    created = f"{draft.ordered_at.isoformat()}Z" if draft.ordered_at else "2026-01-05T08:00:00Z"
    order_id = 6_000_000_000 + n
    items = [
        {
            "id": order_id * 10 + k,
            "admin_graphql_api_id": f"gid://shopify/LineItem/{order_id * 10 + k}",
            "variant_id": 40_000 + k,
            "product_id": 30_000 + k,
            "title": f"Product {line.sku}",
            "variant_title": None,
            "vendor": "Workshop",
            "quantity": int(line.quantity),
            "current_quantity": int(line.quantity),
            "fulfillable_quantity": int(line.quantity),
            "sku": line.sku,
            "price": str(line.unit_price or "0.00"),
            "price_set": {
                "shop_money": {"amount": str(line.unit_price or "0.00"), "currency_code": "EUR"},
                "presentment_money": {"amount": str(line.unit_price or "0.00"), "currency_code": "EUR"},
            },
            "total_discount": "0.00",
            "requires_shipping": True,
            "taxable": True,
            "gift_card": False,
            "grams": 500,
            "fulfillment_service": "manual",
            "fulfillment_status": None,
            "properties": [],
            "tax_lines": [{"title": "VAT", "price": "1.00", "rate": 0.2, "channel_liable": False}],
            "discount_allocations": [],
        }
        for k, line in enumerate(draft.lines, start=1)
    ]
    address = {
        "first_name": "Ada",
        "last_name": draft.customer,
        "name": f"Ada {draft.customer}",
        "address1": f"{n} Analytical Row",
        "address2": None,
        "city": "London",
        "zip": "W1 2AB",
        "province": None,
        "country": "United Kingdom",
        "country_code": "GB",
        "company": None,
        "phone": None,
        "latitude": 51.5,
        "longitude": -0.12,
    }
    return json.dumps(
        {
            "id": order_id,
            "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
            "name": f"#{1000 + n}",
            "order_number": 1000 + n,
            "email": draft.email,
            "contact_email": draft.email,
            "created_at": created,
            "updated_at": created,
            "processed_at": created,
            "cancelled_at": None,
            "cancel_reason": None,
            "financial_status": "paid",
            "fulfillment_status": None,
            "currency": "EUR",
            "presentment_currency": "EUR",
            "subtotal_price": "100.00",
            "total_price": "120.00",
            "total_tax": "20.00",
            "taxes_included": True,
            "total_weight": 1000,
            "tags": "",
            "note": None,
            "note_attributes": [],
            "source_name": "web",
            "test": False,
            "customer": {
                "id": 7_000 + n,
                "first_name": "Ada",
                "last_name": draft.customer,
                "email": draft.email,
            },
            "billing_address": address,
            "shipping_address": address,
            "shipping_lines": [{"title": "Standard", "price": "5.00", "code": "STD"}],
            "line_items": items,
        },
        separators=(",", ":"),
    ).encode()


def request_bytes(body: bytes, event_id: str, port: int) -> bytes:
    """One complete HTTP/1.1 request, signed, ready to write to the socket."""
    head = (
        f"POST {PATH} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Shopify-Topic: orders/create\r\n"
        f"X-Shopify-Hmac-Sha256: {signature(body, SECRET)}\r\n"
        f"X-Shopify-Event-Id: {event_id}\r\n"
        "X-Shopify-Shop-Domain: bench.myshopify.com\r\n"
        "X-Shopify-API-Version: 2025-01\r\n"
        "\r\n"
    )
    return head.encode() + body


@dataclass
class Load:
    """What the client saw: wall time, per-delivery latencies (s), statuses and outcomes."""

    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    cpu: float = 0.0


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


def _record(load: Load, status: int, answer: bytes, latency: float) -> None:
    load.latencies.append(latency)
    load.statuses[status] += 1
    if status == 200:
        load.outcomes[json.loads(answer)["outcome"]] += 1


async def drive(port: int, requests: Sequence[bytes], *, concurrency: int, rate: float | None) -> Load:
    """Send every request once over `concurrency` keep-alive connections, closed- or open-loop."""
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(concurrency)]
    load = Load()
    # The client's own garbage collector would stop it for tens of milliseconds as its tasks
    # pile up, and every delivery due meanwhile would count that pause as server latency.
    gc.collect()
    gc.disable()
    cpu = time.process_time()
    started = time.perf_counter()
    if rate is None:
        queue = iter(requests)

        async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for request in queue:
                sent = time.perf_counter()
                status, answer = await _exchange(reader, writer, request)
                _record(load, status, answer, time.perf_counter() - sent)

        await asyncio.gather(*(worker(r, w) for r, w in connections))
    else:
        free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
        for pair in connections:
            free.put_nowait(pair)

        async def one(request: bytes, due: float) -> None:
            reader, writer = await free.get()
            status, answer = await _exchange(reader, writer, request)
            _record(load, status, answer, time.perf_counter() - due)
            free.put_nowait((reader, writer))

        tasks = []
        for n, request in enumerate(requests):
            due = started + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(request, due)))
        await asyncio.gather(*tasks)
    load.elapsed = time.perf_counter() - started
    load.cpu = time.process_time() - cpu
    gc.enable()
    for _, writer in connections:
        writer.close()
    return load


def main(argv: list[str] | None = None) -> list[float]:
    parser = argparse.ArgumentParser(description="Shopify webhook intake through POST /shopify/webhooks")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections of the client")
    parser.add_argument("--rate", type=float, default=None, help="open loop: deliveries due per second")
    parser.add_argument("--duplicates", type=float, default=0.0, help="share of deliveries sent twice")
    parser.add_argument("--server-workers", type=int, default=2, help="pegboard serve --workers")
    parser.add_argument("--with-delivery", action="store_true", help="leave background outbox delivery on")
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    work = generate(Sizes(orders=args.orders, skus=args.skus, seed=args.seed))
    drafts = work.drafts()
    bodies = [shop_payload(draft, n) for n, draft in enumerate(drafts)]
    os.environ["PEGBOARD_SHOPIFY_SECRET"] = SECRET
    label = (
        f"webhooks db={args.db} orders={len(bodies)} c={args.concurrency} "
        f"server-workers={args.server_workers} "
        + (f"rate={args.rate:g}/s" if args.rate else "closed-loop")
        + (f" duplicates={args.duplicates:g}" if args.duplicates else "")
        + (" with-delivery" if args.with_delivery else "")
    )
    size = sum(map(len, bodies)) / len(bodies)
    print(f"# {machine()}; payload {size / 1024:.1f} KiB on average", flush=True)
    rates = []
    for run in range(1, args.runs + 1):
        with fresh_database(args.db) as url:
            pb = open_board(url)
            try:
                load_catalogue(pb, work)
            finally:
                pb.close()
            token = create_token(url)
            port = free_port()
            plan = [(body, f"evt-{run}-{n}") for n, body in enumerate(bodies)]
            rng = random.Random(args.seed + run)
            replays = rng.sample(plan, int(len(plan) * args.duplicates))
            # A retry comes some time after the first delivery: mixed in later, never before it.
            for replay in replays:
                position = plan.index(replay)
                plan.insert(rng.randint(position + 1, len(plan)), replay)
            requests = [request_bytes(body, event_id, port) for body, event_id in plan]
            with server(
                url,
                port=port,
                workers=args.server_workers,
                token=token,
                pool_size=args.concurrency,
                delivery=args.with_delivery,
            ) as (
                _base,
                group,
            ):
                database = url.rsplit("/", 1)[1] if args.db == "postgres" else None
                before = cpu_snapshot(group, database)
                load = asyncio.run(drive(port, requests, concurrency=args.concurrency, rate=args.rate))
                after = cpu_snapshot(group, database)
            check = open_board(url)
            try:
                stored = outcome(check)
            finally:
                check.close()
        acknowledged = load.statuses.get(200, 0)
        rate = acknowledged / load.elapsed
        rates.append(rate)
        ms = [x * 1000 for x in load.latencies]
        used = {
            "client": load.cpu,
            "server": cpu_used(before[0], after[0]),
            "postgres": cpu_used(before[1], after[1]),
        }
        busy = after[2][0] - before[2][0]
        cpu = ", ".join(f"{k} {v * 1e6 / len(requests):.0f} us" for k, v in used.items())
        cpu += f", anything else {(busy - sum(used.values())) * 1e6 / len(requests):.0f} us"
        print(
            f"{label} run {run}: {rate:.0f} deliveries/s acknowledged in {load.elapsed:.2f} s; latency p50 "
            f"{percentile(ms, 0.5):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.0f} ms; "
            f"CPU per delivery: {cpu}; statuses {dict(load.statuses)}; outcomes {dict(load.outcomes)}; "
            f"{stored.describe()}",
            flush=True,
        )
        placed_once = stored.orders == len(bodies) and load.outcomes["placed"] == len(bodies)
        if not placed_once or acknowledged != len(requests) or stored.overallocated_items:
            raise SystemExit(f"{label}: not every order was placed exactly once: {stored.describe()}")
    print(f"RESULT {label}: {spread(rates)} deliveries/s (median, min..max over runs)")
    return rates


if __name__ == "__main__":
    main()
