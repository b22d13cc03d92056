"""People who sign in to the web app: `pegboard user ...`, argon2 hashes, sessions and throttling."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable

import pytest
from sqlalchemy import select

from pegboard.adapters.db import tables as t
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.domain.errors import DuplicateRef, InvalidValue
from pegboard.entrypoints.cli import main
from pegboard.services import users
from pegboard.services.tokens import Role
from pegboard.services.users import LoginThrottle, SignInRefused, TooManyAttempts

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run the CLI in-process with `stdin` as standard input; (exit code, stdout, stderr)."""

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--db", db_url, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_user_create_reads_the_password_from_stdin_and_list_shows_the_roles(cli: Cli) -> None:
    assert cli("user", "create", "ada", "--role", "admin", stdin="long-enough-pw\n")[0] == 0
    assert cli("user", "create", "bob", "--role", "viewer", stdin="another-password\n")[0] == 0

    code, out, _ = cli("user", "list", "--json")

    assert code == 0
    listed = json.loads(out)
    assert [(u["name"], u["role"], u["disabled_at"]) for u in listed] == [
        ("ada", "admin", None),
        ("bob", "viewer", None),
    ]
    assert "password" not in out and "argon2" not in out


def test_bad_user_input_exits_2_and_creates_nobody(cli: Cli) -> None:
    short = cli("user", "create", "ada", stdin="short\n")
    spaced = cli("user", "create", "ada lovelace", stdin="long-enough-pw\n")
    bad_role = cli("user", "create", "ada", "--role", "owner", stdin="long-enough-pw\n")

    assert short[0] == 2 and "at least 8 characters" in short[2]
    assert spaced[0] == 2 and "without spaces" in spaced[2]
    assert bad_role[0] == 2
    assert json.loads(cli("user", "list", "--json")[1]) == []


def test_a_disabled_user_cannot_sign_in_and_their_sessions_end(cli: Cli, pb: Pegboard) -> None:
    cli("user", "create", "ada", stdin="long-enough-pw\n")
    _, session = users.sign_in("ada", "long-enough-pw", uow=pb.uow(), clock=pb.clock)
    assert users.session_user(session, uow=pb.reader()) == users.User("ada", Role.OPERATOR)

    code, _, _ = cli("user", "disable", "ada")

    assert code == 0
    assert users.session_user(session, uow=pb.reader()) is None
    with pytest.raises(SignInRefused):
        users.sign_in("ada", "long-enough-pw", uow=pb.uow(), clock=pb.clock)
    assert json.loads(cli("user", "list", "--json")[1])[0]["disabled_at"] is not None
    assert cli("user", "disable", "nobody")[0] == 2


def test_passwords_are_stored_as_argon2id_hashes_never_as_given(pb: Pegboard) -> None:
    users.create_user("ada", Role.OPERATOR, "long-enough-pw", uow=pb.uow())

    with pb.engine.connect() as conn:
        stored = conn.execute(select(t.users.c.password_hash)).scalar_one()

    assert stored.startswith("$argon2id$") and "long-enough-pw" not in stored
    with pytest.raises(DuplicateRef):
        users.create_user("ada", Role.VIEWER, "another-password", uow=pb.uow())


def test_a_pegboard_process_hashes_passwords_with_the_production_argon2_parameters(sqlite_url: str) -> None:
    # The test process hashes with a cheap argon2id (tests/conftest.py); `pegboard` itself must not.
    subprocess.run(
        [sys.executable, "-m", "pegboard.entrypoints.cli", "--db", sqlite_url, "user", "create", "ada"],
        input="long-enough-pw\n",
        text=True,
        capture_output=True,
        check=True,
        timeout=120,
    )
    board = bootstrap(Settings(database_url=sqlite_url))
    try:
        with board.engine.connect() as conn:
            stored = conn.execute(select(t.users.c.password_hash)).scalar_one()
        users.sign_in("ada", "long-enough-pw", uow=board.uow(), clock=board.clock)
    finally:
        board.close()

    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert users._hasher.time_cost == 1, "the test process's cheap hasher is not in place"


def test_a_session_token_is_kept_only_as_its_hash(pb: Pegboard) -> None:
    users.create_user("ada", Role.OPERATOR, "long-enough-pw", uow=pb.uow())

    _, token = users.sign_in("ada", "long-enough-pw", uow=pb.uow(), clock=pb.clock)

    with pb.engine.connect() as conn:
        stored = conn.execute(select(t.user_sessions.c.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64
    users.sign_out(token, uow=pb.uow())
    assert users.session_user(token, uow=pb.reader()) is None


def test_the_demo_admin_is_made_only_while_nobody_can_sign_in(cli: Cli, pb: Pegboard) -> None:
    code, out, _ = cli("user", "ensure-demo-admin")
    again = cli("user", "ensure-demo-admin")

    assert code == 0 and "demo" in out
    password = out.split("password ")[1].split()[0]
    user, _ = users.sign_in("demo", password, uow=pb.uow(), clock=pb.clock)
    assert user.role is Role.ADMIN
    assert again[0] == 0 and again[1] == ""


def test_a_password_too_short_is_refused_by_the_service(pb: Pegboard) -> None:
    with pytest.raises(InvalidValue, match="at least 8"):
        users.create_user("ada", Role.OPERATOR, "1234567", uow=pb.uow())


def test_failures_are_counted_per_name_and_per_address_within_the_window() -> None:
    throttle = LoginThrottle(per_name=3, per_address=5, window=900)
    for _ in range(3):
        throttle.failed("ada", "10.0.0.1")

    with pytest.raises(TooManyAttempts) as by_name:
        throttle.check("ADA ", "10.0.0.2")
    throttle.check("bob", "10.0.0.1")
    throttle.failed("bob", "10.0.0.1")
    throttle.failed("cy", "10.0.0.1")
    with pytest.raises(TooManyAttempts):
        throttle.check("dee", "10.0.0.1")
    throttle.check("dee", "10.0.0.3")

    assert "Wait 15 minute(s)" in by_name.value.message


def test_failures_older_than_the_window_no_longer_count() -> None:
    throttle = LoginThrottle(per_name=1, per_address=10, window=0.0)
    throttle.failed("ada", "10.0.0.1")

    throttle.check("ada", "10.0.0.1")
