"""An incremental run gives exactly what a full refresh gives.

The organisation is simulated for N days and built; then simulated for N + 1
days with the same seed (the same rows, plus a new day and the rows of earlier
days that arrived late) and built incrementally into the same target. A
full-refresh build of the N + 1 day file must match it row for row, in every
incremental model and every mart."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.dbt

DAYS = 6
# Models whose rows are compared (every incremental model and every mart).
COMPARED = (
    "stg_account_usage__query_history",
    "stg_account_usage__query_attribution_history",
    "int_query_execution_hours",
    "int_query_compute_allocated",
    "int_query_cloud_services",
    "warehouse_costs_hourly",
    "query_costs",
    "daily_spend",
    "daily_rates",
    "dbt_model_costs",
    "chargeback_daily",
    "chargeback_monthly",
    "pricing_adjustments_monthly",
)
# Seeds, snapshots and models, without the tests (the build gate runs them).
BUILD = ("build", "--exclude", "resource_type:test", "resource_type:unit_test")
# Bookkeeping, not data: which window a run rebuilt.
IGNORED_COLUMNS = {"_batch_window_start"}


@pytest.fixture(scope="module")
def builds(tmp_path_factory, simulate_org, build_project):
    root = tmp_path_factory.mktemp("incremental")
    shorter = simulate_org(root / "short", days=DAYS)
    longer = simulate_org(root / "long", days=DAYS + 1)
    # Rows that had not arrived by the end of the shorter file.
    late = shorter.manifest["accounts"][0]["late_rows"]["query_history"]
    incremental_dir = root / "incremental"
    build_project(shorter.path, incremental_dir, BUILD)
    incremental = build_project(longer.path, incremental_dir, BUILD)
    full = build_project(longer.path, root / "full", (*BUILD, "--full-refresh"))
    return incremental, full, late


def _rows(project, model: str) -> tuple[list[str], list[tuple]]:
    with project.connect() as connection:
        columns = [
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_name = ? order by ordinal_position",
                [model],
            ).fetchall()
            if name not in IGNORED_COLUMNS
        ]
        listed = ", ".join(columns)
        rows = connection.execute(
            f"select {listed} from {model} order by all"
        ).fetchall()
    return columns, rows


def test_the_longer_simulation_brings_late_rows(builds) -> None:
    _, _, late = builds
    assert late > 0, "the second file must carry late rows for earlier days"


@pytest.mark.parametrize("model", COMPARED)
def test_incremental_equals_full_refresh(builds, model: str) -> None:
    incremental, full, _ = builds
    columns, incremental_rows = _rows(incremental, model)
    full_columns, full_rows = _rows(full, model)
    assert columns == full_columns
    assert full_rows, f"{model} is empty"
    extra = set(incremental_rows) - set(full_rows)
    missing = set(full_rows) - set(incremental_rows)
    assert not extra and not missing, (
        f"{model}: {len(extra)} rows only in the incremental build, "
        f"{len(missing)} only in the full refresh; e.g. "
        f"{sorted(extra, key=str)[:2]} vs {sorted(missing, key=str)[:2]}"
    )
    assert len(incremental_rows) == len(full_rows)
