"""Same seed, same file; another seed, another organisation; a longer
simulation extends a shorter one; and the configuration is checked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from snowledger import contract
from snowledger.errors import SnowledgerError
from snowledger.simulator import (
    SCENARIOS,
    SimulationConfig,
    manifest_path,
    resolve_scenarios,
    simulate,
)
from snowledger.simulator.org import ACCOUNTS

# Views that show the state at the end of the period rather than history.
CURRENT_STATE = {
    "users",
    "roles",
    "grants_to_users",
    "tags",
    "tag_references",
    "table_storage_metrics",
}
TINY = {"queries_per_day": 800, "accounts": 2, "seed": 11}


def _tables(accounts: int) -> list[str]:
    names = [
        f"{a.schema}.{view}"
        for a in ACCOUNTS[:accounts]
        for view in contract.views("account_usage")
    ]
    names += [
        f"organization_usage.{view}" for view in contract.views("organization_usage")
    ]
    return names


def _difference(left: Path, right: Path, table: str) -> tuple[int, int]:
    """(rows only in left, rows only in right), duplicates counted."""
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(f"attach '{left}' as l (read_only)")
        connection.execute(f"attach '{right}' as r (read_only)")
        columns = "* exclude (bind_values)" if table.endswith("query_history") else "*"
        only_left = connection.execute(
            f"select count(*) from (select {columns} from l.{table} "
            f"except all select {columns} from r.{table})"
        ).fetchone()[0]
        only_right = connection.execute(
            f"select count(*) from (select {columns} from r.{table} "
            f"except all select {columns} from l.{table})"
        ).fetchone()[0]
    return only_left, only_right


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    out = {}
    base = tmp_path_factory.mktemp("determinism")
    for name, days, seed in (("a", 5, 11), ("b", 5, 11), ("c", 5, 12), ("long", 6, 11)):
        path = base / name / "snowflake.duckdb"
        config = SimulationConfig(days=days, **{**TINY, "seed": seed})
        out[name] = (path, simulate(config, path))
    return out


def test_the_same_seed_gives_the_same_file(runs) -> None:
    for table in _tables(2):
        assert _difference(runs["a"][0], runs["b"][0], table) == (0, 0), table
    assert runs["a"][1] == runs["b"][1]


def test_another_seed_gives_another_organisation(runs) -> None:
    assert _difference(runs["a"][0], runs["c"][0], "account_usage.query_history") != (
        0,
        0,
    )
    assert runs["a"][1]["totals"] != runs["c"][1]["totals"]


def test_a_longer_simulation_extends_a_shorter_one(runs) -> None:
    short, long_ = runs["a"][0], runs["long"][0]
    for table in _tables(2):
        if table.split(".")[1] in CURRENT_STATE:
            continue
        only_short, _ = _difference(short, long_, table)
        assert only_short == 0, (
            f"{table}: rows of the 5-day file changed in the 6-day one"
        )


def test_late_rows_arrive_in_a_later_simulation(runs) -> None:
    short_path, short = runs["a"]
    long_path = runs["long"][0]
    withheld = short["accounts"][0]["late_rows"]["query_history"]
    assert withheld > 0
    last_day = short["period"]["end"]
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(f"attach '{short_path}' as s (read_only)")
        connection.execute(f"attach '{long_path}' as l (read_only)")
        arrived = connection.execute(f"""
            select count(distinct query_id) from l.account_usage.query_history
            where start_time < timestamptz '{last_day} 00:00:00+00' + interval 1 day
                and query_id not in (select query_id from s.account_usage.query_history)
        """).fetchone()[0]
        assert arrived > 0
        (new_days,) = connection.execute("""
            select count(*) from l.account_usage.metering_daily_history
            where usage_date > (select max(usage_date)
                                from s.account_usage.metering_daily_history)
        """).fetchone()
        assert new_days > 0


def test_the_output_is_replaced_atomically(tmp_path) -> None:
    path = tmp_path / "out" / "snowflake.duckdb"
    path.parent.mkdir()
    path.write_text("not a database")
    manifest = simulate(
        SimulationConfig(
            days=1, queries_per_day=200, accounts=1, scenarios=frozenset()
        ),
        path,
    )
    assert manifest_path(path) == tmp_path / "out" / "snowflake.manifest.json"
    assert json.loads(manifest_path(path).read_text())["totals"] == manifest["totals"]
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "snowflake.duckdb",
        "snowflake.manifest.json",
    ]
    with duckdb.connect(str(path), read_only=True) as connection:
        schemas = {
            r[0]
            for r in connection.execute(
                "select schema_name from information_schema.schemata"
            ).fetchall()
        }
    assert {"account_usage", "organization_usage"} <= schemas
    assert "account_usage_eu" not in schemas


def test_resolve_scenarios() -> None:
    assert resolve_scenarios(()) == frozenset(SCENARIOS)
    assert resolve_scenarios(("none",)) == frozenset()
    assert resolve_scenarios(("cost_spike", "queueing")) == {"cost_spike", "queueing"}
    with pytest.raises(SnowledgerError) as error:
        resolve_scenarios(("cost_spike", "no_such_scenario"))
    message = str(error.value)
    assert "no_such_scenario" in message
    assert all(name in message for name in SCENARIOS)


@pytest.mark.parametrize(
    "overrides, text",
    [
        ({"accounts": 4}, "accounts must be 1, 2 or 3"),
        ({"days": 0}, "days must be at least 1"),
        ({"queries_per_day": 10}, "queries_per_day must be at least 100"),
        ({"scenarios": frozenset({"bogus"})}, "unknown scenario bogus"),
    ],
)
def test_a_bad_configuration_is_a_clear_error(tmp_path, overrides, text) -> None:
    with pytest.raises(SnowledgerError, match=text):
        simulate(SimulationConfig(**overrides), tmp_path / "x.duckdb")
    assert not (tmp_path / "x.duckdb").exists()


def test_the_default_configuration() -> None:
    config = SimulationConfig()
    assert (
        config.days,
        config.start_date,
        config.queries_per_day,
        config.accounts,
        config.seed,
    ) == (30, dt.date(2026, 11, 1), 10_000, 3, 42)
    assert config.scenarios == frozenset(SCENARIOS)
