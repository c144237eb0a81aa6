"""The chargeback seeds: who the entities are and who owns what, with effective
dates, read, checked, changed and written back.

Two CSV files hold them: the entity registry (one row per entity and version)
and the ownership rules (one row per object, account and period). Every date
is a UTC day in ISO form (YYYY-MM-DD); `valid_from` is the first day a row
applies and `valid_to` the first day it no longer does (exclusive), empty
while the row is current. An operation's `on` day is therefore both the
`valid_to` of what it closes and the `valid_from` of what it opens.

Operations return new lists and never change their inputs; `validate` checks a
whole result, and `edit_seeds` writes nothing unless that result is valid.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
import os
import re
import stat
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from snowledger.errors import SnowledgerError

log = logging.getLogger(__name__)

ENTITY_COLUMNS = (
    "entity_id",
    "team_name",
    "department_name",
    "cost_center",
    "owner_email",
    "parent_entity_id",
    "valid_from",
    "valid_to",
)
OWNERSHIP_COLUMNS = (
    "object_type",
    "object_name",
    "account_name",
    "entity_id",
    "valid_from",
    "valid_to",
)
OBJECT_TYPES = ("warehouse", "user", "role", "database", "schema")
DEFAULT_COST_CENTER_PATTERN = r"^CC-\d{4}$"
ENTITY_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
EMAIL_PATTERN = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_ENTITY_REQUIRED = ("entity_id", "team_name", "department_name", "valid_from")
_OWNERSHIP_REQUIRED = ("object_type", "object_name", "entity_id", "valid_from")


@dataclass(frozen=True)
class EntityVersion:
    """One version of a chargeback entity: a row of the entity registry."""

    entity_id: str
    team_name: str
    department_name: str
    cost_center: str
    owner_email: str | None
    parent_entity_id: str | None
    valid_from: dt.date
    valid_to: dt.date | None = None
    # Line in the file it was read from; None for a row an operation made.
    line: int | None = field(default=None, compare=False, repr=False)

    def is_valid_on(self, day: dt.date) -> bool:
        """Whether this version applies on `day`."""
        return _covers(self.valid_from, self.valid_to, day)

    def describe(self) -> str:
        """How messages name this row."""
        span = _range_text(self.valid_from, self.valid_to, self.line)
        return f"entity '{self.entity_id}' version {span}"


@dataclass(frozen=True)
class OwnershipRule:
    """One ownership rule: `entity_id` owns an object over a period."""

    object_type: str
    object_name: str
    account_name: str | None
    entity_id: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    line: int | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str, str]:
        """The object the rule is about; an empty account means every account."""
        return (self.object_type, self.object_name, self.account_name or "")

    def is_valid_on(self, day: dt.date) -> bool:
        """Whether this rule applies on `day`."""
        return _covers(self.valid_from, self.valid_to, day)

    def describe(self) -> str:
        """How messages name this row."""
        span = _range_text(self.valid_from, self.valid_to, self.line)
        return f"ownership of {_object_text(*self.key)} by '{self.entity_id}' {span}"


def _covers(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or day < end)


def _range_text(start: dt.date, end: dt.date | None, line: int | None = None) -> str:
    notes = [] if end is not None else ["open"]
    if line is not None:
        notes.append(f"line {line}")
    span = f"from {start}" + (f" to {end}" if end is not None else "")
    return span + (f" ({', '.join(notes)})" if notes else "")


def _object_text(object_type: str, object_name: str, account_name: str) -> str:
    account = f"in account {account_name}" if account_name else "in every account"
    return f"{object_type} {object_name} {account}"


def _overlap(
    a_from: dt.date, a_to: dt.date | None, b_from: dt.date, b_to: dt.date | None
) -> bool:
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)


# Reading -------------------------------------------------------------------


def _read_rows(path: Path, columns: Sequence[str]) -> list[tuple[int, dict]]:
    """(line number, row) for every non-blank record, after checking the header."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SnowledgerError(
            f"{path} does not exist. Create it with the header line "
            f"`{','.join(columns)}`, or point to it with the file option."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SnowledgerError(f"Cannot read {path}: {error}") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    expected = ",".join(columns)
    rows = []
    try:
        header = next(reader, None)
        if header is None or [name.strip() for name in header] != list(columns):
            found = ",".join(header) if header else "(empty file)"
            raise SnowledgerError(
                f"{path}, line 1: the header is `{found}`; it must be "
                f"`{expected}` (these columns, in this order)."
            )
        for record in reader:
            if not any(value.strip() for value in record):
                continue
            if len(record) != len(columns):
                raise SnowledgerError(
                    f"{path}, line {reader.line_num}: {len(record)} values where "
                    f"the header has {len(columns)} ({expected}); check for a "
                    "missing or extra comma, and quote values that hold one."
                )
            values = {
                name: value.strip() for name, value in zip(columns, record, strict=True)
            }
            rows.append((reader.line_num, values))
    except csv.Error as error:
        raise SnowledgerError(
            f"{path}, line {reader.line_num}: not valid CSV ({error}); check the "
            "quotes on that line."
        ) from None
    return rows


