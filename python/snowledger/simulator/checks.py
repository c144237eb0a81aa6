"""The identities of reference section 5.2 (and the billing rules of section
6), checked with SQL on any DuckDB file that follows the source contract.

Cross-view identities are checked up to the end of the last day in each
account's METERING_DAILY_HISTORY: later rows may still be arriving, as they do
in Snowflake. Row-level identities are checked everywhere.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from snowledger.errors import SnowledgerError

EXAMPLES = 3
# QUERY_ATTRIBUTION_HISTORY holds one amount per query: a query spanning
# several hours is split back by execution time, which can move a nano-credit
# per query and hour.
NANO = 1e-9


def _accounts_by_schema() -> dict[str, str]:
    """Account name of each ACCOUNT_USAGE schema, from var snowledger_accounts
    when the project is at hand, else the simulator's defaults."""
    from snowledger.simulator.org import ACCOUNTS

    mapping = {a.schema: a.name for a in ACCOUNTS}
    try:
        from snowledger.project import project_dir

        document = yaml.safe_load((project_dir() / "dbt_project.yml").read_text())
        for account in document["vars"]["snowledger_accounts"]:
            mapping[account["schema"]] = account["name"]
    except (SnowledgerError, OSError, KeyError, TypeError):
        pass
    return mapping


class _Checker:
    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.con = connection
        self.failures: list[str] = []
        rows = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
        self.tables: dict[str, set[str]] = {}
        for schema, table in rows:
            self.tables.setdefault(schema.lower(), set()).add(table.lower())

    def has(self, schema: str, *tables: str) -> bool:
        return all(t in self.tables.get(schema, set()) for t in tables)

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def expect_none(self, label: str, sql: str) -> None:
        """`sql` lists offending rows; report how many and a few examples."""
        rows = self.rows(f"select * from ({sql}) limit 1000")
        if rows:
            count = self.rows(f"select count(*) from ({sql})")[0][0]
            examples = "; ".join(str(tuple(r)) for r in rows[:EXAMPLES])
            self.failures.append(f"{label}: {count} rows, e.g. {examples}")


def verify_file(path: Path) -> list[str]:
    """Every failed identity of the file at `path`, as a readable line."""
    if not path.is_file():
        raise SnowledgerError(
            f"{path} does not exist; run `snowledger simulate` first "
            "or point --source-db at a file that follows the contract."
        )
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise SnowledgerError(
            f"cannot open {path} as a DuckDB file: {error}"
        ) from error
    try:
        connection.execute("set TimeZone = 'UTC'")
        checker = _Checker(connection)
        accounts = _accounts_by_schema()
        schemas = sorted(
            s
            for s, t in checker.tables.items()
            if "warehouse_metering_history" in t and s != "organization_usage"
        )
        if not schemas:
            checker.failures.append(
                "no ACCOUNT_USAGE schema (a schema with warehouse_metering_history) "
                "found"
            )
        for schema in schemas:
            _account_checks(checker, schema)
        if checker.has("organization_usage", "warehouse_metering_history"):
            _organization_checks(
                checker, {s: accounts.get(s, s.upper()) for s in schemas}
            )
        return checker.failures
    finally:
        connection.close()


def _horizon(c: _Checker, s: str) -> str | None:
    """End (exclusive) of the last complete day: the last METERING_DAILY_HISTORY
    day + 1, as a SQL timestamp literal."""
    if not c.has(s, "metering_daily_history"):
        c.failures.append(f"{s}: metering_daily_history is missing")
        return None
    (last,) = c.rows(f"select max(usage_date) from {s}.metering_daily_history")[0]
    if last is None:
        c.failures.append(
            f"{s}: metering_daily_history has no rows, so no day is complete"
        )
        return None
    return f"(timestamptz '{last} 00:00:00+00' + interval 1 day)"


