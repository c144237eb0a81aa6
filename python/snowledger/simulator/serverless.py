"""Serverless features, storage and data transfer of one account and day.

Every detail view is produced together with the METERING_HISTORY rows it
rolls up into, so that the two agree by construction. Credits are integer
nano-credits; times are epoch milliseconds (UTC).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from snowledger.simulator import rng
from snowledger.simulator.org import DAY_MS, HOUR_MS, AccountOrg

HYBRID_UNBILLED_FROM = dt.date(2026, 3, 1)  # reference 3.28
STREAMING_SLICE_S = 60  # each client event is one minute of client time
STREAMING_CREDITS_PER_CLIENT_HOUR = 0.01  # reference 6.5


def _per_second(seconds: np.ndarray, credits_per_hour: float) -> np.ndarray:
    """Nano-credits for whole seconds (rounded up) of serverless compute."""
    return np.ceil(seconds).astype(np.int64) * round(credits_per_hour * 1e9 / 3600)


def entity_ids(account_index: int) -> dict[str, int]:
    base = (account_index + 1) * 10_000
    return {
        "task_compact": base + 1,
        "task_tags": base + 2,
        "pipe_page_views": base + 101,
        "pipe_orders": base + 102,
        "pipe_streaming": base + 103,
        "table_fct_orders": base + 201,
        "table_page_views": base + 202,
        "table_events_archive": base + 203,
        "mv_daily_revenue": base + 211,
        "sos_customers": base + 221,
        "group_analytics": base + 301,
        "pool_ml": base + 401,
    }


def features(
    seed: int,
    account_index: int,
    account: AccountOrg,
    day_index: int,
    date: dt.date,
    day_start: int,
    stask: pd.DataFrame,
    scenarios: frozenset[str],
    accounts: int,
) -> dict[str, pd.DataFrame]:
    """Detail rows and METERING_HISTORY rows of every serverless feature."""
    name = account.spec.name
    ids = entity_ids(account_index)
    db = {d.name: d.id for d in account.databases}
    out: dict[str, list[pd.DataFrame]] = {}
    mh: list[pd.DataFrame] = []
    g = rng.stream(seed, name, day_index, "serverless")
    hours = day_start + np.arange(24, dtype=np.int64) * HOUR_MS

    def metering(
        service,
        start,
        entity_id,
        entity_type,
        label,
        compute,
        cloud=None,
        database=None,
        schema=None,
        bytes_=None,
        rows=None,
        files=None,
    ):
        frame = pd.DataFrame(
            {
                "service_type": service,
                "start_time": start,
                "end_time": start + HOUR_MS,
                "entity_id": entity_id,
                "entity_type": entity_type,
                "name": label,
                "database_id": db.get(database) if database else None,
                "database_name": database,
                "schema_id": None,
                "schema_name": schema,
                "compute": compute,
                "cloud": np.zeros(len(start), dtype=np.int64)
                if cloud is None
                else cloud,
                "bytes": bytes_,
                "rows": rows,
                "files": files,
            }
        )
        if schema:
            frame["schema_id"] = _schema_id(database, schema)
        mh.append(frame)

    # Serverless tasks: one row per run; the statements are in QUERY_HISTORY.
    if len(stask):
        runs = stask.copy()
        names = {
            0: ("COMPACT_PAGE_VIEWS", "RAW", "CORE", ids["task_compact"]),
            1: ("SNAPSHOT_TAGS", "GOVERNANCE", "TAGS", ids["task_tags"]),
        }
        kind = runs["kind"].to_numpy()
        credits = _per_second(runs["seconds"].to_numpy(), 1.2)
        sth = pd.DataFrame(
            {
                "start_time": runs["start"].to_numpy(),
                "end_time": runs["end"].to_numpy(),
                "credits_used": credits,
                "task_id": [names[k][3] for k in kind],
                "task_name": [names[k][0] for k in kind],
                "schema_id": [_schema_id(names[k][1], names[k][2]) for k in kind],
                "schema_name": [names[k][2] for k in kind],
                "database_id": [db[names[k][1]] for k in kind],
                "database_name": [names[k][1] for k in kind],
                "instance_id": None,
            }
        )
        out.setdefault("serverless_task_history", []).append(sth)
        hourly = (
            sth.assign(hour=sth["start_time"] // HOUR_MS * HOUR_MS)
            .groupby(
                ["task_id", "task_name", "database_name", "schema_name", "hour"],
                as_index=False,
            )["credits_used"]
            .sum()
        )
        metering(
            "SERVERLESS_TASK",
            hourly["hour"].to_numpy(),
            hourly["task_id"].to_numpy(),
            "TASK",
            hourly["task_name"].to_numpy(),
            hourly["credits_used"].to_numpy(),
            database=None,
            bytes_=None,
        )
        mh[-1]["database_name"] = hourly["database_name"].to_numpy()
        mh[-1]["database_id"] = [db[x] for x in hourly["database_name"]]
        mh[-1]["schema_name"] = hourly["schema_name"].to_numpy()
        mh[-1]["schema_id"] = [
            _schema_id(d, s)
            for d, s in zip(hourly["database_name"], hourly["schema_name"], strict=True)
        ]

    # Snowpipe: hourly per pipe; part of the credits is cloud services.
    for pipe_key, pipe_name, scale in (
        ("pipe_page_views", "PAGE_VIEWS_PIPE", 1.0),
        ("pipe_orders", "ORDERS_PIPE", 0.3),
    ):
        files = g.poisson(60 * scale * _scale(account), 24)
        bytes_inserted = (files * g.lognormal(np.log(8e6), 0.5, 24)).astype(np.int64)
        compute = bytes_inserted // 9_000 + files * 60_000
        cloud = files * 6_000
        keep = files > 0
        out.setdefault("pipe_usage_history", []).append(
            pd.DataFrame(
                {
                    "pipe_id": ids[pipe_key],
                    "pipe_name": f"RAW.LANDING.{pipe_name}",
                    "start_time": hours[keep],
                    "end_time": hours[keep] + HOUR_MS,
                    "credits_used": (compute + cloud)[keep],
                    "bytes_inserted": bytes_inserted[keep].astype(float),
                    "files_inserted": files[keep],
                    "bytes_billed": bytes_inserted[keep],
                }
            )
        )
        metering(
            "PIPE",
            hours[keep],
            ids[pipe_key],
            "PIPE",
            f"RAW.LANDING.{pipe_name}",
            compute[keep],
            cloud[keep],
            "RAW",
            "LANDING",
            bytes_inserted[keep],
            None,
            files[keep],
        )

    # Snowpipe Streaming: one event per minute of client activity; client
    # time is billed per slice, file migration is a second metering row.
    if account_index < 2:
        client = f"KAFKA_CONNECTOR_{name.split('_')[1]}"
        active = g.random(1440) < 0.85
        minutes = np.nonzero(active)[0]
        ts = day_start + minutes * 60_000 + g.integers(0, 1_000, len(minutes))
        blob = g.lognormal(np.log(2e6), 0.6, len(minutes)).astype(np.int64)
        out.setdefault("snowpipe_streaming_client_history", []).append(
            pd.DataFrame(
                {
                    "client_name": client,
                    "snowflake_provided_id": f"{account.spec.locator}-{client}-0001",
                    "event_timestamp": ts,
                    "event_type": "BLOB_PERSIST",
                    "blob_size_bytes": blob,
                }
            )
        )
        per_hour = np.bincount(minutes // 60, minlength=24)
        bytes_hour = np.bincount(minutes // 60, weights=blob, minlength=24).astype(
            np.int64
        )
        keep = per_hour > 0
        client_nano = (
            per_hour * int(STREAMING_SLICE_S * 1e9 * STREAMING_CREDITS_PER_CLIENT_HOUR)
            + 1_800
        ) // 3_600
        metering(
            "SNOWPIPE_STREAMING",
            hours[keep],
            ids["pipe_streaming"],
            "PIPE",
            client,
            client_nano[keep],
            database="RAW",
            schema="STREAMING",
            bytes_=bytes_hour[keep],
        )
        migrate = bytes_hour // 40_000
        metering(
            "SNOWPIPE_STREAMING",
            hours[keep],
            ids["pipe_streaming"],
            "PIPE",
            "RAW.STREAMING.PAGE_VIEWS_STREAM",
            migrate[keep],
            database="RAW",
            schema="STREAMING",
            bytes_=bytes_hour[keep],
            rows=(bytes_hour[keep] // 180),
        )

    # Automatic clustering (plus a big table nobody reads: rare_clustering).
    tables = [
        ("table_fct_orders", "FCT_ORDERS", "ANALYTICS", "MARTS", 0.25, 0.3),
        ("table_page_views", "PAGE_VIEWS", "RAW", "EVENTS", 0.35, 0.6),
    ]
    if account_index == 0 and "rare_clustering" in scenarios:
        tables.append(
            ("table_events_archive", "EVENTS_ARCHIVE", "RAW", "EVENTS", 0.6, 2.5)
        )
    for key, table, database, schema, chance, size in tables:
        if database not in db:
            continue
        on = g.random(24) < chance
        credits = (g.lognormal(np.log(size), 0.5, 24) * 1e9).astype(np.int64)
        nbytes = (credits * 9_000).astype(np.int64)
        rows = nbytes // 120
        ach = pd.DataFrame(
            {
                "start_time": hours[on] + 60_000,
                "end_time": hours[on] + 41 * 60_000,
                "credits_used": credits[on],
                "num_bytes_reclustered": nbytes[on],
                "num_rows_reclustered": rows[on],
                "table_id": ids[key],
                "table_name": table,
                "schema_id": _schema_id(database, schema),
                "schema_name": schema,
                "database_id": db[database],
                "database_name": database,
                "instance_id": None,
                "version": "CLASSIC",
            }
        )
        out.setdefault("automatic_clustering_history", []).append(ach)
        metering(
            "AUTO_CLUSTERING",
            hours[on],
            ids[key],
            "TABLE",
            table,
            credits[on],
            database=database,
            schema=schema,
            bytes_=nbytes[on],
            rows=rows[on],
        )

    if account_index == 0:
        credits = (g.lognormal(np.log(0.08), 0.4, 24) * 1e9).astype(np.int64)
        out.setdefault("materialized_view_refresh_history", []).append(
            pd.DataFrame(
                {
                    "start_time": hours + 5 * 60_000,
                    "end_time": hours + 9 * 60_000,
                    "credits_used": credits,
                    "table_id": ids["mv_daily_revenue"],
                    "table_name": "MV_DAILY_REVENUE",
                    "schema_id": _schema_id("ANALYTICS", "MARTS"),
                    "schema_name": "MARTS",
                    "database_id": db["ANALYTICS"],
                    "database_name": "ANALYTICS",
                }
            )
        )
        metering(
            "MATERIALIZED_VIEW",
            hours,
            ids["mv_daily_revenue"],
            "TABLE",
            "MV_DAILY_REVENUE",
            credits,
            database="ANALYTICS",
            schema="MARTS",
        )

        ops = np.sort(g.choice(24, 4, replace=False))
        credits = (g.lognormal(np.log(0.4), 0.5, 4) * 1e9).astype(np.int64)
        out.setdefault("search_optimization_history", []).append(
            pd.DataFrame(
                {
                    "start_time": hours[ops] + 600_000,
                    "end_time": hours[ops] + 1_500_000,
                    "credits_used": credits,
                    "table_id": ids["sos_customers"],
                    "table_name": "SEARCH OPTIMIZATION ON TABLE_ID: "
                    f"{ids['table_fct_orders']}",
                    "schema_id": _schema_id("ANALYTICS", "MARTS"),
                    "schema_name": "MARTS",
                    "database_id": db["ANALYTICS"],
                    "database_name": "ANALYTICS",
                }
            )
        )
        metering(
            "SEARCH_OPTIMIZATION",
            hours[ops],
            ids["sos_customers"],
            "TABLE",
            "FCT_ORDERS",
            credits,
            database="ANALYTICS",
            schema="MARTS",
        )

        # Container services for model inference, in US working hours.
        on = (np.arange(24) >= 13) & (np.arange(24) < 23)
        credits = (g.uniform(0.5, 1.1, 24) * 1e9).astype(np.int64)
        out.setdefault("snowpark_container_services_history", []).append(
            pd.DataFrame(
                {
                    "start_time": hours[on],
                    "end_time": hours[on] + HOUR_MS,
                    "compute_pool_name": "ML_INFERENCE_POOL",
                    "compute_pool_id": ids["pool_ml"],
                    "is_exclusive": False,
                    "application_name": None,
                    "application_id": None,
                    "credits_used": credits[on],
                }
            )
        )
        metering(
            "SNOWPARK_CONTAINER_SERVICES",
            hours[on],
            ids["pool_ml"],
            "COMPUTE_POOL",
            "ML_INFERENCE_POOL",
            credits[on],
        )

        # Hybrid table requests: billed before 2026-03-01, zero afterwards.
        busy = g.random(24) < 0.5
        billed = date < HYBRID_UNBILLED_FROM
        credits = (g.uniform(0.01, 0.05, 24) * 1e9).astype(np.int64) * int(billed)
        out.setdefault("hybrid_table_usage_history", []).append(
            pd.DataFrame(
                {
                    "object_type": "ACCOUNT",
                    "object_id": None,
                    "object_name": None,
                    "start_time": hours[busy],
                    "end_time": hours[busy] + HOUR_MS,
                    "credits_used": credits[busy],
                }
            )
        )
        if billed:
            metering(
                "HYBRID_TABLE_REQUESTS",
                hours[busy],
                None,
                None,
                "HYBRID_TABLE_REQUESTS",
                credits[busy],
            )

    # Replication: the secondary copy of ANALYTICS lives in every other
    # account, which pays for the refreshes and the transfer.
    transfers: list[pd.DataFrame] = []
    if account_index > 0 and accounts > 1:
        credits = (g.uniform(0.1, 0.4, 24) * 1e9).astype(np.int64)
        nbytes = (credits * 12).astype(np.int64)
        out.setdefault("replication_group_usage_history", []).append(
            pd.DataFrame(
                {
                    "start_time": hours,
                    "end_time": hours + HOUR_MS,
                    "replication_group_name": "ANALYTICS_RG",
                    "replication_group_id": ids["group_analytics"],
                    "credits_used": credits,
                    "bytes_transferred": nbytes,
                }
            )
        )
        out.setdefault("replication_usage_history", []).append(
            pd.DataFrame(
                {
                    "start_time": hours,
                    "end_time": hours + HOUR_MS,
                    "database_id": db["ANALYTICS"],
                    "database_name": "ANALYTICS",
                    "credits_used": credits,
                    "bytes_transferred": nbytes,
                }
            )
        )
        metering(
            "REPLICATION",
            hours,
            ids["group_analytics"],
            "REPLICATION_GROUP",
            "ANALYTICS_RG",
            credits,
            bytes_=nbytes,
        )
        transfers.append(
            pd.DataFrame(
                {
                    "start_time": hours,
                    "end_time": hours + HOUR_MS,
                    "source_cloud": "AWS",
                    "source_region": "us-east-1",
                    "target_cloud": "AWS",
                    "target_region": account.spec.cloud_region,
                    "bytes": nbytes,
                    "transfer_type": "REPLICATION",
                }
            )
        )

    tables_out = {
        view: pd.concat(frames, ignore_index=True) for view, frames in out.items()
    }
    tables_out["metering_history"] = pd.concat(mh, ignore_index=True)
    if transfers:
        tables_out["transfers"] = pd.concat(transfers, ignore_index=True)
    return tables_out


def _scale(account: AccountOrg) -> float:
    return {0: 1.0, 1: 0.5, 2: 0.3}[
        ["ACME_US", "ACME_EU", "ACME_APAC"].index(account.spec.name)
    ]


def _schema_id(database: str | None, schema: str | None) -> int | None:
    if not database or not schema:
        return None
    return schema_id(database, schema)


def schema_id(database: str, schema: str) -> int:
    """A stable id for a schema (ids are not declared anywhere else)."""
    return 100_000 + rng.salt(0, database, schema) % 90_000


def storage_day(
    seed: int,
    account: AccountOrg,
    day_index: int,
    day_start: int,
    date: dt.date,
    written_bytes: int,
) -> tuple[pd.DataFrame, int]:
    """Daily average bytes per database and of internal stages. Databases grow
    by their trend plus what the day's queries wrote."""
    g = rng.stream(seed, account.spec.name, day_index, "storage")
    rows = []
    total_live = sum(d.base_tb for d in account.databases if d.deleted_at is None)
    for d in account.databases:
        tb = d.base_tb * (1 + d.growth) ** day_index
        active = tb * 1024**4
        if d.deleted_at is None:
            active += (
                written_bytes * day_index * (d.base_tb / max(total_live, 1e-9)) * 0.2
            )
            failsafe = active * 0.07 * (1 + g.uniform(-0.05, 0.05))
            database_bytes = float(np.floor(active))
        else:
            age = (day_start - d.deleted_at) / DAY_MS
            if age >= 8:  # Time Travel (1 day) and Fail-safe (7 days) are over
                continue
            database_bytes = 0.0
            failsafe = active * max(0.0, 1 - age / 8)
        rows.append(
            {
                "usage_date": date,
                "database_id": d.id,
                "database_name": d.name,
                "deleted": d.deleted_at,
                "average_database_bytes": database_bytes,
                "average_failsafe_bytes": float(np.floor(failsafe)),
                "average_hybrid_table_storage_bytes": 0.0,
                "average_archive_storage_cool_bytes": 0.0,
                "average_archive_storage_cold_bytes": 0.0,
                "average_cool_failsafe_bytes": 0.0,
                "average_cold_failsafe_bytes": 0.0,
            }
        )
    stage = int(
        0.6 * 1024**4 * _scale(account) * (1 + 0.01 * day_index) + g.integers(0, 10**10)
    )
    return pd.DataFrame(rows), stage
