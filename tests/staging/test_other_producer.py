"""The project on data from another producer than the simulator.

`fixtures.other_producer` writes ACCOUNT_USAGE and ORGANIZATION_USAGE by the
Snowflake reference alone, with another column order, extra and missing
columns, non-UTC sessions and other numeric types. The whole project must
build on it and pass its tests, staging must carry its numbers through
unchanged, and the ledger must find the totals the producer knows.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fixtures.other_producer import write_other_producer

pytestmark = pytest.mark.dbt

# The whole project, so that the ledger marts too are proven on a second
# producer, not only staging.
BUILD = ("build",)
# Staging alone, for the broken-source cases; `cautious` keeps out tests that
# also read a mart (a relationships test of daily_rates, for instance).
STAGING = ("build", "--select", "staging", "--indirect-selection", "cautious")


class Staged:
    """The other producer's file, its truth, and the staging built on it."""

    def __init__(self, project: Any, truth: dict[str, Any]) -> None:
        self.project = project
        self.truth = truth

    def query(self, sql: str, parameters: list[Any] | None = None) -> list[tuple]:
        return self.project.query(sql, parameters)

    def log(self) -> str:
        return (self.project.workdir / "logs" / "dbt.log").read_text()


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory, build_project) -> Staged:
    directory = tmp_path_factory.mktemp("other_producer")
    truth = write_other_producer(directory / "snowflake.duckdb")
    project = build_project(directory / "snowflake.duckdb", directory / "build", BUILD)
    return Staged(project, truth)


def _account_usage_models(staged: Staged) -> list[str]:
    rows = staged.query(
        "select table_name from information_schema.tables"
        " where table_catalog = 'snowledger' and table_schema = 'main'"
        " and table_name like 'stg_account_usage__%' order by 1"
    )
    return [name for (name,) in rows]


def test_staging_builds_and_every_test_passes(staged: Staged) -> None:
    results = staged.project.run_results["results"]
    statuses = {result["status"] for result in results}
    assert statuses <= {"success", "pass"}, statuses
    assert sum(result["unique_id"].startswith("test.") for result in results) > 100


def test_every_account_usage_row_carries_its_account_and_region(
    staged: Staged,
) -> None:
    models = _account_usage_models(staged)
    assert len(models) == 29
    seen: set[tuple[str, str]] = set()
    for model in models:
        rows = staged.query(
            f"select account_name, region, count(*) from {model} group by all"
        )
        for account, region, _ in rows:
            assert (account, region) in staged.truth["accounts"].items(), model
            seen.add((account, region))
    assert seen == set(staged.truth["accounts"].items())


def test_absent_optional_accounts_and_views_are_skipped_with_a_log_line(
    staged: Staged,
) -> None:
    log = staged.log()
    assert "ACME_APAC is configured (optional)" in log
    # The second account has only its core views: its missing ones are
    # skipped one by one, the rest are read.
    assert '"account_usage_eu"."query_attribution_history" does not exist' in log
    assert '"account_usage_eu"."query_history" does not exist' not in log
    assert staged.query(
        "select distinct account_name from stg_account_usage__query_attribution_history"
    ) == [("ACME_US",)]


def test_duplicate_statements_collapse_to_the_fullest_reading(staged: Staged) -> None:
    truth = staged.truth
    rows = staged.query(
        "select query_id, count(*) from stg_account_usage__query_history group by 1"
    )
    assert sorted(query_id for query_id, _ in rows) == truth["query_ids"]
    assert {count for _, count in rows} == {1}
    partial = truth["partial_reading"]
    kept = staged.query(
        "select total_elapsed_ms, cloud_services_credits"
        " from stg_account_usage__query_history where query_id = ?",
        [partial["query_id"]],
    )
    assert kept == [(partial["total_elapsed_ms"], Decimal("0.02"))]


def test_timestamps_are_the_same_instants_in_utc(staged: Staged) -> None:
    truth = staged.truth
    rows = staged.query(
        "select query_id, started_at, ended_at from stg_account_usage__query_history"
    )
    assert {query_id: start for query_id, start, _ in rows} == truth["query_started_at"]
    assert {query_id: end for query_id, _, end in rows} == truth["query_ended_at"]
    midnight = truth["midnight_query_id"]
    (started, ended) = staged.query(
        "select started_at, ended_at from stg_account_usage__query_history"
        " where query_id = ?",
        [midnight],
    )[0]
    assert started.date() < ended.date()
    # Hours written through a Los Angeles session, as UTC wall clock and with a
    # +01:00 offset all land on the same UTC hours.
    hours = staged.query(
        "select account_name, warehouse_name, usage_hour, compute_credits"
        " from stg_account_usage__warehouse_metering_history"
        " where compute_credits > 0"
    )
    assert {(a, w, h): c for a, w, h, c in hours} == truth["compute_credits"]
    org_hours = staged.query(
        "select account_name, warehouse_name, usage_hour, compute_credits"
        " from stg_organization_usage__warehouse_metering_history"
        " where compute_credits > 0"
    )
    assert {(a, w, h): c for a, w, h, c in org_hours} == truth["compute_credits"]


