"""The source contract: Snowflake's ACCOUNT_USAGE and ORGANIZATION_USAGE views,
column by column, as declared in the dbt sources (the single place they are
written down)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from snowledger.project import project_dir

SOURCE_FILES = {
    "account_usage": "models/staging/account_usage/__sources.yml",
    "organization_usage": "models/staging/organization_usage/__sources.yml",
}


@dataclass(frozen=True)
class Column:
    name: str
    snowflake_type: str

    @property
    def duckdb_type(self) -> str:
        return duckdb_type(self.snowflake_type)


def duckdb_type(snowflake_type: str) -> str:
    """The DuckDB type that stands in for a Snowflake type (reference section 1)."""
    upper = snowflake_type.upper()
    if upper == "NUMBER(38,0)":
        return "BIGINT"
    if match := re.fullmatch(r"NUMBER\((\d+),(\d+)\)", upper):
        return f"DECIMAL({match[1]},{match[2]})"
    if upper == "FLOAT":
        return "DOUBLE"
    if upper.startswith("TIMESTAMP"):
        return "TIMESTAMPTZ"
    if upper in {"VARIANT", "OBJECT", "ARRAY"}:
        return "JSON"
    if upper in {"VARCHAR", "TEXT"}:
        return "VARCHAR"
    if upper in {"BOOLEAN", "DATE"}:
        return upper
    raise ValueError(f"no DuckDB type for Snowflake type {snowflake_type!r}")


@cache
def views(schema: str) -> dict[str, tuple[Column, ...]]:
    """Columns of every view of a schema ('account_usage' or
    'organization_usage'), keyed by lower-case view name, in contract order."""
    path = project_dir() / SOURCE_FILES[schema]
    document = yaml.safe_load(path.read_text())
    (source,) = document["sources"]
    return {
        table["name"]: tuple(
            Column(column["name"], column["data_type"]) for column in table["columns"]
        )
        for table in source["tables"]
    }


def create_table_sql(schema: str, view: str, qualified_schema: str) -> str:
    """CREATE TABLE for one view, with every contract column and type."""
    columns = ",\n    ".join(
        f"{column.name} {column.duckdb_type}" for column in views(schema)[view]
    )
    return f"create or replace table {qualified_schema}.{view} (\n    {columns}\n)"
