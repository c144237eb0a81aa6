"""Shared fixtures: a small simulated organisation and the ledger built on it.

Everything dbt writes goes to pytest's temporary directories (target path, logs,
DuckDB files), never into the checkout. dbt runs as a child process through
`snowledger.dbt_runner`, so this process holds no DuckDB lock and can read the
built file afterwards.

Fixtures and helpers for the rest of the suite:

- `simulated_org` (session): a `SimulatedOrg` with `.path` (DuckDB file) and
  `.manifest` (the simulator's ground truth), at `SMALL_SCALE`.
- `built_project` (session): `dbt build` (full) and `dbt docs generate` on
  `simulated_org`; a `BuiltProject`.
- `contract_db` (session): every contract table created empty; enough for dbt
  to compile (sqlfluff's templater), not to test numbers.
- `sqlfluff_run` (session): the finished `sqlfluff lint` of the project. It is
  started in the background as soon as collection selects the lint test, so
  that the slowest check overlaps the simulation and the dbt builds.
- `simulate_org(directory, **overrides)` and
  `build_project(source_db, workdir, args, vars)`: the same on other inputs, for
  tests that need their own organisation or several builds into one target
  (incremental runs). Both are also fixtures of the same name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml
from snowledger import contract
from snowledger.dbt_runner import run_dbt
from snowledger.errors import SnowledgerError
from snowledger.project import project_dir

# Small enough that the session stays quick on two cores, large enough that
# every scenario leaves a mark and every account has queries in every hour.
SMALL_SCALE: dict[str, Any] = {
    "days": 8,
    "queries_per_day": 3_000,
    "accounts": 3,
    "seed": 7,
}


@dataclass(frozen=True)
class SimulatedOrg:
    """A simulated Snowflake organisation written to a DuckDB file."""

    path: Path
    manifest: dict[str, Any]


@dataclass(frozen=True)
class BuiltProject:
    """The result of one dbt command on the local (DuckDB) target.

    `run_results` is the command's own run_results.json, read before any later
    command (such as `docs generate`) replaces the file.
    """

    source_db: Path
    target_db: Path
    target_path: Path
    workdir: Path
    run_results: dict[str, Any] = field(repr=False)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the target, with the source attached as
        `snowflake` (read-only), in UTC. The caller closes it."""
        connection = duckdb.connect(str(self.target_db), read_only=True)
        connection.execute("set TimeZone = 'UTC'")
        source = str(self.source_db).replace("'", "''")
        connection.execute(f"attach '{source}' as snowflake (read_only)")
        return connection

    def query(self, sql: str, parameters: Iterable[Any] | None = None) -> list[tuple]:
        """Rows of one query on the built ledger."""
        with self.connect() as connection:
            return connection.execute(sql, parameters).fetchall()

    def query_df(
        self, sql: str, parameters: Iterable[Any] | None = None
    ) -> pd.DataFrame:
        """One query on the built ledger, as a DataFrame."""
        with self.connect() as connection:
            return connection.execute(sql, parameters).df()

    def artifact(self, name: str) -> dict[str, Any]:
        """A JSON artifact of the target path (manifest.json, catalog.json)."""
        return json.loads((self.target_path / name).read_text())


def _write_simulation(path: Path, overrides: Mapping[str, Any]) -> SimulatedOrg:
    from snowledger.simulator import SimulationConfig, resolve_scenarios, simulate

    settings = {**SMALL_SCALE, "scenarios": resolve_scenarios(()), **overrides}
    manifest = simulate(SimulationConfig(**settings), path)
    return SimulatedOrg(path=path, manifest=manifest)


def simulate_org(directory: Path, **overrides: Any) -> SimulatedOrg:
    """Simulate an organisation into `directory`/snowflake.duckdb, at
    `SMALL_SCALE` with every scenario unless `overrides` say otherwise (any
    `SimulationConfig` field)."""
    directory.mkdir(parents=True, exist_ok=True)
    return _write_simulation(directory / "snowflake.duckdb", overrides)


def configured_accounts() -> list[dict[str, Any]]:
    """The accounts of var `snowledger_accounts` in dbt_project.yml."""
    document = yaml.safe_load((project_dir() / "dbt_project.yml").read_text())
    return document["vars"]["snowledger_accounts"]


def write_contract_db(path: Path) -> Path:
    """A source file holding every contract table, empty, for every configured
    account and for ORGANIZATION_USAGE."""
    schemas = {account["schema"]: "account_usage" for account in configured_accounts()}
    schemas["organization_usage"] = "organization_usage"
    with duckdb.connect(str(path)) as connection:
        for schema, source in schemas.items():
            connection.execute(f"create schema if not exists {schema}")
            for view in contract.views(source):
                connection.execute(contract.create_table_sql(source, view, schema))
    return path


def _failed_nodes(run_results: Mapping[str, Any]) -> list[str]:
    return [
        f"{result['unique_id']}: {result['status']}: {result.get('message')}"
        for result in run_results.get("results", [])
        if result["status"] in {"error", "fail", "runtime error"}
    ]


