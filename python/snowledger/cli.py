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
from snowledger import chargeback_config as chargeback
from snowledger.errors import SnowledgerError
from snowledger.project import default_source_db, default_target_db, project_dir

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


# Chargeback seeds: entities and ownership ------------------------------------

_entities_file_option = click.option(
    "--entities-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Entity registry CSV (default: seeds/chargeback_entity_registry.csv "
    "of the project).",
)
_ownership_file_option = click.option(
    "--ownership-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Ownership rules CSV (default: seeds/ownership_rules.csv of the project).",
)
_cost_center_pattern_option = click.option(
    "--cost-center-pattern",
    default=chargeback.DEFAULT_COST_CENTER_PATTERN,
    show_default=True,
    help="Regular expression every cost centre must match (whole value).",
)
_on_option = click.option(
    "--on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="UTC day the change takes effect (YYYY-MM-DD): the valid_to of the "
    "row it closes and the valid_from of the row it opens. Default: today (UTC).",
)
_object_type_argument = click.argument(
    "object_type", type=click.Choice(chargeback.OBJECT_TYPES, case_sensitive=False)
)


def _seed_file(path: Path | None, name: str) -> Path:
    return path if path is not None else project_dir() / "seeds" / name


def _entities_path(path: Path | None) -> Path:
    return _seed_file(path, "chargeback_entity_registry.csv")


def _ownership_path(path: Path | None) -> Path:
    return _seed_file(path, "ownership_rules.csv")


def _day(on: dt.datetime | None) -> dt.date:
    return on.date() if on is not None else dt.datetime.now(dt.UTC).date()


def _edit_seeds(
    entities_file: Path | None,
    ownership_file: Path | None,
    cost_center_pattern: str,
    change: chargeback.Change,
) -> tuple[list[chargeback.EntityVersion], list[chargeback.OwnershipRule]]:
    try:
        return chargeback.edit_seeds(
            _entities_path(entities_file),
            _ownership_path(ownership_file),
            change,
            cost_center_pattern=cost_center_pattern,
        )
    except SnowledgerError as error:
        raise SnowledgerError(f"{error}\nNothing was written.") from None


@main.group()
def entity() -> None:
    """Register, move, retire and list chargeback entities (teams).

    Each command edits the entity registry seed and validates it together with
    the ownership rules; nothing is written unless the result is valid.
    """


@entity.command("register")
@click.argument("entity_id")
@click.option("--team-name", required=True, help="Display name of the team.")
@click.option(
    "--department-name", required=True, help="Department the team belongs to."
)
@click.option("--cost-center", required=True, help="Cost centre, e.g. CC-1010.")
@click.option("--owner-email", default=None, help="Who answers for the spend.")
@click.option(
    "--parent-entity-id", default=None, help="Parent entity, already registered."
)
@_on_option
@_entities_file_option
@_ownership_file_option
@_cost_center_pattern_option
def entity_register(
    entity_id: str,
    team_name: str,
    department_name: str,
    cost_center: str,
    owner_email: str | None,
    parent_entity_id: str | None,
    on: dt.datetime | None,
    entities_file: Path | None,
    ownership_file: Path | None,
    cost_center_pattern: str,
) -> None:
    """Register a new entity ENTITY_ID (lower case, like data-platform) from
    --on."""
    day = _day(on)
    _edit_seeds(
        entities_file,
        ownership_file,
        cost_center_pattern,
        lambda entities, rules: (
            chargeback.register_entity(
                entities,
                entity_id,
                team_name=team_name,
                department_name=department_name,
                cost_center=cost_center,
                on=day,
                owner_email=owner_email,
                parent_entity_id=parent_entity_id,
            ),
            rules,
        ),
    )
    click.echo(f"registered {entity_id} from {day}")


@entity.command("move")
@click.argument("entity_id")
@click.option("--team-name", default=None, help="New display name of the team.")
@click.option("--department-name", default=None, help="New department.")
@click.option("--cost-center", default=None, help="New cost centre.")
@click.option("--owner-email", default=None, help='New owner email; "" clears it.')
@click.option(
    "--parent-entity-id", default=None, help='New parent entity; "" clears it.'
)
@_on_option
@_entities_file_option
@_ownership_file_option
@_cost_center_pattern_option
def entity_move(
    entity_id: str,
    team_name: str | None,
    department_name: str | None,
    cost_center: str | None,
    owner_email: str | None,
    parent_entity_id: str | None,
    on: dt.datetime | None,
    entities_file: Path | None,
    ownership_file: Path | None,
    cost_center_pattern: str,
) -> None:
    """Change ENTITY_ID from --on: close its current version that day and open
    a new one with the options given (the others are kept)."""
    day = _day(on)
    entities, _ = _edit_seeds(
        entities_file,
        ownership_file,
        cost_center_pattern,
        lambda entities, rules: (
            chargeback.move_entity(
                entities,
                entity_id,
                on=day,
                department_name=department_name,
                cost_center=cost_center,
                team_name=team_name,
                parent_entity_id=parent_entity_id,
                owner_email=owner_email,
            ),
            rules,
        ),
    )
    versions = {e.valid_from: e for e in entities if e.entity_id == entity_id}
    old = next(e for e in versions.values() if e.valid_to == day)
    changes = ", ".join(
        f"{name} {getattr(old, name) or '(empty)'} -> "
        f"{getattr(versions[day], name) or '(empty)'}"
        for name in chargeback.ENTITY_COLUMNS[1:6]
        if getattr(old, name) != getattr(versions[day], name)
    )
    click.echo(f"moved {entity_id} on {day}: {changes}")


