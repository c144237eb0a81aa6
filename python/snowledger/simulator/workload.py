"""Queries submitted to one account on one UTC day, before any warehouse has
run them: who, what, where, when, and how much work each one is.

The warehouse timeline (timeline.py) later decides when each query really
executes. Every array here is drawn from the day's own random streams.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from snowledger.simulator import rng
from snowledger.simulator.org import (
    DAY_MS,
    DBT_MODELS,
    HOUR_MS,
    PATTERNS,
    PATTERNS_BY_SOURCE,
    AccountOrg,
)

SOURCES = (
    "meta",
    "bi",
    "adhoc",
    "dbt",
    "dbt_test",
    "load",
    "unload",
    "ml",
    "task",
    "stask",
    "tiny",
    "ping",
    "idle",
    "rare",
    "spike",
    "midnight",
    "backfill",
)
SOURCE_CODE = {name: code for code, name in enumerate(SOURCES)}
SYSTEM_USER = -1

# Query tag kinds.
TAG_NONE, TAG_LOOKER, TAG_DBT, TAG_MALFORMED, TAG_PLAIN = 0, 1, 2, 3, 4

# Shares of an account's daily queries by source (structural sources such as
# tasks come on top).
SHARES = {
    "meta": 0.14,
    "bi": 0.38,
    "adhoc": 0.15,
    "dbt": 0.20,
    "load": 0.09,
    "unload": 0.01,
    "ml": 0.03,
}
# Relative activity per local hour for people and for their dashboards.
BUSINESS = np.array(
    [
        0.04,
        0.03,
        0.03,
        0.03,
        0.04,
        0.08,
        0.2,
        0.45,
        0.85,
        1.0,
        1.0,
        0.95,
        0.7,
        0.9,
        1.0,
        1.0,
        0.9,
        0.6,
        0.35,
        0.2,
        0.15,
        0.1,
        0.07,
        0.05,
    ]
)
NIGHTLY = np.array(
    [
        0.6,
        0.8,
        1.0,
        1.0,
        0.9,
        0.7,
        0.5,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.4,
        0.5,
        0.5,
    ]
)

FIELDS = {
    "start": np.int64,
    "src": np.int8,
    "pat": np.int16,
    "usr": np.int16,
    "wh": np.int16,
    "compile": np.int32,  # milliseconds (as every duration below)
    "listext": np.int32,
    "exec": np.int32,
    "blocked": np.int32,
    "n": np.int32,
    "dback": np.int16,
    "tagk": np.int8,
    "tagteam": np.int8,
    "inv": np.int64,
    "status": np.int8,
    "scan": np.int64,
    "cs": np.int32,  # nano-credits
    "delay": np.int32,
    "dup": np.bool_,
    "seq": np.int64,
}

TEAM_INDEX = {
    team: i
    for i, team in enumerate(
        (
            "data-platform",
            "ml",
            "bi",
            "growth",
            "fpa",
            "marketing",
            "brand",
            "performance",
        )
    )
}


def weekday_factor(day: dt.date) -> float:
    """Weekly cycle with a mean of 1.0 over a week."""
    return 0.625 if day.weekday() >= 5 else 1.15


@dataclass(frozen=True)
class DayContext:
    seed: int
    account: AccountOrg
    day_index: int  # 0-based within the simulation
    date: dt.date
    day_start: int  # epoch ms
    daily_queries: float  # the account's mean queries per day
    scenarios: frozenset[str]
    reorg_at: int  # epoch ms
    spike_day: int | None  # day index of the cost spike


def empty(n: int = 0) -> dict[str, np.ndarray]:
    return {name: np.zeros(n, dtype=dtype) for name, dtype in FIELDS.items()}


def concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    parts = [p for p in parts if len(p["start"])]
    if not parts:
        return empty()
    return {name: np.concatenate([p[name] for p in parts]) for name in FIELDS}


def _times(
    gen: np.random.Generator, n: int, profile: np.ndarray, ctx: DayContext
) -> np.ndarray:
    """n submission times on the day, following a local-hour profile."""
    utc_profile = np.roll(profile, -ctx.account.spec.utc_offset)
    hours = gen.choice(24, size=n, p=utc_profile / utc_profile.sum())
    return ctx.day_start + hours * HOUR_MS + gen.integers(0, HOUR_MS, size=n)


def _user_indices(account: AccountOrg) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, user in enumerate(account.users):
        if user.kind == "PERSON":
            groups.setdefault(f"team:{user.team}", []).append(i)
            groups.setdefault("people", []).append(i)
        else:
            groups.setdefault(user.name, []).append(i)
        groups.setdefault("all", []).append(i)
    return groups


def _wh_index(account: AccountOrg) -> dict[str, int]:
    index = {w.name: i for i, w in enumerate(account.warehouses)}
    return index


def _fill(
    part: dict[str, np.ndarray], gen: np.random.Generator, ctx: DayContext
) -> dict[str, np.ndarray]:
    """Work, compile time, bytes, status and cloud services of each query."""
    n = len(part["start"])
    pats = part["pat"].astype(np.int64)
    exec_s = np.array([p.exec_s for p in PATTERNS])[pats]
    sigma = np.array([p.sigma for p in PATTERNS])[pats]
    scan_gb = np.array([p.scan_gb for p in PATTERNS])[pats]
    speed = np.ones(n)
    has_wh = part["wh"] >= 0
    speeds = np.array([w.speed for w in ctx.account.warehouses] + [1.0])
    speed = speeds[np.where(has_wh, part["wh"], -1)]
    work = exec_s * np.exp(gen.normal(0.0, 1.0, n) * sigma)
    # Bigger warehouses are faster, but not in proportion to their size.
    seconds = work / speed**0.75
    part["exec"] = np.clip((seconds * 1000).astype(np.int64), 5, 6 * HOUR_MS)
    part["exec"][~has_wh] = 0
    compile_median = np.where(has_wh, 180.0, 40.0)
    part["compile"] = (compile_median * np.exp(gen.normal(0, 0.6, n))).astype(np.int64)
    part["listext"] = np.where(
        np.isin(part["src"], [SOURCE_CODE["load"]]), gen.integers(50, 900, n), 0
    ).astype(np.int64)
    blocked = gen.random(n) < 0.02
    part["blocked"] = np.where(
        blocked & has_wh, (part["exec"] * gen.uniform(0.05, 0.4, n)).astype(np.int64), 0
    )
    part["scan"] = np.where(
        has_wh, (scan_gb * 1e9 * np.exp(gen.normal(0, 1.0, n))).astype(np.int64), 0
    )
    roll = gen.random(n)
    part["status"] = np.where(roll < 0.010, 1, np.where(roll < 0.013, 2, 0)).astype(
        np.int8
    )
    part["status"][~has_wh] = 0
    failed = part["status"] > 0
    part["exec"][failed] = np.maximum(
        5,
        (part["exec"][failed] * gen.uniform(0.05, 0.9, failed.sum())).astype(np.int64),
    )
    # Cloud services (nano-credits): mostly compilation, plus a little per
    # statement; about a tenth of warehouse compute on a working day.
    part["cs"] = part["compile"].astype(np.int64) * 46_000 + gen.integers(
        20_000, 400_000, n
    )
    part["cs"][part["src"] == SOURCE_CODE["stask"]] = 0
    part["n"] = gen.integers(1, 100_000, n)
    part["dback"] = gen.integers(0, 30, n).astype(np.int16)
    return {k: v.astype(FIELDS[k], copy=False) for k, v in part.items()}


def _part(
    src: str, start: np.ndarray, pat: np.ndarray, usr: np.ndarray, wh: np.ndarray
) -> dict[str, np.ndarray]:
    n = len(start)
    part = empty(n)
    part["start"] = start.astype(np.int64)
    part["src"][:] = SOURCE_CODE[src]
    part["pat"] = pat.astype(np.int16)
    part["usr"] = usr.astype(np.int16)
    part["wh"] = wh.astype(np.int16)
    return part


def _team_tag(
    teams: np.ndarray, start: np.ndarray, ctx: DayContext, salt: np.ndarray
) -> np.ndarray:
    """Team named in query tags: marketing splits into brand and performance at
    the reorganisation."""
    out = teams.copy()
    if "reorganisation" in ctx.scenarios:
        moved = (teams == TEAM_INDEX["marketing"]) & (start >= ctx.reorg_at)
        out[moved] = np.where(
            salt[moved] % 2 == 0, TEAM_INDEX["brand"], TEAM_INDEX["performance"]
        )
    return out


def generate_day(ctx: DayContext) -> dict[str, np.ndarray]:
    """Every query submitted to the account on the day, in no particular order."""
    account = ctx.account
    users = _user_indices(account)
    whi = _wh_index(account)
    teams = set(account.spec.teams)
    total = ctx.daily_queries * weekday_factor(ctx.date)
    gen = rng.stream(ctx.seed, account.spec.name, ctx.day_index, "volume")
    total *= float(np.exp(gen.normal(0.0, 0.06)))
    parts: list[dict[str, np.ndarray]] = []

    def stream(purpose: str) -> np.random.Generator:
        return rng.stream(ctx.seed, account.spec.name, ctx.day_index, purpose)

    # Metadata statements (SHOW, DESCRIBE, USE): no warehouse.
    g = stream("meta")
    n = g.poisson(total * SHARES["meta"])
    pats = np.array([p.id for p in PATTERNS_BY_SOURCE["meta"]])
    parts.append(
        _part(
            "meta",
            _times(g, n, BUSINESS, ctx),
            g.choice(pats, n),
            g.choice(users["all"], n),
            np.full(n, -1),
        )
    )

    # Dashboards: Looker (JSON query tags) on BI and shared warehouses,
    # Tableau (no tag) on the BI warehouse only.
    g = stream("bi")
    n = g.poisson(total * SHARES["bi"])
    bi_pats = [p for p in PATTERNS_BY_SOURCE["bi"] if p.team in teams]
    pat = g.choice([p.id for p in bi_pats], n)
    looker = g.random(n) < 0.7
    svc_looker = users.get("LOOKER_SVC", users["all"])[0]
    svc_tableau = users.get("TABLEAU_SVC", users["all"])[0]
    routes = account.routes["bi"]
    names = [name for name, _ in routes]
    weights = np.array([w for _, w in routes])
    wh = np.array([whi[x] for x in names])[
        g.choice(len(names), n, p=weights / weights.sum())
    ]
    bi_wh = whi[names[0]]
    wh = np.where(looker, wh, bi_wh)
    part = _part(
        "bi",
        _times(g, n, BUSINESS, ctx),
        pat,
        np.where(looker, svc_looker, svc_tableau),
        wh,
    )
    part["tagk"] = np.where(looker, TAG_LOOKER, TAG_NONE).astype(np.int8)
    base_team = np.array([TEAM_INDEX[PATTERNS[i].team] for i in pat], dtype=np.int8)
    part["tagteam"] = _team_tag(base_team, part["start"], ctx, g.integers(0, 2**31, n))
    parts.append(part)

    # Ad-hoc work of people on their team's warehouses.
    g = stream("adhoc")
    n = g.poisson(total * SHARES["adhoc"])
    people = np.array(users["people"])
    usr = g.choice(people, n)
    start = _times(g, n, BUSINESS, ctx)
    pat = np.empty(n, dtype=np.int64)
    wh = np.empty(n, dtype=np.int64)
    dev_roll = g.random(n)
    pat_roll = g.integers(0, 1 << 30, n)
    for ui in np.unique(usr):
        mask = usr == ui
        team = account.users[ui].team
        own = [p.id for p in PATTERNS_BY_SOURCE["adhoc"] if p.team == team]
        pat[mask] = np.array(own)[pat_roll[mask] % len(own)]
        prod = [
            i
            for i, w in enumerate(account.warehouses)
            if w.team == team and w.env == "prod" and w.name not in ("WH_FPA_PROD_XL",)
        ]
        dev = [
            i
            for i, w in enumerate(account.warehouses)
            if w.team == team and w.env == "dev"
        ]
        shared = [i for i, w in enumerate(account.warehouses) if w.team is None]
        prod = prod or shared
        choice = np.array(prod)[pat_roll[mask] % len(prod)]
        if dev:
            choice = np.where(dev_roll[mask] < 0.25, dev[0], choice)
        wh[mask] = choice
    parts.append(_part("adhoc", start, pat, usr, wh))

    parts.append(_dbt(ctx, total, users, whi))

    # Loads by the ingestion service.
    g = stream("load")
    n = g.poisson(total * SHARES["load"])
    loader = users.get("FIVETRAN_SVC", users["all"])
    load_pats = np.array([p.id for p in PATTERNS_BY_SOURCE["load"]])
    start = _times(g, n, NIGHTLY, ctx)
    part = _part(
        "load",
        start,
        g.choice(load_pats, n),
        np.full(n, loader[0]),
        np.full(n, whi[account.routes["load"][0][0]]),
    )
    parts.append(part)
    if "queueing" in ctx.scenarios and account.spec.name == "ACME_US":
        # The nightly backfill: dozens of big merges land at 02:00 UTC at
        # once and overload the single-cluster warehouse.
        n = 40 + int(g.poisson(total * 0.004))
        parts.append(
            _part(
                "backfill",
                ctx.day_start + 2 * HOUR_MS + np.sort(g.integers(0, 5 * 60_000, n)),
                np.full(n, PATTERNS_BY_SOURCE["backfill"][0].id),
                np.full(n, loader[0]),
                np.full(n, whi[account.routes["load"][0][0]]),
            )
        )

    # Unloads to a partner bucket: some in the same region (free), some not.
    g = stream("unload")
    n = max(1, g.poisson(total * SHARES["unload"]))
    unload_user = users.get("DBT_PROD", users["all"])[0]
    parts.append(
        _part(
            "unload",
            _times(g, n, NIGHTLY, ctx),
            np.full(n, PATTERNS_BY_SOURCE["unload"][0].id),
            np.full(n, unload_user),
            np.full(n, whi[account.routes["unload"][0][0]]),
        )
    )

    if account.routes["ml"]:
        g = stream("ml")
        n = g.poisson(total * SHARES["ml"])
        ml_users = users.get("AIRFLOW_SVC", []) + users.get("team:ml", [])
        names = [x for x, _ in account.routes["ml"]]
        weights = np.array([w for _, w in account.routes["ml"]])
        wh = np.array([whi[x] for x in names])[g.choice(len(names), n, p=weights)]
        parts.append(
            _part(
                "ml",
                _times(g, n, NIGHTLY, ctx),
                g.choice([p.id for p in PATTERNS_BY_SOURCE["ml"]], n),
                g.choice(ml_users, n),
                wh,
            )
        )

    # Warehouse task every 30 minutes; serverless tasks every 15 minutes and
    # hourly (their statements run without a warehouse).
    g = stream("tasks")
    slots = np.arange(48) * 30 * 60_000 + 60_000
    parts.append(
        _part(
            "task",
            ctx.day_start + slots + g.integers(0, 3_000, 48),
            np.full(48, PATTERNS_BY_SOURCE["task"][0].id),
            np.full(48, SYSTEM_USER),
            np.full(48, whi[account.routes["task"][0][0]]),
        )
    )
    st = PATTERNS_BY_SOURCE["stask"]
    quarter = np.arange(96) * 15 * 60_000
    hourly = np.arange(24) * HOUR_MS + 30 * 60_000
    parts.append(
        _part(
            "stask",
            ctx.day_start
            + np.concatenate([quarter, hourly])
            + g.integers(0, 2_000, 120),
            np.concatenate([np.full(96, st[0].id), np.full(24, st[1].id)]),
            np.full(120, SYSTEM_USER),
            np.full(120, -1),
        )
    )

    parts += _scenario_parts(ctx, users, whi, total)
    queries = concat(
        [
            _fill(p, stream(f"fill:{SOURCES[p['src'][0]]}"), ctx)
            for p in parts
            if len(p["start"])
        ]
    )
    _data_quality(queries, ctx)
    order = np.argsort(queries["start"], kind="stable")
    queries = {k: v[order] for k, v in queries.items()}
    queries["seq"] = np.arange(len(queries["start"]), dtype=np.int64)
    return queries


def _dbt(
    ctx: DayContext, total: float, users: dict, whi: dict
) -> dict[str, np.ndarray]:
    """dbt invocations: an hourly incremental job and a nightly full build, on
    the transformation warehouse, as the dbt service user."""
    account = ctx.account
    g = rng.stream(ctx.seed, account.spec.name, ctx.day_index, "dbt")
    teams = set(account.spec.teams)
    models = [(i, m) for i, m in enumerate(DBT_MODELS) if m[1] in teams]
    dbt_pats = PATTERNS_BY_SOURCE["dbt"]
    test_pats = PATTERNS_BY_SOURCE["dbt_test"]
    incremental = [i for i, m in models if m[2] == "incremental"]
    everything = [i for i, _ in models]
    per_hourly = 2 * len(incremental)
    per_full = 2 * len(everything)
    target = total * SHARES["dbt"]
    interval_min = int(
        np.clip(60 * 24 * per_hourly / max(target - per_full, 1), 10, 60)
    )
    runs = [(m, False) for m in range(5, 24 * 60, interval_min)]
    nightly_local = (3 - account.spec.utc_offset) % 24
    runs.append((nightly_local * 60 + 15, True))
    copies = max(1, int(np.ceil(target / (len(runs) * per_hourly + per_full))))
    user = users.get("DBT_PROD", users["all"])[0]
    wh = whi[account.routes["dbt"][0][0]]
    starts, pats, invs, teams_out = [], [], [], []
    for run_no, (minute, full) in enumerate(runs):
        nodes = everything if full else incremental
        t = ctx.day_start + minute * 60_000 + int(g.integers(0, 20_000))
        inv = ((ctx.day_index + 1) << 20) | run_no
        for _ in range(copies):
            for i in nodes:
                for pat_list in (dbt_pats, test_pats):
                    pattern = pat_list[i]
                    t += int(g.integers(800, 9_000))
                    starts.append(t)
                    pats.append(pattern.id)
                    invs.append(inv)
                    teams_out.append(TEAM_INDEX[pattern.team])
    n = len(starts)
    part = _part(
        "dbt", np.array(starts), np.array(pats), np.full(n, user), np.full(n, wh)
    )
    part["src"][np.isin(part["pat"], [p.id for p in test_pats])] = SOURCE_CODE[
        "dbt_test"
    ]
    part["inv"] = np.array(invs, dtype=np.int64)
    part["tagk"][:] = TAG_DBT
    part["tagteam"] = _team_tag(
        np.array(teams_out, dtype=np.int8),
        part["start"],
        ctx,
        part["pat"].astype(np.int64),
    )
    return part


def _scenario_parts(
    ctx: DayContext, users: dict, whi: dict, total: float
) -> list[dict[str, np.ndarray]]:
    account = ctx.account
    if account.spec.name != "ACME_US":
        return []
    parts = []
    g = rng.stream(ctx.seed, account.spec.name, ctx.day_index, "scenarios")
    one = PATTERNS_BY_SOURCE
    if "oversized" in ctx.scenarios:
        # A finance report refreshes every 20 minutes in office hours: dozens
        # of sub-second lookups on an X-Large.
        slots = [m for m in range(0, 24 * 60, 20) if 13 <= m // 60 < 23]
        start = np.concatenate(
            [
                ctx.day_start + m * 60_000 + np.sort(g.integers(0, 90_000, 25))
                for m in slots
            ]
        )
        n = len(start)
        parts.append(
            _part(
                "tiny",
                start,
                np.full(n, one["tiny"][0].id),
                g.choice(users["team:fpa"], n),
                np.full(n, whi["WH_FPA_PROD_XL"]),
            )
        )
    if "unused_warehouse" in ctx.scenarios:
        start = (
            ctx.day_start
            + np.arange(4) * 6 * HOUR_MS
            + 7 * 60_000
            + g.integers(0, 60_000, 4)
        )
        parts.append(
            _part(
                "ping",
                start,
                np.full(4, one["ping"][0].id),
                np.full(4, users["MONITOR_SVC"][0]),
                np.full(4, whi["WH_BI_TEST_M"]),
            )
        )
    if "idle_heavy" in ctx.scenarios:
        n = int(g.poisson(6 * weekday_factor(ctx.date)))
        parts.append(
            _part(
                "idle",
                _times(g, n, BUSINESS, ctx),
                np.full(n, one["idle"][0].id),
                g.choice(users["team:marketing"], n),
                np.full(n, whi["WH_MARKETING_PROD_M"]),
            )
        )
    if "rare_clustering" in ctx.scenarios and ctx.day_index % 7 == 3:
        parts.append(
            _part(
                "rare",
                _times(g, 1, BUSINESS, ctx),
                np.full(1, one["rare"][0].id),
                np.array(users["team:data-platform"][:1]),
                np.full(1, 0),
            )
        )
    if "data_quality" in ctx.scenarios:
        # A nightly snapshot that starts just before midnight UTC and ends
        # after it.
        start = ctx.day_start + DAY_MS - int(g.integers(8, 15)) * 60_000
        parts.append(
            _part(
                "midnight",
                np.array([start]),
                np.full(1, one["midnight"][0].id),
                np.array(users.get("DBT_PROD", users["all"])[:1]),
                np.full(1, 0),
            )
        )
    return parts


def _data_quality(queries: dict[str, np.ndarray], ctx: DayContext) -> None:
    """Malformed query tags, duplicated rows and rows that arrive late."""
    if "data_quality" not in ctx.scenarios:
        return
    g = rng.stream(ctx.seed, ctx.account.spec.name, ctx.day_index, "data_quality")
    n = len(queries["start"])
    looker = queries["tagk"] == TAG_LOOKER
    bad = looker & (g.random(n) < 0.01)
    queries["tagk"][bad] = TAG_MALFORMED
    plain = looker & ~bad & (g.random(n) < 0.005)
    queries["tagk"][plain] = TAG_PLAIN
    queries["dup"] = g.random(n) < 0.002
    late = g.random(n) < 0.02
    queries["delay"] = np.where(late, g.integers(HOUR_MS, 30 * HOUR_MS, n), 0)
