"""Running dbt on the embedded default from Python, as a child process.

A child process keeps DuckDB's file locks out of the caller, which can then
open the built file itself.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from snowledger.errors import SnowledgerError
from snowledger.project import project_dir

log = logging.getLogger(__name__)


def dbt_executable() -> str:
    """The dbt beside this Python interpreter (the project's environment)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(
    args: list[str],
    *,
    source_db: Path,
    target_db: Path,
    extra_env: dict[str, str] | None = None,
) -> None:
    """Run one dbt command on the local target; raise if it fails."""
    target_db.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project_dir()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "SNOWLEDGER_SOURCE_DB": str(source_db),
        "SNOWLEDGER_TARGET_DB": str(target_db),
        **(extra_env or {}),
    }
    command = [dbt_executable(), *args]
    log.info("running %s", " ".join(command))
    started = time.perf_counter()
    result = subprocess.run(command, cwd=project_dir(), env=env, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SnowledgerError(
            f"`dbt {' '.join(args)}` failed after {elapsed:.0f} s (exit "
            f"{result.returncode}); its output above says which node and why."
        )
    log.info("dbt %s finished in %.1f s", args[0], elapsed)