def _account_checks(c: _Checker, s: str) -> None:
    wmh = f"{s}.warehouse_metering_history"
    c.expect_none(
        f"{s}: WAREHOUSE_METERING_HISTORY credits_used = compute + cloud services",
        f"select warehouse_name, start_time, credits_used from {wmh} where "
        "credits_used <> credits_used_compute + credits_used_cloud_services",
    )
    c.expect_none(
        f"{s}: WAREHOUSE_METERING_HISTORY 0 <= attributed <= compute",
        f"select warehouse_name, start_time from {wmh} where "
        "credits_attributed_compute_queries > credits_used_compute "
        "or credits_attributed_compute_queries < 0",
    )
    if c.has(s, "metering_daily_history"):
        mdh = f"{s}.metering_daily_history"
        c.expect_none(
            f"{s}: METERING_DAILY_HISTORY used = compute + cloud, billed = used "
            "+ adjustment, adjustment <= 0",
            f"select service_type, usage_date from {mdh} where "
            "credits_used <> credits_used_compute + credits_used_cloud_services "
            "or credits_billed <> credits_used + credits_adjustment_cloud_services "
            "or credits_adjustment_cloud_services > 0",
        )
        c.expect_none(
            f"{s}: daily cloud-services adjustment = -min(warehouse cloud "
            "services, 10% of warehouse compute)",
            f"""
            select usage_date, adjustment, expected from (
                select usage_date,
                    sum(credits_adjustment_cloud_services) as adjustment,
                    -least(
                        sum(credits_used_cloud_services) filter (
                            where service_type = 'WAREHOUSE_METERING'),
                        round(sum(credits_used_compute) filter (
                            where service_type = 'WAREHOUSE_METERING') / 10, 9)
                    ) as expected
                from {mdh} group by 1
            ) where abs(adjustment - coalesce(expected, 0)) > {NANO} * 1.01""",
        )
    horizon = _horizon(c, s)
    if horizon is None:
        return
    if c.has(s, "metering_history"):
        _metering_checks(c, s, horizon)
    if c.has(s, "query_attribution_history"):
        _attribution_checks(c, s, horizon)
    if c.has(s, "query_history"):
        _query_checks(c, s, horizon)
    _serverless_checks(c, s, horizon)
    _storage_checks(c, s)


def _metering_checks(c: _Checker, s: str, horizon: str) -> None:
    c.expect_none(
        f"{s}: METERING_HISTORY (WAREHOUSE_METERING) = WAREHOUSE_METERING_HISTORY "
        "per warehouse and hour",
        f"""
        select coalesce(w.warehouse_id, m.entity_id) as warehouse_id,
            coalesce(w.start_time, m.start_time) as hour,
            w.credits_used_compute, m.credits_used_compute,
            w.credits_used_cloud_services, m.credits_used_cloud_services
        from (select * from {s}.warehouse_metering_history
              where start_time < {horizon}) as w
        full outer join (
            select entity_id, start_time,
                sum(credits_used_compute) as credits_used_compute,
                sum(credits_used_cloud_services) as credits_used_cloud_services
            from {s}.metering_history
            where service_type = 'WAREHOUSE_METERING' and start_time < {horizon}
            group by 1, 2) as m
            on m.entity_id = w.warehouse_id and m.start_time = w.start_time
        where w.credits_used_compute is distinct from m.credits_used_compute
            or w.credits_used_cloud_services
                is distinct from m.credits_used_cloud_services""",
    )
    c.expect_none(
        f"{s}: METERING_HISTORY summed per service and UTC day = "
        "METERING_DAILY_HISTORY",
        f"""
        select coalesce(h.service_type, d.service_type) as service_type,
            coalesce(h.day, d.usage_date) as day, h.compute, d.credits_used_compute,
            h.cloud, d.credits_used_cloud_services
        from (select service_type, cast(start_time as date) as day,
                  sum(credits_used_compute) as compute,
                  sum(credits_used_cloud_services) as cloud
              from {s}.metering_history where start_time < {horizon} group by 1, 2) as h
        full outer join {s}.metering_daily_history as d
            on d.service_type = h.service_type and d.usage_date = h.day
        where h.compute is distinct from d.credits_used_compute
            or h.cloud is distinct from d.credits_used_cloud_services""",
    )


