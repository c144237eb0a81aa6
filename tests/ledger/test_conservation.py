"""The ledger conserves money, on a simulated organisation with every
scenario on: every metered credit is allocated to a query or to an idle line,
billed cloud services are METERING_DAILY_HISTORY's, and daily spend is the
invoice of USAGE_IN_CURRENCY_DAILY."""

from __future__ import annotations

from decimal import Decimal

import pytest

pytestmark = pytest.mark.dbt

CREDIT = Decimal("0.000001")
CENT = Decimal("0.01")


def _problems(rows: list[tuple], limit: int = 10) -> str:
    return "\n".join(str(row) for row in rows[:limit]) + (
        f"\n... {len(rows) - limit} more" if len(rows) > limit else ""
    )


def test_every_warehouse_hour_is_queries_plus_idle_exactly(built_project) -> None:
    rows = built_project.query(
        """
        select account_name, warehouse_id, usage_hour, compute_credits,
               query_compute_credits, idle_credits
        from warehouse_costs_hourly
        where query_compute_credits + idle_credits <> compute_credits
           or idle_credits < 0 or query_compute_credits < 0
        """
    )
    assert not rows, _problems(rows)


def test_every_metered_hour_is_in_the_ledger(built_project) -> None:
    (missing,) = built_project.query(
        """
        select count(*)
        from snowflake.account_usage.warehouse_metering_history as metered
        left join warehouse_costs_hourly as ledger
            on ledger.account_name = 'ACME_US'
            and ledger.warehouse_id = metered.warehouse_id
            and ledger.usage_hour = make_timestamp(epoch_us(metered.start_time))
        where ledger.warehouse_id is null
        """
    )[0]
    assert missing == 0


def test_queries_of_a_warehouse_hour_add_up_to_its_query_credits(
    built_project,
) -> None:
    rows = built_project.query(
        """
        with shares as (
            select account_name, warehouse_id, usage_hour,
                   sum(compute_credits) as credits
            from int_query_compute_allocated
            group by all
        )
        select hours.account_name, hours.warehouse_id, hours.usage_hour,
               hours.query_compute_credits, shares.credits
        from warehouse_costs_hourly as hours
        left join shares using (account_name, warehouse_id, usage_hour)
        where abs(hours.query_compute_credits - coalesce(shares.credits, 0))
              > 0.000001
        """
    )
    assert not rows, _problems(rows)


def test_query_compute_plus_idle_is_the_days_metered_compute(built_project) -> None:
    rows = built_project.query(
        """
        with queries as (
            select account_name, sum(compute_credits) as credits
            from query_costs group by 1
        ),
        hours as (
            select account_name, sum(compute_credits) as metered,
                   sum(idle_credits) as idle
            from warehouse_costs_hourly group by 1
        )
        select hours.account_name, hours.metered, queries.credits, hours.idle
        from hours join queries using (account_name)
        where abs(hours.metered - queries.credits - hours.idle) > 0.000001
        """
    )
    assert not rows, _problems(rows)


def test_billed_cloud_services_per_day_are_metering_daily_historys(
    built_project,
) -> None:
    for schema, account in (
        ("account_usage", "ACME_US"),
        ("account_usage_eu", "ACME_EU"),
        ("account_usage_apac", "ACME_APAC"),
    ):
        rows = built_project.query(
            f"""
            with billed as (
                select usage_date,
                       sum(credits_used_cloud_services
                           + credits_adjustment_cloud_services) as credits
                from snowflake.{schema}.metering_daily_history
                where service_type = 'WAREHOUSE_METERING'
                group by 1
            ),
            ledger as (
                select usage_date, sum(credits) as credits
                from daily_spend
                where account_name = ? and service = 'CLOUD_SERVICES'
                group by 1
            ),
            queries as (
                select usage_date, sum(cloud_services_credits) as credits
                from query_costs where account_name = ? group by 1
            )
            select billed.usage_date, billed.credits, ledger.credits,
                   queries.credits
            from billed
            left join ledger using (usage_date)
            left join queries using (usage_date)
            where ledger.credits is distinct from billed.credits
               or queries.credits > billed.credits
            """,
            [account, account],
        )
        assert not rows, f"{account}:\n{_problems(rows)}"


def test_daily_spend_is_usage_in_currency_daily_within_a_cent(built_project) -> None:
    rows = built_project.query(
        """
        with invoice as (
            select usage_date, account_name, service_type as service,
                   sum(usage_in_currency) as cost, count(*) as lines
            from snowflake.organization_usage.usage_in_currency_daily
            group by all
        ),
        ledger as (
            select usage_date, account_name, service, sum(cost) as cost
            from daily_spend
            group by all
        )
        select invoice.usage_date, invoice.account_name, invoice.service,
               invoice.cost, ledger.cost, invoice.lines
        from invoice
        left join ledger using (usage_date, account_name, service)
        where ledger.cost is null
           or abs(invoice.cost - ledger.cost) > 0.01
        """
    )
    assert not rows, _problems(rows)
    (days,) = built_project.query(
        "select count(distinct usage_date) from "
        "snowflake.organization_usage.usage_in_currency_daily"
    )[0]
    assert days >= 3, "the simulated invoice covers too few days to test"


def test_every_invoiced_day_is_fully_in_daily_spend(built_project) -> None:
    # The other direction: nothing in the ledger that the invoice lacks, on
    # the days the invoice covers.
    rows = built_project.query(
        """
        select ledger.usage_date, ledger.account_name, ledger.service,
               sum(ledger.cost)
        from daily_spend as ledger
        where ledger.usage_date in (
            select usage_date
            from snowflake.organization_usage.usage_in_currency_daily
        )
        and not exists (
            select 1
            from snowflake.organization_usage.usage_in_currency_daily as invoice
            where invoice.usage_date = ledger.usage_date
              and invoice.account_name = ledger.account_name
              and invoice.service_type = ledger.service
        )
        group by all
        having abs(sum(ledger.cost)) > 0.01
        """
    )
    assert not rows, _problems(rows)


def test_query_costs_price_their_parts(built_project) -> None:
    rows = built_project.query(
        """
        select query_id, cost, compute_cost, query_acceleration_cost,
               cloud_services_cost
        from query_costs
        where cost <> compute_cost + query_acceleration_cost
                      + cloud_services_cost
           or total_credits <> compute_credits + query_acceleration_credits
                               + cloud_services_credits
           or currency is null
        """
    )
    assert not rows, _problems(rows)
