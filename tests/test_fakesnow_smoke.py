"""The Snowflake-dialect smoke test: the project compiled by dbt-snowflake and
executed on fakesnow (reference: toolchain notes, section 3).

DuckDB proves the numbers; this proves that the SQL dbt sends to Snowflake is
SQL that Snowflake's grammar and functions accept: every SQL model, seed,
snapshot and data test, a second run through the incremental and snapshot
MERGE paths, and compiled code that is Snowflake's, not DuckDB's.

Python models are not run here: dbt-snowflake runs them as stored procedures,
which fakesnow does not implement. They are tested under Snowpark local testing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.dbt

RUNNER = Path(__file__).with_name("fakesnow_dbt.py")
OK = {"success", "pass"}


@pytest.fixture(scope="module")
def fakesnow_run(
    simulate_org: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The target path of a build on fakesnow; fails with dbt's output if the
    build did not succeed."""
    workdir = tmp_path_factory.mktemp("fakesnow")
    # fakesnow translates every statement and loads rows through pandas: two
    # days of a small organisation execute every statement with data in it.
    tiny_org = simulate_org(workdir / "source", days=3, queries_per_day=300)
    target_path = workdir / "target"
    result = subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            "--source-db",
            str(tiny_org.path),
            "--target-path",
            str(target_path),
            "--log-path",
            str(workdir / "logs"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"dbt on fakesnow failed (exit {result.returncode}):\n"
        f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    )
    return target_path


def _results(target_path: Path, step: str) -> list[dict[str, Any]]:
    document = json.loads((target_path / f"run_results.{step}.json").read_text())
    return document["results"]


def test_every_node_succeeds_on_fakesnow(fakesnow_run: Path) -> None:
    results = _results(fakesnow_run, "build")
    assert results, "dbt ran nothing on fakesnow"
    failed = [
        f"{result['unique_id']}: {result['status']}: {result['message']}"
        for result in results
        if result["status"] not in OK
    ]
    assert not failed, "\n".join(failed)


def test_every_sql_model_runs_on_fakesnow(fakesnow_run: Path) -> None:
    manifest = json.loads((fakesnow_run / "manifest.json").read_text())
    nodes = manifest["nodes"]
    python_models = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model" and node["language"] == "python"
    }

    def downstream_of_python(unique_id: str) -> bool:
        parents = nodes[unique_id]["depends_on"].get("nodes", [])
        return any(
            parent in python_models
            or (parent in nodes and downstream_of_python(parent))
            for parent in parents
        )

    expected = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] in {"model", "seed", "snapshot"}
        and unique_id not in python_models
        and not downstream_of_python(unique_id)
    }
    ran = {result["unique_id"] for result in _results(fakesnow_run, "build")}
    assert expected <= ran, f"not run on fakesnow: {sorted(expected - ran)}"


def test_incremental_models_and_snapshots_rerun_on_fakesnow(
    fakesnow_run: Path,
) -> None:
    failed = [
        f"{result['unique_id']}: {result['status']}: {result['message']}"
        for result in _results(fakesnow_run, "rerun")
        if result["status"] not in OK
    ]
    assert not failed, "\n".join(failed)


def test_compiled_sql_is_snowflake_sql(fakesnow_run: Path) -> None:
    compiled = {
        result["unique_id"]: result.get("compiled_code") or ""
        for result in _results(fakesnow_run, "build")
    }
    manifest = json.loads((fakesnow_run / "manifest.json").read_text())
    using_to_utc = [
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if "to_utc(" in node.get("raw_code", "") and unique_id in compiled
    ]
    assert using_to_utc, "no executed model converts a timestamp to UTC"
    for unique_id in using_to_utc:
        code = compiled[unique_id].lower()
        assert "convert_timezone('utc'" in code, unique_id
        # The DuckDB spellings must never reach Snowflake.
        assert "make_timestamp(" not in code, unique_id
        assert "epoch_us(" not in code, unique_id