def _required(path: Path, line: int, row: dict, names: Iterable[str]) -> None:
    for name in names:
        if not row[name]:
            raise SnowledgerError(
                f"{path}, line {line}, column {name}: the value is missing; "
                f"every row needs a {name}."
            )


def _date(path: Path, line: int, column: str, value: str) -> dt.date | None:
    if not value:
        return None
    try:
        if not _DATE_PATTERN.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SnowledgerError(
            f"{path}, line {line}, column {column}: '{value}' is not a date; "
            "write it as YYYY-MM-DD, e.g. 2026-11-04."
        ) from None


def load_entities(path: Path) -> list[EntityVersion]:
    """Read the entity registry, in file order."""
    entities = []
    for line, row in _read_rows(path, ENTITY_COLUMNS):
        _required(path, line, row, _ENTITY_REQUIRED)
        valid_from = _date(path, line, "valid_from", row["valid_from"])
        assert valid_from is not None
        entities.append(
            EntityVersion(
                entity_id=row["entity_id"],
                team_name=row["team_name"],
                department_name=row["department_name"],
                cost_center=row["cost_center"],
                owner_email=row["owner_email"] or None,
                parent_entity_id=row["parent_entity_id"] or None,
                valid_from=valid_from,
                valid_to=_date(path, line, "valid_to", row["valid_to"]),
                line=line,
            )
        )
    log.debug("read %d entity versions from %s", len(entities), path)
    return entities


def load_ownership(path: Path) -> list[OwnershipRule]:
    """Read the ownership rules, in file order."""
    rules = []
    for line, row in _read_rows(path, OWNERSHIP_COLUMNS):
        _required(path, line, row, _OWNERSHIP_REQUIRED)
        valid_from = _date(path, line, "valid_from", row["valid_from"])
        assert valid_from is not None
        rules.append(
            OwnershipRule(
                object_type=row["object_type"],
                object_name=row["object_name"],
                account_name=row["account_name"] or None,
                entity_id=row["entity_id"],
                valid_from=valid_from,
                valid_to=_date(path, line, "valid_to", row["valid_to"]),
                line=line,
            )
        )
    log.debug("read %d ownership rules from %s", len(rules), path)
    return rules


# Validating ----------------------------------------------------------------


def compile_cost_center_pattern(pattern: str) -> re.Pattern[str]:
    """The cost centre pattern, or a SnowledgerError saying it is not a regex."""
    try:
        return re.compile(pattern)
    except re.error as error:
        raise SnowledgerError(
            f"The cost centre pattern '{pattern}' is not a valid regular "
            f"expression ({error}); the default is {DEFAULT_COST_CENTER_PATTERN}."
        ) from None