# A query that runs across clock hours ties those hours together: its one
# QUERY_ATTRIBUTION_HISTORY amount covers all of them. So the identity is
# checked per warehouse over runs of hours tied by such queries (an hour with
# no spanning query is a run of its own).
_QAH_RUNS = """
    with q as (
        select query_id, warehouse_id, credits_attributed_compute as credits,
            date_trunc('hour', start_time) as first_hour,
            date_trunc('hour', greatest(start_time, end_time - interval 1 millisecond))
                as last_hour
        from {s}.query_attribution_history
        where credits_attributed_compute is not null
    ),
    tied as (
        select distinct warehouse_id, hour
        from q,
            unnest(generate_series(first_hour, last_hour, interval 1 hour)) as t(hour)
        where hour < last_hour
    ),
    hours as (
        select warehouse_id, start_time as hour,
            credits_attributed_compute_queries as metered
        from {s}.warehouse_metering_history
        union
        select warehouse_id, first_hour, null from q
        union
        select warehouse_id, hour + interval 1 hour, null from tied
    ),
    runs as (
        select h.warehouse_id, h.hour, h.metered,
            sum(case when t.hour is null then 1 else 0 end) over (
                partition by h.warehouse_id order by h.hour) as run
        from (select warehouse_id, hour, max(metered) as metered
              from hours group by 1, 2)
            as h
        left join tied as t
            on t.warehouse_id = h.warehouse_id and t.hour = h.hour - interval 1 hour
    ),
    per_run as (
        select warehouse_id, run, min(hour) as first_hour, max(hour) as last_hour,
            sum(metered) as metered
        from runs group by 1, 2
    ),
    attributed as (
        select r.warehouse_id, r.run, sum(q.credits) as credits, count(*) as queries
        from q inner join runs as r
            on r.warehouse_id = q.warehouse_id and r.hour = q.first_hour
        group by 1, 2
    )
    select p.warehouse_id, p.first_hour, p.last_hour, p.metered, a.credits,
        coalesce(a.queries, 0) as queries
    from per_run as p
    left join attributed as a on a.warehouse_id = p.warehouse_id and a.run = p.run
    where p.last_hour < {horizon}
"""


def _attribution_checks(c: _Checker, s: str, horizon: str) -> None:
    runs = _QAH_RUNS.format(s=s, horizon=horizon)
    c.expect_none(
        f"{s}: QUERY_ATTRIBUTION_HISTORY summed per warehouse-hour = "
        "CREDITS_ATTRIBUTED_COMPUTE_QUERIES",
        f"""
        select warehouse_id, first_hour, last_hour, metered, credits
        from ({runs})
        where abs(coalesce(metered, 0) - coalesce(credits, 0))
            > {NANO} * (1 + queries)""",
    )
    if c.has(s, "query_acceleration_history"):
        c.expect_none(
            f"{s}: QUERY_ACCELERATION_HISTORY = query acceleration credits of "
            "QUERY_ATTRIBUTION_HISTORY per warehouse and hour",
            f"""
            select coalesce(x.warehouse_id, a.warehouse_id),
                coalesce(x.start_time, a.hour),
                x.credits_used, a.credits
            from (select * from {s}.query_acceleration_history
                  where start_time < {horizon}) as x
            full outer join (
                select warehouse_id, date_trunc('hour', start_time) as hour,
                    sum(credits_used_query_acceleration) as credits
                from {s}.query_attribution_history
                where credits_used_query_acceleration > 0 and start_time < {horizon}
                group by 1, 2) as a
                on a.warehouse_id = x.warehouse_id and a.hour = x.start_time
            where abs(coalesce(x.credits_used, 0) - coalesce(a.credits, 0)) > 1e-6""",
        )


