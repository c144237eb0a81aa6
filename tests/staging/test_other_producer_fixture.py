"""The other producer itself: Snowflake's billing rules hold in what it
writes, and its truth is what a person works out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fixtures.other_producer import write_other_producer


def test_the_fixture_keeps_snowflakes_billing_rules(tmp_path: Path) -> None:
    """The other producer's own data obeys the rules the ledger relies on."""
    path = tmp_path / "snowflake.duckdb"
    write_other_producer(path)
    connection = duckdb.connect(str(path), read_only=True)
    try:
        connection.execute("set TimeZone = 'UTC'")

        def one(sql: str) -> Any:
            return connection.execute(sql).fetchone()[0]

        # Hourly: credits used = compute + cloud services; attributed <= compute.
        assert (
            one(
                "select count(*) from account_usage.warehouse_metering_history"
                " where abs(credits_used - credits_used_compute"
                " - credits_used_cloud_services) > 1e-9"
                " or credits_attributed_compute_queries"
                " > credits_used_compute + 1e-9"
            )
            == 0
        )
        # Daily: the adjustment is -min(cloud services, 10% of compute) and the
        # bill is compute + cloud services + adjustment.
        for schema in ("account_usage", "account_usage_eu"):
            assert (
                one(
                    f"select count(*) from {schema}.metering_daily_history"
                    " where service_type = 'WAREHOUSE_METERING' and abs("
                    " credits_adjustment_cloud_services + least("
                    " credits_used_cloud_services, credits_used_compute / 10))"
                    " > 1e-9 or abs(credits_billed - credits_used_compute"
                    " - credits_used_cloud_services"
                    " - credits_adjustment_cloud_services) > 1e-9"
                )
                == 0
            )
        # Hours add up to days.
        assert (
            one(
                "with hours as ("
                " select cast(start_time as date) as usage_date,"
                " sum(credits_used_compute) as compute"
                " from account_usage.metering_history"
                " where service_type = 'WAREHOUSE_METERING' group by 1)"
                " select count(*) from hours"
                " join account_usage.metering_daily_history as days"
                " using (usage_date)"
                " where days.service_type = 'WAREHOUSE_METERING'"
                " and abs(days.credits_used_compute - hours.compute) > 1e-9"
            )
            == 0
        )
        # Money: round(usage x rate, 2) per line, storage per day of the month.
        assert (
            one(
                "select count(*) from organization_usage.usage_in_currency_daily"
                " as money join organization_usage.rate_sheet_daily as rate"
                " on rate.date = money.usage_date"
                " and rate.account_name = money.account_name"
                " and rate.usage_type = money.usage_type"
                " where money.usage_in_currency <> round("
                " cast(money.usage as decimal(38, 6)) * rate.effective_rate"
                " / case when money.service_type = 'STORAGE'"
                " then day(last_day(money.usage_date)) else 1 end, 2)"
            )
            == 0
        )
        # The absent third account really is absent.
        assert (
            one(
                "select count(*) from information_schema.schemata"
                " where schema_name = 'account_usage_apac'"
            )
            == 0
        )
    finally:
        connection.close()


def test_the_fixture_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "snowflake.duckdb"
    path.write_bytes(b"")
    with pytest.raises(FileExistsError):
        write_other_producer(path)


def test_the_truth_is_hand_checkable(tmp_path: Path) -> None:
    """Totals worked out by hand from the fixture's schedule."""
    truth = write_other_producer(tmp_path / "snowflake.duckdb")
    day = dt.date(2025, 3, 9)
    # 1.00 credit of cloud services against 9.0 of warehouse compute: 0.90 is
    # rebated, 0.10 billed; plus 0.26 of serverless tasks.
    assert truth["billed_cloud_services_credits"][("ACME_US", day)] == Decimal("0.1")
    assert truth["billed_credits"][("ACME_US", day)] == Decimal("9.36")
    money = truth["currency_by_service"]
    assert money[("ACME_US", day, "WAREHOUSE_METERING")] == Decimal("22.50")
    assert money[("ACME_US", day, "CLOUD_SERVICES")] == Decimal("0.25")
    # 2.5 TB at 23.00 per TB-month, over 31 days.
    assert money[("ACME_US", day, "STORAGE")] == Decimal("1.85")
    # SHARED_WH: 1.0 + 0.6 marketing and 1.2 + 0.3 finance each day;
    # REPORTING_WH (TEAM tag sales): 1.0 + 0.5 + 0.5; the rest is untagged.
    assert truth["query_credits_by_team"] == {
        "marketing": Decimal("4.8"),
        "finance": Decimal("4.5"),
        "sales": Decimal("2.0"),
        "UNALLOCATED": Decimal("1.35"),
    }
    assert truth["warehouse_idle_credits"][("ACME_US", "SHARED_WH")] == Decimal("8.7")