def build_project(
    source_db: Path,
    workdir: Path,
    args: Iterable[str] = ("build",),
    vars: Mapping[str, Any] | None = None,
    *,
    check: bool = True,
) -> BuiltProject:
    """Run one dbt command on the local target over `source_db`, building into
    `workdir`/snowledger.duckdb (target path and logs also under `workdir`).

    The same `workdir` means the same target database, so a second call runs
    incremental models incrementally. With `check`, a failing command raises an
    AssertionError naming every failed node and its message.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    target_path = workdir / "target"
    command = list(args)
    if vars:
        command += ["--vars", json.dumps(dict(vars))]
    error: SnowledgerError | None = None
    try:
        run_dbt(
            command,
            source_db=source_db,
            target_db=workdir / "snowledger.duckdb",
            extra_env={
                "DBT_TARGET_PATH": str(target_path),
                "DBT_LOG_PATH": str(workdir / "logs"),
            },
        )
    except SnowledgerError as failure:
        error = failure
    results_file = target_path / "run_results.json"
    run_results = json.loads(results_file.read_text()) if results_file.exists() else {}
    if error is not None and check:
        failed = "\n".join(_failed_nodes(run_results)) or "(no node results)"
        raise AssertionError(f"{error}\nfailed nodes:\n{failed}")
    return BuiltProject(
        source_db=source_db,
        target_db=workdir / "snowledger.duckdb",
        target_path=target_path,
        workdir=workdir,
        run_results=run_results,
    )


@pytest.fixture(scope="session")
def simulated_org(tmp_path_factory: pytest.TempPathFactory) -> SimulatedOrg:
    return simulate_org(tmp_path_factory.mktemp("simulated_org"))


@pytest.fixture(scope="session")
def contract_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_contract_db(tmp_path_factory.mktemp("contract") / "contract.duckdb")


@pytest.fixture(scope="session")
def built_project(
    simulated_org: SimulatedOrg, tmp_path_factory: pytest.TempPathFactory
) -> BuiltProject:
    workdir = tmp_path_factory.mktemp("built_project")
    project = build_project(simulated_org.path, workdir, ("build",))
    build_project(simulated_org.path, workdir, ("docs", "generate"))
    return project


@pytest.fixture(scope="session", name="simulate_org")
def simulate_org_fixture() -> Callable[..., SimulatedOrg]:
    return simulate_org


@pytest.fixture(scope="session", name="build_project")
def build_project_fixture() -> Callable[..., BuiltProject]:
    return build_project


# sqlfluff in the background ------------------------------------------------

# Everything dbt reads as SQL; sqlfluff skips macros and CSV seeds itself.
SQL_PATHS = ("models", "macros", "snapshots", "tests/data_tests", "seeds", "analyses")
LINT_TEST = "test_sqlfluff_reports_no_violations"


@dataclass
class SqlfluffRun:
    """`sqlfluff lint --format json` over the project, run as a child process
    with dbt's files and an empty contract database in its own directory."""

    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> SqlfluffRun:
        # The dbt templater compiles the project, and the account union macro
        # looks up the source tables while compiling: an empty contract
        # database is enough.
        contract_db = write_contract_db(self.workdir / "contract.duckdb")
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(project_dir()),
            "DBT_TARGET_PATH": str(self.workdir / "target"),
            "DBT_LOG_PATH": str(self.workdir / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "SNOWLEDGER_SOURCE_DB": str(contract_db),
            "SNOWLEDGER_TARGET_DB": str(self.workdir / "lint.duckdb"),
            "SNOWLEDGER_TARGET": "local",
        }
        paths = [path for path in SQL_PATHS if (project_dir() / path).is_dir()]
        sqlfluff = Path(sys.executable).parent / "sqlfluff"
        with (
            (self.workdir / "stdout").open("wb") as stdout,
            (self.workdir / "stderr").open("wb") as stderr,
        ):
            self.process = subprocess.Popen(
                [str(sqlfluff), "lint", *paths, "--format", "json"],
                cwd=project_dir(),
                env=env,
                stdout=stdout,
                stderr=stderr,
            )
        return self

    def wait(self) -> subprocess.CompletedProcess[str]:
        """The finished run: exit code, JSON report on stdout, log on stderr."""
        if self.process is None:
            self.start()
        assert self.process is not None
        returncode = self.process.wait(timeout=1200)
        return subprocess.CompletedProcess(
            self.process.args,
            returncode,
            (self.workdir / "stdout").read_text(),
            (self.workdir / "stderr").read_text(),
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


_SQLFLUFF = pytest.StashKey[SqlfluffRun]()


def pytest_collection_finish(session: pytest.Session) -> None:
    if any(item.name == LINT_TEST for item in session.items):
        workdir = Path(tempfile.mkdtemp(prefix="snowledger-sqlfluff-"))
        session.config.stash[_SQLFLUFF] = SqlfluffRun(workdir).start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if run := config.stash.get(_SQLFLUFF, None):
        run.stop()


@pytest.fixture(scope="session")
def sqlfluff_run(request: pytest.FixtureRequest) -> subprocess.CompletedProcess[str]:
    run = request.config.stash.get(_SQLFLUFF, None)
    if run is None:
        workdir = Path(tempfile.mkdtemp(prefix="snowledger-sqlfluff-"))
        run = request.config.stash[_SQLFLUFF] = SqlfluffRun(workdir)
    return run.wait()
