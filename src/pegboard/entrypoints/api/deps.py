"""Dependencies as `Annotated` aliases: the wired Pegboard, the caller's role, reads and writes.

- `ReaderDep`: an open read transaction, for a caller holding at least a viewer token;
- `OperatorDep`: the caller, who holds an operator (or admin) token;
- `AdminReaderDep`, `AdminDep`: the same for an admin (managing tokens);
- `WriteDep`: runs one use case in one transaction, honouring the Idempotency-Key header.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from pegboard.bootstrap import Pegboard
from pegboard.domain import limits
from pegboard.domain.allocation import AllocationPolicy
from pegboard.domain.errors import DomainError, InvalidValue
from pegboard.entrypoints.api.errors import IdempotencyKeyReused
from pegboard.entrypoints.api.routing import dump, loads_exactly
from pegboard.entrypoints.api.transactions import SharedTransaction
from pegboard.services.intake import Intake
from pegboard.services.ports import Clock, UnitOfWork
from pegboard.services.runner import with_retries
from pegboard.services.tokens import Role, TokenCache, identify, record_use, require

MAX_KEY_LENGTH = limits.IDEMPOTENCY_KEY

log = logging.getLogger("pegboard.api")


async def pegboard(request: Request) -> Pegboard:
    """The Pegboard wired by `create_app` for this process."""
    found: Pegboard = request.app.state.pegboard
    return found


PegboardDep = Annotated[Pegboard, Depends(pegboard)]


_bearer = HTTPBearer(auto_error=False, description="An API token: `pegboard token create --name NAME`")
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass(frozen=True)
class Caller:
    """Who sent the request: the token's name and role."""

    name: str
    role: Role


def _token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return credentials.credentials.strip() if credentials else None


def _recorder(pb: Pegboard) -> Callable[[str], None]:
    """Writes a token's use; a failure is logged, never the request's."""

    def record(name: str) -> None:
        try:
            record_use(name, uow=pb.uow())
        except Exception:
            log.warning("could not record the use of token %r", name, exc_info=True)

    return record


def _read_as(needed: Role) -> Callable[..., Iterator[SharedTransaction]]:
    def read(request: Request, pb: PegboardDep, credentials: CredentialsDep) -> Iterator[SharedTransaction]:
        tx = SharedTransaction(pb.reader())
        try:
            with tx:
                name, role = identify(_token(credentials), uow=tx)
                require(name, role, needed)
                cache: TokenCache = request.app.state.tokens
                cache.used(name, _recorder(pb))
                yield tx
        finally:
            tx.close()

    read.__doc__ = f"A read transaction for a {needed} (or better); the token is checked inside it."
    return read


reader = _read_as(Role.VIEWER)
ReaderDep = Annotated[SharedTransaction, Depends(reader)]
AdminReaderDep = Annotated[SharedTransaction, Depends(_read_as(Role.ADMIN))]


async def operator(request: Request, pb: PegboardDep, credentials: CredentialsDep) -> Caller:
    """The caller, when their token is an operator's or an admin's; 401 or 403 otherwise.

    A token checked in the last few seconds is answered from memory on the event loop; only
    a check against the database goes to a worker thread.
    """
    return await _caller(request, pb, credentials, Role.OPERATOR)


async def admin(request: Request, pb: PegboardDep, credentials: CredentialsDep) -> Caller:
    """The caller, when their token is an admin's; 401 or 403 otherwise."""
    return await _caller(request, pb, credentials, Role.ADMIN)


async def _caller(
    request: Request, pb: Pegboard, credentials: HTTPAuthorizationCredentials | None, needed: Role
) -> Caller:
    cache: TokenCache = request.app.state.tokens
    token = _token(credentials)
    known = cache.recall(token, needed)
    if known is None:
        known = await run_in_threadpool(
            lambda: cache.authorise(token, needed, uow=pb.reader(), record=_recorder(pb))
        )
    return Caller(*known)


AdminDep = Annotated[Caller, Depends(admin)]
OperatorDep = Annotated[Caller, Depends(operator)]


@dataclass(frozen=True)
class Idempotency:
    """The request's Idempotency-Key and a digest of what was asked (method, path, query, body).

    A JSON body is digested in a canonical form (keys sorted, numbers by value), so the same
    JSON with its keys in another order is the same request.
    """

    key: str
    request_hash: str


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Send a write again with the same key to get the first answer, not a second effect",
    ),
]


