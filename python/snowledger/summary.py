"""The short summary printed at the end of `snowledger demo`: what the ledger
holds, read from the built DuckDB file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from snowledger.errors import SnowledgerError

REQUIRED_MARTS = ("daily_spend", "warehouse_costs_hourly")


@dataclass(frozen=True)
class Summary:
    accounts: list[tuple[str, str]]
    first_day: str
    last_day: str
    currency: str
    # (service, credits or None for usage not billed in credits, cost)
    by_service: list[tuple[str, Decimal | None, Decimal]]
    top_warehouses: list[tuple[str, str, Decimal, Decimal, Decimal]]
    # (entity, department, charged cost), as of the day; empty without
    # chargeback_monthly
    top_entities: list[tuple[str, str | None, Decimal]] = field(default_factory=list)
    unallocated_share: float | None = None

    @property
    def total_credits(self) -> Decimal:
        return sum(
            (credits for _, credits, _ in self.by_service if credits is not None),
            Decimal(0),
        )

    @property
    def total_cost(self) -> Decimal:
        return sum((cost for _, _, cost in self.by_service), Decimal(0))


def read_summary(target_db: Path, top: int = 5) -> Summary:
    """Read accounts, days, spend by service and the top warehouses."""
    if not target_db.is_file():
        raise SnowledgerError(
            f"{target_db} does not exist. Build the ledger first: `make demo`, "
            "or `dbt build` with SNOWLEDGER_TARGET_DB pointing there."
        )
    with duckdb.connect(str(target_db), read_only=True) as connection:
        tables = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables"
            ).fetchall()
        }
        missing = [mart for mart in REQUIRED_MARTS if mart not in tables]
        if missing:
            raise SnowledgerError(
                f"{target_db} has no {', '.join(missing)}; it is not a built "
                "Snowledger ledger. Run `dbt build` into it first."
            )
        accounts = connection.execute(
            "select distinct account_name, region from daily_spend order by 1"
        ).fetchall()
        first_day, last_day, currency = connection.execute(
            "select min(usage_date), max(usage_date), min(currency) from daily_spend"
        ).fetchone()
        by_service = connection.execute(
            """
            select service, sum(credits), sum(cost)
            from daily_spend
            group by 1
            order by 3 desc
            """
        ).fetchall()
        top_warehouses = connection.execute(
            f"""
            select
                account_name,
                arg_max(warehouse_name, usage_hour),
                sum(compute_credits),
                sum(idle_credits),
                sum(compute_cost)
            from warehouse_costs_hourly
            group by account_name, warehouse_id
            order by 5 desc
            limit {int(top)}
            """
        ).fetchall()
        top_entities: list[tuple[str, str | None, Decimal]] = []
        unallocated_share = None
        if "chargeback_monthly" in tables:
            top_entities = connection.execute(
                f"""
                select entity_id, max(department_name), sum(charged_cost)
                from chargeback_monthly
                where reading = 'as of the day'
                group by 1
                order by 3 desc
                limit {int(top)}
                """
            ).fetchall()
            unallocated_share = connection.execute(
                """
                select sum(list_cost) filter (where entity_id = 'UNALLOCATED')
                       / nullif(sum(list_cost), 0)
                from chargeback_monthly
                where reading = 'as of the day'
                """
            ).fetchone()[0]
    if first_day is None:
        raise SnowledgerError(
            f"daily_spend in {target_db} is empty: the source had no usage."
        )
    return Summary(
        accounts=accounts,
        first_day=str(first_day),
        last_day=str(last_day),
        currency=currency,
        by_service=by_service,
        top_warehouses=top_warehouses,
        top_entities=top_entities,
        unallocated_share=unallocated_share,
    )


def render_summary(target_db: Path, top: int = 5) -> str:
    """The summary as plain text for a terminal."""
    summary = read_summary(target_db, top)
    lines = [
        f"Snowledger ledger: {target_db}",
        "  accounts: "
        + ", ".join(f"{name} ({region})" for name, region in summary.accounts),
        f"  days:     {summary.first_day} to {summary.last_day} (UTC)",
        f"  total:    {summary.total_credits:,.2f} credits, "
        f"{summary.total_cost:,.2f} {summary.currency}",
        "",
        f"  {'service':<28} {'credits':>14} {'cost':>14}",
    ]
    lines += [
        f"  {service:<28} "
        + (f"{credits:>14,.2f}" if credits is not None else f"{'-':>14}")
        + f" {cost:>14,.2f}"
        for service, credits, cost in summary.by_service
    ]
    lines += [
        "",
        f"  top warehouses by compute cost ({summary.currency})",
        f"  {'account':<12} {'warehouse':<24} {'credits':>11} {'idle':>7} {'cost':>12}",
    ]
    for account, warehouse, credits, idle, cost in summary.top_warehouses:
        idle_share = idle / credits if credits else Decimal(0)
        lines.append(
            f"  {account:<12} {warehouse:<24} {credits:>11,.2f} "
            f"{idle_share:>7.0%} {cost:>12,.2f}"
        )
    if summary.top_entities:
        share = summary.unallocated_share or Decimal(0)
        lines += [
            "",
            f"  top teams by charged cost ({summary.currency}), as of the day; "
            f"unallocated: {share:.1%}",
            f"  {'entity':<24} {'department':<16} {'charged':>14}",
        ]
        lines += [
            f"  {entity:<24} {department or '-':<16} {cost:>14,.2f}"
            for entity, department, cost in summary.top_entities
        ]
    return "\n".join(lines)
