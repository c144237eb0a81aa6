"""When a warehouse runs, and what that costs: sessions from auto-resume to
auto-suspend, multi-cluster spin-up and spin-down, queues, per-second billing
with the 60-second minimum, and the split of every hour's credits.

All credit amounts are integers in nano-credits (1e-9 credit), so that every
sum the views promise holds exactly at the 9 decimals Snowflake shows.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from snowledger.simulator import rng
from snowledger.simulator.org import CONCURRENCY, HOUR_MS, Warehouse

MINIMUM_MS = 60_000  # billed minimum after every resume or spin-up
SPINDOWN_MS = 120_000  # idle time before an extra cluster shuts down
ATTRIBUTION_MIN_MS = 100  # shorter queries are absent from QUERY_ATTRIBUTION


def nano_for_ms(ms: np.ndarray, rate_x2: int) -> np.ndarray:
    """Nano-credits for milliseconds at rate_x2 / 2 credits an hour, rounded
    half up: ms * rate * 1e9 / 3.6e6 = ms * rate_x2 * 2500 / 18."""
    return (ms.astype(np.int64) * (rate_x2 * 2500) + 9) // 18


def ceil_s(ms: np.ndarray) -> np.ndarray:
    return -((-ms) // 1000) * 1000


def split(
    start: np.ndarray, end: np.ndarray, width: int = HOUR_MS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut intervals [start, end) at multiples of `width`: (interval index,
    bucket start, ms inside the bucket) for every non-empty piece."""
    start = start.astype(np.int64)
    end = end.astype(np.int64)
    keep = end > start
    idx = np.nonzero(keep)[0]
    first = start[idx] // width
    last = (end[idx] - 1) // width
    count = last - first + 1
    rep = np.repeat(idx, count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    bucket = (np.repeat(first, count) + offset) * width
    lo = np.maximum(start[rep], bucket)
    hi = np.minimum(end[rep], bucket + width)
    return rep, bucket, hi - lo


def merge(
    start: np.ndarray, end: np.ndarray, group: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of intervals per group: (group, start, end) of the merged ones."""
    n = len(start)
    if n == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    group = np.zeros(n, dtype=np.int64) if group is None else group.astype(np.int64)
    order = np.lexsort((start, group))
    origin = int(start.min())
    s, e, g = start[order] - origin, end[order] - origin, group[order]
    rank = np.cumsum(np.r_[0, (g[1:] != g[:-1]).astype(np.int64)])
    # Offsetting each group keeps one running maximum valid across groups.
    base = rank * (int(e.max()) + 1)
    cm = np.maximum.accumulate(e + base)
    new = np.ones(n, dtype=bool)
    new[1:] = (s[1:] + base[1:]) > cm[:-1]
    head = np.nonzero(new)[0]
    tail = np.append(head[1:], n) - 1
    return g[head], s[head] + origin, cm[tail] - base[tail] + origin


def largest_remainder(
    total: np.ndarray, weight: np.ndarray, group: np.ndarray, tiebreak: np.ndarray
) -> np.ndarray:
    """Split integer totals[group] over rows in proportion to weight, exactly:
    floor shares, then one more unit to the largest remainders."""
    wsum = np.bincount(group, weights=weight, minlength=len(total)).astype(np.int64)
    t = total[group]
    w_total = wsum[group]
    q, r0 = np.divmod(t, np.maximum(w_total, 1))
    share = q * weight + (r0 * weight) // np.maximum(w_total, 1)
    rem = (r0 * weight) % np.maximum(w_total, 1)
    left = total - np.bincount(group, weights=share, minlength=len(total)).astype(
        np.int64
    )
    order = np.lexsort((tiebreak, -rem, group))
    g_sorted = group[order]
    first = np.searchsorted(g_sorted, g_sorted, side="left")
    rank = np.arange(len(order)) - first
    bonus = np.zeros(len(order), dtype=np.int64)
    bonus[order] = (rank < left[g_sorted]).astype(np.int64)
    return share + bonus


@dataclass
class Timeline:
    """One warehouse over the simulated period (queries sorted by arrival)."""

    exec_start: np.ndarray
    end: np.ndarray
    queued_provisioning: np.ndarray
    queued_overload: np.ndarray
    cluster: np.ndarray
    load_percent: np.ndarray
    # sessions: request time, resumed (billing starts), suspended, first query
    session_request: np.ndarray
    session_resumed: np.ndarray
    session_suspended: np.ndarray
    session_first: np.ndarray
    # cluster intervals (cluster 1 = the sessions themselves)
    interval_cluster: np.ndarray
    interval_start: np.ndarray
    interval_end: np.ndarray

    def drop_queries(self) -> None:
        """Forget the per-query arrays once copied elsewhere (memory)."""
        empty = np.zeros(0, dtype=np.int64)
        self.exec_start = self.end = self.queued_provisioning = empty
        self.queued_overload = self.cluster = self.load_percent = empty


def _fifo(ready: np.ndarray, duration: np.ndarray, servers: int) -> np.ndarray:
    """Start times in a first-come-first-served queue with `servers` slots."""
    free = [0] * servers
    out = np.empty(len(ready), dtype=np.int64)
    for i, (t, d) in enumerate(zip(ready.tolist(), duration.tolist(), strict=True)):
        earliest = free[0]
        start = t if t >= earliest else earliest
        heapq.heapreplace(free, start + d)
        out[i] = start
    return out


def _slots(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The lowest free execution slot each query takes when it starts (slot //
    CONCURRENCY is its cluster - 1): clusters fill in order."""
    order = np.argsort(start, kind="stable")
    free: list[int] = []
    running: list[tuple[int, int]] = []
    top = 0
    out = np.empty(len(start), dtype=np.int64)
    ends = end.tolist()
    starts = start.tolist()
    for i in order.tolist():
        t = starts[i]
        while running and running[0][0] <= t:
            heapq.heappush(free, heapq.heappop(running)[1])
        if free:
            slot = heapq.heappop(free)
        else:
            slot = top
            top += 1
        heapq.heappush(running, (ends[i], slot))
        out[i] = slot
    return out


def _level(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Queries executing at each query's start, itself included."""
    s_sorted = np.sort(start)
    e_sorted = np.sort(end)
    return np.searchsorted(s_sorted, start, side="right") - np.searchsorted(
        e_sorted, start, side="right"
    )


def _sessions(
    arrival: np.ndarray, end: np.ndarray, suspend_ms: int
) -> tuple[np.ndarray, np.ndarray]:
    """Session number of each query (sorted by arrival) and session heads."""
    horizon = np.maximum.accumulate(end + suspend_ms)
    new = np.ones(len(arrival), dtype=bool)
    new[1:] = arrival[1:] >= horizon[:-1]
    return np.cumsum(new) - 1, np.nonzero(new)[0]


def run(
    warehouse: Warehouse, arrival: np.ndarray, work: np.ndarray, seed: int
) -> Timeline:
    """Run queries (sorted by arrival at the warehouse) with `work` ms each."""
    n = len(arrival)
    suspend_ms = warehouse.auto_suspend * 1000
    sess, heads = _sessions(arrival, arrival + work, suspend_ms)
    provision = 400 + (
        rng.mix(arrival[heads], rng.salt(seed, "provision", warehouse.id))
        % np.uint64(2_200)
    ).astype(np.int64)
    resumed = ceil_s(arrival[heads] + provision)
    start = np.maximum(arrival, resumed[sess])
    capacity = CONCURRENCY * warehouse.max_clusters
    if n and _level(start, start + work).max() > capacity:
        start = _fifo(start, work, capacity)
    end = start + work
    sess2, heads2 = _sessions(arrival, end, suspend_ms)
    # A session that swallowed the next one keeps its own resume time.
    resumed2 = resumed[sess[heads2]]
    request = arrival[heads2]
    last_end = np.maximum.reduceat(end, heads2) if n else end
    suspended = ceil_s(last_end + suspend_ms)
    queued_prov = np.minimum(start, resumed2[sess2]) - arrival
    queued_prov = np.maximum(queued_prov, 0)
    queued_over = start - arrival - queued_prov

    level = _level(start, end)
    if warehouse.max_clusters > 1 and n and level.max() > CONCURRENCY:
        cluster = np.minimum(
            _slots(start, end) // CONCURRENCY + 1, warehouse.max_clusters
        )
    else:
        cluster = np.ones(n, dtype=np.int64)
    same_cluster = np.clip(level - (cluster - 1) * CONCURRENCY, 1, CONCURRENCY)
    load_percent = np.clip(100 // same_cluster, 1, 100)

    i_cluster = [np.ones(len(heads2), dtype=np.int64)]
    i_start = [resumed2]
    i_end = [suspended]
    extra = cluster > 1
    if extra.any():
        spindown = min(SPINDOWN_MS, suspend_ms)
        g, s0, e0 = merge(
            start[extra],
            end[extra] + spindown,
            cluster[extra] * (len(heads2) + 1) + sess2[extra],
        )
        k = g // (len(heads2) + 1)
        owner = g % (len(heads2) + 1)
        i_cluster.append(k)
        i_start.append(s0 // 1000 * 1000)
        i_end.append(np.minimum(ceil_s(e0), suspended[owner]))
    return Timeline(
        exec_start=start,
        end=end,
        queued_provisioning=queued_prov,
        queued_overload=queued_over,
        cluster=cluster,
        load_percent=load_percent,
        session_request=request,
        session_resumed=resumed2,
        session_suspended=suspended,
        session_first=heads2,
        interval_cluster=np.concatenate(i_cluster),
        interval_start=np.concatenate(i_start),
        interval_end=np.concatenate(i_end),
    )


@dataclass
class HourlyUse:
    """Per hour of one warehouse: compute and attributed nano-credits; per
    attributable query: its nano-credits."""

    hour: np.ndarray
    compute: np.ndarray
    attributed: np.ndarray
    query_index: np.ndarray  # queries with attributed credits
    query_credits: np.ndarray


def meter(warehouse: Warehouse, line: Timeline, seq: np.ndarray) -> HourlyUse:
    """Per-second billing (60 s minimum per start) per clock hour, and the
    hour's query-attributable credits shared by execution time."""
    rate_x2 = warehouse.rate_x2
    billed_end = np.maximum(line.interval_end, line.interval_start + MINIMUM_MS)
    _, hour, ms = split(line.interval_start, billed_end)
    hours, inverse = np.unique(hour, return_inverse=True)
    running_ms = np.bincount(inverse, weights=ms, minlength=len(hours)).astype(np.int64)
    compute = nano_for_ms(running_ms, rate_x2)

    dur = line.end - line.exec_start
    counted = np.nonzero(dur > ATTRIBUTION_MIN_MS)[0]
    _, b0, b1 = merge(
        line.exec_start[counted], line.end[counted], line.cluster[counted]
    )
    _, b_hour, b_ms = split(b0, b1)
    busy = np.zeros(len(hours), dtype=np.int64)
    np.add.at(busy, np.searchsorted(hours, b_hour), b_ms)
    attributed = np.minimum(nano_for_ms(busy, rate_x2), compute)

    q_rep, q_hour, q_ms = split(line.exec_start[counted], line.end[counted])
    q_group = np.searchsorted(hours, q_hour)
    shares = largest_remainder(attributed, q_ms, q_group, seq[counted][q_rep])
    per_query = np.bincount(q_rep, weights=shares, minlength=len(counted))
    return HourlyUse(
        hours, compute, attributed, counted, np.rint(per_query).astype(np.int64)
    )