@entity.command("retire")
@click.argument("entity_id")
@_on_option
@_entities_file_option
@_ownership_file_option
@_cost_center_pattern_option
def entity_retire(
    entity_id: str,
    on: dt.datetime | None,
    entities_file: Path | None,
    ownership_file: Path | None,
    cost_center_pattern: str,
) -> None:
    """Retire ENTITY_ID from --on, and end its open ownership rules that day."""
    day = _day(on)
    _, rules = _edit_seeds(
        entities_file,
        ownership_file,
        cost_center_pattern,
        lambda entities, rules: chargeback.retire_entity(
            entities, rules, entity_id, on=day
        ),
    )
    closed = sum(1 for r in rules if r.entity_id == entity_id and r.valid_to == day)
    click.echo(f"retired {entity_id} on {day}; ended {closed} ownership rule(s)")


@entity.command("list")
@click.option(
    "--on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only the versions valid on this UTC day (YYYY-MM-DD). Default: all.",
)
@_entities_file_option
def entity_list(on: dt.datetime | None, entities_file: Path | None) -> None:
    """Print the entity versions as a table."""
    entities = chargeback.load_entities(_entities_path(entities_file))
    rows = chargeback.entity_rows(entities, on.date() if on else None)
    click.echo(chargeback.format_table(chargeback.ENTITY_COLUMNS, rows))


@entity.command("validate")
@_entities_file_option
@_ownership_file_option
@_cost_center_pattern_option
def entity_validate(
    entities_file: Path | None, ownership_file: Path | None, cost_center_pattern: str
) -> None:
    """Check the entity registry and ownership rules without changing them."""
    entities = chargeback.load_entities(_entities_path(entities_file))
    rules = chargeback.load_ownership(_ownership_path(ownership_file))
    chargeback.validate(entities, rules, cost_center_pattern)
    count = len({e.entity_id for e in entities})
    click.echo(
        f"ok: {count} entities ({len(entities)} versions), {len(rules)} ownership rules"
    )


@main.group()
def ownership() -> None:
    """Assign, end and list who owns a warehouse, user, role, database or schema.

    Each command edits the ownership rules seed and validates it together with
    the entity registry; nothing is written unless the result is valid.
    """


@ownership.command("assign")
@_object_type_argument
@click.argument("object_name")
@click.option("--entity-id", required=True, help="Entity that owns the object.")
@click.option(
    "--account-name",
    default=None,
    help="Account the object is in (default: every account).",
)
@_on_option
@_entities_file_option
@_ownership_file_option
@_cost_center_pattern_option
def ownership_assign(
    object_type: str,
    object_name: str,
    entity_id: str,
    account_name: str | None,
    on: dt.datetime | None,
    entities_file: Path | None,
    ownership_file: Path | None,
    cost_center_pattern: str,
) -> None:
    """Make --entity-id own OBJECT_NAME (a schema as DATABASE.SCHEMA) from --on,
    ending the object's current rule that day."""
    day = _day(on)
    _edit_seeds(
        entities_file,
        ownership_file,
        cost_center_pattern,
        lambda entities, rules: (
            entities,
            chargeback.assign_ownership(
                rules,
                object_type,
                object_name,
                entity_id,
                on=day,
                account_name=account_name,
            ),
        ),
    )
    click.echo(
        f"assigned {object_type.lower()} {object_name.upper()} to {entity_id} "
        f"from {day}"
    )


@ownership.command("end")
@_object_type_argument
@click.argument("object_name")
@click.option(
    "--account-name",
    default=None,
    help="Account of the rule to end (default: the rule for every account).",
)
@_on_option
@_entities_file_option
@_ownership_file_option
@_cost_center_pattern_option
def ownership_end(
    object_type: str,
    object_name: str,
    account_name: str | None,
    on: dt.datetime | None,
    entities_file: Path | None,
    ownership_file: Path | None,
    cost_center_pattern: str,
) -> None:
    """End the open ownership rule of OBJECT_NAME on --on."""
    day = _day(on)
    _edit_seeds(
        entities_file,
        ownership_file,
        cost_center_pattern,
        lambda entities, rules: (
            entities,
            chargeback.end_ownership(
                rules, object_type, object_name, on=day, account_name=account_name
            ),
        ),
    )
    click.echo(
        f"ended ownership of {object_type.lower()} {object_name.upper()} on {day}"
    )


@ownership.command("list")
@click.option(
    "--on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only the rules valid on this UTC day (YYYY-MM-DD). Default: all.",
)
@click.option("--entity-id", default=None, help="Only the rules of this entity.")
@_ownership_file_option
def ownership_list(
    on: dt.datetime | None, entity_id: str | None, ownership_file: Path | None
) -> None:
    """Print the ownership rules as a table."""
    rules = chargeback.load_ownership(_ownership_path(ownership_file))
    rows = chargeback.ownership_rows(rules, on.date() if on else None, entity_id)
    click.echo(chargeback.format_table(chargeback.OWNERSHIP_COLUMNS, rows))