def _query_checks(c: _Checker, s: str, horizon: str) -> None:
    queries = f"""(select * from {s}.query_history
        qualify row_number() over (partition by query_id order by start_time) = 1)"""
    c.expect_none(
        f"{s}: QUERY_HISTORY total elapsed time = end - start and covers "
        "compilation, queues, file listing and execution",
        f"""
        select query_id from {queries}
        where total_elapsed_time <> epoch_ms(end_time) - epoch_ms(start_time)
            or total_elapsed_time < compilation_time + queued_provisioning_time
                + queued_repair_time + queued_overload_time
                + list_external_files_time""",
    )
    c.expect_none(
        f"{s}: statements without a warehouse have no warehouse size or "
        "attributed compute",
        f"""
        select q.query_id from {queries} as q
        left join {s}.query_attribution_history as a on a.query_id = q.query_id
        where q.warehouse_id is null and (q.warehouse_size is not null
            or a.credits_attributed_compute > 0)""",
    )
    if c.has(s, "query_attribution_history"):
        c.expect_none(
            f"{s}: QUERY_ATTRIBUTION_HISTORY starts when execution starts "
            "(start + compilation + queues + file listing)",
            f"""
            select a.query_id from {s}.query_attribution_history as a
            inner join {queries} as q on q.query_id = a.query_id
            where a.start_time <> q.start_time + to_milliseconds(
                q.compilation_time + q.queued_provisioning_time + q.queued_repair_time
                + q.queued_overload_time + q.list_external_files_time)
                or a.end_time <> q.end_time""",
        )
    c.expect_none(
        f"{s}: cloud services of a warehouse-hour = those of its statements "
        "(CLOUD_SERVICES_ONLY >= statements without a warehouse)",
        f"""
        with statements as (
            select warehouse_id, date_trunc('hour', start_time) as hour,
                sum(credits_used_cloud_services) as cloud
            from {queries} where start_time < {horizon} group by 1, 2
        ),
        metered as (
            select case when warehouse_name = 'CLOUD_SERVICES_ONLY' then null
                else warehouse_id end as warehouse_id, start_time as hour,
                credits_used_cloud_services as cloud
            from {s}.warehouse_metering_history where start_time < {horizon}
        )
        select coalesce(m.warehouse_id, q.warehouse_id), coalesce(m.hour, q.hour),
            m.cloud, q.cloud
        from metered as m
        full outer join statements as q
            on q.warehouse_id is not distinct from m.warehouse_id and q.hour = m.hour
        where case when coalesce(m.warehouse_id, q.warehouse_id) is null
            then coalesce(q.cloud, 0) > coalesce(m.cloud, 0)
            else coalesce(q.cloud, 0) <> coalesce(m.cloud, 0) end""",
    )


# (service type, detail view, entity column, credit column): detail rows per
# entity and hour of START_TIME roll up into METERING_HISTORY.
ROLLUPS = (
    ("SERVERLESS_TASK", "serverless_task_history", "task_id"),
    ("PIPE", "pipe_usage_history", "pipe_id"),
    ("AUTO_CLUSTERING", "automatic_clustering_history", "table_id"),
    ("MATERIALIZED_VIEW", "materialized_view_refresh_history", "table_id"),
    ("SEARCH_OPTIMIZATION", "search_optimization_history", "table_id"),
    ("REPLICATION", "replication_group_usage_history", "replication_group_id"),
    (
        "SNOWPARK_CONTAINER_SERVICES",
        "snowpark_container_services_history",
        "compute_pool_id",
    ),
    ("QUERY_ACCELERATION", "query_acceleration_history", "warehouse_id"),
    ("HYBRID_TABLE_REQUESTS", "hybrid_table_usage_history", None),
)


