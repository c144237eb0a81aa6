"""Run the dbt project with dbt-snowflake against fakesnow, in this process.

The Snowflake-dialect smoke test: dbt-snowflake compiles every SQL model, seed,
snapshot and data test as it would for production, and fakesnow (Snowflake SQL
translated onto an in-memory DuckDB) executes it. The SNOWFLAKE database is
filled from a DuckDB source file in the contract's shape (a small simulated
organisation), with each column declared under its Snowflake type.

Python models are left out, with everything downstream of them: dbt-snowflake
runs them as stored procedures, which fakesnow does not implement. They are
tested under Snowpark local testing instead. So are tests tagged
`fakesnow_unsupported`, which need what fakesnow does not emulate.

Run it as a script:

    python tests/fakesnow_dbt.py --source-db FILE --target-path DIR --log-path DIR

It runs `dbt build`, then builds the incremental models and snapshots a second
time so that their MERGE paths run too, keeps each run's results as
run_results.<build|rerun>.json in the target path, and exits non-zero if
either run fails.
The module name must not start with `dbt_`: dbt imports such modules as plugins.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import warnings
from pathlib import Path
from string import Template

import duckdb
import fakesnow
import fakesnow.transforms.transforms
import snowflake.connector
import yaml
from snowflake.connector import pandas_tools
from snowledger import contract
from snowledger.project import project_dir

log = logging.getLogger("fakesnow_dbt")


def fix_fakesnow() -> None:
    """Correct the fakesnow 0.12.1 defects the harness itself can fix, so that
    no model or macro has to work around them.

    `describe table other_db.schema.table` reads the column catalogue of the
    connection's current database and finds no columns; dbt-snowflake describes
    the SNOWFLAKE sources from the SNOWLEDGER database, so qualify the
    catalogue with the described table's own database.
    """
    transforms = fakesnow.transforms.transforms
    unqualified = "FROM _fs_information_schema._fs_columns"
    template = transforms.SQL_DESCRIBE_TABLE.template
    assert unqualified in template, "fakesnow changed; revisit fix_fakesnow()"
    transforms.SQL_DESCRIBE_TABLE = Template(
        template.replace(
            unqualified, "FROM ${catalog}._fs_information_schema._fs_columns"
        )
    )
    # Noise, once per query: DuckDB warns that fakesnow fetches through Arrow,
    # and sqlglot that it passes `show user functions` through unparsed.
    warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def _source_schemas() -> dict[str, str]:
    """Schema in the SNOWFLAKE database → the contract it follows."""
    document = yaml.safe_load((project_dir() / "dbt_project.yml").read_text())
    schemas = {
        account["schema"]: "account_usage"
        for account in document["vars"]["snowledger_accounts"]
    }
    schemas["organization_usage"] = "organization_usage"
    return schemas


def load_source(source_db: Path) -> dict[str, int]:
    """Copy every contract table of `source_db` into fakesnow's SNOWFLAKE
    database, typed as in Snowflake; returns rows loaded per table."""
    loaded: dict[str, int] = {}
    connection = snowflake.connector.connect(database="SNOWFLAKE", schema="PUBLIC")
    cursor = connection.cursor()
    with duckdb.connect(str(source_db), read_only=True) as source:
        present = {
            (schema, table)
            for schema, table in source.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        for schema, contract_name in _source_schemas().items():
            if not any(found_schema == schema for found_schema, _ in present):
                continue
            cursor.execute(f"create schema if not exists snowflake.{schema}")
            for view, columns in contract.views(contract_name).items():
                if (schema, view) not in present:
                    continue
                declared = ", ".join(f"{c.name} {c.snowflake_type}" for c in columns)
                cursor.execute(
                    f"create or replace table snowflake.{schema}.{view} ({declared})"
                )
                names = ", ".join(column.name for column in columns)
                frame = source.execute(f"select {names} from {schema}.{view}").df()
                if len(frame):
                    # Looked up at call time: fakesnow.patch() replaces it.
                    pandas_tools.write_pandas(
                        connection,
                        frame,
                        view,
                        database="SNOWFLAKE",
                        schema=schema.upper(),
                        quote_identifiers=False,
                    )
                loaded[f"{schema}.{view}"] = len(frame)
    connection.close()
    return loaded


def _python_models(runner: object, base: list[str]) -> tuple[object, list[str]]:
    """The parsed manifest and the names of its Python models."""
    result = runner.invoke(["parse", *base])  # type: ignore[attr-defined]
    if not result.success:
        raise SystemExit(f"dbt parse failed: {result.exception}")
    manifest = result.result
    names = sorted(
        node.name
        for node in manifest.nodes.values()
        if node.resource_type == "model" and node.language == "python"
    )
    return manifest, names


def _keep_results(target_path: Path, step: str) -> None:
    results = target_path / "run_results.json"
    if results.exists():
        shutil.copyfile(results, target_path / f"run_results.{step}.json")


def run(source_db: Path, target_path: Path, log_path: Path) -> int:
    """Load `source_db` into fakesnow and build the project on it; 0 when both
    builds succeed."""
    os.environ["DBT_TARGET_PATH"] = str(target_path)
    os.environ["DBT_LOG_PATH"] = str(log_path)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    from dbt.cli.main import dbtRunner

    base = [
        "--project-dir",
        str(project_dir()),
        "--profiles-dir",
        str(project_dir()),
        "--target",
        "fakesnow",
    ]
    fix_fakesnow()
    with fakesnow.patch():
        loaded = load_source(source_db)
        log.info("loaded %d rows into %d tables", sum(loaded.values()), len(loaded))
        manifest, python_models = _python_models(dbtRunner(), base)
        # Tests tagged fakesnow_unsupported need what fakesnow does not
        # emulate (each says why); the DuckDB build runs them.
        exclude = [
            "--exclude",
            *(f"{name}+" for name in python_models),
            "tag:fakesnow_unsupported",
        ]
        log.info("leaving out Python models: %s", ", ".join(python_models) or "none")
        runner = dbtRunner(manifest=manifest)  # type: ignore[arg-type]
        build = runner.invoke(["build", *base, *exclude])
        _keep_results(target_path, "build")
        if not build.success:
            return 1
        # A second run takes the incremental branch (MERGE) and the snapshot
        # update, which a first run into an empty schema never reaches.
        incremental = ["config.materialized:incremental", "resource_type:snapshot"]
        rerun = runner.invoke(["build", *base, "--select", *incremental, *exclude])
        _keep_results(target_path, "rerun")
        return 0 if rerun.success else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source-db",
        type=Path,
        required=True,
        help="DuckDB file in the source contract's shape (e.g. simulated).",
    )
    parser.add_argument(
        "--target-path", type=Path, required=True, help="dbt's target directory."
    )
    parser.add_argument(
        "--log-path", type=Path, required=True, help="dbt's log directory."
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    return run(args.source_db, args.target_path, args.log_path)


if __name__ == "__main__":
    sys.exit(main())
