"""One account over the whole simulated period: queries, warehouse timelines,
serverless features and storage, reduced to the rows of its ACCOUNT_USAGE
views and to the daily totals the organisation's billing needs."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from snowledger.simulator import rng, serverless, timeline, workload
from snowledger.simulator.org import (
    ACCOUNTS,
    DAY_MS,
    HOUR_MS,
    PATTERNS_BY_SOURCE,
    AccountOrg,
    build_account,
)
from snowledger.simulator.workload import SOURCE_CODE

log = logging.getLogger(__name__)

CS_ONLY_ID = 0
CS_ONLY_NAME = "CLOUD_SERVICES_ONLY"
SPIKE_WAREHOUSE = "WH_GROWTH_PROD_2XL"
SPIKE_RATIO = 3.0
SPIKE_HOURS = 11.5  # from 12:00 UTC, ending before midnight
LATE_WMH_SHARE = 0.03


@dataclass
class Plan:
    """Dates fixed relative to the start (never to the length) of the period."""

    start: dt.date
    days: int
    period_start: int  # epoch ms
    observed_at: int  # epoch ms: end of the last simulated day
    reorg_day: int
    spike_day: int
    rename_day: int = 2

    @property
    def reorg_at(self) -> int:
        return self.period_start + self.reorg_day * DAY_MS


def make_plan(start: dt.date, days: int) -> Plan:
    p0 = (
        int(dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp())
        * 1000
    )
    spike = next(
        i for i in range(4, 20) if 1 <= (start + dt.timedelta(days=i)).weekday() <= 4
    )
    return Plan(start, days, p0, p0 + days * DAY_MS, reorg_day=3, spike_day=spike)


@dataclass
class AccountResult:
    """What the organisation views and the manifest need from an account."""

    org: AccountOrg
    daily_all: pd.DataFrame  # day, service_type, compute, cloud, adjustment (nano)
    storage: pd.DataFrame  # day, billable bytes (storage + stage + failsafe)
    transfer: pd.DataFrame  # day, billable egress bytes
    settled_days: int  # days 0..settled_days-1 have all their usage rows
    settled_through: dt.date | None
    truth: dict[str, Any] = field(default_factory=dict)


class AccountRun:
    def __init__(self, config, index: int, plan: Plan, writer, spec) -> None:
        self.config = config
        self.index = index
        self.plan = plan
        self.writer = writer
        self.schema = spec.schema
        self.org = build_account(
            index, spec, config.scenarios, config.start_date, config.queries_per_day
        )
        self.name = spec.name
        self.seed = config.seed
        self.truth: dict[str, Any] = {}
        self.clock = time.monotonic()

    # ------------------------------------------------------------------ steps
    def _log(self, step: str, count: int) -> None:
        log.info(
            "%s: %s (%s rows, %.1f s)",
            self.name,
            step,
            f"{count:,}",
            time.monotonic() - self.clock,
        )

    def run(self) -> AccountResult:
        plan = self.plan
        share = self.org.spec.share / sum(
            a.share for a in ACCOUNTS[: self.config.accounts]
        )
        self.daily_queries = self.config.queries_per_day * share
        days = []
        for d in range(plan.days):
            date = plan.start + dt.timedelta(days=d)
            ctx = workload.DayContext(
                self.seed,
                self.org,
                d,
                date,
                plan.period_start + d * DAY_MS,
                self.daily_queries,
                self.config.scenarios,
                plan.reorg_at,
                plan.spike_day,
            )
            q = workload.generate_day(ctx)
            q["day"] = np.full(len(q["start"]), d, dtype=np.int16)
            days.append(q)
        q = {k: np.concatenate([x[k] for x in days]) for k in days[0]}
        epoch_day = (plan.period_start // DAY_MS) + q["day"].astype(np.int64)
        q["qkey"] = (epoch_day << 24) | q["seq"]
        self.q = q
        self._log("queries generated", len(q["start"]))
        self._serverless()
        self._timelines()
        self._log("warehouse timelines", len(self.wmh))
        return self._emit()

    # ------------------------------------------------------------ serverless
    def _serverless(self) -> None:
        q = self.q
        frames: dict[str, list[pd.DataFrame]] = {}
        stask_mask = q["src"] == SOURCE_CODE["stask"]
        st_pat = PATTERNS_BY_SOURCE["stask"][0].id
        for d in range(self.plan.days):
            date = self.plan.start + dt.timedelta(days=d)
            m = stask_mask & (q["day"] == d)
            runs = pd.DataFrame(
                {
                    "start": q["start"][m],
                    "seconds": (q["compile"][m] + q["exec"][m]) / 1000,
                    "end": q["start"][m] + q["compile"][m] + q["exec"][m],
                    "kind": np.where(q["pat"][m] == st_pat, 0, 1),
                }
            )
            out = serverless.features(
                self.seed,
                self.index,
                self.org,
                d,
                date,
                self.plan.period_start + d * DAY_MS,
                runs,
                self.config.scenarios,
                self.config.accounts,
            )
            for view, frame in out.items():
                frames.setdefault(view, []).append(frame)
        self.serverless = {
            v: pd.concat(f, ignore_index=True) for v, f in frames.items()
        }

    # -------------------------------------------------------------- timeline
    def _timelines(self) -> None:
        q = self.q
        n = len(q["start"])
        self.arrival = q["start"] + q["compile"] + q["listext"]
        self.exec_start = self.arrival.copy()
        self.end = q["start"] + q["compile"] + q["listext"] + q["exec"]
        self.qprov = np.zeros(n, dtype=np.int32)
        self.qover = np.zeros(n, dtype=np.int32)
        self.cluster = np.zeros(n, dtype=np.int8)
        self.loadpct = np.zeros(n, dtype=np.int8)
        self.attributed = np.full(n, -1, dtype=np.int64)
        self.lines: dict[int, timeline.Timeline] = {}
        self.indices: dict[int, np.ndarray] = {}
        self.hourly: dict[int, timeline.HourlyUse] = {}
        spike_wi = None
        for wi, wh in enumerate(self.org.warehouses):
            if (
                wh.name == SPIKE_WAREHOUSE
                and "cost_spike" in self.config.scenarios
                and self.index == 0
            ):
                spike_wi = wi
                continue
            self._run_warehouse(wi)
        if spike_wi is not None:
            self._spike(spike_wi)
        self._qas()
        self._wmh()

    def _run_warehouse(self, wi: int) -> None:
        q = self.q
        wh = self.org.warehouses[wi]
        idx = np.nonzero(q["wh"] == wi)[0]
        idx = idx[np.argsort(self.arrival[idx], kind="stable")]
        line = timeline.run(wh, self.arrival[idx], q["exec"][idx], self.seed)
        use = timeline.meter(wh, line, q["qkey"][idx])
        self.exec_start[idx] = line.exec_start
        self.end[idx] = line.end
        self.qprov[idx] = line.queued_provisioning
        self.qover[idx] = line.queued_overload
        self.cluster[idx] = line.cluster
        self.loadpct[idx] = line.load_percent
        self.attributed[idx] = -1
        self.attributed[idx[use.query_index]] = use.query_credits
        line.drop_queries()
        use.query_index = use.query_credits = np.zeros(0, dtype=np.int64)
        self.lines[wi] = line
        self.indices[wi] = idx
        self.hourly[wi] = use

    def _day_credits(self) -> np.ndarray:
        """Credits (nano) per day of everything metered so far."""
        totals = np.zeros(self.plan.days, dtype=np.float64)
        p0 = self.plan.period_start
        for use in self.hourly.values():
            day = (use.hour - p0) // DAY_MS
            ok = (day >= 0) & (day < self.plan.days)
            np.add.at(totals, day[ok], use.compute[ok])
        q = self.q
        np.add.at(totals, q["day"], q["cs"])
        mh = self.serverless["metering_history"]
        day = (mh["start_time"].to_numpy() - p0) // DAY_MS
        np.add.at(totals, day, (mh["compute"] + mh["cloud"]).to_numpy())
        return totals

    def _spike(self, wi: int) -> None:
        """One analyst's runaway query pattern on one warehouse makes the
        spike day cost about three times the day before."""
        plan = self.plan
        wh = self.org.warehouses[wi]
        d = plan.spike_day
        if d >= plan.days:
            self._run_warehouse(wi)
            self.truth["cost_spike"] = {
                "present": False,
                "date": str(plan.start + dt.timedelta(days=d)),
            }
            return
        base_q = self.q
        self._run_warehouse(wi)
        totals = self._day_credits()
        target = SPIKE_RATIO * totals[d - 1]
        extra = max(target - totals[d], 0.0)
        user = next(
            i
            for i, u in enumerate(self.org.users)
            if u.team == "growth" and u.kind == "PERSON"
        )
        g = rng.stream(self.seed, self.name, d, "spike")
        pool = PATTERNS_BY_SOURCE["spike"][0]
        durations = (
            pool.exec_s
            * np.exp(g.normal(0, pool.sigma, 50_000))
            / wh.speed**0.75
            * 1000
        ).astype(np.int64)
        clusters = int(
            np.clip(
                np.ceil(extra / 1e9 / (wh.credits_per_hour * 10)), 1, wh.max_clusters
            )
        )
        streams = 8 * clusters
        hours = min(extra / 1e9 / (wh.credits_per_hour * clusters), SPIKE_HOURS)
        day_start = plan.period_start + d * DAY_MS
        base_n = len(base_q["start"])
        start_seq = int(base_q["seq"][base_q["day"] == d].max()) + 1
        for _ in range(5):
            part, work = _spike_part(
                day_start, hours, streams, durations, pool.id, user, wi
            )
            part = workload._fill(
                part,
                rng.stream(self.seed, self.name, d, "fill:spike"),
                _ctx_for(self, d),
            )
            part["exec"] = work.astype(np.int32)
            part["day"] = np.full(len(part["start"]), d, dtype=np.int16)
            part["seq"] = start_seq + np.arange(len(part["start"]))
            part["qkey"] = ((plan.period_start // DAY_MS + d) << 24) | part["seq"]
            self.q = {k: np.concatenate([base_q[k], part[k]]) for k in base_q}
            self._resize_state(base_n)
            self._run_warehouse(wi)
            got = self._day_credits()[d] - totals[d]
            if extra <= 0 or got <= 0 or abs(got - extra) / extra < 0.02:
                break
            hours = min(hours * extra / got, SPIKE_HOURS)
        totals2 = self._day_credits()
        spike_rows = self.q["src"] == SOURCE_CODE["spike"]
        self.truth["cost_spike"] = {
            "present": True,
            "account": self.name,
            "date": str(plan.start + dt.timedelta(days=d)),
            "previous_date": str(plan.start + dt.timedelta(days=d - 1)),
            "warehouse_id": wh.id,
            "warehouse_name": wh.name,
            "user_name": self.org.users[user].name,
            "pattern_template": pool.template,
            "queries": int(spike_rows.sum()),
            "account_credits_previous_day": round(totals2[d - 1] / 1e9, 6),
            "account_credits_spike_day": round(totals2[d] / 1e9, 6),
            "ratio": round(totals2[d] / max(totals2[d - 1], 1), 4),
        }

    def _resize_state(self, base_n: int) -> None:
        """Fit the per-query arrays to the queries after spike queries were
        (re)appended to the first `base_n`."""
        q = self.q
        n = len(q["start"])
        self.arrival = q["start"] + q["compile"] + q["listext"]
        for name in (
            "exec_start",
            "end",
            "qprov",
            "qover",
            "cluster",
            "loadpct",
            "attributed",
        ):
            arr = getattr(self, name)
            grown = np.full(n, -1 if name == "attributed" else 0, dtype=arr.dtype)
            grown[:base_n] = arr[:base_n]
            setattr(self, name, grown)
        self.exec_start[base_n:] = self.arrival[base_n:]
        self.end[base_n:] = self.arrival[base_n:] + q["exec"][base_n:]

    def _qas(self) -> None:
        """Query acceleration on the warehouses that allow it: a share of the
        big scans, credited to the hour in which the query started executing."""
        q = self.q
        self.qas = np.zeros(len(q["start"]), dtype=np.int64)
        for wi, wh in enumerate(self.org.warehouses):
            if not wh.qas:
                continue
            idx = self.indices[wi]
            dur = self.end[idx] - self.exec_start[idx]
            u = rng.uniform(q["qkey"][idx], rng.salt(self.seed, "qas", wh.id))
            chosen = idx[(dur > 2_000) & (u < 0.06)]
            self.qas[chosen] = (
                timeline.nano_for_ms(
                    self.end[chosen] - self.exec_start[chosen], wh.rate_x2
                )
                * 2
                // 5
            )

    def _wmh(self) -> None:
        """Warehouse-hours: metered compute, attributed compute, and the
        cloud services of the queries that started in the hour."""
        q = self.q
        frames = []
        for wi, use in self.hourly.items():
            frames.append(
                pd.DataFrame(
                    {
                        "wi": wi,
                        "hour": use.hour,
                        "compute": use.compute,
                        "attributed": use.attributed,
                    }
                )
            )
        has_wh = q["wh"] >= 0
        cs = (
            pd.DataFrame(
                {
                    "wi": q["wh"][has_wh].astype(np.int64),
                    "hour": q["start"][has_wh] // HOUR_MS * HOUR_MS,
                    "cs": q["cs"][has_wh],
                }
            )
            .groupby(["wi", "hour"], as_index=False)
            .sum()
        )
        wmh = pd.concat(frames, ignore_index=True).merge(
            cs, on=["wi", "hour"], how="outer"
        )
        # Cloud services of statements without a warehouse, plus background
        # work tied to no statement, go to the CLOUD_SERVICES_ONLY row.
        none = ~has_wh
        only = (
            pd.DataFrame(
                {"hour": q["start"][none] // HOUR_MS * HOUR_MS, "cs": q["cs"][none]}
            )
            .groupby("hour", as_index=False)
            .sum()
        )
        hours = self.plan.period_start + np.arange(self.plan.days * 24) * HOUR_MS
        background = (
            rng.uniform(hours, rng.salt(self.seed, self.name, "background")) * 4e7 + 1e7
        ).astype(np.int64)
        only = pd.DataFrame({"hour": hours, "bg": background}).merge(
            only, on="hour", how="left"
        )
        only["cs"] = only["cs"].fillna(0).astype(np.int64) + only["bg"]
        only["wi"] = -1
        wmh = pd.concat([wmh, only[["wi", "hour", "cs"]]], ignore_index=True)
        wmh = wmh.fillna(0)
        for col in ("wi", "hour", "compute", "attributed", "cs"):
            wmh[col] = wmh[col].astype(np.int64)
        wmh = wmh[wmh["hour"] >= self.plan.period_start].sort_values(["wi", "hour"])
        self.wmh = wmh.reset_index(drop=True)
        self.cs_only_hourly = only

    # ------------------------------------------------------------------ emit
    def _emit(self) -> AccountResult:
        from snowledger.simulator import emit

        return emit.emit_account(self)


def _spike_part(
    day_start: int,
    hours: float,
    streams: int,
    durations: np.ndarray,
    pattern: int,
    user: int,
    wi: int,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Back-to-back runs of one query pattern in `streams` parallel sessions
    from 12:00 UTC for `hours` hours, with the work of each run."""
    begin = day_start + 12 * HOUR_MS
    stop = begin + int(hours * HOUR_MS)
    starts, work = [], []
    cursor = 0
    for k in range(streams):
        t = begin + k * 7_000
        while t < stop and cursor < len(durations):
            starts.append(t)
            work.append(int(durations[cursor]))
            t += int(durations[cursor]) + 3_000
            cursor += 1
    order = np.argsort(np.array(starts, dtype=np.int64), kind="stable")
    starts_arr = np.array(starts, dtype=np.int64)[order]
    n = len(starts_arr)
    part = workload._part(
        "spike", starts_arr, np.full(n, pattern), np.full(n, user), np.full(n, wi)
    )
    return part, np.array(work, dtype=np.int64)[order]


def _ctx_for(run: AccountRun, d: int) -> workload.DayContext:
    return workload.DayContext(
        run.seed,
        run.org,
        d,
        run.plan.start + dt.timedelta(days=d),
        run.plan.period_start + d * DAY_MS,
        run.daily_queries,
        run.config.scenarios,
        run.plan.reorg_at,
        run.plan.spike_day,
    )