def _serverless_checks(c: _Checker, s: str, horizon: str) -> None:
    if not c.has(s, "metering_history"):
        return
    for service, view, entity in ROLLUPS:
        if not c.has(s, view):
            continue
        key = f"cast({entity} as bigint)" if entity else "cast(null as bigint)"
        c.expect_none(
            f"{s}: {view.upper()} rolls up into METERING_HISTORY ({service})",
            f"""
            select coalesce(d.entity, m.entity), coalesce(d.hour, m.hour), d.credits,
                m.credits
            from (select {key} as entity, date_trunc('hour', start_time) as hour,
                      sum(cast(credits_used as decimal(38, 9))) as credits
                  from {s}.{view} where start_time < {horizon} group by 1, 2
                  having sum(cast(credits_used as decimal(38, 9))) <> 0) as d
            full outer join (
                select {"entity_id" if entity else "cast(null as bigint)"} as entity,
                    start_time as hour, sum(credits_used) as credits
                from {s}.metering_history
                where service_type = '{service}' and start_time < {horizon}
                group by 1, 2) as m
                on d.entity is not distinct from m.entity and d.hour = m.hour
            where abs(coalesce(d.credits, 0) - coalesce(m.credits, 0)) > {NANO}""",
        )
    if c.has(s, "snowpipe_streaming_client_history"):
        c.expect_none(
            f"{s}: SNOWPIPE_STREAMING client time (one minute per event at "
            "0.01 credits per client-hour) = METERING_HISTORY client rows",
            f"""
            select coalesce(e.client_name, m.name), coalesce(e.hour, m.hour), e.credits,
                m.credits
            from (select client_name, date_trunc('hour', event_timestamp) as hour,
                      count(*) / 6000 as credits
                  from {s}.snowpipe_streaming_client_history
                  where event_timestamp < {horizon} group by 1, 2) as e
            full outer join (
                select name, start_time as hour, sum(credits_used) as credits
                from {s}.metering_history
                where service_type = 'SNOWPIPE_STREAMING' and start_time < {horizon}
                    and name in (select client_name
                                 from {s}.snowpipe_streaming_client_history)
                group by 1, 2) as m
                on m.name = e.client_name and m.hour = e.hour
            where abs(coalesce(e.credits, 0) - coalesce(m.credits, 0)) > {NANO}""",
        )


def _storage_checks(c: _Checker, s: str) -> None:
    if not c.has(
        s,
        "storage_usage",
        "database_storage_usage_history",
        "stage_storage_usage_history",
    ):
        return
    c.expect_none(
        f"{s}: STORAGE_USAGE = sum of DATABASE_STORAGE_USAGE_HISTORY and "
        "STAGE_STORAGE_USAGE_HISTORY per day",
        f"""
        select u.usage_date, u.storage_bytes, d.db, u.failsafe_bytes, d.fs,
            u.stage_bytes, g.average_stage_bytes
        from {s}.storage_usage as u
        left join (select usage_date, sum(average_database_bytes) as db,
                       sum(average_failsafe_bytes) as fs
                   from {s}.database_storage_usage_history group by 1) as d
            on d.usage_date = u.usage_date
        left join {s}.stage_storage_usage_history as g on g.usage_date = u.usage_date
        where abs(u.storage_bytes - coalesce(d.db, 0)) > 1
            or abs(u.failsafe_bytes - coalesce(d.fs, 0)) > 1
            or u.stage_bytes is distinct from g.average_stage_bytes""",
    )
    if c.has(s, "table_storage_metrics"):
        c.expect_none(
            f"{s}: TABLE_STORAGE_METRICS per database = the last day of "
            "DATABASE_STORAGE_USAGE_HISTORY",
            f"""
            select d.database_id, d.average_database_bytes, t.active,
                d.average_failsafe_bytes,
                t.failsafe
            from {s}.database_storage_usage_history as d
            left join (select table_catalog_id,
                           sum(active_bytes + time_travel_bytes
                               + retained_for_clone_bytes)
                               as active,
                           sum(failsafe_bytes) as failsafe
                       from {s}.table_storage_metrics group by 1) as t
                on t.table_catalog_id = d.database_id
            where d.usage_date = (select max(usage_date)
                                  from {s}.database_storage_usage_history)
                and (abs(d.average_database_bytes - coalesce(t.active, 0)) > 1
                     or abs(d.average_failsafe_bytes - coalesce(t.failsafe, 0)) > 1)""",
        )


