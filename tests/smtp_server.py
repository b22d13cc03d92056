"""A real SMTP server for tests and benchmarks: aiosmtpd on 127.0.0.1, keeping what it receives."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class Received:
    """One message as the server took it: the envelope and the parsed email."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    email: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.email["Subject"])

    def part(self, subtype: str) -> str:
        """The text of the text/plain or text/html part."""
        body = self.email.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_type() == f"text/{subtype}", f"no text/{subtype} part"
        return str(body.get_content())  # type: ignore[attr-defined]


@dataclass
class Inbox:
    """Collects every message the server accepts; counts sessions; refuses the addresses in `refuse`."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    #: Seconds the server takes over each message (to make two senders overlap).
    delay: float = 0.0
    sessions: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        with self.lock:
            self.sessions += 1
        return responses

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        content = envelope.original_content or b""
        email = message_from_bytes(content, policy=policy.default)
        assert isinstance(email, EmailMessage)
        with self.lock:
            self.received.append(
                Received(str(envelope.mail_from), tuple(str(r) for r in envelope.rcpt_tos), email)
            )
        return "250 Message accepted for delivery"

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def clear(self) -> None:
        with self.lock:
            self.received.clear()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    """The running server: where it listens and what it received; stop() and start() keep the port."""

    host: str
    port: int
    inbox: Inbox
    controller: Any = None
    #: When set, the server offers AUTH (without TLS: a test server) and takes only this login.
    credentials: tuple[str, str] | None = None
    logins: list[str] = field(default_factory=list)

    def start(self) -> None:
        options: dict[str, Any] = {}
        if self.credentials is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self.controller = Controller(
            self.inbox, hostname=self.host, port=self.port, ready_timeout=10, **options
        )
        self.controller.start()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = (auth_data.login.decode(), auth_data.password.decode())
        if login != self.credentials:
            return AuthResult(success=False, handled=False)
        self.logins.append(login[0])
        return AuthResult(success=True)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self) -> list[Received]:
        return self.inbox.messages()


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1 and a free port, stopped on the way out."""
    server = SmtpServer("127.0.0.1", free_port(), Inbox())
    server.start()
    try:
        yield server
    finally:
        server.stop()