def _entity_problems(
    entities: Sequence[EntityVersion], cost_center: re.Pattern[str]
) -> list[str]:
    problems = []
    known = {entity.entity_id for entity in entities}
    for entity in entities:
        name = entity.describe()
        if not ENTITY_ID_PATTERN.match(entity.entity_id):
            problems.append(
                f"{name}: the entity_id is not a valid id; use lower-case "
                "letters, digits, '-' and '_', starting with a letter or digit "
                "(e.g. data-platform)."
            )
        for column in ("team_name", "department_name"):
            if not getattr(entity, column).strip():
                problems.append(f"{name}: {column} is empty; give it a name.")
        if not cost_center.fullmatch(entity.cost_center):
            problems.append(
                f"{name}: cost centre '{entity.cost_center}' does not match "
                f"{cost_center.pattern}; correct it, or set the cost centre "
                "pattern if yours look different."
            )
        if entity.owner_email is not None and not EMAIL_PATTERN.match(
            entity.owner_email
        ):
            problems.append(
                f"{name}: owner_email '{entity.owner_email}' is not an email "
                "address; give one like team-lead@example.com, or leave it empty."
            )
        parent = entity.parent_entity_id
        if parent is not None and parent == entity.entity_id:
            problems.append(f"{name}: an entity cannot be its own parent.")
        elif parent is not None and parent not in known:
            problems.append(
                f"{name}: parent entity '{parent}' is not registered; register "
                "it first or correct the parent_entity_id."
            )
        if entity.valid_to is not None and entity.valid_to <= entity.valid_from:
            problems.append(
                f"{name}: valid_to must be after valid_from (valid_to is the "
                "first day the version no longer applies)."
            )
    by_id: dict[str, list[EntityVersion]] = defaultdict(list)
    for entity in entities:
        if entity.valid_to is None or entity.valid_from < entity.valid_to:
            by_id[entity.entity_id].append(entity)
    for versions in by_id.values():
        problems += _overlap_problems(versions)
    return problems


def _overlap_problems(rows: Sequence[EntityVersion | OwnershipRule]) -> list[str]:
    problems = []
    ordered = sorted(rows, key=lambda row: row.valid_from)
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if first.valid_from == second.valid_from:
                problems.append(
                    f"{first.describe()} and {second.describe()} start on the "
                    "same day: a duplicate; keep one of them."
                )
            elif _overlap(
                first.valid_from, first.valid_to, second.valid_from, second.valid_to
            ):
                problems.append(
                    f"{first.describe()} overlaps {second.describe()}; close the "
                    f"first with valid_to {second.valid_from} at the latest."
                )
    return problems


def _rule_problems(
    rules: Sequence[OwnershipRule], entities: Sequence[EntityVersion]
) -> list[str]:
    problems = []
    versions: dict[str, list[EntityVersion]] = defaultdict(list)
    for entity in entities:
        versions[entity.entity_id].append(entity)
    for rule in rules:
        name = rule.describe()
        if rule.object_type not in OBJECT_TYPES:
            problems.append(
                f"{name}: object_type '{rule.object_type}' is not one of "
                f"{', '.join(OBJECT_TYPES)} (lower case)."
            )
        if rule.object_name != rule.object_name.upper():
            problems.append(
                f"{name}: write object_name in upper case, as Snowflake shows "
                f"it: {rule.object_name.upper()}."
            )
        if rule.object_type == "schema" and not re.fullmatch(
            r"[^.\s]+\.[^.\s]+", rule.object_name
        ):
            problems.append(
                f"{name}: a schema is named DATABASE.SCHEMA, e.g. ANALYTICS.MARTS."
            )
        if rule.account_name is not None and rule.account_name != (
            rule.account_name.upper()
        ):
            problems.append(
                f"{name}: write account_name in upper case: "
                f"{rule.account_name.upper()}."
            )
        if rule.valid_to is not None and rule.valid_to <= rule.valid_from:
            problems.append(
                f"{name}: valid_to must be after valid_from (valid_to is the "
                "first day the rule no longer applies)."
            )
        if rule.entity_id not in versions:
            problems.append(
                f"{name}: entity '{rule.entity_id}' is not registered; register it "
                "first or correct the entity_id."
            )
        elif not any(v.is_valid_on(rule.valid_from) for v in versions[rule.entity_id]):
            spans = ", ".join(
                _range_text(v.valid_from, v.valid_to)
                for v in sorted(versions[rule.entity_id], key=lambda v: v.valid_from)
            )
            problems.append(
                f"{name}: entity '{rule.entity_id}' is not valid on "
                f"{rule.valid_from} (it is valid {spans}); start the rule on a "
                "day the entity is valid."
            )
    by_key: dict[tuple[str, str, str], list[OwnershipRule]] = defaultdict(list)
    for rule in rules:
        if rule.valid_to is None or rule.valid_from < rule.valid_to:
            by_key[rule.key].append(rule)
    for same_object in by_key.values():
        problems += _overlap_problems(same_object)
    return problems


