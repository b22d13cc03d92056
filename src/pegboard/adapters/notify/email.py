"""Customer email over SMTP: messages rendered from templates (plain text + HTML), one connection per batch.

`EmailChannel` is the outbox channel named "email": for each event it asks
`services.notices` what to tell the customer, and the service hands the message to an
`SmtpMailer` before it commits. After the events, the channel sweeps for new dates that had to
wait for a later day (at most one new-date message per order per day).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from types import TracebackType

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pegboard.config import Settings
from pegboard.domain.errors import DomainError
from pegboard.domain.notices import CustomerMessage, NoticeKind, Section
from pegboard.domain.quantities import plain
from pegboard.services import notices
from pegboard.services.notices import Told
from pegboard.services.ports import Clock, StoredEvent, TransientConflict, UnitOfWork

log = logging.getLogger("pegboard.email")

#: The template pair (name.txt, name.html) each kind of message is written with.
TEMPLATE_OF = {
    NoticeKind.CONFIRMATION: "confirmation",
    NoticeKind.NEW_DATE: "new_date",
    NoticeKind.SHIPPED: "shipped",
    NoticeKind.CANCELLED: "cancelled",
    NoticeKind.REFUNDED: "cancelled",
}


class MailNotSent(Exception):
    """The mail server did not take the message (it refused it, or could not be reached)."""


class MailServerDown(MailNotSent):
    """The mail server cannot be reached or talked to: no message of the batch will go."""


def status_url(public_url: str, token: str) -> str:
    """The order-status page a message links to: the public URL, /status/ and the token."""
    return f"{public_url.rstrip('/')}/status/{token}"


@lru_cache(maxsize=4096)
def long_date(day: date | None) -> str:
    """A date as customers read it, in English whatever the machine's locale: Monday 7 December 2026."""
    return "" if day is None else format_date(day, "EEEE d MMMM y", locale="en")


def quantity(number: Decimal) -> str:
    """A quantity without trailing zeros: 2, 0.5."""
    return str(plain(number))


