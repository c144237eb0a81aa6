"""The simulated file follows the source contract and Snowflake's billing
identities, and `verify` notices when one is broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from snowledger import contract
from snowledger.simulator import verify
from snowledger.simulator.org import ACCOUNTS, HOUR_MS

SCHEMAS = [a.schema for a in ACCOUNTS]


def _connect(path: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(path), read_only=read_only)
    connection.execute("set TimeZone = 'UTC'")
    return connection


def test_every_identity_holds(simulated_org) -> None:
    assert verify(simulated_org.path) == []


@pytest.mark.parametrize("schema", [*SCHEMAS, "organization_usage"])
def test_every_contract_table_has_the_contract_columns_and_types(
    simulated_org, schema: str
) -> None:
    source = "organization_usage" if schema == "organization_usage" else "account_usage"
    with _connect(simulated_org.path) as connection:
        rows = connection.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = ? order by table_name, ordinal_position",
            [schema],
        ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        found.setdefault(table, []).append((column, data_type))
    for view, columns in contract.views(source).items():
        expected = [(c.name, c.duckdb_type) for c in columns]
        actual = [
            (n, t.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"))
            for n, t in found.get(view, [])
        ]
        assert actual == expected, f"{schema}.{view}"


def test_every_view_has_rows(simulated_org) -> None:
    """Every ACCOUNT_USAGE view has rows in some account (replication, for
    one, only in the accounts holding secondary copies) and every
    ORGANIZATION_USAGE view has rows."""
    with _connect(simulated_org.path) as connection:
        for view in contract.views("account_usage"):
            counts = [
                connection.execute(f"select count(*) from {s}.{view}").fetchone()[0]
                for s in SCHEMAS
            ]
            assert max(counts) > 0, f"{view} is empty in every account"
        for view in contract.views("organization_usage"):
            count = connection.execute(
                f"select count(*) from organization_usage.{view}"
            ).fetchone()[0]
            assert count > 0, f"organization_usage.{view} is empty"


def _tampered(simulated_org, tmp_path: Path, sql: str) -> list[str]:
    copy = tmp_path / "tampered.duckdb"
    shutil.copy(simulated_org.path, copy)
    with _connect(copy, read_only=False) as connection:
        connection.execute(sql)
    return verify(copy)


def test_verify_detects_a_changed_warehouse_hour(simulated_org, tmp_path) -> None:
    failures = _tampered(
        simulated_org,
        tmp_path,
        """
        update account_usage.warehouse_metering_history
        set credits_used_compute = credits_used_compute + 0.000000001
        where (warehouse_id, start_time) in (
            select warehouse_id, min(start_time)
            from account_usage.warehouse_metering_history
            where warehouse_id <> 0 group by 1 order by 1 limit 1)""",
    )
    text = "\n".join(failures)
    assert "credits_used = compute + cloud services" in text
    assert "METERING_HISTORY (WAREHOUSE_METERING) = WAREHOUSE_METERING_HISTORY" in text


def test_verify_detects_a_misattributed_query(simulated_org, tmp_path) -> None:
    failures = _tampered(
        simulated_org,
        tmp_path,
        """
        update account_usage.query_attribution_history
        set credits_attributed_compute = credits_attributed_compute * 1.5
        where query_id = (select query_id from account_usage.query_attribution_history
                          order by credits_attributed_compute desc limit 1)""",
    )
    assert any(
        "QUERY_ATTRIBUTION_HISTORY summed per warehouse-hour" in f for f in failures
    )


def test_verify_detects_a_wrong_cloud_services_adjustment(
    simulated_org, tmp_path
) -> None:
    failures = _tampered(
        simulated_org,
        tmp_path,
        """
        update account_usage.metering_daily_history
        set credits_adjustment_cloud_services = 0,
            credits_billed = credits_used
        where service_type = 'WAREHOUSE_METERING'""",
    )
    assert any("cloud-services adjustment" in f for f in failures)


def test_verify_detects_an_invoice_line_off_by_a_cent(simulated_org, tmp_path) -> None:
    failures = _tampered(
        simulated_org,
        tmp_path,
        """
        update organization_usage.usage_in_currency_daily
        set usage_in_currency = usage_in_currency + 0.02
        where usage_type = 'compute' and usage_date = (
            select min(usage_date) from organization_usage.usage_in_currency_daily)""",
    )
    assert any(
        "USAGE_IN_CURRENCY_DAILY = USAGE x EFFECTIVE_RATE" in f for f in failures
    )


def test_attribution_is_exact_to_the_nano_credit(simulated_org) -> None:
    """Queries confined to one hour: their attributed credits add up exactly
    (9 decimals) to the hour's CREDITS_ATTRIBUTED_COMPUTE_QUERIES."""
    with _connect(simulated_org.path) as connection:
        rows = connection.execute("""
            with single as (
                select warehouse_id, date_trunc('hour', start_time) as hour,
                    sum(round(credits_attributed_compute, 9)) as credits,
                    bool_and(date_trunc('hour', start_time)
                             = date_trunc('hour', end_time - interval 1 millisecond))
                        as confined
                from account_usage.query_attribution_history group by 1, 2)
            select round(w.credits_attributed_compute_queries - s.credits, 9)
            from single as s
            inner join account_usage.warehouse_metering_history as w
                on w.warehouse_id = s.warehouse_id and w.start_time = s.hour
            where s.confined
                and s.hour < (select max(usage_date) + interval 1 day
                              from account_usage.metering_daily_history)
                and not exists (
                select 1 from account_usage.query_attribution_history as q
                where q.warehouse_id = s.warehouse_id
                    and q.start_time < s.hour and q.end_time > s.hour)
        """).fetchall()
    assert len(rows) > 100
    assert {r[0] for r in rows} == {0}


