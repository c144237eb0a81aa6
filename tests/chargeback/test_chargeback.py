"""Chargeback on the simulated organisation: every dollar of the ledger lands
on exactly one entity in each reading, and the reorganisation reads as it
happened (as of the day) and as if it had always been (restated)."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.dbt


def _problems(rows: list[tuple], limit: int = 10) -> str:
    return "\n".join(str(row) for row in rows[:limit])


def test_chargeback_daily_adds_up_to_daily_spend_exactly(built_project) -> None:
    rows = built_project.query(
        """
        with spend as (
            select usage_date, account_name, sum(cost) as cost,
                   sum(credits) as credits
            from daily_spend group by 1, 2
        ),
        charged as (
            select usage_date, account_name, sum(cost) as cost,
                   sum(credits) as credits
            from chargeback_daily group by 1, 2
        )
        select spend.usage_date, spend.account_name, spend.cost, charged.cost,
               spend.credits, charged.credits
        from spend full join charged using (usage_date, account_name)
        where spend.cost is distinct from charged.cost
           or spend.credits is distinct from charged.credits
        """
    )
    assert not rows, _problems(rows)


def test_every_row_has_an_entity_in_both_readings(built_project) -> None:
    (missing,) = built_project.query(
        "select count(*) from chargeback_daily where entity_id is null"
        " or restated_entity_id is null or attribution_rule is null"
        " or restated_attribution_rule is null"
    )[0]
    assert missing == 0


def test_each_reading_sums_to_the_same_bill(built_project) -> None:
    by_entity, by_restated, total = built_project.query(
        """
        select
            (select sum(cost) from (
                select entity_id, sum(cost) as cost
                from chargeback_daily group by 1
            )),
            (select sum(cost) from (
                select restated_entity_id, sum(cost) as cost
                from chargeback_daily group by 1
            )),
            (select sum(cost) from daily_spend)
        """
    )[0]
    assert by_entity == by_restated == total


def test_shared_costs_follow_their_policies(built_project) -> None:
    rules = {
        rule
        for (rule,) in built_project.query(
            "select distinct attribution_rule from chargeback_daily"
        )
    }
    assert "shared idle: proportional" in rules
    assert "shared cloud_services: proportional" in rules
    assert "shared data_transfer: central" in rules
    (central,) = built_project.query(
        "select distinct entity_id from chargeback_daily"
        " where attribution_rule = 'shared data_transfer: central'"
    )[0]
    assert central == "central"


@pytest.fixture(scope="module")
def reorganisation(simulated_org) -> dict:
    truth = simulated_org.manifest["scenarios"]["reorganisation"]
    assert truth["in_period"], "the test organisation must include the split"
    return truth


def _team_costs(built_project, column: str, before: bool, split: dt.date) -> dict:
    comparison = "<" if before else ">="
    rows = built_project.query(
        f"""
        select {column}, sum(cost)
        from chargeback_daily
        where usage_date {comparison} ?
          and {column} in ('marketing', 'brand', 'performance')
        group by 1
        """,
        [split],
    )
    return {entity: cost for entity, cost in rows if cost}


def test_before_the_split_the_department_is_the_old_team_as_of_the_day(
    built_project, reorganisation
) -> None:
    split = dt.date.fromisoformat(reorganisation["date"])
    as_of = _team_costs(built_project, "entity_id", True, split)
    assert set(as_of) == {"marketing"}, as_of


def test_after_the_split_the_cost_is_under_the_new_teams(
    built_project, reorganisation
) -> None:
    split = dt.date.fromisoformat(reorganisation["date"])
    as_of = _team_costs(built_project, "entity_id", False, split)
    assert set(as_of) == {"brand", "performance"}, as_of


def test_restated_the_old_team_is_gone_before_the_split_too(
    built_project, reorganisation
) -> None:
    split = dt.date.fromisoformat(reorganisation["date"])
    restated = _team_costs(built_project, "restated_entity_id", True, split)
    assert set(restated) == {"brand", "performance"}, restated


def test_the_month_of_the_split_appears_under_both_structures(
    built_project, reorganisation
) -> None:
    split = dt.date.fromisoformat(reorganisation["date"])
    month = split.replace(day=1)
    readings = built_project.query(
        """
        select reading, entity_id
        from chargeback_monthly
        where month_start = ?
          and entity_id in ('marketing', 'brand', 'performance')
          and charged_cost <> 0
        """,
        [month],
    )
    as_of = {entity for reading, entity in readings if reading == "as of the day"}
    restated = {entity for reading, entity in readings if reading == "restated"}
    assert as_of == {"marketing", "brand", "performance"}
    assert restated == {"brand", "performance"}


def test_chargeback_monthly_adds_up_to_the_bill_in_each_reading(
    built_project,
) -> None:
    rows = built_project.query(
        """
        with spend as (
            select date_trunc('month', usage_date) as month_start,
                   sum(cost) as cost
            from daily_spend group by 1
        ),
        monthly as (
            select month_start, reading, sum(list_cost) as cost
            from chargeback_monthly group by 1, 2
        )
        select monthly.month_start, monthly.reading, monthly.cost, spend.cost
        from monthly join spend using (month_start)
        where monthly.cost <> spend.cost
        """
    )
    assert not rows, _problems(rows)


def test_the_unallocated_share_is_reported_per_month(built_project) -> None:
    rows = built_project.query(
        "select month_start, reading, total_cost, unallocated_cost,"
        " unallocated_share from unallocated_cost_monthly"
    )
    assert rows
    for _, _, total, unallocated, share in rows:
        assert 0 <= unallocated <= total
        assert abs(share - unallocated / total) < 1e-6
