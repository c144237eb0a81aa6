"""The warehouse timeline: interval arithmetic, exact splits and billing rules
on hand-made queries."""

from __future__ import annotations

import numpy as np
from snowledger.simulator import timeline
from snowledger.simulator.org import HOUR_MS, Warehouse

T0 = 1_700_000_000_000 // HOUR_MS * HOUR_MS  # an hour boundary


def test_split_cuts_intervals_at_hour_boundaries() -> None:
    index, bucket, ms = timeline.split(
        np.array([T0 + 10, T0 + HOUR_MS - 5]), np.array([T0 + 20, T0 + HOUR_MS + 7])
    )
    assert index.tolist() == [0, 1, 1]
    assert (bucket - T0).tolist() == [0, 0, HOUR_MS]
    assert ms.tolist() == [10, 5, 7]


def test_merge_unions_overlapping_intervals_per_group() -> None:
    group, start, end = timeline.merge(
        np.array([0, 5, 20, 0]) + T0,
        np.array([10, 12, 30, 3]) + T0,
        np.array([1, 1, 1, 2]),
    )
    assert group.tolist() == [1, 1, 2]
    assert (start - T0).tolist() == [0, 20, 0]
    assert (end - T0).tolist() == [12, 30, 3]


def test_largest_remainder_splits_exactly_and_proportionally() -> None:
    totals = np.array([10, 7], dtype=np.int64)
    weight = np.array([1, 1, 1, 5, 2], dtype=np.int64)
    group = np.array([0, 0, 0, 1, 1])
    shares = timeline.largest_remainder(totals, weight, group, np.arange(5))
    assert shares[:3].sum() == 10 and shares[3:].sum() == 7
    assert sorted(shares[:3].tolist()) == [3, 3, 4]
    assert shares[3:].tolist() == [5, 2]


def test_nano_credits_round_half_up() -> None:
    # One second of an X-Small (1 credit/hour) is 1/3600 credit.
    assert timeline.nano_for_ms(np.array([1_000]), 2)[0] == 277_778
    assert timeline.nano_for_ms(np.array([HOUR_MS]), 2)[0] == 10**9


def _run(warehouse: Warehouse, arrivals: list[int], work: list[int]):
    arrival = np.array(arrivals, dtype=np.int64) + T0
    line = timeline.run(warehouse, arrival, np.array(work, dtype=np.int64), seed=1)
    use = timeline.meter(warehouse, line, np.arange(len(arrivals)))
    return line, use


def test_a_lone_short_query_bills_the_sixty_second_minimum() -> None:
    warehouse = Warehouse(1, "WH_T_PROD_XS", "bi", "prod", "XS", auto_suspend=10)
    line, use = _run(warehouse, [1_000], [2_000])
    running = line.session_suspended[0] - line.session_resumed[0]
    assert running < 60_000
    assert use.compute.sum() == timeline.nano_for_ms(np.array([60_000]), 2)[0]
    assert line.queued_provisioning[0] > 0  # it waited for the resume


def test_idle_tail_is_billed_but_not_attributed() -> None:
    warehouse = Warehouse(1, "WH_T_PROD_M", "bi", "prod", "M", auto_suspend=600)
    line, use = _run(warehouse, [60_000], [30_000])
    assert line.session_suspended[0] - line.end[0] >= 600_000
    assert use.attributed.sum() == timeline.nano_for_ms(np.array([30_000]), 8)[0]
    assert use.compute.sum() > use.attributed.sum()
    assert use.query_credits.sum() == use.attributed.sum()


def test_credits_fall_in_the_hours_where_the_seconds_are() -> None:
    warehouse = Warehouse(1, "WH_T_PROD_S", "bi", "prod", "S", auto_suspend=60)
    _, use = _run(warehouse, [HOUR_MS - 30_000], [120_000])
    assert len(use.hour) == 2
    assert use.attributed.sum() == use.query_credits.sum()
    first, second = use.attributed
    assert second > first > 0  # 90 s after the boundary, under 30 s before


def test_overload_queues_beyond_the_clusters_capacity() -> None:
    warehouse = Warehouse(1, "WH_T_PROD_S", "bi", "prod", "S", auto_suspend=60)
    line, _ = _run(warehouse, [0] * 10, [60_000] * 10)
    assert (line.queued_overload > 0).sum() == 2
    assert line.queued_overload.max() >= 59_000


def test_multi_cluster_warehouses_spin_up_extra_clusters() -> None:
    warehouse = Warehouse(
        1, "WH_T_PROD_M", "bi", "prod", "M", max_clusters=3, auto_suspend=300
    )
    line, use = _run(warehouse, list(range(0, 20_000, 1_000)), [120_000] * 20)
    assert set(line.cluster.tolist()) == {1, 2, 3}
    assert (line.queued_overload == 0).all()
    assert (line.interval_cluster > 1).sum() == 2
    # Three clusters run at once: more than one cluster's worth per hour.
    assert use.compute.sum() > timeline.nano_for_ms(np.array([300_000]), 8)[0] * 2
