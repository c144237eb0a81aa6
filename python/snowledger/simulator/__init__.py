"""A simulated Snowflake organisation: what ACCOUNT_USAGE and
ORGANIZATION_USAGE would show, written to one DuckDB file, plus a manifest of
the ground truth the simulation planted.

The organisation (org.py) has three accounts (ACME_US, ACME_EU, ACME_APAC),
departments and teams with cost centres, warehouses named
WH_{TEAM}_{ENV}_{SIZE} plus shared ones, people, service users (dbt, Looker,
Tableau, Fivetran, Airflow), dbt runs, dashboards, ad-hoc work, loads,
unloads, tasks and serverless features. Queries follow a daily and a weekly
cycle in each account's time zone.

How the views are made consistent (reference/account_usage.md sections 5-6):

- Warehouses bill per second from resume to auto-suspend (AUTO_SUSPEND seconds
  after the last query ends) with a 60-second minimum per resume and per
  extra-cluster spin-up (each cluster carries its own minimum: the reference
  leaves this unconfirmed). Credits fall in the clock hours where the seconds
  are. Multi-cluster warehouses add clusters as concurrency passes 8 queries
  per cluster and drop them after 2 idle minutes; queries beyond every
  cluster's capacity queue (QUEUED_OVERLOAD_TIME).
- A query executes from START_TIME + COMPILATION_TIME + LIST_EXTERNAL_FILES_TIME
  + queued time (provisioning, repair, overload) to END_TIME. An hour's
  CREDITS_ATTRIBUTED_COMPUTE_QUERIES is the compute of the seconds in which
  at least one query longer than 100 ms executes; QUERY_ATTRIBUTION_HISTORY
  shares it among those queries by execution time in the hour (largest
  remainder on nano-credits), so both sides agree to the 9th decimal.
  Query acceleration credits belong to the hour in which the query started
  executing.
- Cloud services: a statement's CREDITS_USED_CLOUD_SERVICES counts in the hour
  of its START_TIME. A warehouse-hour's cloud services are exactly those of its
  statements; statements without a warehouse, and background work, are the
  WAREHOUSE_METERING row named CLOUD_SERVICES_ONLY (WAREHOUSE_ID 0), present in
  WAREHOUSE_METERING_HISTORY and METERING_HISTORY alike.
- METERING_DAILY_HISTORY sums METERING_HISTORY per service and UTC day. The
  adjustment sits on the WAREHOUSE_METERING row only:
  -min(cloud services, compute / 10) of that row (serverless rows 0).
- Snowpipe Streaming: every client event is one minute of client time at 0.01
  credits per client-hour, metered under NAME = the client name; file
  migration is a second row per pipe and hour.
- Billing views use the billing vocabulary (AUTOMATIC_CLUSTERING, SNOWPIPE,
  CLOUD_SERVICES). The daily cloud-services rebate is its own line: USAGE_TYPE
  'adj for incl cloud services', SERVICE_TYPE CLOUD_SERVICES, IS_ADJUSTMENT
  true, negative usage (reference 6.4, R-SEL's invoice fixture). USAGE is
  rounded to 3 decimals; USAGE_IN_CURRENCY = round(exact usage x rate, 2);
  storage is billed daily as daily-average TB x rate / days in the month;
  egress leaving the account's region as TB x rate (same-region transfer is
  free; replication transfer is billed to the receiving account).
- One capacity contract for the organisation, sized from the first day's
  spend to last about 25 days; afterwards usage is charged at on-demand rates
  (USAGE_TYPE 'overage-...', BALANCE_SOURCE 'overage') and the on-demand
  balance goes negative until month close.

Time: a file describes the organisation as seen at the end of its last day. A
row is present once it has arrived: hour-grain rows once their hour is over,
statements once they have ended, late rows (data_quality) after their delay.
Daily billing rows (METERING_DAILY_HISTORY and the organisation's daily
views) are written only for days whose usage rows have all arrived, so the
last day or two may be missing from them; the manifest names that day
(`complete_through`). Randomness comes from one stream per (seed, account,
day, purpose): simulating N+1 days gives the rows of N days plus the new
day's rows plus rows that arrived late. Object views (USERS, TAG_REFERENCES,
TABLE_STORAGE_METRICS, ...) show the state at the end, as Snowflake does.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from snowledger.errors import SnowledgerError

log = logging.getLogger(__name__)

SCENARIOS: dict[str, str] = {
    "cost_spike": "one day costs about 3x the day before, caused by one user, "
    "one warehouse and one query pattern",
    "reorganisation": "the Marketing department splits into teams brand and "
    "performance; tags change from that date",
    "idle_heavy": "a warehouse with a 30-minute auto-suspend and sporadic queries",
    "oversized": "an X-Large warehouse running tiny queries",
    "queueing": "a nightly backfill overloads a single-cluster warehouse",
    "unused_warehouse": "a warehouse resumed by a health check with almost no work",
    "rare_clustering": "automatic clustering on a table almost nobody queries",
    "data_quality": "duplicate and late rows, odd query tags, a renamed warehouse, "
    "queries across midnight",
}


def _all_scenarios() -> frozenset[str]:
    return frozenset(SCENARIOS)


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate. The same configuration always gives the same file."""

    days: int = 30
    start_date: dt.date = dt.date(2026, 11, 1)
    queries_per_day: int = 10_000
    accounts: int = 3
    seed: int = 42
    scenarios: frozenset[str] = field(default_factory=_all_scenarios)

    def check(self) -> None:
        if not 1 <= self.accounts <= 3:
            raise SnowledgerError(
                f"accounts must be 1, 2 or 3 (got {self.accounts}): the organisation "
                "has ACME_US, ACME_EU and ACME_APAC."
            )
        if self.days < 1:
            raise SnowledgerError(f"days must be at least 1 (got {self.days}).")
        if self.queries_per_day < 100:
            raise SnowledgerError(
                f"queries_per_day must be at least 100 (got {self.queries_per_day})."
            )
        unknown = set(self.scenarios) - set(SCENARIOS)
        if unknown:
            raise SnowledgerError(_unknown_message(sorted(unknown)))


