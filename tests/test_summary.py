"""The summary `snowledger demo` ends with: accounts, days, spend by service
and the top warehouses, read from the built ledger and consistent with it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from snowledger.errors import SnowledgerError
from snowledger.summary import read_summary, render_summary

pytestmark = pytest.mark.dbt


def test_the_summary_totals_are_the_ledgers(built_project) -> None:
    summary = read_summary(built_project.target_db)
    (credits, cost) = built_project.query(
        "select sum(coalesce(credits, 0)), sum(cost) from daily_spend"
    )[0]
    assert summary.total_credits == credits
    assert summary.total_cost == cost
    assert [name for name, _ in summary.accounts] == [
        "ACME_APAC",
        "ACME_EU",
        "ACME_US",
    ]
    services = {service for service, _, _ in summary.by_service}
    assert {"WAREHOUSE_METERING", "CLOUD_SERVICES", "STORAGE"} <= services


def test_the_top_warehouses_are_ranked_by_cost(built_project) -> None:
    summary = read_summary(built_project.target_db, top=3)
    costs = [cost for *_, cost in summary.top_warehouses]
    assert len(costs) == 3
    assert costs == sorted(costs, reverse=True)
    assert all(idle <= credits for _, _, credits, idle, _ in summary.top_warehouses)
    assert costs[0] > Decimal(0)


def test_the_rendered_summary_names_what_it_shows(built_project) -> None:
    text = render_summary(built_project.target_db)
    for expected in ("accounts:", "days:", "total:", "top warehouses", "ACME_US"):
        assert expected in text


def test_the_top_teams_are_the_chargeback_statements(built_project) -> None:
    summary = read_summary(built_project.target_db, top=3)
    costs = [cost for *_, cost in summary.top_entities]
    assert len(costs) == 3
    assert costs == sorted(costs, reverse=True)
    (largest,) = built_project.query(
        "select max(charged) from (select entity_id, sum(charged_cost) as charged"
        " from chargeback_monthly where reading = 'as of the day' group by 1)"
    )[0]
    assert costs[0] == largest
    assert summary.unallocated_share is not None
    assert 0 <= summary.unallocated_share < 0.05
    assert "top teams" in render_summary(built_project.target_db)


def test_a_missing_ledger_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(SnowledgerError, match="Build the ledger first"):
        read_summary(tmp_path / "absent.duckdb")
