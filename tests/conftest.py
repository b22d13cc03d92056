"""Shared fixtures: a real SQLite file and a real PostgreSQL database, both migrated."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from xdist.scheduler import LoadFileScheduling  # type: ignore[import-untyped]

from pegboard.adapters.db.engine import make_engine, normalise_url
from pegboard.adapters.db.migrate import current_revision, head_revision, upgrade
from pegboard.adapters.db.scratch import scratch_postgres_database
from pegboard.adapters.db.tables import metadata
from pegboard.bootstrap import Pegboard, bootstrap
from pegboard.config import Settings
from pegboard.services import users
from tests.invariants import assert_invariants
from tests.smtp_server import SmtpServer, running_smtp_server

# CI runs the property tests on a fixed sequence of examples, so a landing never hangs on luck;
# local runs keep exploring new examples every time.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

# An app started by a test delivers the outbox in the background only when the test asks for it
# (notify_interval_seconds=...): a pass racing a test's own writes would make its counts flaky.
os.environ.setdefault("PEGBOARD_NOTIFY_INTERVAL_SECONDS", "0")
# Apps made by tests keep the order writer a thread (a writer process takes a second to start);
# tests/integration/test_intake_process.py and the served-app tests run the process.
os.environ.setdefault("PEGBOARD_INTAKE_PROCESS", "false")
# Served apps skip loading the forecasting models at start (about 1.6 s of CPU each, in the
# background); the modules that open a forecast turn it back on, as `pegboard serve` runs by default.
os.environ.setdefault("PEGBOARD_FORECAST_PRELOAD", "false")

# Passwords hashed in the test process (users made by tests and by the served workshops' templates) use
# the cheapest argon2id: the production hasher (RFC 9106's second choice: 3 passes over 64 MiB, 4 lanes)
# takes about 0.2 s of CPU a hash, and a sign-in verifies at the cost stored in the hash, so every
# sign-in to a served workshop paid it too. Production code never sees this hasher:
# test_web_users.py checks that a `pegboard` process still hashes with the production parameters.
TEST_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
users._hasher = TEST_PASSWORD_HASHER

MONDAY = date(2026, 11, 23)
POSTGRES_ADMIN_URL = os.environ.get(
    "PEGBOARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


#: The tests that take longest, longest first: the stateful rules on PostgreSQL (three tests of 30 to
#: 170 s), then the modules that serve workshops to Chromium or run long property tests. They start
#: first: with `--dist loadfile` a file runs whole on one worker, and a long file started last leaves
#: the other workers idle at the end. The Makefile turns off xdist's own order (the files with most
#: tests first), which put these few-test, long files last. An entry is a file, or one test function
#: of a file (`file::name`, each of its parameters) ranked apart from the rest of its file. Ranked by
#: the per-file time of a whole run (session 14, `--junitxml`, at load 8 to 11); re-rank as the suite
#: grows.
LONGEST_FIRST = (
    "tests/integration/test_stateful_rules.py::test_any_sequence_of_operations_on_postgres_ends_where_the_rules_say",
    "tests/integration/test_stateful_rules.py::test_any_sequence_of_operations_on_sqlite_ends_where_the_rules_say",
    "tests/integration/test_intake_process.py",
    "tests/integration/services/test_books.py",
    "tests/e2e/test_web_supply_pages.py",
    "tests/e2e/test_cli.py",
    "tests/e2e/test_cli_whatif.py",
    "tests/unit/planning/test_net_change.py",
    "tests/e2e/test_status_page.py",
    "tests/e2e/test_api_errors.py",
    "tests/e2e/test_web_supply_forms.py",
    "tests/e2e/test_api_server_kill.py",
    "tests/e2e/test_web_pages.py",
    "tests/e2e/test_import_kill.py",
    "tests/e2e/test_web_whatif.py",
    "tests/e2e/test_web_orders.py",
    "tests/integration/services/test_customer_email.py",
    "tests/e2e/test_kpis_cli_and_api.py",
    "tests/e2e/test_web_stated_dates.py",
    "tests/e2e/test_cli_tables.py",
    "tests/e2e/test_web_auth.py",
    "tests/e2e/test_api_schemathesis.py",
    "tests/unit/planning/test_whatif.py",
    "tests/e2e/test_cli_database.py",
    "tests/e2e/test_input_edges.py",
    "tests/e2e/test_web_forecast.py",
    "tests/integration/services/test_reliable_promises.py",
    "tests/e2e/test_web_late_materials.py",
    "tests/e2e/test_web_holds.py",
    "tests/integration/views/test_kpis.py",
    "tests/integration/services/test_imports.py",
    "tests/integration/services/test_dropship.py",
    "tests/e2e/test_web_supply_story.py",
    "tests/integration/services/test_whatif_kept_plan.py",
    "tests/unit/planning/test_scope.py",
    "tests/unit/planning/test_leftover.py",
    "tests/e2e/test_api_orders.py",
    "tests/integration/services/test_planning.py",
    "tests/e2e/test_web_reports.py",
    "tests/integration/services/test_learning.py",
    "tests/unit/planning/test_coded.py",
)

#: Files whose tests each go to whichever worker is free, not all to one (`--dist loadfile` keeps a
#: file on one worker so its module fixtures are made once; these have none). The stateful rules
#: took 491 s on one worker at load 10 (session 14), most of it three PostgreSQL tests of 85 to
#: 174 s one after the other; the others are a few tests of 30 to 60 s each (at that load).
EACH_TEST_APART = (
    "tests/integration/test_stateful_rules.py",
    "tests/integration/test_intake_process.py",
    "tests/unit/planning/test_net_change.py",
    "tests/e2e/test_api_server_kill.py",
    "tests/e2e/test_import_kill.py",
    "tests/e2e/test_api_schemathesis.py",
)


def _rank(nodeid: str) -> int:
    """The place of a test in LONGEST_FIRST (its function's entry before its file's), or after all."""
    file, _, name = nodeid.partition("::")
    function = f"{file}::{name.partition('[')[0]}"
    return _RANKS.get(function, _RANKS.get(file, len(_RANKS)))


_RANKS = {entry: i for i, entry in enumerate(LONGEST_FIRST)}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of LONGEST_FIRST first, in its order; every other file after them, as collected."""
    items.sort(key=lambda item: _rank(item.nodeid))