def validate(
    entities: Sequence[EntityVersion],
    rules: Sequence[OwnershipRule],
    cost_center_pattern: str = DEFAULT_COST_CENTER_PATTERN,
) -> None:
    """Raise one SnowledgerError listing every problem, or return if there is
    none."""
    pattern = compile_cost_center_pattern(cost_center_pattern)
    problems = _entity_problems(entities, pattern) + _rule_problems(rules, entities)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise SnowledgerError(
            f"{count} in the chargeback entities and ownership rules:\n{listed}"
        )


# Operations ----------------------------------------------------------------


def _open_version(
    entities: Sequence[EntityVersion], entity_id: str
) -> EntityVersion | None:
    versions = [e for e in entities if e.entity_id == entity_id]
    if not versions:
        raise SnowledgerError(
            f"Entity '{entity_id}' is not registered; register it first "
            "(see `snowledger entity list` for the registered ids)."
        )
    current = [e for e in versions if e.valid_to is None]
    return max(current, key=lambda e: e.valid_from) if current else None


def _require_open_version(
    entities: Sequence[EntityVersion], entity_id: str, on: dt.date, what: str
) -> EntityVersion:
    current = _open_version(entities, entity_id)
    if current is None:
        last = max(e.valid_to for e in entities if e.entity_id == entity_id)
        raise SnowledgerError(
            f"Entity '{entity_id}' was retired on {last}: it has no current "
            f"version to {what}. Register it again first if it is back."
        )
    if on <= current.valid_from:
        raise SnowledgerError(
            f"Cannot {what} entity '{entity_id}' on {on}: its current version "
            f"starts on {current.valid_from}. Choose a later day, or correct "
            "the version in the file itself."
        )
    return current


def _replace_row(rows: Sequence, old: object, *new: object) -> list:
    """`rows` with the row `old` (by identity) replaced by `new`."""
    result = []
    for row in rows:
        if row is old:
            result.extend(new)
        else:
            result.append(row)
    return result


def register_entity(
    entities: Sequence[EntityVersion],
    entity_id: str,
    *,
    team_name: str,
    department_name: str,
    cost_center: str,
    on: dt.date,
    owner_email: str | None = None,
    parent_entity_id: str | None = None,
) -> list[EntityVersion]:
    """Add an entity valid from `on`; an id retired earlier may come back."""
    if any(e.entity_id == entity_id for e in entities):
        current = _open_version(entities, entity_id)
        if current is not None:
            raise SnowledgerError(
                f"Entity '{entity_id}' is already registered (current version "
                f"from {current.valid_from}); use `snowledger entity move` to "
                "change its team, department or cost centre."
            )
    version = EntityVersion(
        entity_id=entity_id,
        team_name=team_name,
        department_name=department_name,
        cost_center=cost_center,
        owner_email=owner_email or None,
        parent_entity_id=parent_entity_id or None,
        valid_from=on,
    )
    log.debug("registering %s", version)
    return [*entities, version]


def retire_entity(
    entities: Sequence[EntityVersion],
    rules: Sequence[OwnershipRule],
    entity_id: str,
    *,
    on: dt.date,
) -> tuple[list[EntityVersion], list[OwnershipRule]]:
    """Close the entity's current version on `on`, and every open ownership
    rule pointing at it; return both new lists."""
    current = _require_open_version(entities, entity_id, on, "retire")
    new_rules = list(rules)
    for rule in rules:
        if rule.entity_id != entity_id or rule.valid_to is not None:
            continue
        if rule.valid_from >= on:
            raise SnowledgerError(
                f"Cannot retire entity '{entity_id}' on {on}: "
                f"{rule.describe()} starts that day or later. End or reassign "
                "that ownership first."
            )
        new_rules = _replace_row(
            new_rules, rule, dataclasses.replace(rule, valid_to=on)
        )
    closed = dataclasses.replace(current, valid_to=on)
    return _replace_row(entities, current, closed), new_rules