def _organization_checks(c: _Checker, accounts: dict[str, str]) -> None:
    o = "organization_usage"
    for schema, account in accounts.items():
        for view, key, cols in (
            (
                "warehouse_metering_history",
                "warehouse_id, start_time",
                ("credits_used", "credits_used_compute", "credits_used_cloud_services"),
            ),
            (
                "metering_daily_history",
                "service_type, usage_date",
                ("credits_used", "credits_adjustment_cloud_services", "credits_billed"),
            ),
        ):
            if not c.has(o, view):
                continue
            keys = [k.strip() for k in key.split(",")]
            on = " and ".join(f"a.{k} = g.{k}" for k in keys)
            differ = " or ".join(f"a.{x} is distinct from g.{x}" for x in cols)
            c.expect_none(
                f"{o}: {view.upper()} of {account} = the account's own view",
                f"""
                select {", ".join(f"coalesce(a.{k}, g.{k})" for k in keys)}
                from {schema}.{view} as a
                full outer join (select * from {o}.{view}
                                 where account_name = '{account}') as g on {on}
                where {differ}""",
            )
    if not c.has(o, "usage_in_currency_daily", "rate_sheet_daily"):
        return
    c.expect_none(
        f"{o}: USAGE_IN_CURRENCY_DAILY = USAGE x EFFECTIVE_RATE of the day "
        "(to the cent, within the rounding of USAGE)",
        f"""
        select u.account_name, u.usage_date, u.usage_type, u.usage, u.usage_in_currency,
            r.effective_rate
        from {o}.usage_in_currency_daily as u
        left join {o}.rate_sheet_daily as r
            on r.account_name = u.account_name and r.date = u.usage_date
            and r.usage_type = u.usage_type and r.service_type = u.service_type
        where r.effective_rate is null
            or abs(u.usage_in_currency - u.usage * r.effective_rate
                   / case when u.rating_type = 'storage'
                       then day(last_day(u.usage_date)) else 1 end)
               > 0.0005 * r.effective_rate + 0.01""",
    )
    if c.has(o, "metering_daily_history"):
        c.expect_none(
            f"{o}: USAGE_IN_CURRENCY_DAILY compute lines = "
            "METERING_DAILY_HISTORY credits per account, day and service",
            f"""
            with billed as (
                select account_name, usage_date,
                    case when service_type = 'AUTOMATIC_CLUSTERING'
                        then 'AUTO_CLUSTERING'
                        when service_type = 'SNOWPIPE' then 'PIPE'
                        when service_type = 'CLOUD_SERVICES' then 'WAREHOUSE_METERING'
                        else service_type end as service_type,
                    sum(usage) as usage, count(*) as lines
                from {o}.usage_in_currency_daily
                where rating_type = 'compute' group by 1, 2, 3
            ),
            metered as (
                select account_name, usage_date, service_type,
                    sum(credits_billed) as usage
                from {o}.metering_daily_history
                where (account_name, usage_date) in (
                    select distinct account_name, usage_date
                    from {o}.usage_in_currency_daily)
                group by 1, 2, 3
            )
            select coalesce(b.account_name, m.account_name),
                coalesce(b.usage_date, m.usage_date),
                coalesce(b.service_type, m.service_type), b.usage, m.usage
            from billed as b
            full outer join metered as m
                on m.account_name = b.account_name and m.usage_date = b.usage_date
                and m.service_type = b.service_type
            where abs(coalesce(b.usage, 0) - coalesce(m.usage, 0))
                > 0.0005 * coalesce(b.lines, 1) + {NANO}
                and coalesce(m.usage, 0) <> 0""",
        )
    if c.has(o, "remaining_balance_daily", "contract_items"):
        c.expect_none(
            f"{o}: REMAINING_BALANCE_DAILY capacity balance = contract capacity "
            "- capacity drawn in USAGE_IN_CURRENCY_DAILY",
            f"""
            with drawn as (
                select usage_date, sum(usage_in_currency) as amount
                from {o}.usage_in_currency_daily where balance_source = 'capacity'
                group by 1
            ),
            running as (
                select b.date, b.capacity_balance,
                    (select sum(amount) from {o}.contract_items
                     where contract_item in ('capacity', 'additional capacity')
                        and contract_number = b.contract_number)
                    - coalesce((select sum(amount) from drawn
                                where usage_date <= b.date), 0) as expected
                from {o}.remaining_balance_daily as b
            )
            select * from running
            where capacity_balance <> greatest(expected, 0)""",
        )
        c.expect_none(
            f"{o}: overage is charged only once the capacity balance is spent",
            f"""
            select u.usage_date, u.account_name, u.usage_type
            from {o}.usage_in_currency_daily as u
            inner join {o}.remaining_balance_daily as b on b.date = u.usage_date
            where u.balance_source = 'overage' and b.capacity_balance > 0""",
        )
