"""Shared costs allocated by the shared-cost policies, in both readings.

Every `is_shared` line of int_chargeback_lines is replaced by its shares, as
shared_cost_policies says for its cost_kind: to the owner of the resource, to
the central entity, or to the entities of the same day and account in
proportion to their attributed cost. The as-of and the restated readings are
allocated independently, each by its own entities.

Money stays exact: amounts are whole nano-units (Python integers) shared by
largest remainder, so that the shares of a line add up to it in each reading.
Self-contained (pandas only, no `from __future__`: the Snowflake procedure may
put code before it) so that it runs unchanged as a Snowpark model.
"""

import pandas as pd

UNALLOCATED = "UNALLOCATED"
POLICIES = ("owner", "proportional", "central")
# Engines hand a nullable BIGINT to pandas as float64; every integer below
# 2**53 survives that exactly, a larger one may have been rounded.
FLOAT_EXACT_LIMIT = 2**53

LINE_COLUMNS = [
    "usage_date",
    "account_name",
    "region",
    "service",
    "cost_type",
    "cost_kind",
]
READING_COLUMNS = [
    "entity_id",
    "attribution_rule",
    "restated_entity_id",
    "restated_attribution_rule",
]
GRAIN = [*LINE_COLUMNS, *READING_COLUMNS, "currency"]
MONEY_COLUMNS = ["credits_nano", "cost_nano"]
OUTPUT_COLUMNS = [*GRAIN, *MONEY_COLUMNS]
INPUT_COLUMNS = [*OUTPUT_COLUMNS, "is_shared", "owner_entity_id"]

Shares = list[tuple[str, int]]


def to_pandas(relation) -> pd.DataFrame:
    """A dbt input as pandas with lower-case column names, on any engine."""
    if hasattr(relation, "to_pandas"):  # Snowpark DataFrame (Snowflake)
        frame = relation.to_pandas()
    elif hasattr(relation, "df"):  # DuckDB relation (dbt-duckdb)
        frame = relation.df()
    else:  # already pandas (unit tests)
        frame = relation.copy()
    frame.columns = [str(column).lower() for column in frame.columns]
    return frame


def text(value) -> str | None:
    """A text value, or None for NULL and the empty string."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value) or None


def whole_nanos(value, column: str) -> int | None:
    """A nano-unit amount as a Python integer, refusing any inexact value."""
    if value is None or pd.isna(value):
        return None
    whole = int(value)
    if whole != value:
        raise ValueError(
            f"int_chargeback_lines.{column} holds {value!r}, which is not a "
            "whole number of nano-units"
        )
    if isinstance(value, float) and abs(whole) >= FLOAT_EXACT_LIMIT:
        raise ValueError(
            f"int_chargeback_lines.{column} holds {value!r}: a BIGINT that "
            "crossed into pandas as a float beyond 2**53 may have been "
            "rounded, so the allocation could not be exact"
        )
    return whole


def chargeback_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The lines with UTC dates as dates and money as Python integers."""
    missing = sorted(set(INPUT_COLUMNS) - set(frame.columns))
    if missing:
        raise ValueError("int_chargeback_lines lacks the columns " + ", ".join(missing))
    lines = frame[INPUT_COLUMNS].copy()
    lines["usage_date"] = pd.to_datetime(lines["usage_date"]).dt.date
    lines["is_shared"] = lines["is_shared"].astype("boolean").fillna(False)
    for column in MONEY_COLUMNS:
        lines[column] = pd.Series(
            [whole_nanos(value, column) for value in lines[column].tolist()],
            index=lines.index,
            dtype=object,
        )
    if lines["cost_nano"].isna().any():
        raise ValueError("int_chargeback_lines.cost_nano is NULL on some lines")
    return lines


