"""Rows of every ACCOUNT_USAGE view of one simulated account.

A row is in the file when it has arrived by the end of the last simulated
day: hour-grain rows once their hour is over, statements once they have
ended, late rows (data_quality) after their delay. Daily billing rows
(METERING_DAILY_HISTORY) are written for the days all of whose usage rows
have arrived.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import numpy as np
import pandas as pd
import pyarrow as pa

from snowledger.simulator import rng, serverless, timeline
from snowledger.simulator.org import (
    CENTRAL_COST_CENTER,
    DAY_MS,
    DBT_VERSION,
    HOUR_MS,
    PATTERNS,
    TEAMS,
)
from snowledger.simulator.workload import SOURCE_CODE, TEAM_INDEX
from snowledger.simulator.writer import decimal9, ints, timestamps

log = logging.getLogger(__name__)

CS_ONLY_NAME = "CLOUD_SERVICES_ONLY"
OTHER_REGION = {
    "us-east-1": "us-west-2",
    "eu-central-1": "eu-west-1",
    "ap-southeast-2": "ap-southeast-1",
}
LATE_WMH_SHARE = 0.03
CHUNK_QUERIES = 400_000  # statements written per batch


def _day_of(ms: np.ndarray, p0: int) -> np.ndarray:
    return (np.asarray(ms, dtype=np.int64) - p0) // DAY_MS


def emit_account(run):
    from snowledger.simulator.account import AccountResult

    plan = run.plan
    t_obs = plan.observed_at
    p0 = plan.period_start
    w = run.writer
    schema = run.schema
    q = run.q
    org = run.org
    dq = "data_quality" in run.config.scenarios
    _dimensions(run)

    # ---------------------------------------------------------------- queries
    arrival_qh = run.end + q["delay"]
    in_qh = arrival_qh <= t_obs
    in_qah = (q["wh"] >= 0) & (run.attributed >= 0) & in_qh
    withheld_days = [_day_of(q["start"][~in_qh], p0)]
    written_per_day = np.zeros(plan.days)
    unload_rows = []
    per_day = np.bincount(q["day"], minlength=plan.days)
    chunks, current, size = [], [], 0
    for d in range(plan.days):
        current.append(d)
        size += per_day[d]
        if size >= CHUNK_QUERIES or d == plan.days - 1:
            chunks.append(current)
            current, size = [], 0
    for chunk in chunks:
        m = (q["day"] >= chunk[0]) & (q["day"] <= chunk[-1])
        if not m.any():
            continue
        batch = {
            "qkey": q["qkey"][m],
            "pat": q["pat"][m].astype(np.int64),
            "usr": q["usr"][m].astype(np.int64),
            "wh": q["wh"][m].astype(np.int64),
            "src": q["src"][m].astype(np.int64),
            "start_ms": q["start"][m],
            "start_time": timestamps(q["start"][m]),
            "end_time": timestamps(run.end[m]),
            "exec_start_time": timestamps(run.exec_start[m]),
            "cluster": run.cluster[m],
            "n": q["n"][m],
            "dlit": (p0 // DAY_MS + q["day"][m] - q["dback"][m]).astype(np.int64),
            "tagk": q["tagk"][m].astype(np.int64),
            "tagteam": q["tagteam"][m].astype(np.int64),
            "status": q["status"][m].astype(np.int64),
            "compile": q["compile"][m],
            "qprov": run.qprov[m],
            "qover": run.qover[m],
            "listext": q["listext"][m],
            "blocked": q["blocked"][m],
            "exec_ms": run.end[m] - run.exec_start[m] - q["blocked"][m],
            "elapsed": run.end[m] - q["start"][m],
            "scan": q["scan"][m],
            "cs": decimal9(q["cs"][m]),
            "loadpct": run.loadpct[m],
            "dup": q["dup"][m],
            "in_qh": in_qh[m],
            "in_qah": in_qah[m],
            "attributed": np.where(run.attributed[m] >= 0, run.attributed[m], 0) / 1e9,
            "qas": pa.array(run.qas[m] / 1e9, mask=run.qas[m] == 0),
        }
        idx = np.nonzero(m)[0]
        for i, part in enumerate(_qid_parts(q["qkey"][idx], run.index, run.seed)):
            batch[f"q{i + 1}"] = part
        for i, part in enumerate(_uuid_parts(q["inv"][idx], run.seed, run.index)):
            batch[f"i{i + 1}"] = part
        attrs = _attributes(run, idx)
        written_per_day += np.bincount(
            q["day"][idx], weights=attrs["bytes_written"], minlength=plan.days
        )
        batch.update(attrs)
        table = pa.table(batch)
        w.register("_qh", table)
        w.connection.execute(f"create or replace temp table _x as {_ENRICH_SQL}")
        w.insert_sql(schema, "query_history", _QH_SQL + " where in_qh")
        w.insert_sql(schema, "query_history", _QH_SQL + " where in_qh and dup")
        w.insert_sql(schema, "query_attribution_history", _QAH_SQL)
        w.insert_sql(schema, "task_history", _task_sql(t_obs))
        unload_rows.append(
            w.connection.execute(
                "select end_ms, out_region, bytes_written from _x "
                "where source = 'unload'"
            ).df()
        )
        w.connection.unregister("_qh")
    withheld_days.append(
        _day_of(
            run.exec_start[
                (q["wh"] >= 0) & (run.attributed >= 0) & ~in_qah & (q["wh"] >= 0)
            ],
            p0,
        )
    )
    run._log("query history", int(in_qh.sum()))

    # ------------------------------------------------------ warehouse metering
    wmh = run.wmh.copy()
    delay = np.zeros(len(wmh), dtype=np.int64)
    if dq:
        key = wmh["hour"].to_numpy() * 1000 + wmh["wi"].to_numpy() + 1
        u = rng.uniform(key, rng.salt(run.seed, run.name, "late_wmh"))
        late = u < LATE_WMH_SHARE
        delay[late] = HOUR_MS + (u[late] / LATE_WMH_SHARE * 29 * HOUR_MS).astype(
            np.int64
        )
    wmh["arrives"] = wmh["hour"] + HOUR_MS + delay
    wmh["in_file"] = wmh["arrives"] <= t_obs
    wmh = wmh[wmh["hour"] + HOUR_MS <= t_obs]
    withheld_days.append(_day_of(wmh.loc[~wmh["in_file"], "hour"].to_numpy(), p0))
    ids = np.array([wh.id for wh in org.warehouses] + [0])
    wi = wmh["wi"].to_numpy()
    hour = wmh["hour"].to_numpy()
    names = np.array(
        [_wh_name(org.warehouses, i, h) for i, h in zip(wi, hour, strict=True)]
    )
    compute = wmh["compute"].to_numpy()
    cs = wmh["cs"].to_numpy()
    keep = wmh["in_file"].to_numpy()
    w.insert(
        schema,
        "warehouse_metering_history",
        pa.table(
            {
                "start_time": timestamps(hour[keep]),
                "end_time": timestamps(hour[keep] + HOUR_MS),
                "warehouse_id": ints(ids[wi[keep]]),
                "warehouse_name": names[keep],
                "credits_used": decimal9((compute + cs)[keep]),
                "credits_used_compute": decimal9(compute[keep]),
                "credits_used_cloud_services": decimal9(cs[keep]),
                "credits_attributed_compute_queries": decimal9(
                    wmh["attributed"].to_numpy()[keep]
                ),
            }
        ),
    )

    mh_frames = [
        pd.DataFrame(
            {
                "service_type": "WAREHOUSE_METERING",
                "start_time": hour,
                "end_time": hour + HOUR_MS,
                "entity_id": ids[wi],
                "entity_type": np.where(wi >= 0, "WAREHOUSE", None),
                "name": names,
                "compute": compute,
                "cloud": cs,
                "in_file": keep,
            }
        )
    ]
    # Query acceleration per warehouse and hour of execution start.
    qas = run.qas > 0
    if qas.any():
        qa = (
            pd.DataFrame(
                {
                    "wi": q["wh"][qas].astype(np.int64),
                    "hour": run.exec_start[qas] // HOUR_MS * HOUR_MS,
                    "credits": run.qas[qas],
                }
            )
            .groupby(["wi", "hour"], as_index=False)
            .sum()
        )
        qa = qa[qa["hour"] + HOUR_MS <= t_obs]
        qa_names = np.array(
            [
                _wh_name(org.warehouses, i, h)
                for i, h in zip(qa["wi"], qa["hour"], strict=True)
            ]
        )
        w.insert(
            schema,
            "query_acceleration_history",
            pa.table(
                {
                    "start_time": timestamps(qa["hour"]),
                    "end_time": timestamps(qa["hour"] + HOUR_MS),
                    "credits_used": decimal9(qa["credits"]),
                    "warehouse_id": ints(ids[qa["wi"]]),
                    "warehouse_name": qa_names,
                }
            ),
        )
        mh_frames.append(
            pd.DataFrame(
                {
                    "service_type": "QUERY_ACCELERATION",
                    "start_time": qa["hour"].to_numpy(),
                    "end_time": qa["hour"].to_numpy() + HOUR_MS,
                    "entity_id": ids[qa["wi"]],
                    "entity_type": "WAREHOUSE",
                    "name": qa_names,
                    "compute": qa["credits"].to_numpy(),
                    "cloud": 0,
                    "in_file": True,
                }
            )
        )

    # ---------------------------------------------------------------- serverless
    sv = run.serverless
    for view, frame in sv.items():
        if view in ("metering_history", "transfers"):
            continue
        frame = frame[
            frame["start_time" if "start_time" in frame else "event_timestamp"] < t_obs
        ]
        w.insert(schema, view, _typed(frame))
    smh = sv["metering_history"]
    smh = smh.assign(in_file=True)
    mh_frames.append(smh)
    mh = pd.concat(mh_frames, ignore_index=True)
    mh = mh[mh["start_time"] + HOUR_MS <= t_obs]
    mh_in = mh[mh["in_file"]]
    w.insert(
        schema,
        "metering_history",
        pa.table(
            {
                "service_type": mh_in["service_type"].to_numpy().astype(str),
                "start_time": timestamps(mh_in["start_time"]),
                "end_time": timestamps(mh_in["end_time"]),
                "entity_id": pa.array(
                    mh_in["entity_id"].to_numpy(dtype=float),
                    mask=mh_in["entity_id"].isna().to_numpy(),
                ).cast(pa.int64()),
                "entity_type": pa.array(_col(mh_in, "entity_type"), type=pa.string()),
                "name": pa.array(_col(mh_in, "name"), type=pa.string()),
                "database_id": _nullable_int(mh_in.get("database_id")),
                "database_name": pa.array(
                    _col(mh_in, "database_name"), type=pa.string()
                ),
                "schema_id": _nullable_int(mh_in.get("schema_id")),
                "schema_name": pa.array(_col(mh_in, "schema_name"), type=pa.string()),
                "credits_used_compute": decimal9(mh_in["compute"].astype(np.int64)),
                "credits_used_cloud_services": decimal9(
                    mh_in["cloud"].astype(np.int64)
                ),
                "credits_used": decimal9(
                    (mh_in["compute"] + mh_in["cloud"]).astype(np.int64)
                ),
                "bytes": _nullable_int(mh_in.get("bytes")),
                "rows": _nullable_int(mh_in.get("rows")),
                "files": _nullable_int(mh_in.get("files")),
            }
        ),
    )
    run._log("metering", len(mh_in))

    # -------------------------------------------- settled days and daily billing
    withheld = np.concatenate(withheld_days)
    first_open = int(withheld.min()) if len(withheld) else plan.days
    first_open = min(first_open, plan.days)
    settled = plan.start + dt.timedelta(days=first_open - 1) if first_open > 0 else None
    mh = mh.assign(day=_day_of(mh["start_time"], p0))
    daily = mh.groupby(["day", "service_type"], as_index=False)[
        ["compute", "cloud"]
    ].sum()
    daily["compute"] = daily["compute"].astype(np.int64)
    daily["cloud"] = daily["cloud"].astype(np.int64)
    adjustment = np.zeros(len(daily), dtype=np.int64)
    is_wh = (daily["service_type"] == "WAREHOUSE_METERING").to_numpy()
    adjustment[is_wh] = -np.minimum(
        daily["cloud"].to_numpy()[is_wh], (daily["compute"].to_numpy()[is_wh] + 5) // 10
    )
    daily["adjustment"] = adjustment
    daily["usage_date"] = [plan.start + dt.timedelta(days=int(x)) for x in daily["day"]]
    daily_all = daily
    daily = daily[daily["day"] < first_open]
    w.insert(
        schema,
        "metering_daily_history",
        pa.table(
            {
                "service_type": daily["service_type"].to_numpy().astype(str),
                "usage_date": pa.array(daily["usage_date"], type=pa.date32()),
                "credits_used_compute": decimal9(daily["compute"]),
                "credits_used_cloud_services": decimal9(daily["cloud"]),
                "credits_used": decimal9(daily["compute"] + daily["cloud"]),
                "credits_adjustment_cloud_services": decimal9(daily["adjustment"]),
                "credits_billed": decimal9(
                    daily["compute"] + daily["cloud"] + daily["adjustment"]
                ),
            }
        ),
    )

    _events(run)
    _load(run)
    transfer = _transfers(run, pd.concat(unload_rows, ignore_index=True))
    storage = _storage(run, written_per_day)
    _objects(run, storage)
    truth = _truth(run, in_qh, wmh, first_open, daily_all)
    run._log(
        "account written",
        sum(n for key, n in w.rows.items() if key.startswith(f"{schema}.")),
    )
    return AccountResult(
        org=org,
        daily_all=daily_all,
        storage=storage,
        transfer=transfer,
        settled_days=first_open,
        settled_through=settled,
        truth=truth,
    )


def _col(frame: pd.DataFrame, name: str) -> list:
    if name not in frame:
        return [None] * len(frame)
    return [
        None if (x is None or (isinstance(x, float) and np.isnan(x))) else x
        for x in frame[name].tolist()
    ]


def _nullable_int(series) -> pa.Array:
    if series is None:
        return pa.nulls(0, pa.int64())
    values = pd.to_numeric(pd.Series(series), errors="coerce")
    mask = values.isna().to_numpy()
    return pa.array(values.fillna(0).to_numpy(dtype=np.int64), mask=mask)


def _typed(frame: pd.DataFrame) -> pa.Table:
    """A detail frame with integer credits, ms times and ints as Arrow."""
    columns = {}
    for name in frame.columns:
        s = frame[name]
        if name in ("start_time", "end_time", "event_timestamp", "deleted"):
            values = pd.to_numeric(s, errors="coerce")
            columns[name] = timestamps(
                values.fillna(0).to_numpy(dtype=np.int64), mask=values.isna().to_numpy()
            )
        elif name == "credits_used":
            columns[name] = decimal9(s.to_numpy(dtype=np.int64))
        elif name == "files_inserted":
            columns[name] = pa.array([json.dumps(int(x)) for x in s], type=pa.string())
        elif s.dtype == object and s.map(lambda x: x is None).all():
            columns[name] = pa.nulls(len(s), pa.string())
        else:
            columns[name] = pa.array(s.tolist()) if s.dtype == object else pa.array(s)
    return pa.table(columns)


def _wh_name(warehouses, wi: int, hour: int) -> str:
    if wi < 0:
        return CS_ONLY_NAME
    wh = warehouses[wi]
    if wh.renamed_at is not None and hour < wh.renamed_at:
        return wh.old_name
    return wh.name


def _qid_parts(qkey: np.ndarray, account_index: int, seed: int) -> list[np.ndarray]:
    """Integer parts of QUERY_ID, formatted 8-4-4-4-12 hex by DuckDB."""
    h = rng.mix(qkey, rng.salt(seed, "query_id"))
    return [
        (h & np.uint64(0xFFFFFFFF)).astype(np.int64),
        np.full(len(qkey), 0x0300 + account_index * 0x10, dtype=np.int64),
        ((h >> np.uint64(32)) & np.uint64(0xFFFF)).astype(np.int64),
        np.zeros(len(qkey), dtype=np.int64),
        (qkey & 0xFFFFFFFFFFFF).astype(np.int64),
    ]


def _uuid_parts(key: np.ndarray, seed: int, account_index: int) -> list[np.ndarray]:
    a = rng.mix(key, rng.salt(seed, "uuid", account_index, 1))
    b = rng.mix(key, rng.salt(seed, "uuid", account_index, 2))
    return [
        (a & np.uint64(0xFFFFFFFF)).astype(np.int64),
        ((a >> np.uint64(32)) & np.uint64(0xFFFF)).astype(np.int64),
        ((a >> np.uint64(48)) & np.uint64(0xFFF)).astype(np.int64),
        (b & np.uint64(0xFFFF)).astype(np.int64),
        ((b >> np.uint64(16)) & np.uint64(0xFFFFFFFFFFFF)).astype(np.int64),
    ]


def _attributes(run, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Bytes, rows, partitions and the other per-statement measures of the
    statements at `idx`."""
    q = {
        k: run.q[k][idx]
        for k in ("qkey", "src", "wh", "pat", "scan", "exec", "day", "usr")
    }
    key = q["qkey"]
    src = q["src"]

    def u(label: str) -> np.ndarray:
        return rng.uniform(key, rng.salt(run.seed, run.name, label))

    has_wh = q["wh"] >= 0
    writes = np.array([p.writes for p in PATTERNS])[q["pat"]]
    select = np.array([p.query_type == "SELECT" for p in PATTERNS])[q["pat"]]
    scan = q["scan"]
    rows = np.where(has_wh, (scan / 180 * u("rows")).astype(np.int64), 0)
    produced = np.where(
        select, np.minimum(rows, (10 ** (u("produced") * 5)).astype(np.int64)), rows
    )
    unload = src == SOURCE_CODE["unload"]
    bytes_written = np.where(
        writes | unload, (scan * (0.15 + 0.3 * u("written"))).astype(np.int64), 0
    )
    partitions = np.where(has_wh, np.maximum(1, scan // 16_000_000), 0)
    spill = has_wh & (u("spill") < 0.02) & (q["exec"] > 30_000)
    out_region = np.where(unload & (u("region") < 0.4), 1, 0)
    region = run.org.spec.cloud_region
    dml = writes & ~unload
    return {
        "pct_cache": np.where(has_wh, np.round(u("cache") * 0.9, 4), 0.0),
        "bytes_written": bytes_written,
        "bytes_to_result": np.where(select, produced * 120, 0),
        "rows_produced": produced,
        "rows_inserted": np.where(dml, (rows * 0.3).astype(np.int64), 0),
        "rows_updated": np.where(dml, (rows * 0.1 * u("upd")).astype(np.int64), 0),
        "rows_deleted": np.where(dml, (rows * 0.01 * u("del")).astype(np.int64), 0),
        "rows_unloaded": np.where(unload, rows, 0),
        "partitions": partitions,
        "partitions_total": partitions * (1 + (u("prune") * 20).astype(np.int64)),
        "spill_local": np.where(spill, scan // 3, 0),
        "spill_remote": np.where(spill & (u("remote") < 0.2), scan // 10, 0),
        "network": np.where(has_wh, scan // 20, 0),
        "out_region": np.where(out_region == 1, OTHER_REGION[region], region),
        "out_bytes": np.where(unload, bytes_written, 0),
        "session": (
            (q["day"].astype(np.int64) + run.plan.period_start // DAY_MS) * 10_000
            + q["usr"].astype(np.int64)
            + 10
        )
        * 100
        + run.index,
        "is_dml": dml,
        "end_ms": run.end[idx],
        "qas_scan": np.where(run.qas[idx] > 0, scan // 2, 0),
    }


_ENRICH_SQL = (
    """
with e as (
    select
        b.*,
        p.source, p.query_type, p.template, p.db, p.pschema, p.db_id, p.schema_id,
        p.node, p.materialized, p.parameterized_hash,
        coalesce(u.name, 'SYSTEM') as user_name,
        coalesce(u.role, 'SYSADMIN') as role_name,
        u.user_type, u.default_wh,
        wh.id as warehouse_id,
        case when wh.renamed_at is not null and b.start_ms < wh.renamed_at
            then wh.old_name else wh.name end as warehouse_name,
        wh.size_label, wh.type_label,
        t.team
    from _qh as b
    inner join _patterns as p on p.id = b.pat
    left join _users as u on u.idx = b.usr
    left join _warehouses as wh on wh.idx = b.wh
    left join _teams as t on t.idx = b.tagteam
),
x as (
    select
        e.*,
        replace(replace(replace(replace(replace(replace(template,
            '{n}', n::varchar),
            '{d}', strftime(date '1970-01-01' + dlit::integer, '%Y-%m-%d')),
            '{db}', coalesce(db, '')),
            '{schema}', coalesce(pschema, '')),
            '{wh}', coalesce(default_wh, '')),
            '{role}', role_name) as body,
        printf('%08x-%04x-4%03x-a%03x-%012x', i1, i2, i3, i4 % 4096, i5)
            as invocation_id,
        printf('%08x-%04x-%04x-%04x-%012x', q1, q2, q3, q4, q5) as query_id
    from e
)
select
    x.*,
    case when source in ('dbt', 'dbt_test') then
        '/* {"app": "dbt", "node_id": "' || node || '", "dbt_version": "'
        || '"""
    + DBT_VERSION
    + """' || '", "profile_name": "acme_analytics", '
        || '"target_name": "prod", "invocation_id": "' || invocation_id
        || '"} */' || chr(10)
    else '' end || body as query_text,
    md5(body) as query_hash,
    case tagk
        when 1 then '{"team": "' || team || '", "app": "looker", "dashboard_id": '
            || (n % 500)::varchar || '}'
        when 2 then '{"app": "dbt", "team": "' || team || '", "node_id": "' || node
            || '", "materialized": "' || materialized || '", "invocation_id": "'
            || invocation_id || '"}'
        when 3 then case n % 3
            when 0 then '{"team": "' || team || '", "app": "looker"'
            when 1 then '{"team": 42, "app": "looker"}'
            else '{"team": ["' || team || '"], "app": "looker"}' end
        when 4 then 'looker:' || team
        else '' end as query_tag
from x
"""
)

_QH_SQL = """
select
    query_id, query_text,
    case when warehouse_id is null and source = 'meta' then null else db_id end
        as database_id,
    db as database_name, schema_id, pschema as schema_name, query_type,
    session as session_id, session * 7 + 3 as authn_event_id,
    user_name, role_name, warehouse_id, warehouse_name,
    size_label as warehouse_size, type_label as warehouse_type,
    case when warehouse_id is not null then cluster end as cluster_number,
    query_tag,
    case status when 0 then 'SUCCESS' else 'FAIL' end as execution_status,
    case status when 1 then 100038 when 2 then 604 end as error_code,
    case status
        when 1 then 'Numeric value ''n/a'' is not recognized'
        when 2 then 'SQL execution canceled' end as error_message,
    start_time, end_time, elapsed as total_elapsed_time,
    scan as bytes_scanned, pct_cache as percentage_scanned_from_cache,
    bytes_written, bytes_to_result as bytes_written_to_result,
    0 as bytes_read_from_result, rows_produced, rows_inserted, rows_updated,
    rows_deleted, rows_unloaded, 0 as bytes_deleted,
    partitions as partitions_scanned, partitions_total,
    spill_local as bytes_spilled_to_local_storage,
    spill_remote as bytes_spilled_to_remote_storage,
    network as bytes_sent_over_the_network,
    compile as compilation_time,
    case when warehouse_id is null then 0 else exec_ms end as execution_time,
    qprov as queued_provisioning_time, 0 as queued_repair_time,
    qover as queued_overload_time, blocked as transaction_blocked_time,
    case when source = 'unload' then 'AWS' end as outbound_data_transfer_cloud,
    case when source = 'unload' then out_region end as outbound_data_transfer_region,
    case when source = 'unload' then out_bytes end as outbound_data_transfer_bytes,
    null as inbound_data_transfer_cloud, null as inbound_data_transfer_region,
    null as inbound_data_transfer_bytes,
    listext as list_external_files_time, cs as credits_used_cloud_services,
    '9.38.2' as release_version,
    0 as external_function_total_invocations, 0 as external_function_total_sent_rows,
    0 as external_function_total_received_rows, 0 as external_function_total_sent_bytes,
    0 as external_function_total_received_bytes,
    case when warehouse_id is not null then loadpct end as query_load_percent,
    source = 'meta' as is_client_generated_statement,
    qas_scan as query_acceleration_bytes_scanned,
    case when qas_scan > 0 then qas_scan // 16000000 else 0 end
        as query_acceleration_partitions_scanned,
    case when warehouse_id is not null then 8 end
        as query_acceleration_upper_limit_scale_factor,
    case when is_dml then qkey else 0 end as transaction_id,
    0 as child_queries_wait_time, 'ROLE' as role_type,
    query_hash, 2 as query_hash_version,
    parameterized_hash as query_parameterized_hash,
    1 as query_parameterized_hash_version,
    null as secondary_role_stats,
    case when query_type = 'SELECT' then rows_produced else 1 end
        as rows_written_to_result,
    0 as query_retry_time, null as query_retry_cause, 0 as fault_handling_time,
    coalesce(user_type, 'SERVICE') as user_type,
    null as user_database_name, null as user_database_id,
    null as user_schema_name, null as user_schema_id,
    '[]'::json as bind_values, null as agent_type
from _x
"""

_QAH_SQL = """
select
    query_id, null as parent_query_id, null as root_query_id, warehouse_id,
    warehouse_name, query_hash, parameterized_hash as query_parameterized_hash,
    query_tag, user_name, exec_start_time as start_time, end_time,
    attributed as credits_attributed_compute,
    qas as credits_used_query_acceleration
from _x
where in_qah
"""


def _task_sql(t_obs: int) -> str:
    return f"""
select
    case when source = 'task' then 'RUN_DATA_QUALITY_CHECKS'
        when template like '%PAGE_VIEWS_COMPACT%' then 'COMPACT_PAGE_VIEWS'
        else 'SNAPSHOT_TAGS' end as name,
    query_text, null as condition_text, pschema as schema_name,
    schema_id as task_schema_id, db as database_name, db_id as task_database_id,
    to_timestamp(floor(start_ms / 60000) * 60) as scheduled_time,
    end_time as completed_time,
    case status when 0 then 'SUCCEEDED' when 2 then 'CANCELLED' else 'FAILED' end
        as state,
    null as return_value, query_id, start_time as query_start_time,
    case status when 1 then 100038 when 2 then 604 end as error_code,
    case status when 1 then 'Numeric value ''n/a'' is not recognized'
        when 2 then 'SQL execution canceled' end as error_message,
    1 as graph_version, (floor(start_ms / 60000) * 60000)::bigint as run_id,
    printf('01b%05x-0000-0000-0000-%012x', pat, pat) as root_task_id,
    'SCHEDULE' as scheduled_from, 1 as attempt_number, null as instance_id,
    null as config, query_hash, 2 as query_hash_version,
    parameterized_hash as query_parameterized_hash,
    1 as query_parameterized_hash_version,
    printf('%08x-0000-4000-8000-%012x', q1, q5) as graph_run_group_id,
    null as backfill_info, null as spcs_job_id
from _x
where source in ('task', 'stask') and end_ms + 0 <= {t_obs}
"""


def _dimensions(run) -> None:
    """Small lookup tables the SQL above joins to."""
    w = run.writer
    org = run.org
    w.register(
        "_patterns",
        pd.DataFrame(
            {
                "id": [p.id for p in PATTERNS],
                "source": [p.source for p in PATTERNS],
                "query_type": [p.query_type for p in PATTERNS],
                "template": [p.template for p in PATTERNS],
                "db": [p.database for p in PATTERNS],
                "pschema": [p.schema for p in PATTERNS],
                "db_id": pd.array(
                    [_db_id(org, p.database) for p in PATTERNS], dtype="Int64"
                ),
                "schema_id": pd.array(
                    [
                        serverless.schema_id(p.database, p.schema)
                        if p.database and p.schema
                        else None
                        for p in PATTERNS
                    ],
                    dtype="Int64",
                ),
                "node": [p.node for p in PATTERNS],
                "materialized": [p.materialized for p in PATTERNS],
                "parameterized_hash": [_md5(p.template) for p in PATTERNS],
            }
        ),
    )
    w.register(
        "_users",
        pd.DataFrame(
            {
                "idx": range(len(org.users)),
                "name": [u.name for u in org.users],
                "role": [u.role for u in org.users],
                "user_type": [u.kind for u in org.users],
                "default_wh": [u.default_warehouse for u in org.users],
            }
        ),
    )
    w.register(
        "_warehouses",
        pd.DataFrame(
            {
                "idx": range(len(org.warehouses)),
                "id": [x.id for x in org.warehouses],
                "name": [x.name for x in org.warehouses],
                "old_name": [x.old_name for x in org.warehouses],
                "renamed_at": pd.array(
                    [x.renamed_at for x in org.warehouses], dtype="Int64"
                ),
                "size_label": [x.size_label for x in org.warehouses],
                "type_label": [x.type_label for x in org.warehouses],
            }
        ),
    )
    w.register(
        "_teams",
        pd.DataFrame(
            {"idx": list(TEAM_INDEX.values()), "team": list(TEAM_INDEX.keys())}
        ),
    )


def _md5(text: str) -> str:
    import hashlib

    return hashlib.md5(text.encode()).hexdigest()


def _db_id(org, name: str | None) -> int | None:
    return next((d.id for d in org.databases if d.name == name), None)


# ------------------------------------------------------------------- events
def _events(run) -> None:
    """WAREHOUSE_EVENTS_HISTORY: resumes, suspends, cluster spin-up and
    spin-down, consistent with the running intervals billed."""
    org = run.org
    q = run.q
    t_obs = run.plan.observed_at
    frames = []
    for wi, line in run.lines.items():
        wh = org.warehouses[wi]
        idx = run.indices[wi]
        first = idx[line.session_first]
        n = len(first)
        user = q["usr"][first]
        common = {"wi": wi}
        qids = _qid_parts(q["qkey"][first], run.index, run.seed)
        qid = np.array(
            [
                f"{a:08x}-{b:04x}-{c:04x}-{d:04x}-{e:012x}"
                for a, b, c, d, e in zip(*qids, strict=True)
            ],
            dtype=object,
        )
        users = np.array([org.users[u].name if u >= 0 else "SYSTEM" for u in user])
        roles = np.array([org.users[u].role if u >= 0 else "SYSADMIN" for u in user])
        for ts, event, reason, state, cluster, with_user in (
            (
                line.session_request,
                "RESUME_WAREHOUSE",
                "WAREHOUSE_AUTORESUME",
                "STARTED",
                None,
                True,
            ),
            (
                line.session_resumed,
                "RESUME_WAREHOUSE",
                "WAREHOUSE_AUTORESUME",
                "COMPLETED",
                None,
                True,
            ),
            (
                line.session_resumed,
                "RESUME_CLUSTER",
                "WAREHOUSE_AUTORESUME",
                "COMPLETED",
                1,
                True,
            ),
            (
                line.session_resumed,
                "WAREHOUSE_CONSISTENT",
                None,
                "COMPLETED",
                None,
                False,
            ),
            (
                line.session_suspended,
                "SUSPEND_WAREHOUSE",
                "WAREHOUSE_AUTOSUSPEND",
                "STARTED",
                None,
                False,
            ),
            (
                line.session_suspended,
                "SUSPEND_CLUSTER",
                "WAREHOUSE_AUTOSUSPEND",
                "COMPLETED",
                1,
                False,
            ),
            (
                line.session_suspended,
                "SUSPEND_WAREHOUSE",
                "WAREHOUSE_AUTOSUSPEND",
                "COMPLETED",
                None,
                False,
            ),
        ):
            consistent = event == "WAREHOUSE_CONSISTENT"
            frames.append(
                pd.DataFrame(
                    {
                        **common,
                        "ts": ts,
                        "cluster_number": cluster,
                        "event_name": event,
                        "event_reason": reason,
                        "event_state": state,
                        "user_name": users if with_user else None,
                        "role_name": roles if with_user else None,
                        "query_id": qid if with_user else None,
                        "size": wh.size_label if consistent else None,
                        "cluster_count": str(wh.max_clusters) if consistent else None,
                        "warehouse_type": wh.type_label if consistent else None,
                        "resource_constraint": (
                            "MEMORY_16X" if wh.snowpark else "STANDARD_GEN_1"
                        )
                        if consistent
                        else None,
                        "order": 0,
                    },
                    index=range(n),
                )
            )
        extra = line.interval_cluster > 1
        if extra.any():
            k = line.interval_cluster[extra]
            s0 = line.interval_start[extra]
            e0 = line.interval_end[extra]
            owner = np.searchsorted(line.session_resumed, s0, side="right") - 1
            with_session = e0 >= line.session_suspended[owner]
            for ts, event, reason, state in (
                (s0, "RESUME_CLUSTER", "MULTICLUSTER_SPINUP", "STARTED"),
                (s0, "RESUME_CLUSTER", "MULTICLUSTER_SPINUP", "COMPLETED"),
                (e0, "SUSPEND_CLUSTER", None, "COMPLETED"),
            ):
                if reason is None:
                    reasons = np.where(
                        with_session, "WAREHOUSE_AUTOSUSPEND", "MULTICLUSTER_SPINDOWN"
                    )
                else:
                    reasons = reason
                frames.append(
                    pd.DataFrame(
                        {
                            **common,
                            "ts": ts,
                            "cluster_number": k,
                            "event_name": event,
                            "event_reason": reasons,
                            "event_state": state,
                            "order": 1,
                        }
                    )
                )
        if wh.renamed_at is not None:
            frames.append(
                pd.DataFrame(
                    {
                        **common,
                        "ts": [wh.renamed_at],
                        "event_name": ["ALTER_WAREHOUSE"],
                        "event_state": ["COMPLETED"],
                        "user_name": ["ADMIN"],
                        "role_name": ["SYSADMIN"],
                        "order": [2],
                    }
                )
            )
    events = pd.concat(frames, ignore_index=True)
    events = events[events["ts"] <= t_obs]
    wi = events["wi"].to_numpy()
    ts = events["ts"].to_numpy(dtype=np.int64)
    names = [_wh_name(org.warehouses, i, t) for i, t in zip(wi, ts, strict=True)]
    cluster = pd.to_numeric(events["cluster_number"], errors="coerce")
    run.writer.insert(
        run.schema,
        "warehouse_events_history",
        pa.table(
            {
                "timestamp": timestamps(ts),
                "warehouse_id": ints([org.warehouses[i].id for i in wi]),
                "warehouse_name": names,
                "cluster_number": pa.array(
                    cluster.fillna(0).to_numpy(dtype=np.int64),
                    mask=cluster.isna().to_numpy(),
                ),
                **{
                    c: pa.array(_col(events, c), type=pa.string())
                    for c in (
                        "event_name",
                        "event_reason",
                        "event_state",
                        "user_name",
                        "role_name",
                        "query_id",
                        "size",
                        "cluster_count",
                        "warehouse_type",
                        "resource_constraint",
                    )
                },
            }
        ),
    )


KINDS = ("running", "queued", "provisioning", "blocked")


def _load(run) -> None:
    """WAREHOUSE_LOAD_HISTORY in 5-minute intervals from the timeline."""
    org = run.org
    q = run.q
    width = 300_000
    t_obs = run.plan.observed_at
    frames = []
    for wi in run.lines:
        idx = run.indices[wi]
        arrival = run.arrival[idx]
        pieces = []
        for s, e in (
            (run.exec_start[idx], run.end[idx]),
            (arrival + run.qprov[idx], run.exec_start[idx]),
            (arrival, arrival + run.qprov[idx]),
            (run.exec_start[idx], run.exec_start[idx] + q["blocked"][idx]),
        ):
            _, bucket, ms = timeline.split(s, e, width)
            pieces.append((bucket, ms))
        buckets = np.unique(np.concatenate([b for b, _ in pieces]))
        load = pd.DataFrame({"bucket": buckets})
        for label, (bucket, ms) in zip(KINDS, pieces, strict=True):
            load[label] = np.bincount(
                np.searchsorted(buckets, bucket), weights=ms, minlength=len(buckets)
            ).astype(np.int64)
        load["wi"] = wi
        frames.append(load)
    load = pd.concat(frames, ignore_index=True)
    load = load[load["bucket"] + width <= t_obs]
    bucket = load["bucket"].to_numpy(dtype=np.int64)
    wi = load["wi"].to_numpy()

    def avg(col: str) -> pa.Array:
        # ms / 300000 at 9 decimals = ms * 10000 / 3 nano
        return decimal9((load[col].to_numpy(dtype=np.int64) * 10_000 + 1) // 3)

    run.writer.insert(
        run.schema,
        "warehouse_load_history",
        pa.table(
            {
                "start_time": timestamps(bucket),
                "end_time": timestamps(bucket + width),
                "warehouse_id": ints([org.warehouses[i].id for i in wi]),
                "warehouse_name": [
                    _wh_name(org.warehouses, i, b)
                    for i, b in zip(wi, bucket, strict=True)
                ],
                "avg_running": avg("running"),
                "avg_queued_load": avg("queued"),
                "avg_queued_provisioning": avg("provisioning"),
                "avg_blocked": avg("blocked"),
            }
        ),
    )


def _transfers(run, unloads: pd.DataFrame) -> pd.DataFrame:
    """DATA_TRANSFER_HISTORY per hour and route; returns billable bytes per day
    (egress leaving the account's region)."""
    region = run.org.spec.cloud_region
    t_obs = run.plan.observed_at
    p0 = run.plan.period_start
    frames = []
    if len(unloads):
        u = unloads.assign(hour=unloads["end_ms"] // HOUR_MS * HOUR_MS)
        u = u.groupby(["hour", "out_region"], as_index=False)["bytes_written"].sum()
        frames.append(
            pd.DataFrame(
                {
                    "start_time": u["hour"],
                    "end_time": u["hour"] + HOUR_MS,
                    "source_cloud": "AWS",
                    "source_region": region,
                    "target_cloud": "AWS",
                    "target_region": u["out_region"],
                    "bytes": u["bytes_written"],
                    "transfer_type": "COPY",
                }
            )
        )
    if "transfers" in run.serverless:
        frames.append(run.serverless["transfers"])
    if not frames:
        return pd.DataFrame({"day": [], "bytes": []})
    dth = pd.concat(frames, ignore_index=True)
    dth = dth[dth["start_time"] + HOUR_MS <= t_obs]
    table = _typed(dth.drop(columns=["bytes"]))
    table = table.append_column(
        "bytes_transferred",
        pa.array([json.dumps(int(b)) for b in dth["bytes"]], type=pa.string()),
    )
    run.writer.insert(run.schema, "data_transfer_history", table)
    billable = dth[
        (dth["source_region"] != dth["target_region"])
        & (dth["transfer_type"] != "REPLICATION")
        | (
            (dth["transfer_type"] == "REPLICATION")
            & (dth["target_region"] == region)
            & (dth["source_region"] != region)
        )
    ]
    out = (
        billable.assign(day=_day_of(billable["start_time"], p0))
        .groupby("day", as_index=False)["bytes"]
        .sum()
    )
    return out


def _storage(run, written_per_day: np.ndarray) -> pd.DataFrame:
    """DATABASE_STORAGE_USAGE_HISTORY, STAGE_STORAGE_USAGE_HISTORY and
    STORAGE_USAGE, consistent with each other; returns billable bytes per day."""
    plan = run.plan
    frames, stages = [], []
    for d in range(plan.days):
        date = plan.start + dt.timedelta(days=d)
        dsuh, stage = serverless.storage_day(
            run.seed,
            run.org,
            d,
            plan.period_start + d * DAY_MS,
            date,
            int(written_per_day[: d + 1].mean()) if d >= 0 else 0,
        )
        frames.append(dsuh)
        stages.append({"usage_date": date, "average_stage_bytes": stage})
    dsuh = pd.concat(frames, ignore_index=True)
    stage = pd.DataFrame(stages)
    run.writer.insert(run.schema, "database_storage_usage_history", _typed(dsuh))
    run.writer.insert(run.schema, "stage_storage_usage_history", stage)
    su = (
        dsuh.groupby("usage_date", as_index=False)[
            [
                "average_database_bytes",
                "average_failsafe_bytes",
                "average_hybrid_table_storage_bytes",
            ]
        ]
        .sum()
        .merge(stage, on="usage_date")
    )
    storage_usage = pd.DataFrame(
        {
            "usage_date": su["usage_date"],
            "storage_bytes": su["average_database_bytes"].astype(np.int64),
            "stage_bytes": su["average_stage_bytes"].astype(np.int64),
            "failsafe_bytes": su["average_failsafe_bytes"].astype(np.int64),
            "hybrid_table_storage_bytes": su[
                "average_hybrid_table_storage_bytes"
            ].astype(np.int64),
            "archive_storage_cool_bytes": 0,
            "archive_storage_cold_bytes": 0,
            "archive_storage_retrieval_temp_bytes": 0,
        }
    )
    run.writer.insert(run.schema, "storage_usage", storage_usage)
    run.last_storage = dsuh[dsuh["usage_date"] == dsuh["usage_date"].max()]
    return pd.DataFrame(
        {
            "day": [(x - plan.start).days for x in storage_usage["usage_date"]],
            "bytes": storage_usage["storage_bytes"]
            + storage_usage["stage_bytes"]
            + storage_usage["failsafe_bytes"],
        }
    )


# ------------------------------------------------------------------ objects
TAG_NAMES = ("TEAM", "DEPARTMENT", "COST_CENTER", "ENVIRONMENT")


def _objects(run, storage: pd.DataFrame) -> None:
    """Current state at the end of the period: users, roles, grants, tags,
    tag assignments and table storage."""
    org = run.org
    w = run.writer
    p0 = run.plan.period_start
    t_obs = run.plan.observed_at
    created = p0 - 400 * DAY_MS
    reorg = "reorganisation" in run.config.scenarios and run.plan.reorg_at < t_obs

    users = org.users
    w.insert(
        run.schema,
        "users",
        pa.table(
            {
                "user_id": ints([u.id for u in users]),
                "name": [u.name for u in users],
                "created_on": timestamps(
                    np.full(len(users), created) + np.arange(len(users)) * DAY_MS
                ),
                "login_name": [u.name.lower() for u in users],
                "display_name": [u.name.replace("_", " ").title() for u in users],
                "first_name": [u.first for u in users],
                "last_name": [u.last for u in users],
                "email": [
                    f"{u.first.lower()}.{u.last.lower()}@acme.example"
                    if u.first
                    else None
                    for u in users
                ],
                "must_change_password": [False] * len(users),
                "has_password": [True if u.kind == "PERSON" else None for u in users],
                "disabled": ["false"] * len(users),
                "snowflake_lock": ["false"] * len(users),
                "default_warehouse": [u.default_warehouse for u in users],
                "default_namespace": ["ANALYTICS.MARTS"] * len(users),
                "default_role": [u.role for u in users],
                "ext_authn_duo": [False] * len(users),
                "has_mfa": [u.kind == "PERSON" for u in users],
                "last_success_login": timestamps(
                    np.full(len(users), t_obs - 3 * HOUR_MS)
                ),
                "has_rsa_public_key": [u.kind == "SERVICE" for u in users],
                "owner": ["USERADMIN"] * len(users),
                "default_secondary_role": [None] * len(users),
                "has_pat": [False] * len(users),
                "has_workload_identity": [False] * len(users),
                "type": [u.kind for u in users],
                "is_from_organization_user": [False] * len(users),
            }
        ),
    )
    roles = org.roles
    w.insert(
        run.schema,
        "roles",
        pa.table(
            {
                "role_id": ints(np.arange(len(roles)) + 1 + run.index * 100),
                "created_on": timestamps(np.full(len(roles), created)),
                "name": roles,
                "comment": [None] * len(roles),
                "owner": [
                    "" if r in ("ACCOUNTADMIN", "PUBLIC") else "SECURITYADMIN"
                    for r in roles
                ],
                "role_type": ["ROLE"] * len(roles),
                "owner_role_type": ["ROLE"] * len(roles),
                "is_from_organization_user_group": [False] * len(roles),
            }
        ),
    )
    grants = [(u.role, u.name, created + i * DAY_MS, None) for i, u in enumerate(users)]
    grants += [
        ("SYSADMIN", users[0].name, created, None),
        ("ACCOUNTADMIN", users[1].name, created, p0 - 30 * DAY_MS),
    ]
    w.insert(
        run.schema,
        "grants_to_users",
        pa.table(
            {
                "created_on": timestamps([g[2] for g in grants]),
                "deleted_on": timestamps(
                    [g[3] or 0 for g in grants],
                    mask=np.array([g[3] is None for g in grants]),
                ),
                "role": [g[0] for g in grants],
                "granted_to": ["USER"] * len(grants),
                "grantee_name": [g[1] for g in grants],
                "granted_by": ["SECURITYADMIN"] * len(grants),
            }
        ),
    )

    gov = next(d for d in org.databases if d.name == "GOVERNANCE")
    tag_ids = {name: 1_000 + run.index * 100 + i for i, name in enumerate(TAG_NAMES)}
    w.insert(
        run.schema,
        "tags",
        pa.table(
            {
                "tag_id": ints(list(tag_ids.values())),
                "tag_name": list(tag_ids),
                "tag_schema_id": ints([serverless.schema_id("GOVERNANCE", "TAGS")] * 4),
                "tag_schema": ["TAGS"] * 4,
                "tag_database_id": ints([gov.id] * 4),
                "tag_database": ["GOVERNANCE"] * 4,
                "tag_owner": ["SYSADMIN"] * 4,
                "tag_comment": [
                    json.dumps(f"{n.lower()} for cost attribution") for n in tag_ids
                ],
                "created": timestamps([created] * 4),
                "last_altered": timestamps([created] * 4),
                "allowed_values": [None] * 4,
                "owner_role_type": ["ROLE"] * 4,
            }
        ),
    )
    refs = []
    moved = _reorg_moves(run)

    def team_at_end(kind: str, name: str, team: str | None) -> str | None:
        if reorg and (kind, name) in moved:
            return moved[(kind, name)]
        return team

    for wh in org.warehouses:
        if not wh.tagged:
            continue
        team = team_at_end("WAREHOUSE", wh.name, wh.team)
        values = {"ENVIRONMENT": wh.env}
        if team:
            values |= {
                "TEAM": team,
                "DEPARTMENT": TEAMS[team].department,
                "COST_CENTER": TEAMS[team].cost_center,
            }
        else:
            values["COST_CENTER"] = CENTRAL_COST_CENTER
        refs += [(t, v, "", "", wh.id, wh.name, "WAREHOUSE") for t, v in values.items()]
    for u in org.users:
        team = team_at_end("USER", u.name, u.team)
        if u.kind != "PERSON" or not team:
            continue
        refs += [
            (t, v, "", "", u.id, u.name, "USER")
            for t, v in (
                ("TEAM", team),
                ("DEPARTMENT", TEAMS[team].department),
                ("COST_CENTER", TEAMS[team].cost_center),
            )
        ]
    for d in org.databases:
        team = team_at_end("DATABASE", d.name, d.team)
        if team and d.deleted_at is None:
            refs += [
                (t, v, "", "", d.id, d.name, "DATABASE")
                for t, v in (
                    ("TEAM", team),
                    ("DEPARTMENT", TEAMS[team].department),
                    ("COST_CENTER", TEAMS[team].cost_center),
                    ("ENVIRONMENT", "prod"),
                )
            ]
    w.insert(
        run.schema,
        "tag_references",
        pa.table(
            {
                "tag_database": ["GOVERNANCE"] * len(refs),
                "tag_schema": ["TAGS"] * len(refs),
                "tag_id": ints([tag_ids[r[0]] for r in refs]),
                "tag_name": [r[0] for r in refs],
                "tag_value": [r[1] for r in refs],
                "object_database": [r[2] for r in refs],
                "object_schema": [r[3] for r in refs],
                "object_id": ints([r[4] for r in refs]),
                "object_name": [r[5] for r in refs],
                "domain": [r[6] for r in refs],
                "apply_method": ["MANUAL"] * len(refs),
            }
        ),
    )
    _table_storage(run)


def _reorg_moves(run) -> dict[tuple[str, str], str]:
    """Objects of the Marketing team and the team each belongs to after the
    reorganisation."""
    moves = {}
    if "reorganisation" not in run.config.scenarios:
        return moves
    for wh in run.org.warehouses:
        if wh.team == "marketing":
            moves[("WAREHOUSE", wh.name)] = (
                "performance" if wh.env == "prod" else "brand"
            )
    people = [u for u in run.org.users if u.team == "marketing" and u.kind == "PERSON"]
    for i, u in enumerate(people):
        moves[("USER", u.name)] = "brand" if i % 2 == 0 else "performance"
    for d in run.org.databases:
        if d.team == "marketing":
            moves[("DATABASE", d.name)] = "performance"
    return moves


def _table_storage(run) -> None:
    """TABLE_STORAGE_METRICS: each database's bytes on the last day spread
    over its tables (sums match DATABASE_STORAGE_USAGE_HISTORY)."""
    rows = []
    tables = {
        "RAW": [
            "PAGE_VIEWS",
            "ORDERS",
            "CUSTOMERS",
            "CHARGES",
            "AD_CLICKS",
            "EVENTS_ARCHIVE",
            "DAILY_SNAPSHOT",
        ],
        "ANALYTICS": [m[0].upper() for m in _dbt_models()] + ["MV_DAILY_REVENUE"],
        "ML": ["USER_FEATURES", "TRAINING_SET"],
        "FINANCE": ["JOURNAL_LINES", "BALANCES"],
        "MARKETING": ["SPEND", "CAMPAIGNS"],
        "GOVERNANCE": ["TAG_SNAPSHOTS", "DATA_QUALITY_RESULTS"],
        "SANDBOX_OLD": ["SCRATCH"],
    }
    p0 = run.plan.period_start
    for _, db in run.last_storage.iterrows():
        names = tables.get(db["database_name"], ["DATA"])
        weights = np.arange(len(names), 0, -1, dtype=np.int64) ** 2
        active = _spread(int(db["average_database_bytes"]), weights)
        failsafe = _spread(int(db["average_failsafe_bytes"]), weights)
        dropped = db["deleted"] if pd.notna(db["deleted"]) else None
        for i, name in enumerate(names):
            table_id = int(db["database_id"]) * 1000 + i + 1
            tt = active[i] // 25
            rows.append(
                {
                    "id": table_id,
                    "table_name": name,
                    "table_schema_id": serverless.schema_id(
                        db["database_name"], "CORE"
                    ),
                    "table_schema": "CORE"
                    if db["database_name"] != "ANALYTICS"
                    else "MARTS",
                    "table_catalog_id": int(db["database_id"]),
                    "table_catalog": db["database_name"],
                    "clone_group_id": table_id,
                    "is_transient": "NO",
                    "active_bytes": active[i] - tt,
                    "time_travel_bytes": tt,
                    "failsafe_bytes": failsafe[i],
                    "retained_for_clone_bytes": 0,
                    "deleted": dropped is not None,
                    "table_created": p0 - 300 * DAY_MS,
                    "table_dropped": dropped,
                    "table_entered_failsafe": dropped + DAY_MS if dropped else None,
                    "schema_created": p0 - 400 * DAY_MS,
                    "schema_dropped": dropped,
                    "catalog_created": p0 - 400 * DAY_MS,
                    "catalog_dropped": dropped,
                    "comment": None,
                    "instance_id": None,
                }
            )
    frame = pd.DataFrame(rows)
    table = pa.table(
        {
            c: (
                timestamps(
                    pd.to_numeric(frame[c]).fillna(0).to_numpy(dtype=np.int64),
                    mask=frame[c].isna().to_numpy(),
                )
                if c.startswith(
                    (
                        "table_created",
                        "table_dropped",
                        "table_entered",
                        "schema_created",
                        "schema_dropped",
                        "catalog_",
                    )
                )
                else pa.array(frame[c].tolist())
                if frame[c].notna().any()
                else pa.nulls(len(frame), pa.string())
            )
            for c in frame.columns
        }
    )
    run.writer.insert(run.schema, "table_storage_metrics", table)


def _spread(total: int, weights: np.ndarray) -> list[int]:
    share = total * weights // weights.sum()
    share[0] += total - share.sum()
    return [int(x) for x in share]


def _dbt_models():
    from snowledger.simulator.org import DBT_MODELS

    return DBT_MODELS


# -------------------------------------------------------------------- truth
def _truth(
    run, in_qh: np.ndarray, wmh: pd.DataFrame, first_open: int, daily: pd.DataFrame
) -> dict:
    """Ground truth of the account's scenarios, for tests and the manifest."""
    org = run.org
    q = run.q
    plan = run.plan
    scenarios = run.config.scenarios
    truth = dict(run.truth)
    if truth.get("cost_spike", {}).get("present"):
        # The metered credits of the two days, as METERING_DAILY_HISTORY has them.
        totals = (daily["compute"] + daily["cloud"]).groupby(daily["day"]).sum()
        spike = dict(truth["cost_spike"])
        before, after = (int(totals.get(plan.spike_day - i, 0)) for i in (1, 0))
        spike["account_credits_previous_day"] = before / 1e9
        spike["account_credits_spike_day"] = after / 1e9
        spike["ratio"] = round(after / max(before, 1), 4)
        truth["cost_spike"] = spike
    p0 = plan.period_start

    def wh_truth(name: str) -> dict:
        wi = next(i for i, x in enumerate(org.warehouses) if x.name == name)
        wh = org.warehouses[wi]
        use = run.hourly[wi]
        ok = use.hour + HOUR_MS <= plan.observed_at
        compute = int(use.compute[ok].sum())
        attributed = int(use.attributed[ok].sum())
        mask = (q["wh"] == wi) & in_qh
        return {
            "warehouse_id": wh.id,
            "warehouse_name": wh.name,
            "size": wh.size_label,
            "auto_suspend": wh.auto_suspend,
            "queries": int(mask.sum()),
            "compute_credits": compute / 1e9,
            "attributed_credits": attributed / 1e9,
            "idle_share": round(1 - attributed / compute, 6) if compute else None,
            "avg_queued_overload_ms": float(run.qover[mask].mean())
            if mask.any()
            else 0.0,
            "median_execution_ms": float(np.median((run.end - run.exec_start)[mask]))
            if mask.any()
            else 0.0,
        }

    if run.index == 0:
        if "idle_heavy" in scenarios:
            truth["idle_heavy"] = wh_truth("WH_MARKETING_PROD_M")
        if "oversized" in scenarios:
            truth["oversized"] = wh_truth("WH_FPA_PROD_XL")
        if "queueing" in scenarios:
            truth["queueing"] = wh_truth(org.warehouses[0].name)
        if "unused_warehouse" in scenarios:
            truth["unused_warehouse"] = wh_truth("WH_BI_TEST_M")
        if "rare_clustering" in scenarios:
            ids = serverless.entity_ids(0)
            ach = run.serverless["automatic_clustering_history"]
            rare = ach[ach["table_id"] == ids["table_events_archive"]]
            truth["rare_clustering"] = {
                "table_id": ids["table_events_archive"],
                "table_name": "RAW.EVENTS.EVENTS_ARCHIVE",
                "clustering_credits": int(rare["credits_used"].sum()) / 1e9,
                "queries_reading_table": int(
                    ((q["src"] == SOURCE_CODE["rare"]) & in_qh).sum()
                ),
            }
        if "reorganisation" in scenarios:
            moves = _reorg_moves(run)
            truth["reorganisation"] = {
                "date": str(plan.start + dt.timedelta(days=plan.reorg_day)),
                "in_period": plan.reorg_day < plan.days,
                "department": "Marketing",
                "old_entity": {
                    "team": "marketing",
                    "cost_center": TEAMS["marketing"].cost_center,
                },
                "new_entities": [
                    {"team": t, "cost_center": TEAMS[t].cost_center}
                    for t in ("brand", "performance")
                ],
                "moved": [
                    {
                        "domain": k[0],
                        "name": k[1],
                        "id": _object_id(org, *k),
                        "old_team": "marketing",
                        "new_team": v,
                    }
                    for k, v in sorted(moves.items())
                ],
            }
        if "data_quality" in scenarios:
            renamed = next(x for x in org.warehouses if x.old_name)
            dup = q["dup"] & in_qh
            no_wh = (q["wh"] < 0) & in_qh
            start_day = _day_of(q["start"], p0)
            end_day = _day_of(run.end, p0)
            start_hour = q["start"] // HOUR_MS
            end_hour = (run.end - 1) // HOUR_MS
            truth["data_quality"] = {
                "duplicate_query_rows": int(dup.sum()),
                "queries_without_warehouse": int(no_wh.sum()),
                "queries_crossing_hour": int(((end_hour > start_hour) & in_qh).sum()),
                "queries_crossing_midnight": int(((end_day > start_day) & in_qh).sum()),
                "malformed_query_tags": int(((q["tagk"] == 3) & in_qh).sum()),
                "non_json_query_tags": int(((q["tagk"] == 4) & in_qh).sum()),
                "renamed_warehouse": {
                    "warehouse_id": renamed.id,
                    "old_name": renamed.old_name,
                    "new_name": renamed.name,
                    "renamed_at": _iso(renamed.renamed_at),
                },
            }
    truth["late_rows"] = {
        "query_history": int(
            (
                (run.end + q["delay"] > plan.observed_at)
                & (run.end <= plan.observed_at)
            ).sum()
        ),
        "query_history_running_at_end": int((run.end > plan.observed_at).sum()),
        "warehouse_metering_history": int((~wmh["in_file"]).sum()),
    }
    truth["complete_through"] = (
        str(plan.start + dt.timedelta(days=first_open - 1)) if first_open > 0 else None
    )
    truth["queries"] = int(in_qh.sum() + (q["dup"] & in_qh).sum())
    return truth


def _object_id(org, domain: str, name: str) -> int:
    if domain == "WAREHOUSE":
        return next(w.id for w in org.warehouses if w.name == name)
    if domain == "DATABASE":
        return next(d.id for d in org.databases if d.name == name)
    return next(u.id for u in org.users if u.name == name)


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).isoformat()
