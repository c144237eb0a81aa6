"""ORGANIZATION_USAGE: the organisation's copies of metering, and the billing
views (rate sheet, usage in currency, contract and remaining balance).

Money is computed in integer cents from exact usage (nano-credits, bytes), so
that USAGE_IN_CURRENCY = round(exact usage x rate, 2) and the balances are
exact sums of the charge lines.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa

from snowledger.simulator.org import (
    CONTRACT_NUMBER,
    CURRENCY,
    ORGANIZATION,
    SERVICE_LEVEL,
)

TB = 1024**4
NANO = 10**9
CONTRACT_DAYS_OF_USAGE = 24  # the capacity lasts about this many days

# METERING SERVICE_TYPE -> (billing SERVICE_TYPE, USAGE_TYPE), reference 5.1.
BILLING_NAMES = {
    "WAREHOUSE_METERING": ("WAREHOUSE_METERING", "compute"),
    "AUTO_CLUSTERING": ("AUTOMATIC_CLUSTERING", "automatic clustering"),
    "PIPE": ("SNOWPIPE", "snowpipe"),
    "SNOWPIPE_STREAMING": ("SNOWPIPE_STREAMING", "snowpipe streaming"),
    "SERVERLESS_TASK": ("SERVERLESS_TASK", "serverless tasks"),
    "MATERIALIZED_VIEW": ("MATERIALIZED_VIEW", "materialized views"),
    "SEARCH_OPTIMIZATION": ("SEARCH_OPTIMIZATION", "search optimization"),
    "REPLICATION": ("REPLICATION", "replication"),
    "SNOWPARK_CONTAINER_SERVICES": (
        "SNOWPARK_CONTAINER_SERVICES",
        "snowpark container services",
    ),
    "QUERY_ACCELERATION": ("QUERY_ACCELERATION", "query acceleration"),
    "HYBRID_TABLE_REQUESTS": ("HYBRID_TABLE_REQUESTS", "hybrid table requests"),
}
CLOUD = ("CLOUD_SERVICES", "cloud services")
ADJUSTMENT = ("CLOUD_SERVICES", "adj for incl cloud services")
STORAGE = ("STORAGE", "storage")
TRANSFER = ("DATA_TRANSFER", "data transfer")


@dataclass
class Line:
    """One charge line before the balance decides its source."""

    account: int
    day: int
    service_type: str
    usage_type: str
    rating_type: str
    usage: Fraction  # in the line's unit (credits or TB)
    per_unit: Fraction  # divisor between usage x rate and money (storage: days)
    is_adjustment: bool = False


def _cents(value: Fraction) -> int:
    """Round half away from zero to whole cents."""
    cents = value * 100
    sign = -1 if cents < 0 else 1
    return sign * int(abs(cents) + Fraction(1, 2))


def _rate(text: str) -> Fraction:
    return Fraction(text)


def charge_lines(results, plan) -> list[Line]:
    lines = []
    for a, result in enumerate(results):
        daily = result.daily_all
        for day in range(plan.days):
            date = plan.start + dt.timedelta(days=day)
            rows = daily[daily["day"] == day]
            for _, row in rows.iterrows():
                service, usage_type = BILLING_NAMES[row["service_type"]]
                if row["service_type"] == "WAREHOUSE_METERING":
                    lines.append(
                        Line(
                            a,
                            day,
                            service,
                            usage_type,
                            "compute",
                            Fraction(int(row["compute"]), NANO),
                            Fraction(1),
                        )
                    )
                    lines.append(
                        Line(
                            a,
                            day,
                            *CLOUD,
                            "compute",
                            Fraction(int(row["cloud"]), NANO),
                            Fraction(1),
                        )
                    )
                    lines.append(
                        Line(
                            a,
                            day,
                            *ADJUSTMENT,
                            "compute",
                            Fraction(int(row["adjustment"]), NANO),
                            Fraction(1),
                            is_adjustment=True,
                        )
                    )
                else:
                    total = int(row["compute"]) + int(row["cloud"])
                    lines.append(
                        Line(
                            a,
                            day,
                            service,
                            usage_type,
                            "compute",
                            Fraction(total, NANO),
                            Fraction(1),
                        )
                    )
            storage = result.storage[result.storage["day"] == day]
            if len(storage):
                days_in_month = calendar.monthrange(date.year, date.month)[1]
                lines.append(
                    Line(
                        a,
                        day,
                        *STORAGE,
                        "storage",
                        Fraction(int(storage["bytes"].iloc[0]), TB),
                        Fraction(days_in_month),
                    )
                )
            transfer = result.transfer[result.transfer["day"] == day]
            if len(transfer) and int(transfer["bytes"].iloc[0]) > 0:
                lines.append(
                    Line(
                        a,
                        day,
                        *TRANSFER,
                        "data_transfer",
                        Fraction(int(transfer["bytes"].iloc[0]), TB),
                        Fraction(1),
                    )
                )
    return lines


def rates(spec, service_type: str) -> tuple[Fraction, Fraction]:
    """(capacity rate, on-demand rate) of an account for a billing service."""
    if service_type == "STORAGE":
        return _rate(spec.storage_rate), _rate(spec.storage_on_demand)
    if service_type == "DATA_TRANSFER":
        return _rate(spec.transfer_rate), _rate(spec.transfer_rate)
    return _rate(spec.capacity_rate), _rate(spec.on_demand_rate)


def write_organization(writer, results, plan, specs) -> dict:
    """Write every ORGANIZATION_USAGE view; return the contract's truth."""
    for spec in specs:
        account_cols = (
            f"'{ORGANIZATION}' as organization_name, "
            f"'{spec.name}' as account_name, '{spec.region}' as region, "
            f"'{spec.locator}' as account_locator"
        )
        writer.insert_sql(
            "organization_usage",
            "warehouse_metering_history",
            f"""
            select {account_cols}, 'WAREHOUSE_METERING' as service_type, start_time,
                end_time, warehouse_id, warehouse_name, credits_used,
                credits_used_compute, credits_used_cloud_services
            from {spec.schema}.warehouse_metering_history""",
        )
        writer.insert_sql(
            "organization_usage",
            "metering_daily_history",
            f"""
            select {account_cols}, service_type, usage_date, credits_used_compute,
                credits_used_cloud_services, credits_used,
                credits_adjustment_cloud_services, credits_billed
            from {spec.schema}.metering_daily_history""",
        )

    lines = charge_lines(results, plan)
    # The capacity bought: about CONTRACT_DAYS_OF_USAGE days of spend,
    # estimated from the first day (so that it never depends on the length of
    # the simulation).
    first = [line for line in lines if line.day == 0]
    first_cost = (
        sum(
            _cents(
                line.usage
                * rates(specs[line.account], line.service_type)[0]
                / line.per_unit
            )
            for line in first
        )
        / 100
    )
    weekend = plan.start.weekday() >= 5
    # Cost moves less than query volume over the week (idle time, serverless).
    typical_day = first_cost / (0.75 if weekend else 1.1)
    amount_cents = int(round(typical_day * CONTRACT_DAYS_OF_USAGE, -3) * 100)
    amount_cents = max(amount_cents, 100_000)

    # Billing covers the days every account has complete: drawing the balance
    # down in a fixed order keeps a longer simulation's lines equal to a
    # shorter one's.
    org_settled = min(r.settled_days for r in results)
    balance = amount_cents
    on_demand = 0
    on_demand_by_month: dict[tuple[int, int], int] = {}
    uicd, balances, rate_rows = [], [], []
    exhausted_on = None
    for day in range(plan.days):
        date = plan.start + dt.timedelta(days=day)
        for line in (x for x in lines if x.day == day):
            if day >= org_settled:
                continue
            spec = specs[line.account]
            cap_rate, od_rate = rates(spec, line.service_type)
            cost = _cents(line.usage * cap_rate / line.per_unit)
            parts = []
            if balance <= 0:
                parts.append(("overage", line.usage, od_rate))
            elif cost <= balance:
                parts.append(("capacity", line.usage, cap_rate))
            else:
                covered = Fraction(balance, 100) * line.per_unit / cap_rate
                parts.append(("capacity", covered, cap_rate))
                parts.append(("overage", line.usage - covered, od_rate))
            for source, usage, rate in parts:
                money = _cents(usage * rate / line.per_unit)
                if source == "capacity":
                    balance -= money
                    if balance <= 0 and exhausted_on is None:
                        exhausted_on = date
                else:
                    on_demand -= money
                    month = (date.year, date.month)
                    on_demand_by_month[month] = on_demand_by_month.get(month, 0) + money
                prefix = "overage-" if source == "overage" else ""
                uicd.append(
                    {
                        "organization_name": ORGANIZATION,
                        "contract_number": CONTRACT_NUMBER,
                        "account_name": spec.name,
                        "account_locator": spec.locator,
                        "region": spec.region,
                        "service_level": SERVICE_LEVEL,
                        "usage_date": date,
                        "usage_type": prefix + line.usage_type,
                        "usage": _round3(usage),
                        "currency": CURRENCY,
                        "usage_in_currency": money,
                        "balance_source": source,
                        "billing_type": "consumption",
                        "rating_type": line.rating_type,
                        "service_type": line.service_type,
                        "is_adjustment": line.is_adjustment,
                    }
                )
        for account, spec in enumerate(specs):
            if day >= org_settled:
                continue
            seen = {
                (x.service_type, x.usage_type, x.rating_type, x.is_adjustment)
                for x in lines
                if x.day == day and x.account == account
            }
            for service, usage_type, rating, adjustment in sorted(seen):
                cap_rate, od_rate = rates(spec, service)
                for prefix, rate in (("", cap_rate), ("overage-", od_rate)):
                    rate_rows.append(
                        {
                            "date": date,
                            "organization_name": ORGANIZATION,
                            "contract_number": CONTRACT_NUMBER,
                            "account_name": spec.name,
                            "account_locator": spec.locator,
                            "region": spec.region,
                            "service_level": SERVICE_LEVEL,
                            "usage_type": prefix + usage_type,
                            "currency": CURRENCY,
                            "effective_rate": _cents(rate),
                            "service_type": service,
                            "rating_type": rating,
                            "billing_type": "consumption",
                            "is_adjustment": adjustment,
                        }
                    )
        if day < org_settled:
            # The on-demand balance is invoiced after month close (about the
            # 4th): from then on only the current month's overage shows.
            month = (date.year, date.month)
            prev = (
                date.year - (date.month == 1),
                12 if date.month == 1 else date.month - 1,
            )
            open_overage = on_demand_by_month.get(month, 0)
            if date.day < 4:
                open_overage += on_demand_by_month.get(prev, 0)
            balances.append(
                {
                    "organization_name": ORGANIZATION,
                    "contract_number": CONTRACT_NUMBER,
                    "date": date,
                    "currency": CURRENCY,
                    "free_usage_balance": 0,
                    "capacity_balance": max(balance, 0),
                    "on_demand_consumption_balance": -open_overage,
                    "rollover_balance": 0,
                    "marketplace_capacity_drawdown_balance": 0,
                }
            )

    if uicd:
        frame = pd.DataFrame(uicd)
        writer.insert(
            "organization_usage",
            "usage_in_currency_daily",
            _table(frame, money_cols=("usage_in_currency",), usage_cols=("usage",)),
        )
    if rate_rows:
        writer.insert(
            "organization_usage",
            "rate_sheet_daily",
            _table(pd.DataFrame(rate_rows), money_cols=("effective_rate",)),
        )
    if balances:
        writer.insert(
            "organization_usage",
            "remaining_balance_daily",
            _table(
                pd.DataFrame(balances),
                money_cols=(
                    "free_usage_balance",
                    "capacity_balance",
                    "on_demand_consumption_balance",
                    "rollover_balance",
                    "marketplace_capacity_drawdown_balance",
                ),
            ),
        )
    end = plan.start.replace(year=plan.start.year + 1) - dt.timedelta(days=1)
    writer.insert(
        "organization_usage",
        "contract_items",
        _table(
            pd.DataFrame(
                [
                    {
                        "organization_name": ORGANIZATION,
                        "contract_number": CONTRACT_NUMBER,
                        "start_date": plan.start,
                        "end_date": end,
                        "expiration_date": end + dt.timedelta(days=30),
                        "contract_item": "capacity",
                        "currency": CURRENCY,
                        "amount": amount_cents,
                        "contract_modified_date": plan.start - dt.timedelta(days=14),
                    }
                ]
            ),
            money_cols=("amount",),
        ),
    )
    overage_total = sum(on_demand_by_month.values())
    return {
        "contract_number": CONTRACT_NUMBER,
        "currency": CURRENCY,
        "capacity_amount": amount_cents / 100,
        "exhausted_on": str(exhausted_on) if exhausted_on else None,
        "overage_amount": overage_total / 100,
        "billing_complete_through": str(plan.start + dt.timedelta(days=org_settled - 1))
        if org_settled > 0
        else None,
    }


def _round3(value: Fraction) -> int:
    """USAGE at 3 decimals, as an integer number of thousandths."""
    scaled = value * 1000
    sign = -1 if scaled < 0 else 1
    return sign * int(abs(scaled) + Fraction(1, 2))


def _scaled(values, scale: int) -> pa.Array:
    ints = np.asarray(list(values), dtype=np.int64)
    words = np.empty((len(ints), 2), dtype=np.int64)
    words[:, 0] = ints
    words[:, 1] = ints >> 63
    return pa.Array.from_buffers(
        pa.decimal128(38, scale), len(ints), [None, pa.py_buffer(words.tobytes())]
    )


def _table(frame: pd.DataFrame, money_cols=(), usage_cols=()) -> pa.Table:
    columns = {}
    for name in frame.columns:
        if name in money_cols:
            columns[name] = _scaled(frame[name], 2)
        elif name in usage_cols:
            columns[name] = _scaled(frame[name], 3)
        elif name in (
            "date",
            "usage_date",
            "start_date",
            "end_date",
            "expiration_date",
            "contract_modified_date",
        ):
            columns[name] = pa.array(frame[name].tolist(), type=pa.date32())
        else:
            columns[name] = pa.array(frame[name].tolist())
    return pa.table(columns)
