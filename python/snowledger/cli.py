"""The `snowledger` command line: a thin layer over the library.

Results go to stdout; progress and diagnostics go to stderr through logging,
which is configured here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import click

from snowledger import __version__
from snowledger.errors import SnowledgerError
from snowledger.project import default_source_db, default_target_db

log = logging.getLogger("snowledger")


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )


class _Group(click.Group):
    """Turns SnowledgerError into a one-line message and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SnowledgerError as error:
            click.secho(f"Error: {error}", fg="red", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="snowledger")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail to stderr.")
def main(verbose: bool) -> None:
    """Snowledger: an auditable Snowflake cost ledger.

    Simulate a Snowflake organisation, build the ledger with dbt, and read it.
    """
    _setup_logging(verbose)


def _scenario_help() -> str:
    from snowledger.simulator import SCENARIOS

    return "; ".join(f"{name}: {text}" for name, text in SCENARIOS.items())


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file to write (default: $SNOWLEDGER_SOURCE_DB or "
    "data/snowflake.duckdb). The ground-truth manifest is written beside it "
    "as <name>.manifest.json.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 400),
    default=30,
    show_default=True,
    help="Number of UTC days to simulate.",
)
@click.option(
    "--start-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2026-11-01",
    show_default=True,
    help="First simulated UTC day (YYYY-MM-DD).",
)
@click.option(
    "--queries-per-day",
    type=click.IntRange(100),
    default=10_000,
    show_default=True,
    help="Queries per day across the whole organisation.",
)
@click.option(
    "--accounts",
    type=click.IntRange(1, 3),
    default=3,
    show_default=True,
    help="Number of accounts: 1 = US, 2 = US and EU, 3 = US, EU and APAC.",
)
@click.option(
    "--seed",
    type=int,
    default=42,
    show_default=True,
    help="Random seed; the same seed gives the same output.",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    help="Scenario to include; repeat for several. Default: all of them. "
    "Use --scenario none for a plain organisation.",
)
def simulate(
    output: Path | None,
    days: int,
    start_date: dt.datetime,
    queries_per_day: int,
    accounts: int,
    seed: int,
    scenarios: tuple[str, ...],
) -> None:
    """Write a simulated Snowflake organisation (ACCOUNT_USAGE and
    ORGANIZATION_USAGE views) to a DuckDB file."""
    from snowledger import simulator

    config = simulator.SimulationConfig(
        days=days,
        start_date=start_date.date(),
        queries_per_day=queries_per_day,
        accounts=accounts,
        seed=seed,
        scenarios=simulator.resolve_scenarios(scenarios),
    )
    path = output or default_source_db()
    manifest = simulator.simulate(config, path)
    click.echo(f"wrote {path} ({manifest['totals']['queries']:,} queries)")


@main.command()
@click.option(
    "--source-db",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file to check (default: $SNOWLEDGER_SOURCE_DB or "
    "data/snowflake.duckdb).",
)
def verify(source_db: Path | None) -> None:
    """Check Snowflake's billing identities on an ACCOUNT_USAGE file."""
    from snowledger import simulator

    path = source_db or default_source_db()
    failures = simulator.verify(path)
    for failure in failures:
        click.echo(f"FAIL {failure}")
    if failures:
        raise SnowledgerError(f"{len(failures)} identities do not hold in {path}")
    click.echo(f"all identities hold in {path}")


@main.command()
@click.option(
    "--target-db",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file built by dbt (default: $SNOWLEDGER_TARGET_DB or "
    "data/snowledger.duckdb).",
)
def summary(target_db: Path | None) -> None:
    """Print accounts, days, credits and cost by service, and top warehouses."""
    from snowledger.summary import render_summary

    click.echo(render_summary(target_db or default_target_db()))


@main.command()
@click.option(
    "--seed",
    type=int,
    default=42,
    show_default=True,
    help="Random seed of the simulated organisation.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 400),
    default=30,
    show_default=True,
    help="Number of UTC days to simulate.",
)
@click.option(
    "--queries-per-day",
    type=click.IntRange(100),
    default=10_000,
    show_default=True,
    help="Queries per day across the organisation.",
)
def demo(seed: int, days: int, queries_per_day: int) -> None:
    """Simulate an organisation, build the ledger with dbt on DuckDB, and print
    the summary: the main job on the embedded default."""
    from snowledger import simulator
    from snowledger.dbt_runner import run_dbt
    from snowledger.summary import render_summary

    source_db, target_db = default_source_db(), default_target_db()
    config = simulator.SimulationConfig(
        days=days,
        queries_per_day=queries_per_day,
        seed=seed,
        scenarios=simulator.resolve_scenarios(()),
    )
    simulator.simulate(config, source_db)
    run_dbt(["build"], source_db=source_db, target_db=target_db)
    click.echo(render_summary(target_db))
