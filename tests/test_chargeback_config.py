"""The chargeback seeds and the commands that edit them: each operation gives
exactly the expected CSV, every problem is reported, and a rejected command
exits 2 with one clear message and leaves both files as they were, byte for
byte."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from snowledger import chargeback_config as cb
from snowledger.cli import main
from snowledger.errors import SnowledgerError

ENTITIES = """\
entity_id,team_name,department_name,cost_center,owner_email,parent_entity_id,valid_from,valid_to
brand,Brand,Marketing,CC-4110,brand-lead@acme.example,marketing,2026-11-04,
data-platform,Data Platform,Engineering,CC-1010,dp-lead@acme.example,,2026-01-01,
marketing,Marketing,Marketing,CC-4010,,,2026-01-01,2026-11-04
"""

OWNERSHIP = """\
object_type,object_name,account_name,entity_id,valid_from,valid_to
database,MARKETING,ACME_US,marketing,2026-01-01,2026-11-04
database,MARKETING,ACME_US,brand,2026-11-04,
schema,ANALYTICS.MARTS,,data-platform,2026-01-01,
warehouse,WH_LEGACY,ACME_EU,marketing,2026-01-01,2026-06-01
warehouse,WH_PLATFORM,,data-platform,2026-01-01,
"""

ENTITY_HEADER, *ENTITY_LINES = ENTITIES.splitlines(keepends=True)
OWNERSHIP_HEADER, *OWNERSHIP_LINES = OWNERSHIP.splitlines(keepends=True)
DAY = dt.date(2026, 12, 1)


@dataclass(frozen=True)
class Seeds:
    """The two seed files of one test, in its own directory."""

    entities: Path
    ownership: Path

    @property
    def options(self) -> list[str]:
        return ["--entities-file", str(self.entities)]

    @property
    def both(self) -> list[str]:
        return [*self.options, "--ownership-file", str(self.ownership)]

    def state(self) -> dict[str, tuple[bytes, int]]:
        """Every file of the directory with its bytes and mtime_ns."""
        return {
            path.name: (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(self.entities.parent.iterdir())
        }


def write_seeds(directory: Path, entities: str, ownership: str) -> Seeds:
    directory.mkdir(parents=True, exist_ok=True)
    seeds = Seeds(
        directory / "chargeback_entity_registry.csv",
        directory / "ownership_rules.csv",
    )
    seeds.entities.write_bytes(entities.encode())
    seeds.ownership.write_bytes(ownership.encode())
    # Old enough that a rewrite within the same clock tick would still show.
    for path in (seeds.entities, seeds.ownership):
        os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    return seeds


@pytest.fixture
def seeds(tmp_path: Path) -> Seeds:
    return write_seeds(tmp_path / "seeds", ENTITIES, OWNERSHIP)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


# Operations, through the command line: the exact files they leave ----------

ENTITY_LINE = {line.split(",")[0]: line for line in ENTITY_LINES}

HAPPY_PATHS = {
    "register": (
        [
            "entity",
            "register",
            "growth",
            "--team-name",
            "Growth",
            "--department-name",
            "Analytics",
            "--cost-center",
            "CC-2020",
            "--owner-email",
            "growth-lead@acme.example",
            "--parent-entity-id",
            "data-platform",
            "--on",
            "2026-12-01",
        ],
        ENTITY_HEADER
        + ENTITY_LINE["brand"]
        + ENTITY_LINE["data-platform"]
        + "growth,Growth,Analytics,CC-2020,growth-lead@acme.example,"
        "data-platform,2026-12-01,\n" + ENTITY_LINE["marketing"],
        OWNERSHIP,
        "registered growth from 2026-12-01\n",
    ),
    "move": (
        [
            "entity",
            "move",
            "data-platform",
            "--department-name",
            "Platform",
            "--cost-center",
            "CC-1500",
            "--on",
            "2026-12-01",
        ],
        ENTITY_HEADER
        + ENTITY_LINE["brand"]
        + "data-platform,Data Platform,Engineering,CC-1010,dp-lead@acme.example,"
        ",2026-01-01,2026-12-01\n"
        "data-platform,Data Platform,Platform,CC-1500,dp-lead@acme.example,"
        ",2026-12-01,\n" + ENTITY_LINE["marketing"],
        OWNERSHIP,
        "moved data-platform on 2026-12-01: department_name Engineering -> "
        "Platform, cost_center CC-1010 -> CC-1500\n",
    ),
    "move-clears-parent": (
        ["entity", "move", "brand", "--parent-entity-id", "", "--on", "2026-12-01"],
        ENTITY_HEADER
        + "brand,Brand,Marketing,CC-4110,brand-lead@acme.example,marketing,"
        "2026-11-04,2026-12-01\n"
        "brand,Brand,Marketing,CC-4110,brand-lead@acme.example,,2026-12-01,\n"
        + ENTITY_LINE["data-platform"]
        + ENTITY_LINE["marketing"],
        OWNERSHIP,
        "moved brand on 2026-12-01: parent_entity_id marketing -> (empty)\n",
    ),
    "retire": (
        ["entity", "retire", "data-platform", "--on", "2026-12-01"],
        ENTITY_HEADER
        + ENTITY_LINE["brand"]
        + "data-platform,Data Platform,Engineering,CC-1010,dp-lead@acme.example,"
        ",2026-01-01,2026-12-01\n" + ENTITY_LINE["marketing"],
        OWNERSHIP_HEADER
        + "".join(OWNERSHIP_LINES[:2])
        + "schema,ANALYTICS.MARTS,,data-platform,2026-01-01,2026-12-01\n"
        + OWNERSHIP_LINES[3]
        + "warehouse,WH_PLATFORM,,data-platform,2026-01-01,2026-12-01\n",
        "retired data-platform on 2026-12-01; ended 2 ownership rule(s)\n",
    ),
    "assign-reassigns": (
        [
            "ownership",
            "assign",
            "DATABASE",
            "marketing",
            "--account-name",
            "acme_us",
            "--entity-id",
            "data-platform",
            "--on",
            "2026-12-01",
        ],
        ENTITIES,
        OWNERSHIP_HEADER
        + OWNERSHIP_LINES[0]
        + "database,MARKETING,ACME_US,brand,2026-11-04,2026-12-01\n"
        "database,MARKETING,ACME_US,data-platform,2026-12-01,\n"
        + "".join(OWNERSHIP_LINES[2:]),
        "assigned database MARKETING to data-platform from 2026-12-01\n",
    ),
    "assign-new-object": (
        [
            "ownership",
            "assign",
            "role",
            "BRAND_ANALYST",
            "--entity-id",
            "brand",
            "--on",
            "2026-12-01",
        ],
        ENTITIES,
        OWNERSHIP_HEADER
        + "".join(OWNERSHIP_LINES[:2])
        + "role,BRAND_ANALYST,,brand,2026-12-01,\n"
        + "".join(OWNERSHIP_LINES[2:]),
        "assigned role BRAND_ANALYST to brand from 2026-12-01\n",
    ),
    "end": (
        ["ownership", "end", "warehouse", "WH_PLATFORM", "--on", "2026-12-01"],
        ENTITIES,
        OWNERSHIP_HEADER
        + "".join(OWNERSHIP_LINES[:4])
        + "warehouse,WH_PLATFORM,,data-platform,2026-01-01,2026-12-01\n",
        "ended ownership of warehouse WH_PLATFORM on 2026-12-01\n",
    ),
}


@pytest.mark.parametrize("case", sorted(HAPPY_PATHS))
def test_command_writes_exactly_the_expected_files(case: str, seeds: Seeds) -> None:
    args, entities, ownership, stdout = HAPPY_PATHS[case]
    before = seeds.state()
    result = run(*args, *seeds.both)
    assert result.exit_code == 0, result.output
    assert result.stdout == stdout
    assert seeds.entities.read_bytes() == entities.encode()
    assert seeds.ownership.read_bytes() == ownership.encode()
    # A file the command does not change is not rewritten; no temporary is left.
    after = seeds.state()
    assert set(after) == set(before)
    for name, text in (
        (seeds.entities.name, entities),
        (seeds.ownership.name, ownership),
    ):
        assert (after[name] == before[name]) == (text.encode() == before[name][0])


def test_on_defaults_to_today_in_utc(seeds: Seeds) -> None:
    days = {dt.datetime.now(dt.UTC).date()}
    result = run(
        "entity",
        "register",
        "growth",
        "--team-name=Growth",
        "--department-name=Analytics",
        "--cost-center=CC-2020",
        *seeds.both,
    )
    days.add(dt.datetime.now(dt.UTC).date())
    assert result.exit_code == 0, result.output
    (growth,) = [e for e in cb.load_entities(seeds.entities) if e.entity_id == "growth"]
    assert growth.valid_from in days
    assert growth.valid_to is None


def test_default_files_are_the_project_seeds(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: snowledger\n")
    write_seeds(tmp_path / "seeds", ENTITIES, OWNERSHIP)
    result = run("entity", "validate", env={"SNOWLEDGER_PROJECT_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: 3 entities (3 versions), 5 ownership rules\n"


def test_a_retired_entity_can_be_registered_again(seeds: Seeds) -> None:
    result = run(
        "entity",
        "register",
        "marketing",
        "--team-name=Marketing",
        "--department-name=Marketing",
        "--cost-center=CC-4010",
        "--on=2027-01-01",
        *seeds.both,
    )
    assert result.exit_code == 0, result.output
    assert seeds.entities.read_text().endswith(
        ENTITY_LINE["marketing"] + "marketing,Marketing,Marketing,CC-4010,,,"
        "2027-01-01,\n"
    )


# Rejected commands: exit 2, one message, nothing written -------------------

REGISTER = ["entity", "register", "--team-name=T", "--department-name=D"]

REJECTED = {
    "duplicate-range": (
        [*REGISTER, "marketing", "--cost-center=CC-4010", "--on=2026-01-01"],
        "start on the same day: a duplicate",
    ),
    "overlapping-range": (
        [*REGISTER, "marketing", "--cost-center=CC-4010", "--on=2026-06-01"],
        "entity 'marketing' version from 2026-01-01 to 2026-11-04 (line 4) "
        "overlaps entity 'marketing' version from 2026-06-01 (open)",
    ),
    "already-registered": (
        [*REGISTER, "brand", "--cost-center=CC-4110", "--on=2026-12-01"],
        "Entity 'brand' is already registered",
    ),
    "unknown-parent": (
        [*REGISTER, "growth", "--cost-center=CC-2020", "--parent-entity-id=nope"],
        "parent entity 'nope' is not registered",
    ),
    "own-parent": (
        [*REGISTER, "growth", "--cost-center=CC-2020", "--parent-entity-id=growth"],
        "an entity cannot be its own parent",
    ),
    "bad-cost-centre": (
        [*REGISTER, "growth", "--cost-center=CC-20"],
        r"cost centre 'CC-20' does not match ^CC-\d{4}$",
    ),
    "cost-centre-pattern": (
        [
            *REGISTER,
            "growth",
            "--cost-center=CC-2020",
            r"--cost-center-pattern=^\d{6}$",
        ],
        # The pattern applies to every row, old ones included.
        r"cost centre 'CC-4110' does not match ^\d{6}$",
    ),
    "invalid-pattern": (
        [*REGISTER, "growth", "--cost-center=CC-2020", "--cost-center-pattern=(["],
        "is not a valid regular expression",
    ),
    "bad-email": (
        [*REGISTER, "growth", "--cost-center=CC-2020", "--owner-email=growth"],
        "owner_email 'growth' is not an email address",
    ),
    "bad-id": (
        [*REGISTER, "Growth Team", "--cost-center=CC-2020"],
        "entity 'Growth Team' version from 2026-12-01 (open): the entity_id is "
        "not a valid id",
    ),
    "move-unknown": (
        ["entity", "move", "growth", "--team-name=G"],
        "Entity 'growth' is not registered",
    ),
    "move-nothing": (
        ["entity", "move", "brand", "--team-name=Brand", "--on=2026-12-01"],
        "Nothing to change: entity 'brand' already has these values",
    ),
    "move-before-version": (
        ["entity", "move", "brand", "--team-name=B", "--on=2026-11-04"],
        "Cannot move entity 'brand' on 2026-11-04: its current version starts "
        "on 2026-11-04",
    ),
    "move-to-unknown-parent": (
        ["entity", "move", "brand", "--parent-entity-id=nope", "--on=2026-12-01"],
        "parent entity 'nope' is not registered",
    ),
    "retire-retired": (
        ["entity", "retire", "marketing", "--on=2026-12-01"],
        "Entity 'marketing' was retired on 2026-11-04",
    ),
    "unknown-entity-in-rule": (
        ["ownership", "assign", "warehouse", "WH_X", "--entity-id=nobody"],
        "ownership of warehouse WH_X in every account by 'nobody' from "
        "2026-12-01 (open): entity 'nobody' is not registered",
    ),
    "rule-before-entity-exists": (
        [
            "ownership",
            "assign",
            "warehouse",
            "WH_BRAND",
            "--entity-id=brand",
            "--on=2026-10-01",
        ],
        "entity 'brand' is not valid on 2026-10-01 (it is valid from 2026-11-04 "
        "(open))",
    ),
    "rule-after-entity-retired": (
        ["ownership", "assign", "warehouse", "WH_X", "--entity-id=marketing"],
        "entity 'marketing' is not valid on 2026-12-01",
    ),
    "overlapping-ownership": (
        [
            "ownership",
            "assign",
            "warehouse",
            "WH_LEGACY",
            "--account-name=ACME_EU",
            "--entity-id=data-platform",
            "--on=2026-03-01",
        ],
        "ownership of warehouse WH_LEGACY in account ACME_EU by 'marketing' "
        "from 2026-01-01 to 2026-06-01 (line 5) overlaps ownership of warehouse "
        "WH_LEGACY in account ACME_EU by 'data-platform' from 2026-03-01 (open)",
    ),
    "assign-before-open-rule": (
        [
            "ownership",
            "assign",
            "database",
            "MARKETING",
            "--account-name=ACME_US",
            "--entity-id=data-platform",
            "--on=2026-11-01",
        ],
        "Cannot assign database MARKETING in account ACME_US from 2026-11-01",
    ),
    "assign-same-owner": (
        [
            "ownership",
            "assign",
            "warehouse",
            "WH_PLATFORM",
            "--entity-id=data-platform",
        ],
        "Nothing to change: warehouse WH_PLATFORM in every account is owned by "
        "'data-platform'",
    ),
    "bad-schema-name": (
        ["ownership", "assign", "schema", "MARTS", "--entity-id=data-platform"],
        "a schema is named DATABASE.SCHEMA",
    ),
    "end-without-open-rule": (
        ["ownership", "end", "warehouse", "WH_LEGACY", "--account-name=ACME_EU"],
        "No open ownership rule for warehouse WH_LEGACY in account ACME_EU",
    ),
    "end-before-start": (
        ["ownership", "end", "warehouse", "WH_PLATFORM", "--on=2026-01-01"],
        "choose a day after 2026-01-01",
    ),
}


def assert_rejected(result: Result, expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_rejected_command_exits_2_and_writes_nothing(case: str, seeds: Seeds) -> None:
    args, expected = REJECTED[case]
    if "--on" not in " ".join(args):
        args = [*args, "--on=2026-12-01"]
    before = seeds.state()
    result = run(*args, *seeds.both)
    assert_rejected(result, expected)
    assert seeds.state() == before


MALFORMED = {
    "entity-header": (
        ENTITIES.replace("team_name,department_name", "department_name,team_name"),
        OWNERSHIP,
        "chargeback_entity_registry.csv, line 1: the header is "
        "`entity_id,department_name,team_name,",
    ),
    "ownership-header": (
        ENTITIES,
        OWNERSHIP.replace(",account_name", ""),
        "ownership_rules.csv, line 1: the header is",
    ),
    "empty-file": ("", OWNERSHIP, "the header is `(empty file)`"),
    "bad-date": (
        ENTITIES.replace("2026-11-04,\n", "2026-13-04,\n", 1),
        OWNERSHIP,
        "chargeback_entity_registry.csv, line 2, column valid_from: '2026-13-04' "
        "is not a date; write it as YYYY-MM-DD",
    ),
    "date-not-iso": (
        ENTITIES,
        OWNERSHIP.replace("2026-01-01,2026-06-01", "2026-01-01,06/01/2026"),
        "ownership_rules.csv, line 5, column valid_to: '06/01/2026' is not a date",
    ),
    "missing-required": (
        ENTITIES.replace("data-platform,Data Platform,", "data-platform,,"),
        OWNERSHIP,
        "chargeback_entity_registry.csv, line 3, column team_name: the value is "
        "missing",
    ),
    "missing-valid-from": (
        ENTITIES,
        OWNERSHIP.replace("data-platform,2026-01-01,\n", "data-platform,,\n", 1),
        "ownership_rules.csv, line 4, column valid_from: the value is missing",
    ),
    "too-few-values": (
        ENTITIES + "growth,Growth,Analytics,CC-2020,2026-01-01,\n",
        OWNERSHIP,
        "chargeback_entity_registry.csv, line 5: 6 values where the header has 8",
    ),
    "open-quote": (
        ENTITIES,
        OWNERSHIP + 'warehouse,"WH_X,,brand,2026-12-01,\n',
        "ownership_rules.csv, line 7: not valid CSV",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_is_reported_with_line_and_column(
    case: str, tmp_path: Path
) -> None:
    entities, ownership, expected = MALFORMED[case]
    seeds = write_seeds(tmp_path, entities, ownership)
    before = seeds.state()
    result = run(*REGISTER, "growth", "--cost-center=CC-2020", *seeds.both)
    assert_rejected(result, expected)
    assert seeds.state() == before
    with pytest.raises(SnowledgerError, match="line"):
        cb.load_entities(seeds.entities)
        cb.load_ownership(seeds.ownership)


def test_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    result = run("entity", "list", "--entities-file", str(tmp_path / "none.csv"))
    assert_rejected(result, "none.csv does not exist. Create it with the header")
    assert not list(tmp_path.iterdir())


HAND_EDIT_PROBLEMS = [
    (
        ENTITY_LINE["brand"],
        "brand,Brand,Marketing,CC-4110,brand-lead@acme.example,marketing,"
        "2026-11-04,2026-11-04\n",
        "entity 'brand' version from 2026-11-04 to 2026-11-04 (line 2): valid_to "
        "must be after valid_from",
    ),
    (
        OWNERSHIP_LINES[4],
        "warehouse,wh_platform,,data-platform,2026-01-01,\n",
        "write object_name in upper case, as Snowflake shows it: WH_PLATFORM",
    ),
    (
        OWNERSHIP_LINES[3],
        "warehouse,WH_LEGACY,acme_eu,marketing,2026-01-01,2026-06-01\n",
        "write account_name in upper case: ACME_EU",
    ),
    (
        OWNERSHIP_LINES[2],
        "view,ANALYTICS.MARTS,,data-platform,2026-01-01,\n",
        "object_type 'view' is not one of warehouse, user, role, database, schema",
    ),
    (
        OWNERSHIP_LINES[2],
        "schema,ANALYTICS.MARTS,,data-platform,2026-01-01,\n"
        "schema,ANALYTICS.MARTS,,brand,2026-12-01,\n",
        "ownership of schema ANALYTICS.MARTS in every account by 'data-platform' "
        "from 2026-01-01 (open, line 4) overlaps",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    HAND_EDIT_PROBLEMS,
    ids=["empty-range", "lower-name", "lower-account", "object-type", "two-open"],
)
def test_validate_finds_problems_edited_by_hand(
    old: str, new: str, expected: str, tmp_path: Path
) -> None:
    seeds = write_seeds(
        tmp_path, ENTITIES.replace(old, new), OWNERSHIP.replace(old, new)
    )
    before = seeds.state()
    assert_rejected(run("entity", "validate", *seeds.both), expected)
    # Any edit is refused while the files hold a problem, even a valid one.
    result = run(*REGISTER, "growth", "--cost-center=CC-2020", *seeds.both)
    assert_rejected(result, expected)
    assert "Nothing was written." in result.stderr
    assert seeds.state() == before


def test_validate_lists_every_problem_at_once() -> None:
    entities = [
        cb.EntityVersion("Bad Id", "T", "D", "CC-1000", None, None, DAY),
        cb.EntityVersion("a", "T", "D", "X-1", "nope", "ghost", DAY),
        cb.EntityVersion("a", "T", "D", "CC-1000", None, None, DAY),
    ]
    rules = [
        cb.OwnershipRule("warehouse", "WH", None, "nobody", DAY),
        cb.OwnershipRule("warehouse", "WH", None, "a", DAY - dt.timedelta(days=1)),
    ]
    with pytest.raises(SnowledgerError) as error:
        cb.validate(entities, rules)
    message = str(error.value)
    expected = [
        "the entity_id is not a valid id",
        "cost centre 'X-1' does not match",
        "owner_email 'nope' is not an email address",
        "parent entity 'ghost' is not registered",
        "start on the same day: a duplicate",
        "entity 'nobody' is not registered",
        "entity 'a' is not valid on 2026-11-30",
        "overlaps",
    ]
    for fragment in expected:
        assert fragment in message
    assert message.startswith("8 problems in the chargeback entities")
    assert message.count("\n  - ") == 8


def test_the_project_seeds_are_valid() -> None:
    from snowledger.project import project_dir

    seeds = project_dir() / "seeds"
    entities_file = seeds / "chargeback_entity_registry.csv"
    ownership_file = seeds / "ownership_rules.csv"
    if not (entities_file.exists() and ownership_file.exists()):
        pytest.skip("the project has no chargeback seeds yet")
    entities = cb.load_entities(entities_file)
    rules = cb.load_ownership(ownership_file)
    cb.validate(entities, rules)


# The library itself ----------------------------------------------------------


def test_operations_return_new_lists_and_leave_their_inputs_alone(
    seeds: Seeds,
) -> None:
    entities = cb.load_entities(seeds.entities)
    rules = cb.load_ownership(seeds.ownership)
    entities_copy, rules_copy = list(entities), list(rules)
    results = [
        cb.register_entity(
            entities,
            "growth",
            team_name="G",
            department_name="D",
            cost_center="CC-2020",
            on=DAY,
        ),
        cb.move_entity(entities, "brand", on=DAY, team_name="Brand & Co"),
        *cb.retire_entity(entities, rules, "data-platform", on=DAY),
        cb.assign_ownership(rules, "warehouse", "WH_PLATFORM", "brand", on=DAY),
        cb.end_ownership(rules, "warehouse", "WH_PLATFORM", on=DAY),
    ]
    assert entities == entities_copy
    assert rules == rules_copy
    for result in results:
        assert result is not entities and result is not rules
        assert result != entities and result != rules


def test_assign_on_the_open_rules_first_day_replaces_it(seeds: Seeds) -> None:
    rules = cb.load_ownership(seeds.ownership)
    new = cb.assign_ownership(
        rules,
        "database",
        "MARKETING",
        "data-platform",
        on=dt.date(2026, 11, 4),
        account_name="ACME_US",
    )
    assert cb.render_ownership(new) == OWNERSHIP.replace(
        "ACME_US,brand,2026-11-04,", "ACME_US,data-platform,2026-11-04,"
    )


def test_save_sorts_writes_lf_and_keeps_the_file_mode(tmp_path: Path) -> None:
    shuffled = ENTITY_HEADER + "".join(reversed(ENTITY_LINES))
    path = tmp_path / "entities.csv"
    path.write_bytes(shuffled.replace("\n", "\r\n").encode())
    path.chmod(0o664)
    entities = cb.load_entities(path)
    assert [e.line for e in entities] == [2, 3, 4]
    cb.save_entities(path, entities)
    assert path.read_bytes() == ENTITIES.encode()
    assert path.stat().st_mode & 0o777 == 0o664
    assert [p.name for p in tmp_path.iterdir()] == ["entities.csv"]

    rules_path = tmp_path / "rules.csv"
    rules = cb.load_ownership(
        write_seeds(tmp_path / "s", ENTITIES, OWNERSHIP).ownership
    )
    cb.save_ownership(rules_path, reversed(rules))
    assert rules_path.read_bytes() == OWNERSHIP.encode()


def test_values_with_commas_and_quotes_survive_a_round_trip(tmp_path: Path) -> None:
    entities = cb.register_entity(
        [],
        "fpa",
        team_name='FP&A, "planning"',
        department_name="Finance",
        cost_center="CC-3010",
        on=DAY,
    )
    path = tmp_path / "entities.csv"
    cb.save_entities(path, entities)
    assert path.read_text().splitlines()[1] == (
        'fpa,"FP&A, ""planning""",Finance,CC-3010,,,2026-12-01,'
    )
    assert cb.load_entities(path) == entities