def policy_table(policies: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """cost_kind -> (policy, central entity), refusing unknown policies."""
    table = {}
    for row in policies.itertuples(index=False):
        kind, policy = text(row.cost_kind), text(row.policy)
        if policy not in POLICIES:
            raise ValueError(
                f"shared_cost_policies: cost_kind {kind!r} has policy "
                f"{policy!r}; use one of {', '.join(POLICIES)}"
            )
        table[kind] = (policy, text(row.central_entity_id) or UNALLOCATED)
    return table


def entity_weights(direct: pd.DataFrame, entity_column: str) -> dict[tuple, Shares]:
    """(day, account) -> [(entity, attributed cost)], positive costs only,
    by entity id: who a proportional share goes to in one reading."""
    totals: dict[tuple, int] = {}
    for day, account, entity, cost in direct[
        ["usage_date", "account_name", entity_column, "cost_nano"]
    ].itertuples(index=False):
        entity = text(entity)
        # UNALLOCATED is no entity: shared costs must not inflate it.
        if entity is not None and entity != UNALLOCATED:
            key = (day, account, entity)
            totals[key] = totals.get(key, 0) + cost
    weights: dict[tuple, Shares] = {}
    for (day, account, entity), cost in sorted(totals.items()):
        if cost > 0:
            weights.setdefault((day, account), []).append((entity, cost))
    return weights


def largest_remainder(amount: int, receivers: Shares) -> Shares:
    """`amount` shared by the receivers' weights in whole units, adding up
    exactly; leftover units go to the largest remainders, ties to the
    earlier receiver (receivers come sorted by entity id)."""
    total = sum(weight for _, weight in receivers)
    sign = -1 if amount < 0 else 1
    # Python integers: amount x weight can pass the range of int64.
    parts = [divmod(abs(amount) * weight, total) for _, weight in receivers]
    shares = [quotient for quotient, _ in parts]
    leftover = abs(amount) - sum(shares)
    order = sorted(range(len(parts)), key=lambda index: (-parts[index][1], index))
    for index in order[:leftover]:
        shares[index] += 1
    return [
        (entity, sign * share)
        for (entity, _), share in zip(receivers, shares, strict=True)
    ]


def receivers_of(
    line, policy: str, central: str, weights: dict[tuple, Shares]
) -> Shares:
    """The receivers of a shared line in one reading, with their weights."""
    if policy == "owner" and text(line.owner_entity_id):
        return [(text(line.owner_entity_id), 1)]
    if policy == "proportional":
        found = weights.get((line.usage_date, line.account_name))
        if found:
            return found
    return [(central, 1)]


def paired(as_of: Shares, restated: Shares) -> list[tuple[str, str, int]]:
    """Rows (as-of entity, restated entity, amount) whose amounts add up to
    each reading's shares: an entity's amount in both readings first, the
    rest matched in entity order. Both lists share one sign and one total."""
    sign = -1 if sum(amount for _, amount in as_of) < 0 else 1
    left = {entity: sign * amount for entity, amount in as_of}
    right = {entity: sign * amount for entity, amount in restated}
    rows = []
    for entity in sorted(left.keys() & right.keys()):
        both = min(left[entity], right[entity])
        if both:
            rows.append((entity, entity, both))
            left[entity] -= both
            right[entity] -= both
    lefts = [[entity, amount] for entity, amount in sorted(left.items()) if amount]
    rights = [[entity, amount] for entity, amount in sorted(right.items()) if amount]
    i = j = 0
    while i < len(lefts) and j < len(rights):
        amount = min(lefts[i][1], rights[j][1])
        rows.append((lefts[i][0], rights[j][0], amount))
        lefts[i][1] -= amount
        rights[j][1] -= amount
        if not lefts[i][1]:
            i += 1
        if not rights[j][1]:
            j += 1
    return [(entity, restated, sign * amount) for entity, restated, amount in rows]


def allocated_lines(
    shared: pd.DataFrame,
    policies: dict[str, tuple[str, str]],
    weights: dict[str, dict[tuple, Shares]],
) -> pd.DataFrame:
    """Every shared line replaced by its shares, cost and credits alike."""
    rows = []
    for line in shared.itertuples(index=False):
        kind = line.cost_kind
        if kind in policies:
            policy, central = policies[kind]
            rule = f"shared {kind}: {policy}"
            as_of = receivers_of(line, policy, central, weights["entity_id"])
            restated = receivers_of(
                line, policy, central, weights["restated_entity_id"]
            )
        else:
            # A kind without a policy stays visible rather than guessed.
            rule = f"shared {kind}: no policy"
            as_of = restated = [(UNALLOCATED, 1)]
        head = [getattr(line, column) for column in LINE_COLUMNS]
        for column in MONEY_COLUMNS:
            amount = getattr(line, column)
            if not amount:
                continue
            for entity, restated_entity, share in paired(
                largest_remainder(amount, as_of),
                largest_remainder(amount, restated),
            ):
                # Cost and credits are paired apart: the other amount of the
                # row is 0, or NULL for a line without credits.
                money = {
                    "credits_nano": None if line.credits_nano is None else 0,
                    "cost_nano": 0,
                    column: share,
                }
                rows.append(
                    [
                        *head,
                        entity,
                        rule,
                        restated_entity,
                        rule,
                        line.currency,
                        money["credits_nano"],
                        money["cost_nano"],
                    ]
                )
    return pd.DataFrame(rows, columns=OUTPUT_COLUMNS)


def summed(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per grain; credits stay NULL where no part has credits."""
    money = {"credits_nano": "Int64", "cost_nano": "int64"}
    return (
        lines.astype(money)
        .groupby(GRAIN, dropna=False, sort=True)[MONEY_COLUMNS]
        .sum(min_count=1)
        .reset_index()
        .astype(money)[OUTPUT_COLUMNS]
    )


def model(dbt, session):
    dbt.config(materialized="table", packages=["pandas", "numpy"])
    lines = chargeback_lines(to_pandas(dbt.ref("int_chargeback_lines")))
    policies = policy_table(to_pandas(dbt.ref("shared_cost_policies")))

    direct = lines[~lines["is_shared"]]
    shared = lines[lines["is_shared"]].sort_values(
        [*LINE_COLUMNS, "owner_entity_id", "currency"], na_position="first"
    )
    weights = {
        column: entity_weights(direct, column)
        for column in ("entity_id", "restated_entity_id")
    }
    allocated = allocated_lines(shared, policies, weights)

    ledger = summed(pd.concat([direct[OUTPUT_COLUMNS], allocated], ignore_index=True))
    # Snowpark writes a pandas frame with quoted names: upper case there keeps
    # the columns addressable by unquoted SQL (chargeback_daily).
    if type(session).__module__.startswith("snowflake.snowpark"):
        ledger.columns = [column.upper() for column in ledger.columns]
    return ledger