def _unknown_message(names: list[str]) -> str:
    return (
        f"unknown scenario {', '.join(names)}; valid scenarios are "
        f"{', '.join(SCENARIOS)} (or 'none' for a plain organisation)"
    )


def resolve_scenarios(names: tuple[str, ...]) -> frozenset[str]:
    """Scenario names from the command line: () means all, ('none',) none."""
    if not names:
        return _all_scenarios()
    if tuple(names) == ("none",):
        return frozenset()
    unknown = sorted({n for n in names if n not in SCENARIOS})
    if unknown:
        raise SnowledgerError(_unknown_message(unknown))
    return frozenset(names)


def manifest_path(path: Path) -> Path:
    """Where the manifest of a simulated file goes: <stem>.manifest.json."""
    path = Path(path)
    return path.with_name(f"{path.stem}.manifest.json")


def simulate(config: SimulationConfig, path: Path | str) -> dict[str, Any]:
    """Write the simulated organisation to `path` (replacing it atomically)
    and its manifest beside it; return the manifest."""
    from snowledger.simulator import billing
    from snowledger.simulator.account import AccountRun, make_plan
    from snowledger.simulator.org import ACCOUNTS
    from snowledger.simulator.writer import Writer

    config.check()
    path = Path(path)
    if path.exists() and path.is_dir():
        raise SnowledgerError(
            f"{path} is a directory; give a file name for the output."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    clock = time.monotonic()
    specs = ACCOUNTS[: config.accounts]
    plan = make_plan(config.start_date, config.days)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    log.info(
        "simulating %d days x %s queries/day in %d accounts into %s",
        config.days,
        f"{config.queries_per_day:,}",
        config.accounts,
        path,
    )
    writer = Writer(temporary, [spec.schema for spec in specs])
    try:
        results = []
        for index, spec in enumerate(specs):
            results.append(AccountRun(config, index, plan, writer, spec).run())
        contract = billing.write_organization(writer, results, plan, specs)
        log.info("organization usage written (%.1f s)", time.monotonic() - clock)
        rows = dict(writer.rows)
        writer.close()
    except BaseException:
        writer.connection.close()
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)
    manifest = _manifest(config, plan, results, specs, contract, rows)
    manifest_path(path).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    log.info(
        "wrote %s (%s queries) in %.1f s",
        path,
        f"{manifest['totals']['queries']:,}",
        time.monotonic() - clock,
    )
    return manifest


def _manifest(config, plan, results, specs, contract, rows) -> dict[str, Any]:
    settings = asdict(config)
    settings["scenarios"] = sorted(config.scenarios)
    settings["start_date"] = str(config.start_date)
    accounts = []
    scenarios: dict[str, Any] = {}
    for result, spec in zip(results, specs, strict=True):
        truth = dict(result.truth)
        accounts.append(
            {
                "name": spec.name,
                "region": spec.region,
                "schema": spec.schema,
                "locator": spec.locator,
                "complete_through": truth.pop("complete_through"),
                "queries": truth.pop("queries"),
                "late_rows": truth.pop("late_rows"),
                "warehouses": [
                    {
                        "id": w.id,
                        "name": w.name,
                        "old_name": w.old_name,
                        "team": w.team,
                        "size": w.size_label,
                        "max_clusters": w.max_clusters,
                        "auto_suspend": w.auto_suspend,
                    }
                    for w in result.org.warehouses
                ],
            }
        )
        for name, value in truth.items():
            scenarios[name] = value
    return {
        "config": settings,
        "period": {
            "start": str(plan.start),
            "end": str(plan.start + dt.timedelta(days=plan.days - 1)),
        },
        "totals": {
            "queries": rows.get("account_usage.query_history", 0)
            + sum(
                v
                for k, v in rows.items()
                if k.endswith(".query_history") and not k.startswith("account_usage.")
            ),
            "rows": rows,
        },
        "accounts": accounts,
        "contract": contract,
        "scenarios": scenarios,
    }


def verify(path: Path | str) -> list[str]:
    """Check the billing identities on any file that follows the source
    contract; return one message per failure (empty: all hold)."""
    from snowledger.simulator.checks import verify_file

    return verify_file(Path(path))