# Listing and help ------------------------------------------------------------


def test_entity_list_prints_an_aligned_table(seeds: Seeds) -> None:
    result = run("entity", "list", *seeds.options)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "entity_id      team_name      department_name  cost_center  owner_email"
        "              parent_entity_id  valid_from  valid_to",
        "-------------  -------------  ---------------  -----------  -----------"
        "------------  ----------------  ----------  ----------",
        "brand          Brand          Marketing        CC-4110      brand-lead@"
        "acme.example  marketing         2026-11-04",
        "data-platform  Data Platform  Engineering      CC-1010      dp-lead@acme"
        ".example" + " " * 23 + "2026-01-01",
        "marketing      Marketing      Marketing        CC-4010"
        + " " * 49
        + "2026-01-01  2026-11-04",
    ]
    current = run("entity", "list", "--on", "2026-12-01", *seeds.options)
    names = [line.split()[0] for line in current.stdout.splitlines()[2:]]
    assert names == ["brand", "data-platform"]


def test_ownership_list_filters_by_day_and_entity(seeds: Seeds) -> None:
    result = run(
        "ownership",
        "list",
        "--on",
        "2026-03-01",
        "--entity-id",
        "marketing",
        "--ownership-file",
        str(seeds.ownership),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "object_type  object_name  account_name  entity_id  valid_from  valid_to\n"
        "-----------  -----------  ------------  ---------  ----------  ----------\n"
        "database     MARKETING    ACME_US       marketing  2026-01-01  2026-11-04\n"
        "warehouse    WH_LEGACY    ACME_EU       marketing  2026-01-01  2026-06-01\n"
    )


NEW_COMMANDS = {
    ("entity",): "Register, move, retire and list",
    ("entity", "register"): "--cost-center-pattern",
    ("entity", "move"): "--parent-entity-id",
    ("entity", "retire"): "--ownership-file",
    ("entity", "list"): "--entities-file",
    ("entity", "validate"): "--cost-center-pattern",
    ("ownership",): "Assign, end and list",
    ("ownership", "assign"): "--account-name",
    ("ownership", "end"): "--on",
    ("ownership", "list"): "--entity-id",
}


@pytest.mark.parametrize("command", sorted(NEW_COMMANDS), ids=" ".join)
def test_help_of_each_new_command(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: main {' '.join(command)}")
    assert NEW_COMMANDS[command] in result.stdout