def test_warehouse_events_explain_the_metered_compute(simulated_org) -> None:
    """Rebuild every cluster's running intervals from WAREHOUSE_EVENTS_HISTORY,
    bill them per second with the 60-second minimum, and find
    WAREHOUSE_METERING_HISTORY's compute hour by hour."""
    with _connect(simulated_org.path) as connection:
        mismatches = connection.execute(f"""
            with events as (
                select warehouse_id, cluster_number, event_name, timestamp,
                    row_number() over (partition by warehouse_id, cluster_number
                                       order by timestamp, event_name) as n
                from account_usage.warehouse_events_history
                where event_name in ('RESUME_CLUSTER', 'SUSPEND_CLUSTER')
                    and event_state = 'COMPLETED'
            ),
            intervals as (
                select r.warehouse_id, r.timestamp as started,
                    greatest(s.timestamp, r.timestamp + interval 60 second)
                        as billed_end
                from events as r
                inner join events as s
                    on s.warehouse_id = r.warehouse_id
                    and s.cluster_number = r.cluster_number and s.n = r.n + 1
                where r.event_name = 'RESUME_CLUSTER'
                    and s.event_name = 'SUSPEND_CLUSTER'
            ),
            rates as (
                select distinct warehouse_id,
                    case size when 'X-Small' then 1 when 'Small' then 2
                        when 'Medium' then 4 when 'Large' then 8
                        when 'X-Large' then 16 when '2X-Large' then 32 end
                    * case warehouse_type when 'SNOWPARK-OPTIMIZED' then 1.5
                        else 1 end
                        as rate
                from account_usage.warehouse_events_history
                where event_name = 'WAREHOUSE_CONSISTENT'
            ),
            hourly as (
                select i.warehouse_id, hour,
                    sum(epoch_ms(least(billed_end, hour + interval 1 hour))
                        - epoch_ms(greatest(started, hour))) as ms
                from intervals as i, unnest(generate_series(
                    date_trunc('hour', started),
                    date_trunc('hour', billed_end - interval 1 millisecond),
                    interval 1 hour)) as t(hour)
                group by 1, 2
            ),
            last_event as (select max(timestamp) as t
                           from account_usage.warehouse_events_history)
            select h.warehouse_id, h.hour,
                round(h.ms * r.rate / {HOUR_MS}, 9) as rebuilt,
                w.credits_used_compute
            from hourly as h
            inner join rates as r using (warehouse_id)
            inner join account_usage.warehouse_metering_history as w
                on w.warehouse_id = h.warehouse_id and w.start_time = h.hour
            where h.hour < (select t from last_event) - interval 1 day
                and abs(round(h.ms * r.rate / {HOUR_MS}, 9) - w.credits_used_compute)
                    > 0.000000001
        """).fetchall()
    assert mismatches == []


def test_load_history_follows_the_executions(simulated_org) -> None:
    """Average running load x 5 minutes adds up to the execution time of the
    warehouse's queries (per warehouse, over the complete days)."""
    with _connect(simulated_org.path) as connection:
        rows = connection.execute("""
            with horizon as (
                select max(usage_date) - interval 1 day as t
                from account_usage.metering_daily_history),
            load as (
                select warehouse_id, cast(sum(avg_running) * 300 as double) as seconds
                from account_usage.warehouse_load_history
                where start_time < (select t from horizon) group by 1),
            executions as (
                select warehouse_id, sum(
                    epoch_ms(least(end_time, (select t from horizon)))
                    - epoch_ms(start_time + to_milliseconds(
                        compilation_time + queued_provisioning_time
                        + queued_overload_time + list_external_files_time))
                ) / 1000 as seconds
                from (select distinct * exclude (bind_values)
                      from account_usage.query_history)
                where warehouse_id is not null and start_time < (select t from horizon)
                group by 1)
            select warehouse_id, l.seconds, e.seconds
            from load as l inner join executions as e using (warehouse_id)
        """).fetchall()
    assert len(rows) > 5
    for warehouse, load, executions in rows:
        assert load == pytest.approx(executions, rel=0.01), warehouse
