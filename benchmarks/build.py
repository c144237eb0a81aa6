"""Benchmark of the ledger build on the embedded default (DuckDB).

Simulates an organisation at scale, then measures, in one run on one machine:

- the floor: one DuckDB scan-and-aggregate of the whole QUERY_HISTORY (every
  query read once, grouped by account, warehouse and hour);
- a full build (seeds, snapshots and every model from scratch: `dbt build`
  without tests), then `dbt test` (every data and unit test);
- one incremental day: the same organisation one day longer (with its late
  rows), built the same way into the same target;
- peak memory of the dbt process (resident set size).

Results are printed and written as JSON under benchmarks/results/, named for
the scale, so that RESULTS.md can quote them. Usage:

    .venv/bin/python benchmarks/build.py --queries-per-day 1000000 --days 30
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from snowledger.dbt_runner import run_dbt
from snowledger.simulator import SimulationConfig, resolve_scenarios, simulate

log = logging.getLogger("benchmark")
# Seeds, snapshots and models; the tests are timed on their own.
BUILD = ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]
RESULTS = Path(__file__).resolve().parent / "results"


def _peak_child_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    log.info("%s: %.1f s", label, elapsed)
    return elapsed


def _floor(source_db: Path) -> tuple[float, int]:
    """Seconds for one scan-and-aggregate of every account's query history."""
    with duckdb.connect(str(source_db), read_only=True) as connection:
        schemas = [
            row[0]
            for row in connection.execute(
                "select table_schema from information_schema.tables "
                "where table_name = 'query_history'"
            ).fetchall()
        ]
        union = " union all ".join(
            f"select warehouse_id, start_time, execution_time, "
            f"credits_used_cloud_services from {schema}.query_history"
            for schema in schemas
        )
        started = time.perf_counter()
        connection.execute(
            f"""
            create temp table floor as
            select warehouse_id, date_trunc('hour', start_time) as hour,
                   count(*) as queries, sum(execution_time) as execution_ms,
                   sum(credits_used_cloud_services) as cloud_services
            from ({union})
            group by all
            """
        )
        elapsed = time.perf_counter() - started
        (queries,) = connection.execute(f"select count(*) from ({union})").fetchone()
    return elapsed, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries-per-day", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--source",
        type=Path,
        default=None,
        help="An already simulated file of --days days to reuse (default: "
        "simulate one).",
    )
    parser.add_argument(
        "--source-plus-one",
        type=Path,
        default=None,
        help="The same organisation simulated one day longer, to reuse.",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="Where the DuckDB files go (default: a temporary directory).",
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr
    )
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="snowledger-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
    }

    def config(days: int) -> SimulationConfig:
        return SimulationConfig(
            days=days,
            queries_per_day=args.queries_per_day,
            seed=args.seed,
            scenarios=resolve_scenarios(()),
        )

    source = args.source or workdir / "source.duckdb"
    longer = args.source_plus_one or workdir / "source_plus_one.duckdb"
    target = workdir / "ledger.duckdb"
    target.unlink(missing_ok=True)
    simulate_seconds = None
    if args.source is None:
        simulate_seconds = _timed(
            "simulate", lambda: simulate(config(args.days), source)
        )
    if args.source_plus_one is None:
        _timed(
            "simulate one more day",
            lambda: simulate(config(args.days + 1), longer),
        )

    floor_seconds, queries = _floor(source)
    log.info("floor: %.1f s for %s queries", floor_seconds, f"{queries:,}")

    full_seconds = _timed(
        "full run",
        lambda: run_dbt(BUILD, source_db=source, target_db=target, extra_env=env),
    )
    test_seconds = _timed(
        "tests",
        lambda: run_dbt(["test"], source_db=source, target_db=target, extra_env=env),
    )
    incremental_seconds = _timed(
        "incremental day",
        lambda: run_dbt(BUILD, source_db=longer, target_db=target, extra_env=env),
    )
    cpu = subprocess.run(
        ["nproc"], capture_output=True, text=True, check=False
    ).stdout.strip()
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    result = {
        "queries_per_day": args.queries_per_day,
        "days": args.days,
        "queries": queries,
        "simulate_seconds": (
            round(simulate_seconds, 1) if simulate_seconds is not None else None
        ),
        "floor_seconds": round(floor_seconds, 2),
        "full_run_seconds": round(full_seconds, 1),
        "test_seconds": round(test_seconds, 1),
        "incremental_day_seconds": round(incremental_seconds, 1),
        "full_run_over_floor": round(full_seconds / floor_seconds, 1),
        "incremental_over_full": round(incremental_seconds / full_seconds, 3),
        "queries_per_second": round(queries / full_seconds),
        "peak_dbt_rss_mib": round(_peak_child_rss_mib()),
        "machine": {
            "cores": cpu,
            "memory_gib": round(memory_gib, 1),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "platform": platform.platform(),
        },
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"build_{args.queries_per_day}x{args.days}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