async def idempotency(request: Request, key: IdempotencyKey = None) -> Idempotency | None:
    """The key, if one was sent; a key must be 1 to 200 visible characters."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or key != key.strip():
        raise InvalidValue("Idempotency-Key", key[:40], f"must be 1 to {MAX_KEY_LENGTH} visible characters")
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), request.url.query.encode()):
        digest.update(part + b"\n")
    digest.update(canonical_body(await request.body()))
    return Idempotency(key, digest.hexdigest())


def canonical_body(body: bytes) -> bytes:
    """A JSON body with its keys sorted and its numbers normalised; any other body as sent."""
    try:
        parsed = loads_exactly(body)
    except (ValueError, UnicodeDecodeError):
        return body
    return json.dumps(
        parsed, sort_keys=True, separators=(",", ":"), default=lambda d: str(d.normalize())
    ).encode()


@dataclass(frozen=True)
class Outcome:
    """What a use case answered: a status code and a JSON body."""

    status: int
    body: Any


Work = Callable[[UnitOfWork], Outcome]


@dataclass(frozen=True)
class Writer:
    """Runs one use case for an operator, in one transaction, at most once per Idempotency-Key."""

    pb: Pegboard
    caller: Caller
    idempotency: Idempotency | None
    #: The process's order intake (group commit), for orders sent without an Idempotency-Key.
    intake: Intake

    @property
    def clock(self) -> Clock:
        """The business clock (fixed in tests and with PEGBOARD_TODAY)."""
        return self.pb.clock

    def policy(self, chosen: AllocationPolicy | None = None) -> AllocationPolicy:
        """The allocation policy asked for, else the configured one."""
        return chosen or self.pb.policy

    def run(self, work: Work) -> Response:
        """Run `work` (retrying deadlocks) and answer; a repeated key replays the stored answer.

        The answer is stored in the same transaction as the work, so a crash between the two
        cannot leave work done without its answer. Two concurrent requests with one key: on
        PostgreSQL the second one's insert of the key waits for the first to commit, then fails
        as a unique clash, which is retried and finds the stored answer; on SQLite writers are
        serialised and the second one finds the answer at once. When a twin finished first
        and this attempt was refused because of it (say, nothing left to ship), the stored
        answer is replayed too.
        """
        try:
            status, body, replayed = with_retries(lambda: self._attempt(work))
        except DomainError:
            stored = self._stored()
            if stored is None:
                raise
            status, body, replayed = stored
        headers = {"Idempotent-Replayed": "true"} if replayed else None
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    def _attempt(self, work: Work) -> tuple[int, bytes, bool]:
        tx = SharedTransaction(self.pb.uow())
        try:
            with tx:
                if self.idempotency is not None:
                    stored = tx.requests.get(self.idempotency.key, owner=self.caller.name)
                    if stored is not None:
                        return self._replay(stored)
                outcome = work(tx)
                body = dump(outcome.body)
                if self.idempotency is not None:
                    tx.requests.save(
                        self.idempotency.key,
                        self.idempotency.request_hash,
                        outcome.status,
                        body.decode(),
                        owner=self.caller.name,
                    )
                tx.finish()
            return outcome.status, body, False
        finally:
            tx.close()

    def _replay(self, stored: tuple[str, int, str]) -> tuple[int, bytes, bool]:
        assert self.idempotency is not None
        request_hash, status, body = stored
        if request_hash != self.idempotency.request_hash:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {self.idempotency.key!r} was used before for a different request"
            )
        return status, body.encode(), True

    def _stored(self) -> tuple[int, bytes, bool] | None:
        if self.idempotency is None:
            return None
        with self.pb.reader() as uow:
            stored = uow.requests.get(self.idempotency.key, owner=self.caller.name)
        return None if stored is None else self._replay(stored)


async def writer(request: Request, credentials: CredentialsDep, key: IdempotencyKey = None) -> Writer:
    """A writer for an authorised operator; the token is checked before the key or the body.

    One dependency rather than a tree of them (Pegboard, operator, key): FastAPI solves every
    node on every request, and this is the path of every order.
    """
    state = request.app.state
    pb: Pegboard = state.pegboard
    caller = await _caller(request, pb, credentials, Role.OPERATOR)
    return Writer(pb, caller, await idempotency(request, key), state.intake)


WriteDep = Annotated[Writer, Depends(writer)]
