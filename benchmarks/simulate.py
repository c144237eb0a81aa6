"""Measure `snowledger simulate` at a given scale: wall time, peak memory and
output size, with the machine it ran on.

    python benchmarks/simulate.py --queries-per-day 1000000 --days 30 --accounts 3

Each run is a fresh process (so peak RSS is the simulation's own), writing
into a temporary directory that is removed afterwards unless --keep is given.
The result is printed as one Markdown table row for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def machine() -> str:
    """Cores, memory, Python and DuckDB versions of this machine."""
    import duckdb

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{os.cpu_count()} cores, {memory_gib:.0f} GiB RAM, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"{platform.system()} {platform.machine()}"
    )


def run_once(days: int, queries_per_day: int, accounts: int, output: Path) -> dict:
    """Simulate in this process and report time, peak RSS and sizes."""
    from snowledger.simulator import SimulationConfig, simulate

    config = SimulationConfig(
        days=days, queries_per_day=queries_per_day, accounts=accounts
    )
    started = time.perf_counter()
    manifest = simulate(config, output)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "days": days,
        "queries_per_day": queries_per_day,
        "accounts": accounts,
        "queries": manifest["totals"]["queries"],
        "seconds": round(seconds, 1),
        "peak_rss_gib": round(peak_kib / 1024**2, 2),
        "file_gib": round(output.stat().st_size / 1024**3, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--queries-per-day", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="Write the DuckDB file here and keep it.",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        logging.basicConfig(
            level=logging.INFO,
            stream=sys.stderr,
            format="%(asctime)s %(message)s",
            datefmt="%H:%M:%S",
        )
        result = run_once(args.days, args.queries_per_day, args.accounts, args.keep)
        print(json.dumps(result))
        return

    workdir = Path(tempfile.mkdtemp(prefix="snowledger-bench-"))
    output = args.keep or workdir / "snowflake.duckdb"
    try:
        completed = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--days",
                str(args.days),
                "--queries-per-day",
                str(args.queries_per_day),
                "--accounts",
                str(args.accounts),
                "--keep",
                str(output),
            ],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        result = json.loads(completed.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"machine: {machine()}")
    print(
        "| date | days | queries/day | accounts | queries written | wall time (s) "
        "| peak RSS (GiB) | file (GiB) |"
    )
    print(
        f"| {dt.date.today()} | {result['days']} | {result['queries_per_day']:,} "
        f"| {result['accounts']} | {result['queries']:,} | {result['seconds']} "
        f"| {result['peak_rss_gib']} | {result['file_gib']} |"
    )


if __name__ == "__main__":
    main()