class LoadFileButLongTestsApart(LoadFileScheduling):  # type: ignore[misc]
    """`--dist loadfile`, except that each test of EACH_TEST_APART is a work unit of its own."""

    def _split_scope(self, nodeid: str) -> str:
        file = nodeid.split("::", 1)[0]
        return nodeid if file in EACH_TEST_APART else file


@pytest.hookimpl(optionalhook=True)  # a run with `-p no:xdist` has no such hook
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadFileScheduling | None:
    """The Makefile's `--dist loadfile` schedules by LoadFileButLongTestsApart; other modes as xdist does."""
    if config.getoption("dist") != "loadfile":
        return None
    return LoadFileButLongTestsApart(config, log)


#: The folder where the served workshops of tests/e2e/web_support.py are built, once per run for all
#: of its workers; its name ends with the run's token, which also names the PostgreSQL templates.
WORKSHOPS_FOLDER = "PEGBOARD_TEST_WORKSHOPS"
_WORKSHOPS_PREFIX = "pegboard-web-templates-"


def pytest_configure(config: pytest.Config) -> None:
    """The controller (or a run without workers) makes the run's workshops folder; workers inherit it."""
    if not hasattr(config, "workerinput"):
        folder = Path(tempfile.gettempdir()) / f"{_WORKSHOPS_PREFIX}{uuid.uuid4().hex[:12]}"
        folder.mkdir()
        os.environ[WORKSHOPS_FOLDER] = str(folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    """When every worker is done, the controller drops the run's built workshops."""
    if hasattr(config, "workerinput") or WORKSHOPS_FOLDER not in os.environ:
        return
    folder = Path(os.environ.pop(WORKSHOPS_FOLDER))
    tried_postgres = any(folder.glob("postgres-*.lock"))  # a worker began building one
    shutil.rmtree(folder, ignore_errors=True)
    prefix = workshop_template_prefix(folder)
    if not tried_postgres or not postgres_available():
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
                {"prefix": prefix},
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def workshop_template_prefix(folder: Path) -> str:
    """The names of the run's PostgreSQL workshop templates start with this."""
    return f"pegboard_webtpl_{folder.name.removeprefix(_WORKSHOPS_PREFIX)}_"


#: The databases the running test used: its fixtures' and every one bootstrap() opened.
_USED: list[str] = []


@pytest.fixture(autouse=True)
def invariants_hold_after_the_test(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """After every test, the invariants of DESIGN.md hold in each database it touched.

    A test that breaks them on purpose is marked `breaks_invariants`.
    """
    _USED.clear()

    def recording(url: str, **options: int) -> Engine:
        _USED.append(url)
        return make_engine(url, **options)

    monkeypatch.setattr("pegboard.bootstrap.make_engine", recording)
    yield
    used, _USED[:] = list(dict.fromkeys(_USED)), []
    if request.node.get_closest_marker("breaks_invariants"):
        return
    for url in used:
        _check_invariants(url)


def _check_invariants(url: str) -> None:
    """Check a database at the newest schema; one missing, older or dropped by the test is skipped."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).is_file()):
        return
    kept = _RUN_ENGINES.get(url)
    engine = kept or create_engine(normalise_url(url))
    try:
        try:
            at_head = current_revision(engine) == head_revision()
        except OperationalError:  # a throw-away database the test dropped
            return
        if at_head:
            assert_invariants(engine)
    finally:
        if kept is None:
            engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating each time would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "pegboard.db"
    shutil.copy(sqlite_template, path)
    _USED.append(f"sqlite:///{path}")
    return f"sqlite:///{path}"


def postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database for this test run, migrated once and dropped at the end."""
    if not postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but {POSTGRES_ADMIN_URL} cannot be reached")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    with scratch_postgres_database(POSTGRES_ADMIN_URL, prefix="pegboard_test_") as url:
        commits_without_waiting_for_the_disk(url)
        _RUN_ENGINES[url] = create_engine(url, pool_pre_ping=True)
        try:
            yield url
        finally:
            _RUN_ENGINES.pop(url).dispose()


#: The run's PostgreSQL database and an engine kept on it for the whole run: emptying it before each
#: test and checking its invariants after each reuse one connection. A new connection starts a new
#: server process and reads the catalogue again: emptying took a median 40 ms that way against 5 ms
#: on a kept connection (20 of each, three rounds, load 7), and about 1,000 tests a run take it.
_RUN_ENGINES: dict[str, Engine] = {}


def commits_without_waiting_for_the_disk(url: str) -> None:
    """Sessions of this test database commit without waiting for the WAL to reach the disk
    (`synchronous_commit = off`): a commit is visible to every other session at once as before, and
    only a crash of the PostgreSQL server itself, which no test causes, could lose the last ones.
    A flush took about 10 ms a commit on this shared machine; the suite commits thousands of times."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{make_url(url).database}" SET synchronous_commit = off'))
    finally:
        admin.dispose()


#: Empties every table and restarts every sequence that was used, as `TRUNCATE … RESTART IDENTITY
#: CASCADE` of all tables would, in one statement. TRUNCATE gives each of the 42 tables and their
#: indexes new files and took 0.2 to 1.4 s a test (about 1,000 PostgreSQL tests a run); deleting the
#: few rows a test wrote takes milliseconds. The replica role skips triggers for this transaction
#: only: the ledger's append-only rule, the roll-ups and the foreign keys (so the order is free).
_EMPTY_POSTGRES = f"""
DO $$
BEGIN
    PERFORM set_config('session_replication_role', 'replica', true);
    {" ".join(f'DELETE FROM "{table.name}";' for table in reversed(metadata.sorted_tables))}
    PERFORM setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass,
                   start_value, false)
    FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL;
END
$$"""


def empty_postgres(url: str) -> None:
    """Every table of the PostgreSQL database at `url` empty, and its ids starting at 1 again."""
    kept = _RUN_ENGINES.get(url)
    engine = kept or create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(_EMPTY_POSTGRES))
    finally:
        if kept is None:
            engine.dispose()


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The run's PostgreSQL database, emptied before each test."""
    empty_postgres(postgres_database)
    _USED.append(postgres_database)
    return postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def pb(db_url: str) -> Iterator[Pegboard]:
    """A wired Pegboard on a fresh database, with the business date fixed to MONDAY.

    After the test, the invariants of DESIGN.md must still hold (checked for every test).
    """
    yield from _wired(db_url)


@pytest.fixture
def postgres_pb(postgres_url: str) -> Iterator[Pegboard]:
    """A wired Pegboard on the run's PostgreSQL database alone, for what only PostgreSQL does."""
    yield from _wired(postgres_url)


def _wired(url: str) -> Iterator[Pegboard]:
    """A Pegboard wired on `url`, the business date fixed to MONDAY; closed after the test."""
    board = bootstrap(Settings(database_url=url), today=MONDAY)
    try:
        yield board
    finally:
        board.close()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, keeping every message it accepts."""
    with running_smtp_server() as server:
        yield server
