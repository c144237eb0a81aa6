"""Writing the simulated views into DuckDB through Arrow: numbers are built in
numpy, strings are assembled by DuckDB from small dimension tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from snowledger import contract

TS = pa.timestamp("ms", tz="UTC")
CREDITS = pa.decimal128(38, 9)


def decimal9(nano: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Integer nano-units as DECIMAL(38,9), exactly."""
    values = np.asarray(nano, dtype=np.int64)
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = values >> 63
    validity = None
    if mask is not None and mask.any():
        validity = pa.array(~mask).buffers()[1]
    return pa.Array.from_buffers(
        CREDITS,
        len(values),
        [validity, pa.py_buffer(words.tobytes())],
        null_count=int(mask.sum()) if mask is not None else 0,
    )


def timestamps(ms: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(ms, dtype=np.int64), type=pa.int64(), mask=mask).cast(TS)


def ints(values, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=mask)


class Writer:
    """One DuckDB file being written: contract tables in every schema."""

    def __init__(self, path: Path, account_schemas: list[str]) -> None:
        self.path = path
        self.connection = duckdb.connect(str(path))
        self.connection.execute("set TimeZone = 'UTC'")
        # Row order inside a table carries no meaning; not keeping it lets
        # DuckDB insert large batches with less memory.
        self.connection.execute("set preserve_insertion_order = false")
        self.rows: dict[str, int] = {}
        schemas = {schema: "account_usage" for schema in account_schemas}
        schemas["organization_usage"] = "organization_usage"
        for schema, source in schemas.items():
            self.connection.execute(f"create schema if not exists {schema}")
            for view in contract.views(source):
                self.connection.execute(contract.create_table_sql(source, view, schema))

    def register(self, name: str, table: pa.Table | pd.DataFrame) -> None:
        self.connection.register(name, table)

    def insert(self, schema: str, view: str, table: pa.Table | pd.DataFrame) -> None:
        """Append rows whose columns are named as in the contract (by name;
        columns left out are NULL)."""
        if len(table) == 0:
            return
        self.connection.register("_batch", table)
        self.connection.execute(
            f"insert into {schema}.{view} by name select * from _batch"
        )
        self.connection.unregister("_batch")
        self._count(schema, view, len(table))

    def insert_sql(self, schema: str, view: str, select_sql: str) -> None:
        """Append the rows of a SELECT whose columns carry contract names."""
        before = self.connection.execute(
            f"select count(*) from {schema}.{view}"
        ).fetchall()[0][0]
        self.connection.execute(f"insert into {schema}.{view} by name {select_sql}")
        after = self.connection.execute(
            f"select count(*) from {schema}.{view}"
        ).fetchall()[0][0]
        self._count(schema, view, after - before)

    def _count(self, schema: str, view: str, n: int) -> None:
        key = f"{schema}.{view}"
        self.rows[key] = self.rows.get(key, 0) + n

    def close(self) -> None:
        self.connection.execute("checkpoint")
        self.connection.close()
