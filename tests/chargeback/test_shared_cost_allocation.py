"""int_chargeback_allocated, the Python model that shares the shared costs.

Its `model(dbt, session)` runs on plain pandas (the inputs of unit tests), on
a DuckDB relation (as dbt-duckdb hands it over) and under Snowpark local
testing (as Snowflake would run it). Shares add up to each shared line to the
nano-unit in both readings, follow the policies, and do not depend on the
order of the input rows."""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import random
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from snowledger.project import project_dir

MODEL = project_dir() / "models/intermediate/chargeback/int_chargeback_allocated.py"
DAY = dt.date(2026, 11, 10)
LINE_KEY = ["usage_date", "account_name", "service", "cost_type", "cost_kind"]
NANO = 1_000_000_000

POLICIES = pd.DataFrame(
    {
        "cost_kind": ["idle", "cloud_services", "serverless", "data_transfer"],
        "policy": ["proportional", "proportional", "owner", "central"],
        "central_entity_id": ["platform"] * 4,
    }
)


def _load_model():
    # Not named dbt_*: dbt imports every such module on sys.path at start-up.
    spec = importlib.util.spec_from_file_location("shared_cost_allocation", MODEL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeDbt:
    """What `model(dbt, session)` uses of dbt: ref, config, is_incremental."""

    is_incremental = False

    def __init__(self, refs: dict[str, Any]) -> None:
        self.refs = refs
        self.configs: dict[str, Any] = {}

    def ref(self, name: str) -> Any:
        return self.refs[name]

    def config(self, **kwargs: Any) -> None:
        self.configs.update(kwargs)


def _line(
    entity: str | None,
    cost_nano: int,
    *,
    kind: str = "query",
    restated: str | None = None,
    owner: str | None = None,
    credits_nano: int | None = None,
    account: str = "A",
    day: dt.date = DAY,
    service: str = "WAREHOUSE_METERING",
) -> dict[str, Any]:
    """A line of int_chargeback_lines; `entity=None` makes it shared."""
    shared = entity is None
    return {
        "usage_date": day,
        "account_name": account,
        "region": "AWS_US_EAST_1",
        "service": service,
        "cost_type": "RESERVED",
        "cost_kind": kind,
        "is_shared": shared,
        "owner_entity_id": owner,
        "entity_id": None if shared else entity,
        "attribution_rule": None if shared else "user",
        "restated_entity_id": None if shared else (restated or entity),
        "restated_attribution_rule": None if shared else "user",
        "credits_nano": credits_nano,
        "cost_nano": cost_nano,
        "currency": "USD",
    }


def _frame(lines: list[dict[str, Any]]) -> pd.DataFrame:
    """The lines as dbt-duckdb's `.df()` shapes them: datetime64 days,
    nullable Int64 credits."""
    frame = pd.DataFrame(lines)
    frame["usage_date"] = pd.to_datetime(frame["usage_date"])
    frame["credits_nano"] = pd.array(
        [line["credits_nano"] for line in lines], dtype="Int64"
    )
    frame["cost_nano"] = frame["cost_nano"].astype("int64")
    return frame


def _run(
    lines: list[dict[str, Any]] | Any, policies: pd.DataFrame = POLICIES
) -> pd.DataFrame:
    """The model on `lines` (dicts, or a frame or relation as dbt hands it)."""
    frame = _frame(lines) if isinstance(lines, list) else lines
    dbt = FakeDbt({"int_chargeback_lines": frame, "shared_cost_policies": policies})
    result = _load_model().model(dbt, None)
    assert dbt.configs == {"materialized": "table", "packages": ["pandas", "numpy"]}
    return result


def _totals(result: pd.DataFrame, column: str, money: str = "cost_nano") -> dict:
    return {
        key: int(value)
        for key, value in result.groupby(column)[money].sum().items()
        if int(value)
    }


def _shared_rows(result: pd.DataFrame, kind: str) -> pd.DataFrame:
    return result[result["attribution_rule"].str.startswith(f"shared {kind}:")]


def _organisation(seed: int = 7) -> list[dict[str, Any]]:
    """Two days, two accounts, a reorganisation (bi restated as brand or
    performance), UNALLOCATED lines, a kind without a policy (storage), NULL
    credits, negative adjustments, and amounts whose products with the
    weights pass the range of int64."""
    rng = random.Random(seed)
    lines = []
    for day in (DAY, DAY + dt.timedelta(days=1)):
        for account in ("A", "B"):
            for entity, restated in [
                ("bi", "brand"),
                ("bi", "performance"),
                ("ml", "ml"),
                ("fpa", "fpa"),
                ("UNALLOCATED", "UNALLOCATED"),
                ("growth", "UNALLOCATED"),
            ]:
                cost = rng.randrange(1, 10**16)
                lines.append(
                    _line(
                        entity,
                        cost,
                        restated=restated,
                        credits_nano=cost // 3,
                        account=account,
                        day=day,
                    )
                )
            where = {"account": account, "day": day}
            lines += [
                _line(
                    None, rng.randrange(10**17), kind="idle", credits_nano=7, **where
                ),
                _line(
                    None,
                    -rng.randrange(10**12),
                    kind="cloud_services",
                    service="CLOUD_SERVICES",
                    credits_nano=-rng.randrange(10**9),
                    **where,
                ),
                _line(
                    None,
                    rng.randrange(10**12),
                    kind="serverless",
                    service="AUTO_CLUSTERING",
                    owner="ml",
                    **where,
                ),
                _line(
                    None,
                    rng.randrange(10**12),
                    kind="serverless",
                    service="SEARCH_OPTIMIZATION",
                    **where,
                ),
                _line(
                    None,
                    rng.randrange(10**12),
                    kind="storage",
                    service="STORAGE",
                    **where,
                ),
                _line(
                    None,
                    rng.randrange(10**12),
                    kind="data_transfer",
                    service="DATA_TRANSFER",
                    owner="fpa",
                    **where,
                ),
            ]
    return lines


def _by_line(frame: pd.DataFrame) -> pd.DataFrame:
    keyed = frame.assign(usage_date=pd.to_datetime(frame["usage_date"]).dt.date)
    return (
        keyed.astype({"credits_nano": "Int64", "cost_nano": "int64"})
        .groupby(LINE_KEY)[["credits_nano", "cost_nano"]]
        .sum(min_count=1)
    )


def test_a_proportional_share_is_exact_to_the_nano() -> None:
    result = _run(
        [
            _line("bi", NANO),
            _line("ml", 2 * NANO),
            _line(None, NANO, kind="idle", credits_nano=NANO),
        ]
    )
    shares = _shared_rows(result, "idle")
    # 1.000000000 split 1:2 is 0.333333333 and 0.666666667: the leftover
    # nano goes to the largest remainder.
    expected = {"bi": 333_333_333, "ml": 666_666_667}
    assert _totals(shares, "entity_id") == expected
    assert _totals(shares, "restated_entity_id") == expected
    assert _totals(shares, "entity_id", "credits_nano") == expected
    assert set(shares["attribution_rule"]) == {"shared idle: proportional"}
    assert set(shares["restated_attribution_rule"]) == {"shared idle: proportional"}


def test_a_tie_goes_to_the_lower_entity_id() -> None:
    result = _run(
        [_line("ml", 5), _line("bi", 5), _line(None, 3, kind="idle")],
    )
    assert _totals(_shared_rows(result, "idle"), "entity_id") == {"bi": 2, "ml": 1}


def test_every_line_is_conserved_exactly_in_both_readings() -> None:
    lines = _organisation()
    result = _run(lines)
    # Each row carries both readings, so one sum per line checks both.
    pd.testing.assert_frame_equal(_by_line(result), _by_line(_frame(lines)))
    assert result["entity_id"].notna().all()
    assert result["restated_entity_id"].notna().all()


def test_each_reading_is_shared_by_its_own_entities_within_a_nano() -> None:
    lines = _organisation()
    result = _run(lines)
    direct = pd.DataFrame([line for line in lines if not line["is_shared"]])
    for column in ("entity_id", "restated_entity_id"):
        for (day, account), day_lines in direct.groupby(["usage_date", "account_name"]):
            weights = day_lines.groupby(column)["cost_nano"].sum()
            weights = weights[(weights > 0) & (weights.index != "UNALLOCATED")]
            (idle,) = [
                line["cost_nano"]
                for line in lines
                if line["is_shared"]
                and line["cost_kind"] == "idle"
                and (line["usage_date"], line["account_name"]) == (day, account)
            ]
            day_result = result[
                (result["usage_date"] == day) & (result["account_name"] == account)
            ]
            shares = _totals(_shared_rows(day_result, "idle"), column)
            assert set(shares) == set(weights.index)
            assert sum(shares.values()) == idle
            for entity, weight in weights.items():
                exact = Fraction(idle * int(weight), int(weights.sum()))
                assert abs(shares[entity] - exact) < 1, (column, entity)


def test_the_readings_are_allocated_independently() -> None:
    result = _run(
        [
            _line("marketing", 300, restated="brand"),
            _line("marketing", 100, restated="performance"),
            _line("UNALLOCATED", 200, restated="ml"),
            _line(None, 60, kind="cloud_services", service="CLOUD_SERVICES"),
        ]
    )
    shares = _shared_rows(result, "cloud_services")
    # As of the day only marketing has an entity; restated, ml has one too.
    assert _totals(shares, "entity_id") == {"marketing": 60}
    assert _totals(shares, "restated_entity_id") == {
        "brand": 30,
        "ml": 20,
        "performance": 10,
    }


def test_an_entity_of_both_readings_keeps_its_share_on_one_row() -> None:
    result = _run(
        [
            _line("bi", 300, restated="zz"),
            _line("ml", 300),
            _line(None, 60, kind="idle"),
        ]
    )
    shares = _shared_rows(result, "idle")
    pairs = {
        (entity, restated): int(cost)
        for entity, restated, cost in shares[
            ["entity_id", "restated_entity_id", "cost_nano"]
        ].itertuples(index=False)
    }
    # Not bi -> ml and ml -> zz, which would add up as well.
    assert pairs == {("ml", "ml"): 30, ("bi", "zz"): 30}


def test_owner_and_central_policies() -> None:
    result = _run(
        [
            _line("bi", 5),
            _line(None, 7, kind="serverless", owner="ml", service="PIPE"),
            _line(None, 11, kind="serverless", service="AUTO_CLUSTERING"),
            _line(None, 13, kind="data_transfer", owner="bi", service="TRANSFER"),
        ]
    )
    assert _totals(result, "entity_id") == {"bi": 5, "ml": 7, "platform": 24}
    assert _totals(result, "restated_entity_id") == {"bi": 5, "ml": 7, "platform": 24}
    rules = dict(zip(result["service"], result["attribution_rule"], strict=True))
    assert rules["PIPE"] == rules["AUTO_CLUSTERING"] == "shared serverless: owner"
    assert rules["TRANSFER"] == "shared data_transfer: central"


def test_a_day_without_receivers_falls_back_to_the_central_entity() -> None:
    result = _run(
        [
            _line("UNALLOCATED", 4),
            _line("bi", -3),
            _line("ml", 0),
            _line(None, 9, kind="idle"),
            _line("ml", 8, account="B"),
        ]
    )
    shares = _shared_rows(result, "idle")
    assert _totals(shares, "entity_id") == {"platform": 9}
    assert _totals(shares, "restated_entity_id") == {"platform": 9}


def test_a_kind_without_a_policy_is_held_unallocated() -> None:
    result = _run([_line("bi", 5), _line(None, 3, kind="storage", service="STORAGE")])
    shares = _shared_rows(result, "storage")
    assert _totals(shares, "entity_id") == {"UNALLOCATED": 3}
    assert _totals(shares, "restated_entity_id") == {"UNALLOCATED": 3}
    assert set(shares["attribution_rule"]) == {"shared storage: no policy"}


def test_an_unknown_policy_is_refused() -> None:
    policies = POLICIES.assign(policy=["proportional", "share", "owner", "central"])
    with pytest.raises(ValueError, match=r"cloud_services.*'share'"):
        _run([_line("bi", 5)], policies)


def test_a_negative_amount_is_conserved() -> None:
    result = _run(
        [
            _line("bi", NANO, credits_nano=NANO),
            _line("ml", 2 * NANO, credits_nano=NANO),
            _line(None, -NANO, kind="cloud_services", credits_nano=-5),
        ]
    )
    shares = _shared_rows(result, "cloud_services")
    expected = {"bi": -333_333_333, "ml": -666_666_667}
    assert _totals(shares, "entity_id") == expected
    assert _totals(shares, "restated_entity_id") == expected
    assert _totals(shares, "entity_id", "credits_nano") == {"bi": -2, "ml": -3}


def test_credits_stay_null_where_the_line_has_none() -> None:
    result = _run(
        [
            _line("bi", 5, credits_nano=5),
            _line(None, 3, kind="data_transfer", service="DATA_TRANSFER"),
        ]
    )
    transfer = _shared_rows(result, "data_transfer")
    assert transfer["credits_nano"].isna().all()
    assert int(transfer["cost_nano"].sum()) == 3


def test_non_shared_lines_pass_through_unchanged() -> None:
    lines = _organisation()
    result = _run(lines)
    direct = _frame([line for line in lines if not line["is_shared"]])
    columns = [c for c in direct.columns if c not in ("is_shared", "owner_entity_id")]
    passed = result[~result["attribution_rule"].str.startswith("shared ")]
    expected = direct[columns].assign(usage_date=direct["usage_date"].dt.date)
    key = ["usage_date", "account_name", "entity_id", "restated_entity_id"]
    pd.testing.assert_frame_equal(
        passed[columns].sort_values(key, ignore_index=True),
        expected.sort_values(key, ignore_index=True),
        check_dtype=False,
    )


def test_the_same_input_in_another_order_gives_the_same_output() -> None:
    lines = _organisation()
    shuffled = lines.copy()
    random.Random(3).shuffle(shuffled)
    pd.testing.assert_frame_equal(_run(lines), _run(shuffled))


def test_one_row_per_grain() -> None:
    result = _run(_organisation())
    grain = [
        *LINE_KEY,
        "region",
        "entity_id",
        "attribution_rule",
        "restated_entity_id",
        "restated_attribution_rule",
    ]
    assert not result.duplicated(grain).any()


def test_a_nano_amount_rounded_by_a_float_is_refused() -> None:
    frame = _frame([_line("bi", 5), _line(None, 3, kind="idle")])
    frame["credits_nano"] = [float(2**53 + 2), None]
    with pytest.raises(ValueError, match="2\\*\\*53"):
        _run(frame)


def test_a_duckdb_relation_in_and_the_table_dbt_duckdb_writes() -> None:
    connection = duckdb.connect()
    connection.register("lines", _frame(_organisation()))
    relation = connection.sql(
        "select * replace (cast(usage_date as date) as usage_date) from lines"
    )
    result = _run(relation)
    pd.testing.assert_frame_equal(result, _run(_organisation()))
    # dbt-duckdb creates the table from the returned frame by a scan.
    connection.register("result", result)
    types = {
        name: kind
        for name, kind, *_ in connection.execute(
            "describe select * from result"
        ).fetchall()
    }
    assert types["usage_date"] == "DATE"
    assert types["credits_nano"] == types["cost_nano"] == "BIGINT"
    assert types["entity_id"] == "VARCHAR"


def test_the_model_is_self_contained() -> None:
    tree = ast.parse(Path(MODEL).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported - sys.stdlib_module_names <= {"pandas", "numpy"}
    assert "__future__" not in imported
    assert tree.body[-1].name == "model"


@pytest.fixture(scope="module")
def snowpark_session():
    snowpark = pytest.importorskip("snowflake.snowpark")
    session = snowpark.Session.builder.config("local_testing", True).create()
    yield session
    session.close()


def test_the_model_runs_under_snowpark_local_testing(snowpark_session) -> None:
    lines = _organisation()
    frame = pd.DataFrame(lines)
    # Snowpark takes Python ints and None (not pd.NA); it hands a nullable
    # BIGINT back as float64, as Snowflake does.
    frame["credits_nano"] = pd.Series(
        [line["credits_nano"] for line in lines], dtype=object
    )
    inputs = {
        "int_chargeback_lines": snowpark_session.create_dataframe(frame),
        "shared_cost_policies": snowpark_session.create_dataframe(POLICIES),
    }
    dbt = FakeDbt(inputs)
    on_snowpark = _load_model().model(dbt, snowpark_session)
    # Upper case, so that Snowflake stores the names unquoted.
    assert all(column.isupper() for column in on_snowpark.columns)
    on_snowpark.columns = [column.lower() for column in on_snowpark.columns]
    pd.testing.assert_frame_equal(on_snowpark, _run(lines))
