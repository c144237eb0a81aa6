"""The simulator's data-quality traps change no totals: duplicated query rows
count once, queries without a warehouse keep their cloud services, queries
across midnight are costed on both days, and a renamed warehouse keeps one
history under its id."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def traps(simulated_org) -> dict:
    truth = simulated_org.manifest["scenarios"].get("data_quality")
    assert truth, "the test organisation must have the data_quality scenario"
    return truth


def test_duplicated_query_rows_are_counted_once(built_project, traps) -> None:
    assert traps["duplicate_query_rows"] > 0
    source_rows, distinct_ids = built_project.query(
        "select count(*), count(distinct query_id) "
        "from snowflake.account_usage.query_history"
    )[0]
    assert source_rows > distinct_ids, "the trap planted no duplicate"
    (ledger_rows,) = built_project.query(
        "select count(*) from query_costs where account_name = 'ACME_US'"
    )[0]
    assert ledger_rows == distinct_ids


def test_queries_without_a_warehouse_keep_their_cloud_services(
    built_project, traps
) -> None:
    assert traps["queries_without_warehouse"] > 0
    queries, with_cloud_services, compute = built_project.query(
        """
        select count(*), count(*) filter (where cloud_services_credits > 0),
               sum(compute_credits)
        from query_costs
        where warehouse_id is null and used_cloud_services_credits > 0
        """
    )[0]
    assert queries > 0
    assert with_cloud_services > 0
    assert compute == 0


def test_a_query_across_midnight_is_costed_on_both_days(built_project, traps) -> None:
    assert traps["queries_crossing_midnight"] > 0
    rows = built_project.query(
        """
        select query_id, count(distinct cast(usage_hour as date)) as days,
               sum(compute_credits) as credits
        from int_query_compute_allocated
        group by 1
        having count(distinct cast(usage_hour as date)) > 1
        """
    )
    assert rows, "no query's compute was split over two UTC days"
    split = {query_id for query_id, _, _ in rows}
    totals = dict(
        built_project.query(
            "select query_id, compute_credits from query_costs "
            "where query_id in (select unnest(?))",
            [sorted(split)],
        )
    )
    for query_id, _, credits in rows:
        assert totals[query_id] == credits


def test_a_renamed_warehouse_keeps_one_history_by_id(built_project, traps) -> None:
    renamed = traps["renamed_warehouse"]
    names = {
        name
        for (name,) in built_project.query(
            "select distinct warehouse_name from warehouse_costs_hourly "
            "where account_name = 'ACME_US' and warehouse_id = ?",
            [renamed["warehouse_id"]],
        )
    }
    assert {renamed["old_name"], renamed["new_name"]} <= names
    lines_per_day = built_project.query(
        """
        select usage_date, count(*)
        from daily_spend
        where account_name = 'ACME_US' and resource_type = 'warehouse'
          and service = 'WAREHOUSE_METERING' and resource_id = ?
        group by 1
        having count(*) > count(distinct cost_type)
        """,
        [renamed["warehouse_id"]],
    )
    assert not lines_per_day, "the renamed warehouse has two lines on a day"
