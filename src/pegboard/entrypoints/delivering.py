"""Outbox delivery for a wired Pegboard: one pass (`pegboard notify`), or a loop in `pegboard serve`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from pegboard.bootstrap import Pegboard
from pegboard.services.delivery import DeliveryReport, deliver_pending
from pegboard.services.ports import Channel

log = logging.getLogger("pegboard.delivery")


def delivery_pass(
    pb: Pegboard,
    *,
    channels: Sequence[Channel] | None = None,
    limit: int = 10_000,
    on_progress: Callable[[int], None] | None = None,
    stopping: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """One pass over the due events with the configured channels and retry settings.

    After the events, each channel that keeps work of its own (the email channel's new dates
    held over to a later day) gets to do it, so nothing waits for the next event to arrive.
    """
    chosen = pb.channels() if channels is None else channels
    report = deliver_pending(
        chosen,
        uow_factory=pb.uow,
        clock=pb.clock,
        max_attempts=pb.settings.outbox_max_attempts,
        backoff_seconds=pb.settings.outbox_backoff_seconds,
        limit=limit,
        on_progress=on_progress,
        stopping=stopping,
    )
    for channel in chosen:
        sweep = getattr(channel, "sweep_if_due", None)
        if sweep is not None:
            try:
                sweep()
            except Exception:  # the next pass sweeps again; the events' outcomes stand
                log.exception("channel %s: its own work failed", channel.name)
    return report


class BackgroundDelivery:
    """A thread that runs a delivery pass every `interval` seconds until `stop()`.

    Several server workers may each run one: claims keep them from taking the same event.
    A pass that fails (say, the database is away) is logged and the loop carries on.
    """

    def __init__(self, pb: Pegboard, *, interval: float) -> None:
        self.pb, self.interval = pb, interval
        self.channels = pb.channels()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the loop; its first pass runs at once."""
        self._thread = threading.Thread(target=self._run, name="pegboard-delivery", daemon=True)
        self._thread.start()

    def stop(self, *, timeout: float = 30.0) -> None:
        """Ask the loop to end after the current batch, and wait for it (at most `timeout` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("outbox delivery did not stop within %.0f s; leaving it behind", timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delivery_pass(self.pb, channels=self.channels, stopping=self._stop.is_set)
            except Exception:
                log.exception("outbox delivery pass failed; trying again in %.1f s", self.interval)
            self._stop.wait(self.interval)