def money(amount: Decimal) -> str:
    """An amount with two decimals and thousands separators: 1,234.50."""
    return f"{amount:,.2f}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class EmailRenderer:
    """Renders a message's plain-text and HTML bodies; HTML escapes everything it is given."""

    def __init__(self, *, shop_name: str, public_url: str, reply_to: str | None) -> None:
        self.shop_name, self.public_url, self.reply_to = shop_name, public_url, reply_to
        self.env = Environment(
            loader=PackageLoader("pegboard.adapters.notify", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(long_date=long_date, quantity=quantity, money=money)

    def render(self, message: CustomerMessage) -> tuple[str, str]:
        """(plain text, HTML) of the message."""
        name = TEMPLATE_OF[message.kind]
        context = {
            "message": message,
            "shop_name": self.shop_name,
            "reply_to": self.reply_to,
            "status_url": status_url(self.public_url, message.status_token) if message.status_token else None,
            **{section.value: message.section(section) for section in Section},
        }
        text = self.env.get_template(f"{name}.txt").render(context)
        html = self.env.get_template(f"{name}.html").render(context)
        return text, html


def compose(message: CustomerMessage, *, settings: Settings, renderer: EmailRenderer) -> EmailMessage:
    """A multipart/alternative email from the shop to the customer, with a Message-ID of the shop's domain."""
    if message.recipient is None:
        raise MailNotSent(f"order {message.order_ref} has no usable email address")
    text, html = renderer.render(message)
    email = EmailMessage()
    try:
        email["From"] = Address(display_name=_one_line(settings.shop_name), addr_spec=settings.smtp_from)
        email["To"] = Address(display_name=_one_line(message.customer), addr_spec=message.recipient)
        if settings.reply_to:
            email["Reply-To"] = settings.reply_to
    except (ValueError, HeaderParseError, IndexError) as error:
        raise MailNotSent(f"order {message.order_ref}: bad email address: {error}") from error
    email["Subject"] = _one_line(message.subject)
    email["Date"] = format_datetime(_utc_now())
    email["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or "localhost")
    email["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps both parts readable and safe for any relay; naming it spares the
    # email package from trying every encoding on every message.
    email.set_content(text, cte="quoted-printable")
    email.add_alternative(html, subtype="html", cte="quoted-printable")
    return email


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SmtpMailer:
    """Sends messages over one SMTP connection, opened at the first message and kept for the batch.

    A connection that broke is opened again once. When the server cannot be reached (or the
    login fails) the mailer is `down` and refuses the rest of the batch at once, instead of
    waiting out a timeout for every message.
    """

    def __init__(self, settings: Settings, renderer: EmailRenderer) -> None:
        if not settings.smtp_host:
            raise ValueError("no SMTP host is set (PEGBOARD_SMTP_HOST)")
        self.settings, self.renderer = settings, renderer
        self.host: str = settings.smtp_host
        self.down: str | None = None
        self.sent = 0
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, message: CustomerMessage) -> None:
        """Hand one message to the server; MailNotSent when it did not take it."""
        if self.down:
            raise MailServerDown(self.down)
        email = compose(message, settings=self.settings, renderer=self.renderer)
        recipient = message.recipient or ""
        for attempt in (1, 2):
            smtp = self._connection()
            try:
                smtp.send_message(email, from_addr=self.settings.smtp_from, to_addrs=[recipient])
            except smtplib.SMTPServerDisconnected as error:
                self._drop()
                if attempt == 2:
                    raise self._went_down(f"the connection broke: {error}") from error
                continue
            except smtplib.SMTPRecipientsRefused as error:
                answers = "; ".join(f"{code} {_text(reply)}" for code, reply in error.recipients.values())
                raise MailNotSent(f"{self._where()} refused {recipient}: {answers}") from error
            except smtplib.SMTPResponseException as error:
                raise MailNotSent(
                    f"{self._where()} answered {error.smtp_code} {_text(error.smtp_error)}"
                ) from error
            except (OSError, smtplib.SMTPException) as error:
                self._drop()
                raise self._went_down(f"sending failed: {type(error).__name__}: {error}") from error
            self.sent += 1
            return

    def close(self) -> None:
        """Say goodbye to the server (if connected)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def _where(self) -> str:
        return f"the SMTP server {self.host}:{self.settings.smtp_port}"

    def _went_down(self, reason: str) -> MailServerDown:
        self.down = f"{self._where()}: {reason}"
        return MailServerDown(self.down)

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        settings = self.settings
        try:
            smtp = smtplib.SMTP(self.host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
        except (OSError, smtplib.SMTPException) as error:
            raise self._went_down(f"cannot connect: {type(error).__name__}: {error}") from error
        try:
            smtp.ehlo()
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
        except (OSError, smtplib.SMTPException) as error:
            smtp.close()
            raise self._went_down(f"cannot start a session: {type(error).__name__}: {error}") from error
        self._smtp = smtp
        return smtp


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


@dataclass
class EmailReport:
    """What the channel's last pass did: messages sent, skipped (no address), failed."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0

    def count(self, told: Told | None) -> None:
        if told is not None:
            if told.sent:
                self.sent += 1
            else:
                self.skipped += 1


UowFactory = Callable[[], UnitOfWork]

#: What one message can fail of without failing the others: the mail server, a database
#: conflict worth a retry, or an event about an order that does not exist.
_PER_MESSAGE_ERRORS = (MailNotSent, TransientConflict, DomainError)


#: How often `deliver` also looks for new dates held over from an earlier day (they are due by
#: the day, not by the second; the look is one query over the waiting lines).
SWEEP_INTERVAL_SECONDS = 60.0


class EmailChannel:
    """The outbox channel that writes to customers: confirmations, new dates, shipments, cancellations."""

    name = "email"

    def __init__(
        self,
        settings: Settings,
        *,
        uow_factory: UowFactory,
        clock: Clock,
        sweep_interval_seconds: float = SWEEP_INTERVAL_SECONDS,
    ) -> None:
        if not settings.smtp_host:
            raise ValueError("the email channel needs an SMTP host (PEGBOARD_SMTP_HOST)")
        self.settings, self.uow_factory, self.clock = settings, uow_factory, clock
        self.sweep_interval_seconds = sweep_interval_seconds
        self.renderer = EmailRenderer(
            shop_name=settings.shop_name, public_url=settings.public_url, reply_to=settings.reply_to
        )
        self.last_report = EmailReport()
        self._swept: tuple[date, float] | None = None

    def wants(self, event_type: str) -> bool:
        """Order placed, promise changed, shipped, cancelled."""
        return event_type in notices.EVENT_TYPES

    def deliver(self, events: Sequence[StoredEvent]) -> dict[str, str]:
        """Tell each event's customer over one connection; then (once a minute) send new dates held over.

        Events whose message the server did not take come back with the reason; an order
        without an email address counts as delivered (its notice is recorded as skipped).
        """
        report = EmailReport()
        failures: dict[str, str] = {}
        today = self.clock.today()
        with SmtpMailer(self.settings, self.renderer) as mailer:
            for event in events:
                if mailer.down:
                    failures[event.id] = mailer.down
                    continue
                try:
                    told = notices.tell_about_event(event, uow=self.uow_factory(), mailer=mailer, today=today)
                except _PER_MESSAGE_ERRORS as error:
                    failures[event.id] = str(error) or type(error).__name__
                    continue
                report.count(told)
            if self._sweep_due(today):
                try:
                    self._sweep(mailer, today, report)
                except Exception:  # the events' outcomes stand either way; a later call sweeps again
                    log.exception("looking for new dates to send failed")
        report.failed += len(failures)
        self.last_report = report
        return failures

    def sweep(self) -> EmailReport:
        """Send the new dates that waited for a later day (one message per order per day)."""
        report = EmailReport()
        with SmtpMailer(self.settings, self.renderer) as mailer:
            self._sweep(mailer, self.clock.today(), report)
        self.last_report = report
        return report

    def sweep_if_due(self) -> None:
        """Send held-over new dates when a sweep is due (a new day, or the interval has passed)."""
        if self._sweep_due(self.clock.today()):
            self.sweep()

    def _sweep_due(self, today: date) -> bool:
        """On a new day at once, else once per interval."""
        last = self._swept
        return last is None or last[0] != today or time.monotonic() - last[1] >= self.sweep_interval_seconds

    def _sweep(self, mailer: SmtpMailer, today: date, report: EmailReport) -> None:
        if mailer.down:
            return
        self._swept = (today, time.monotonic())
        for order_ref in notices.orders_awaiting_new_date(uow=self.uow_factory(), today=today):
            try:
                told = notices.tell_new_dates(order_ref, uow=self.uow_factory(), mailer=mailer, today=today)
            except _PER_MESSAGE_ERRORS as error:
                report.failed += 1
                log.warning("new date for order %s not sent: %s", order_ref, error)
                if mailer.down:
                    return
                if isinstance(error, MailNotSent):
                    # Refused for this order alone: try again tomorrow, not on every pass.
                    notices.new_date_failed(order_ref, str(error), uow=self.uow_factory(), today=today)
                continue
            report.count(told)


def send_test_message(settings: Settings, address: str) -> None:
    """A short message to `address` through the configured SMTP server; MailNotSent says why not."""
    if not settings.smtp_host:
        raise MailNotSent("no SMTP server is set (PEGBOARD_SMTP_HOST)")
    email = EmailMessage()
    email["Subject"] = f"Test email from Pegboard ({settings.shop_name})"
    email["From"] = settings.smtp_from
    email["To"] = address
    email["Date"] = format_datetime(_utc_now())
    email["Message-ID"] = make_msgid(domain="pegboard.local")
    email.set_content("This is a test: Pegboard can send email through this server.\n")
    mailer = SmtpMailer(settings, EmailRenderer(shop_name=settings.shop_name, public_url="", reply_to=None))
    with mailer:
        try:
            mailer._connection().send_message(email, from_addr=settings.smtp_from, to_addrs=[address])
        except smtplib.SMTPRecipientsRefused as error:
            raise MailNotSent(f"{mailer._where()} refused {address}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise MailNotSent(f"{mailer._where()}: {type(error).__name__}: {error}") from error
