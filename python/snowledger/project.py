"""Locations inside the Snowledger repository (the dbt project and its files)."""

from __future__ import annotations

import os
from pathlib import Path

from snowledger.errors import SnowledgerError


def project_dir() -> Path:
    """The dbt project root: $SNOWLEDGER_PROJECT_DIR, else the checkout holding
    this package (an editable install), else the working directory."""
    candidates = []
    if env := os.environ.get("SNOWLEDGER_PROJECT_DIR"):
        candidates.append(Path(env))
    candidates += [Path(__file__).resolve().parents[2], Path.cwd()]
    for candidate in candidates:
        if (candidate / "dbt_project.yml").is_file():
            return candidate
    raise SnowledgerError(
        "Cannot find the Snowledger dbt project (dbt_project.yml). Run from the "
        "repository root or set SNOWLEDGER_PROJECT_DIR."
    )


def default_source_db() -> Path:
    """Where the simulated ACCOUNT_USAGE file goes unless told otherwise."""
    env = os.environ.get("SNOWLEDGER_SOURCE_DB")
    return Path(env) if env else project_dir() / "data" / "snowflake.duckdb"


def default_target_db() -> Path:
    """The DuckDB file the local dbt target builds into."""
    env = os.environ.get("SNOWLEDGER_TARGET_DB")
    return Path(env) if env else project_dir() / "data" / "snowledger.duckdb"