def move_entity(
    entities: Sequence[EntityVersion],
    entity_id: str,
    *,
    on: dt.date,
    department_name: str | None = None,
    cost_center: str | None = None,
    team_name: str | None = None,
    parent_entity_id: str | None = None,
    owner_email: str | None = None,
) -> list[EntityVersion]:
    """Close the entity's current version on `on` and open one from `on` with
    the changes. None keeps a field; "" clears the optional parent and email."""
    current = _require_open_version(entities, entity_id, on, "move")
    changes: dict[str, str | None] = {
        "department_name": department_name,
        "cost_center": cost_center,
        "team_name": team_name,
    }
    changes = {name: value for name, value in changes.items() if value is not None}
    if parent_entity_id is not None:
        changes["parent_entity_id"] = parent_entity_id or None
    if owner_email is not None:
        changes["owner_email"] = owner_email or None
    successor = dataclasses.replace(
        current, valid_from=on, valid_to=None, line=None, **changes
    )
    if dataclasses.replace(successor, valid_from=current.valid_from) == current:
        raise SnowledgerError(
            f"Nothing to change: entity '{entity_id}' already has these values. "
            "Give at least one new team, department, cost centre, parent or "
            "owner email."
        )
    closed = dataclasses.replace(current, valid_to=on)
    return _replace_row(entities, current, closed, successor)


def _open_rule(
    rules: Sequence[OwnershipRule], key: tuple[str, str, str]
) -> OwnershipRule | None:
    current = [r for r in rules if r.key == key and r.valid_to is None]
    return max(current, key=lambda r: r.valid_from) if current else None


def _object_key(
    object_type: str, object_name: str, account_name: str | None
) -> tuple[str, str, str]:
    """The rule key with the spelling the file uses (lower type, upper names)."""
    return (
        object_type.strip().lower(),
        object_name.strip().upper(),
        (account_name or "").strip().upper(),
    )


def assign_ownership(
    rules: Sequence[OwnershipRule],
    object_type: str,
    object_name: str,
    entity_id: str,
    *,
    on: dt.date,
    account_name: str | None = None,
) -> list[OwnershipRule]:
    """Make `entity_id` own the object from `on`, closing its open rule then.

    An open rule that starts on `on` itself is replaced rather than closed
    (it would cover no day)."""
    key = _object_key(object_type, object_name, account_name)
    current = _open_rule(rules, key)
    rule = OwnershipRule(
        object_type=key[0],
        object_name=key[1],
        account_name=key[2] or None,
        entity_id=entity_id,
        valid_from=on,
    )
    if current is None:
        return [*rules, rule]
    if current.entity_id == entity_id:
        raise SnowledgerError(
            f"Nothing to change: {_object_text(*key)} is owned by "
            f"'{entity_id}' since {current.valid_from}."
        )
    if on < current.valid_from:
        raise SnowledgerError(
            f"Cannot assign {_object_text(*key)} from {on}: its current rule "
            f"({current.describe()}) starts later. Assign from "
            f"{current.valid_from} or later, or correct the file itself."
        )
    if on == current.valid_from:
        return _replace_row(rules, current, rule)
    return _replace_row(rules, current, dataclasses.replace(current, valid_to=on), rule)


def end_ownership(
    rules: Sequence[OwnershipRule],
    object_type: str,
    object_name: str,
    *,
    on: dt.date,
    account_name: str | None = None,
) -> list[OwnershipRule]:
    """Close the object's open rule on `on`: from then on no rule owns it."""
    key = _object_key(object_type, object_name, account_name)
    current = _open_rule(rules, key)
    if current is None:
        raise SnowledgerError(
            f"No open ownership rule for {_object_text(*key)}; see "
            "`snowledger ownership list` for the rules (the account must match "
            "exactly, empty for every account)."
        )
    if on <= current.valid_from:
        raise SnowledgerError(
            f"Cannot end {current.describe()} on {on}: choose a day after "
            f"{current.valid_from}."
        )
    return _replace_row(rules, current, dataclasses.replace(current, valid_to=on))


# Writing -------------------------------------------------------------------


