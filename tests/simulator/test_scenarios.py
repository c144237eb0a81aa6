"""Every scenario leaves the ground truth it promises in the manifest, and the
data agrees with it."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest


def _query(path, sql: str, parameters=None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        return connection.execute(sql, parameters).fetchall()


def test_the_manifest_sits_beside_the_file(simulated_org) -> None:
    manifest_file = simulated_org.path.with_name("snowflake.manifest.json")
    assert json.loads(manifest_file.read_text()) == json.loads(
        json.dumps(simulated_org.manifest, default=str)
    )
    assert set(simulated_org.manifest["scenarios"]) >= {
        "cost_spike",
        "reorganisation",
        "idle_heavy",
        "oversized",
        "queueing",
        "unused_warehouse",
        "rare_clustering",
        "data_quality",
    }
    (count,) = _query(
        simulated_org.path,
        "select count(*) from ("
        "select * from account_usage.query_history union all "
        "select * from account_usage_eu.query_history union all "
        "select * from account_usage_apac.query_history)",
    )[0]
    assert simulated_org.manifest["totals"]["queries"] == count


def test_cost_spike_triples_the_day_and_names_its_cause(simulated_org) -> None:
    spike = simulated_org.manifest["scenarios"]["cost_spike"]
    assert spike["present"]
    daily = dict(
        _query(
            simulated_org.path,
            """
        select cast(usage_date as varchar), sum(credits_used)
        from account_usage.metering_daily_history group by 1""",
        )
    )
    ratio = float(daily[spike["date"]] / daily[spike["previous_date"]])
    assert 2.7 <= ratio <= 3.3
    assert ratio == pytest.approx(spike["ratio"], rel=1e-3)
    # Walking from the day down: the top warehouse, user and query pattern.
    top = _query(
        simulated_org.path,
        """
        with day as (
            select q.warehouse_name, q.user_name, q.query_parameterized_hash,
                a.credits_attributed_compute as credits
            from account_usage.query_attribution_history as a
            inner join account_usage.query_history as q using (query_id)
            where cast(q.start_time as date) = ?)
        select
            (select warehouse_name from day group by 1
             order by sum(credits) desc limit 1),
            (select user_name from day group by 1 order by sum(credits) desc limit 1),
            (select query_parameterized_hash from day group by 1
             order by sum(credits) desc limit 1)""",
        [spike["date"]],
    )[0]
    assert top[0] == spike["warehouse_name"]
    assert top[1] == spike["user_name"]
    (template_hash,) = _query(
        simulated_org.path,
        """
        select distinct query_parameterized_hash from account_usage.query_history
        where user_name = ? and query_text like 'select s.user_id, e.*%'""",
        [spike["user_name"]],
    )[0]
    assert top[2] == template_hash


def test_reorganisation_retags_marketing_from_the_date(simulated_org) -> None:
    reorg = simulated_org.manifest["scenarios"]["reorganisation"]
    assert reorg["in_period"]
    tags = dict(
        ((d, n), v)
        for d, n, v in _query(
            simulated_org.path,
            """
        select domain, object_name, tag_value from account_usage.tag_references
        where tag_name = 'TEAM'""",
        )
    )
    assert reorg["moved"]
    for moved in reorg["moved"]:
        assert tags[(moved["domain"], moved["name"])] == moved["new_team"]
    assert "marketing" not in tags.values()  # current state only
    teams = _query(
        simulated_org.path,
        """
        select json_extract_string(query_tag, '$.team') as team,
            min(start_time), max(start_time)
        from account_usage.query_history
        where try(json_valid(query_tag)) and query_tag like '{%'
            and json_extract_string(query_tag, '$.team')
                in ('marketing', 'brand', 'performance')
        group by 1""",
    )
    boundary = dt.datetime.fromisoformat(reorg["date"]).replace(tzinfo=dt.UTC)
    seen = {team: (first, last) for team, first, last in teams}
    assert seen["marketing"][1] < boundary
    assert seen["brand"][0] >= boundary and seen["performance"][0] >= boundary


def _warehouse_stats(path) -> dict[str, dict[str, float]]:
    rows = _query(
        path,
        """
        with m as (
            select warehouse_id, sum(credits_used_compute) as compute,
                sum(credits_attributed_compute_queries) as attributed
            from account_usage.warehouse_metering_history group by 1),
        q as (
            select warehouse_id, count(*) as queries,
                avg(queued_overload_time) as queued,
                median(execution_time) as execution
            from account_usage.query_history where warehouse_id is not null group by 1)
        select warehouse_id, compute, attributed, queries, queued, execution
        from m inner join q using (warehouse_id)""",
    )
    return {
        r[0]: {
            "idle": 1 - float(r[2] / r[1]),
            "queries": r[3],
            "queued": r[4],
            "execution": r[5],
            "compute": float(r[1]),
        }
        for r in rows
    }


def test_idle_heavy_oversized_queueing_and_unused_warehouses(simulated_org) -> None:
    scenarios = simulated_org.manifest["scenarios"]
    stats = _warehouse_stats(simulated_org.path)
    days = simulated_org.manifest["config"]["days"]

    idle = scenarios["idle_heavy"]
    assert idle["auto_suspend"] == 1800
    assert stats[idle["warehouse_id"]]["idle"] > 0.9

    oversized = scenarios["oversized"]
    assert oversized["size"] == "X-Large"
    assert stats[oversized["warehouse_id"]]["execution"] < 1_000

    queueing = scenarios["queueing"]
    others = [s["queued"] for w, s in stats.items() if w != queueing["warehouse_id"]]
    assert stats[queueing["warehouse_id"]]["queued"] > 10 * max(max(others), 1)

    unused = scenarios["unused_warehouse"]
    assert stats[unused["warehouse_id"]]["queries"] <= 5 * days
    assert stats[unused["warehouse_id"]]["compute"] > 0


def test_rare_clustering_costs_credits_on_a_table_nobody_reads(simulated_org) -> None:
    rare = simulated_org.manifest["scenarios"]["rare_clustering"]
    credits, windows = _query(
        simulated_org.path,
        """
        select sum(credits_used), count(*)
        from account_usage.automatic_clustering_history
        where table_id = ?""",
        [rare["table_id"]],
    )[0]
    assert float(credits) == pytest.approx(rare["clustering_credits"], rel=1e-6)
    assert windows > 10
    (reads,) = _query(
        simulated_org.path,
        """
        select count(distinct query_id) from account_usage.query_history
        where query_text ilike '%EVENTS_ARCHIVE%'""",
    )[0]
    assert reads == rare["queries_reading_table"] <= 2


def test_data_quality_defects_are_in_the_data(simulated_org) -> None:
    truth = simulated_org.manifest["scenarios"]["data_quality"]
    path = simulated_org.path
    (duplicates,) = _query(
        path,
        """
        select count(*) - count(distinct query_id) from account_usage.query_history""",
    )[0]
    assert duplicates == truth["duplicate_query_rows"] > 0
    (no_warehouse,) = _query(
        path,
        """
        select count(distinct query_id) from account_usage.query_history
        where warehouse_id is null""",
    )[0]
    assert no_warehouse == truth["queries_without_warehouse"] > 0
    (midnight,) = _query(
        path,
        """
        select count(distinct query_id) from account_usage.query_history
        where cast(start_time as date) < cast(end_time as date)""",
    )[0]
    assert midnight == truth["queries_crossing_midnight"] > 0
    (malformed,) = _query(
        path,
        """
        select count(distinct query_id) from account_usage.query_history
        where query_tag like '{%' and (not coalesce(try(json_valid(query_tag)), false)
            or json_type(query_tag, '$.team') <> 'VARCHAR')""",
    )[0]
    assert malformed == truth["malformed_query_tags"] > 0

    renamed = truth["renamed_warehouse"]
    names = _query(
        path,
        """
        select warehouse_name, min(start_time), max(start_time)
        from account_usage.warehouse_metering_history where warehouse_id = ?
        group by 1 order by 2""",
        [renamed["warehouse_id"]],
    )
    at = dt.datetime.fromisoformat(renamed["renamed_at"])
    assert [n for n, _, _ in names] == [renamed["old_name"], renamed["new_name"]]
    assert names[0][2] < at <= names[1][1]


def test_late_rows_are_withheld_and_the_last_days_are_open(simulated_org) -> None:
    manifest = simulated_org.manifest
    us = manifest["accounts"][0]
    assert us["late_rows"]["query_history"] > 0
    assert us["late_rows"]["warehouse_metering_history"] >= 0
    last = manifest["period"]["end"]
    (complete,) = _query(
        simulated_org.path,
        "select max(usage_date) from account_usage.metering_daily_history",
    )[0]
    assert str(complete) == us["complete_through"] < last


def test_the_contract_runs_out_into_overage(simulate_org, tmp_path) -> None:
    org = simulate_org(
        tmp_path, days=27, queries_per_day=600, accounts=1, scenarios=frozenset()
    )
    contract = org.manifest["contract"]
    assert contract["exhausted_on"] is not None
    assert contract["exhausted_on"] >= "2026-11-15"
    rows = _query(
        org.path,
        """
        select min(usage_date) filter (where balance_source = 'overage'),
            max(usage_date) filter (where balance_source = 'capacity'),
            bool_and(usage_type like 'overage-%')
                filter (where balance_source = 'overage')
        from organization_usage.usage_in_currency_daily""",
    )[0]
    assert str(rows[0]) == contract["exhausted_on"] == str(rows[1])
    assert rows[2]
    (balance,) = _query(
        org.path,
        """
        select on_demand_consumption_balance
        from organization_usage.remaining_balance_daily
        order by date desc limit 1""",
    )[0]
    assert float(balance) < 0
    assert float(balance) == pytest.approx(-contract["overage_amount"], abs=0.01)
    (rates,) = _query(
        org.path,
        """
        select count(*) from organization_usage.rate_sheet_daily as o
        inner join organization_usage.rate_sheet_daily as c
            on c.date = o.date and o.usage_type = 'overage-' || c.usage_type
        where o.usage_type = 'overage-compute' and o.effective_rate > c.effective_rate
    """,
    )[0]
    assert rates > 0