def test_error_codes_are_text_whatever_type_they_arrive_in(staged: Staged) -> None:
    (kind,) = staged.query(
        "select distinct typeof(error_code) from stg_account_usage__query_history"
    )[0]
    assert kind == "VARCHAR"
    rows = staged.query(
        "select query_id, error_code from stg_account_usage__query_history"
        " where error_code is not null"
    )
    # '000604' keeps its leading zeros; the second account's numeric 100038
    # reads as '100038'.
    assert dict(rows) == staged.truth["error_codes"]


def test_missing_optional_columns_read_null(staged: Staged) -> None:
    assert staged.query(
        "select count(*), count(query_hash), count(parent_query_id),"
        " count(query_acceleration_credits)"
        " from stg_account_usage__query_attribution_history"
    ) == [(21, 0, 0, 0)]
    eu_hours = staged.query(
        "select count(*), count(attributed_compute_credits)"
        " from stg_account_usage__warehouse_metering_history"
        " where account_name = 'ACME_EU'"
    )
    assert eu_hours == [(3, 0)]
    assert staged.query(
        "select count(*), count(entity_type), count(database_id)"
        " from stg_account_usage__metering_history where account_name = 'ACME_EU'"
    ) == [(3, 0, 0)]
    # Statements without a warehouse keep their documented NULLs.
    assert staged.query(
        "select count(*), count(warehouse_id), count(warehouse_size)"
        " from stg_account_usage__query_history where query_type = 'SHOW'"
    ) == [(12, 0, 0)]


def test_credits_and_money_survive_staging_to_the_last_digit(staged: Staged) -> None:
    truth = staged.truth
    attributed = staged.query(
        "select account_name, warehouse_name, usage_hour, attributed_compute_credits"
        " from stg_account_usage__warehouse_metering_history"
        " where attributed_compute_credits > 0"
    )
    # The second account's copy predates the column: only the primary's show.
    expected = {
        key: credits
        for key, credits in truth["attributed_compute_credits"].items()
        if key[0] == "ACME_US"
    }
    assert {(a, w, h): c for a, w, h, c in attributed} == expected
    billed = staged.query(
        "select account_name, usage_date, sum(billed_credits)"
        " from stg_account_usage__metering_daily_history group by 1, 2"
    )
    assert dict(((a, d), c) for a, d, c in billed) == truth["billed_credits"]
    cloud = staged.query(
        "select account_name, usage_date,"
        " cloud_services_credits + cloud_services_adjustment_credits"
        " from stg_account_usage__metering_daily_history"
        " where service_type = 'WAREHOUSE_METERING'"
    )
    assert (
        dict(((a, d), c) for a, d, c in cloud) == truth["billed_cloud_services_credits"]
    )
    money = staged.query(
        "select account_name, usage_date, service_type, sum(usage_in_currency)"
        " from stg_organization_usage__usage_in_currency_daily group by 1, 2, 3"
    )
    assert {(a, d, s): m for a, d, s, m in money} == truth["currency_by_service"]


def _copy_with(
    source: Path, directory: Path, statement: str
) -> Path:  # a broken copy of the other producer's file
    directory.mkdir()
    copy = directory / "snowflake.duckdb"
    shutil.copy(source, copy)
    connection = duckdb.connect(str(copy))
    try:
        connection.execute(statement)
    finally:
        connection.close()
    return copy


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "drop schema account_usage cascade",
            [
                "Account ACME_US",
                '"account_usage"."warehouse_metering_history" does not exist',
                "fix database/schema in var snowledger_accounts",
            ],
        ),
        (
            "drop table account_usage.query_history",
            [
                "Account ACME_US",
                '"account_usage"."query_history" does not exist',
                "mark the account `optional: true`",
            ],
        ),
        (
            "alter table account_usage.query_history drop column start_time",
            [
                "Account ACME_US",
                '"account_usage"."query_history" has no column START_TIME',
                "Columns present: ",
            ],
        ),
        (
            "alter table organization_usage.usage_in_currency_daily"
            " drop column usage_in_currency",
            [
                '"organization_usage"."usage_in_currency_daily" has no column'
                " USAGE_IN_CURRENCY",
            ],
        ),
    ],
    ids=["required-schema", "required-view", "required-column", "organization-column"],
)
def test_missing_required_sources_stop_the_build_with_a_clear_message(
    staged: Staged,
    tmp_path: Path,
    build_project,
    statement: str,
    expected: list[str],
) -> None:
    broken = _copy_with(staged.project.source_db, tmp_path / "source", statement)
    project = build_project(broken, tmp_path / "build", STAGING, check=False)
    failed = [
        result
        for result in project.run_results.get("results", [])
        if result["status"] == "error"
    ]
    assert failed, "the build should fail"
    log = (tmp_path / "build" / "logs" / "dbt.log").read_text()
    for text in expected:
        assert text in log


# The ledger on the other producer: the totals it knows ----------------------