def _csv_text(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render_entities(entities: Iterable[EntityVersion]) -> str:
    """The registry as CSV text, sorted by entity_id and valid_from."""
    ordered = sorted(entities, key=lambda e: (e.entity_id, e.valid_from))
    rows = [[_text(getattr(e, c)) for c in ENTITY_COLUMNS] for e in ordered]
    return _csv_text(ENTITY_COLUMNS, rows)


def render_ownership(rules: Iterable[OwnershipRule]) -> str:
    """The ownership rules as CSV text, sorted by object, account and
    valid_from."""
    ordered = sorted(rules, key=lambda r: (*r.key, r.valid_from))
    rows = [[_text(getattr(r, c)) for c in OWNERSHIP_COLUMNS] for r in ordered]
    return _csv_text(OWNERSHIP_COLUMNS, rows)


def write_atomically(files: dict[Path, str]) -> None:
    """Write each file's text through a temporary file in the same directory,
    then os.replace: a reader sees the old file or the new one, never half.

    Every temporary file is written before any file is replaced."""
    staged: list[tuple[Path, str]] = []
    try:
        for path, text in files.items():
            descriptor, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            staged.append((path, temporary))
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                mode = stat.S_IMODE(path.stat().st_mode)
            except FileNotFoundError:
                mode = 0o644
            os.chmod(temporary, mode)
        for path, temporary in staged:
            os.replace(temporary, path)
            log.info("wrote %s", path)
    except OSError as error:
        raise SnowledgerError(f"Cannot write {error.filename}: {error}") from None
    finally:
        for _, temporary in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)


def save_entities(path: Path, entities: Iterable[EntityVersion]) -> None:
    """Write the registry to `path`, sorted, atomically."""
    write_atomically({path: render_entities(entities)})


def save_ownership(path: Path, rules: Iterable[OwnershipRule]) -> None:
    """Write the ownership rules to `path`, sorted, atomically."""
    write_atomically({path: render_ownership(rules)})


Change = Callable[
    [list[EntityVersion], list[OwnershipRule]],
    tuple[list[EntityVersion], list[OwnershipRule]],
]


def edit_seeds(
    entities_path: Path,
    ownership_path: Path,
    change: Change,
    *,
    cost_center_pattern: str = DEFAULT_COST_CENTER_PATTERN,
) -> tuple[list[EntityVersion], list[OwnershipRule]]:
    """Load both files, apply `change`, validate the whole result, then write
    the files whose text changed. On any error nothing is written."""
    compile_cost_center_pattern(cost_center_pattern)
    entities = load_entities(entities_path)
    rules = load_ownership(ownership_path)
    new_entities, new_rules = change(entities, rules)
    validate(new_entities, new_rules, cost_center_pattern)
    texts = {
        entities_path: render_entities(new_entities),
        ownership_path: render_ownership(new_rules),
    }
    changed = {
        path: text
        for path, text in texts.items()
        if path.read_bytes() != text.encode("utf-8")
    }
    write_atomically(changed)
    return new_entities, new_rules


def format_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain table: columns aligned with two spaces, a dashed rule under the
    header, no trailing spaces."""
    cells = [list(header), *([_text(value) for value in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def entity_rows(
    entities: Iterable[EntityVersion], on: dt.date | None = None
) -> list[list[object]]:
    """Rows for `format_table` with ENTITY_COLUMNS, sorted; only those valid
    on `on` when given."""
    ordered = sorted(entities, key=lambda e: (e.entity_id, e.valid_from))
    return [
        [getattr(e, c) for c in ENTITY_COLUMNS]
        for e in ordered
        if on is None or e.is_valid_on(on)
    ]


def ownership_rows(
    rules: Iterable[OwnershipRule],
    on: dt.date | None = None,
    entity_id: str | None = None,
) -> list[list[object]]:
    """Rows for `format_table` with OWNERSHIP_COLUMNS, sorted; filtered to the
    rules valid on `on` and of `entity_id` when given."""
    ordered = sorted(rules, key=lambda r: (*r.key, r.valid_from))
    return [
        [getattr(r, c) for c in OWNERSHIP_COLUMNS]
        for r in ordered
        if (on is None or r.is_valid_on(on))
        and (entity_id is None or r.entity_id == entity_id)
    ]