def test_the_ledger_meters_every_warehouse_hour_and_conserves_it(
    staged: Staged,
) -> None:
    truth = staged.truth
    hours = staged.query(
        "select account_name, warehouse_name, usage_hour, compute_credits,"
        " query_compute_credits, idle_credits"
        " from warehouse_costs_hourly where compute_credits > 0"
    )
    assert {(a, w, h): c for a, w, h, c, _, _ in hours} == truth["compute_credits"]
    assert all(query + idle == compute for *_, compute, query, idle in hours)
    idle: dict = {}
    for account, warehouse, _, _, _, credits in hours:
        idle[(account, warehouse)] = idle.get((account, warehouse), 0) + credits
    # The second account's copy lacks CREDITS_ATTRIBUTED_COMPUTE_QUERIES: its
    # queries share every credit of an hour they ran in.
    expected = {
        key: credits
        for key, credits in truth["warehouse_idle_credits"].items()
        if key[0] == "ACME_US"
    }
    assert {key: idle[key] for key in expected} == expected


def test_the_ledger_bills_cloud_services_as_metering_daily_history(
    staged: Staged,
) -> None:
    rows = staged.query(
        "select account_name, usage_date, sum(credits) from daily_spend"
        " where service = 'CLOUD_SERVICES' group by 1, 2"
    )
    billed = {(a, d): c for a, d, c in rows}
    for key, credits in staged.truth["billed_cloud_services_credits"].items():
        assert billed.get(key, 0) == credits, key


def test_the_ledgers_daily_spend_is_the_invoice_within_a_cent(
    staged: Staged,
) -> None:
    rows = staged.query(
        "select account_name, usage_date, service, sum(cost), min(currency)"
        " from daily_spend group by 1, 2, 3"
    )
    ledger = {(a, d, s): (cost, currency) for a, d, s, cost, currency in rows}
    invoice = staged.truth["currency_by_service"]
    for key, amount in invoice.items():
        cost, currency = ledger.get(key, (Decimal(0), staged.truth["currency"]))
        assert abs(cost - amount) <= Decimal("0.01"), (key, cost, amount)
        assert currency == staged.truth["currency"]
    days = {day for _, day, _ in invoice}
    extra = {
        key: cost
        for key, (cost, _) in ledger.items()
        if key[1] in days and key not in invoice and abs(cost) > Decimal("0.01")
    }
    assert not extra, f"the ledger bills what the invoice does not: {extra}"


# Chargeback on the other producer: teams known only from Snowflake's signals


def test_chargeback_finds_each_teams_query_credits(staged: Staged) -> None:
    rows = staged.query(
        "select entity_id, sum(credits) from int_chargeback_lines"
        " where cost_kind = 'query' and service = 'WAREHOUSE_METERING'"
        " and account_name = 'ACME_US' group by 1"
    )
    found = {entity: credits for entity, credits in rows if credits}
    # The truth counts the second account's untagged statements as
    # UNALLOCATED too; teams are the primary account's alone.
    truth = dict(staged.truth["query_credits_by_team"])
    truth.pop("UNALLOCATED")
    assert {team: found.get(team) for team in truth} == truth
    # What no signal covers is the untagged, unregistered warehouse's.
    (scratch,) = staged.query(
        "select sum(cast(credits_attributed_compute as decimal(38, 9)))"
        " from snowflake.account_usage.query_attribution_history"
        " where warehouse_name = 'SCRATCH_WH'"
    )[0]
    assert found["UNALLOCATED"] == scratch


def test_an_untagged_unregistered_warehouse_stays_unallocated(
    staged: Staged,
) -> None:
    scratch_cost = staged.query(
        "select sum(compute_cost) from warehouse_costs_hourly"
        " where warehouse_name = 'SCRATCH_WH'"
    )[0][0]
    assert scratch_cost > 0
    (owner, rule) = staged.query(
        "select owner_entity_id, ownership_rule from warehouse_inventory"
        " where warehouse_name = 'SCRATCH_WH'"
    )[0]
    assert (owner, rule) == ("UNALLOCATED", "unallocated")
    (unallocated,) = staged.query(
        "select sum(cost) from chargeback_daily"
        " where entity_id = 'UNALLOCATED' and service = 'WAREHOUSE_METERING'"
    )[0]
    assert unallocated >= scratch_cost


def test_a_tagged_but_unregistered_team_keeps_its_costs_flagged(
    staged: Staged,
) -> None:
    (status,) = staged.query(
        "select registration_status from chargeback_entities where entity_id = 'sales'"
    )[0]
    assert status == "unregistered"
    rows = staged.query(
        "select distinct is_registered from chargeback_daily where entity_id = 'sales'"
    )
    assert rows == [(False,)]


def test_the_other_producers_chargeback_adds_up_to_its_bill(staged: Staged) -> None:
    rows = staged.query(
        """
        select spend.usage_date, spend.account_name, spend.cost, charged.cost
        from (select usage_date, account_name, sum(cost) as cost
              from daily_spend group by 1, 2) as spend
        full join (select usage_date, account_name, sum(cost) as cost
                   from chargeback_daily group by 1, 2) as charged
            using (usage_date, account_name)
        where spend.cost is distinct from charged.cost
        """
    )
    assert not rows, rows
