"""The simulated organisation: accounts, departments and teams, warehouses,
users, roles, databases and the query patterns people and tools run.

Everything here is fixed by the configuration (never by the number of days),
so that a longer simulation extends a shorter one instead of redrawing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

HOUR_MS = 3_600_000
DAY_MS = 86_400_000

# Size code in the warehouse name -> (credits per hour, QUERY_HISTORY size,
# relative speed). Reference section 6.1 (standard warehouses).
SIZES: dict[str, tuple[int, str, float]] = {
    "XS": (1, "X-Small", 1.0),
    "S": (2, "Small", 2.0),
    "M": (4, "Medium", 4.0),
    "L": (8, "Large", 8.0),
    "XL": (16, "X-Large", 16.0),
    "2XL": (32, "2X-Large", 32.0),
    "3XL": (64, "3X-Large", 64.0),
    "4XL": (128, "4X-Large", 128.0),
}
SNOWPARK_MULTIPLIER = 1.5  # Snowpark-optimized credits = 1.5 x standard (6.1)
CONCURRENCY = 8  # MAX_CONCURRENCY_LEVEL default: queries per cluster


@dataclass(frozen=True)
class Team:
    key: str  # lower-case team name, as in tags and query tags
    department: str
    cost_center: str


TEAMS: dict[str, Team] = {
    team.key: team
    for team in (
        Team("data-platform", "Engineering", "CC-1010"),
        Team("ml", "Engineering", "CC-1020"),
        Team("bi", "Analytics", "CC-2010"),
        Team("growth", "Analytics", "CC-2020"),
        Team("fpa", "Finance", "CC-3010"),
        Team("marketing", "Marketing", "CC-4010"),
        # The two teams the Marketing department splits into (reorganisation).
        Team("brand", "Marketing", "CC-4110"),
        Team("performance", "Marketing", "CC-4120"),
    )
}
CENTRAL_COST_CENTER = "CC-1000"


@dataclass(frozen=True)
class AccountSpec:
    name: str
    region: str  # Snowflake region id
    cloud_region: str  # provider region, as DATA_TRANSFER_HISTORY spells it
    schema: str
    locator: str
    share: float  # share of the organisation's queries
    utc_offset: int  # hours; shifts the business day
    capacity_rate: str  # $/credit on the capacity contract
    on_demand_rate: str  # $/credit at overage
    storage_rate: str  # $/TB-month, capacity
    storage_on_demand: str
    transfer_rate: str  # $/TB egress
    teams: tuple[str, ...]


ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec(
        "ACME_US",
        "AWS_US_EAST_1",
        "us-east-1",
        "account_usage",
        "XU48213",
        0.60,
        -5,
        "2.60",
        "3.00",
        "23.00",
        "40.00",
        "20.00",
        ("data-platform", "ml", "bi", "growth", "fpa", "marketing"),
    ),
    AccountSpec(
        "ACME_EU",
        "AWS_EU_CENTRAL_1",
        "eu-central-1",
        "account_usage_eu",
        "QE73120",
        0.25,
        1,
        "3.10",
        "3.70",
        "24.50",
        "45.00",
        "20.00",
        ("data-platform", "bi", "growth", "marketing"),
    ),
    AccountSpec(
        "ACME_APAC",
        "AWS_AP_SOUTHEAST_2",
        "ap-southeast-2",
        "account_usage_apac",
        "PA90514",
        0.15,
        10,
        "3.30",
        "4.00",
        "25.00",
        "46.00",
        "90.00",
        ("data-platform", "bi", "growth"),
    ),
)
ORGANIZATION = "ACME"
CONTRACT_NUMBER = "4200173"
SERVICE_LEVEL = "Enterprise"
CURRENCY = "USD"


@dataclass
class Warehouse:
    id: int
    name: str
    team: str | None  # None: shared warehouse, attributed by query tag
    env: str
    size: str
    min_clusters: int = 1
    max_clusters: int = 1
    auto_suspend: int = 60  # seconds
    snowpark: bool = False
    qas: bool = False  # query acceleration enabled
    old_name: str | None = None  # renamed warehouse: name before `renamed_at`
    renamed_at: int | None = None  # epoch ms
    tagged: bool = True

    @property
    def credits_per_hour(self) -> float:
        rate = SIZES[self.size][0]
        return rate * SNOWPARK_MULTIPLIER if self.snowpark else rate

    @property
    def rate_x2(self) -> int:
        """Twice the hourly credit rate, an integer for every size and type."""
        return round(self.credits_per_hour * 2)

    @property
    def size_label(self) -> str:
        return SIZES[self.size][1]

    @property
    def speed(self) -> float:
        return SIZES[self.size][2]

    @property
    def type_label(self) -> str:
        return "SNOWPARK-OPTIMIZED" if self.snowpark else "STANDARD"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    team: str | None
    kind: str  # PERSON or SERVICE
    role: str
    first: str | None = None
    last: str | None = None
    default_warehouse: str | None = None


@dataclass(frozen=True)
class Database:
    id: int
    name: str
    team: str | None
    base_tb: float  # storage at the start of the simulation
    growth: float  # daily growth fraction
    deleted_at: int | None = None  # epoch ms, a database dropped before start


@dataclass(frozen=True)
class Pattern:
    """A query shape: SQL template, type, context and cost profile."""

    id: int
    source: str
    query_type: str
    template: str  # {n}: integer literal, {d}: date literal
    database: str | None
    schema: str | None
    exec_s: float  # median execution seconds on an X-Small
    sigma: float  # log-normal spread
    scan_gb: float  # median GB scanned
    writes: bool = False
    team: str | None = None
    node: str | None = None  # dbt node id
    materialized: str | None = None  # dbt materialisation


@dataclass
class AccountOrg:
    spec: AccountSpec
    warehouses: list[Warehouse]
    users: list[User]
    databases: list[Database]
    roles: list[str]
    # source -> [(warehouse name, weight)]
    routes: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def warehouse(self, name: str) -> Warehouse:
        return next(w for w in self.warehouses if w.name == name)


FIRST = [
    "ALICE",
    "BOB",
    "CARLA",
    "DMITRI",
    "ELENA",
    "FARID",
    "GRACE",
    "HIROSHI",
    "INES",
    "JONAS",
    "KEMAL",
    "LIN",
    "MARTA",
    "NOAH",
    "OLGA",
    "PRIYA",
    "QUENTIN",
    "ROSA",
    "SAMIR",
    "TARA",
    "UMAR",
    "VERA",
    "WILL",
    "XENIA",
    "YUSUF",
    "ZOE",
    "ANDRE",
    "BEATRIZ",
    "CHEN",
    "DARIA",
    "EMIL",
    "FIONA",
    "GUSTAV",
    "HANNA",
    "IGOR",
    "JULIA",
]
LAST = [
    "SMITH",
    "GARCIA",
    "MULLER",
    "ROSSI",
    "TANAKA",
    "KOWALSKI",
    "NGUYEN",
    "SILVA",
    "OKAFOR",
    "JOHANSSON",
    "DUBOIS",
    "PATEL",
    "COHEN",
    "IVANOVA",
    "LARSEN",
    "MORENO",
    "KIM",
    "FISCHER",
    "WALSH",
    "MEYER",
]

# Humans per team in the US account; other accounts have fewer.
TEAM_HEADCOUNT = {
    "data-platform": 5,
    "ml": 4,
    "bi": 5,
    "growth": 6,
    "fpa": 3,
    "marketing": 6,
}
TEAM_ROLES = {
    "data-platform": "DATA_ENGINEER",
    "ml": "ML_ENGINEER",
    "bi": "BI_ANALYST",
    "growth": "GROWTH_ANALYST",
    "fpa": "FINANCE_ANALYST",
    "marketing": "MARKETING_ANALYST",
}
SERVICE_USERS = (
    # name, team, role
    ("DBT_PROD", "data-platform", "TRANSFORMER"),
    ("LOOKER_SVC", "bi", "REPORTER"),
    ("TABLEAU_SVC", "bi", "REPORTER"),
    ("FIVETRAN_SVC", "data-platform", "LOADER"),
    ("AIRFLOW_SVC", "ml", "ML_ENGINEER"),
)
SYSTEM_ROLES = ("ACCOUNTADMIN", "SYSADMIN", "SECURITYADMIN", "USERADMIN", "PUBLIC")


def team_code(team: str) -> str:
    return team.replace("-", "").upper()


def _epoch_ms(day: dt.date) -> int:
    return (
        int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) * 1000
    )


def build_account(
    index: int,
    spec: AccountSpec,
    scenarios: frozenset[str],
    start: dt.date,
    queries_per_day: int,
) -> AccountOrg:
    """The warehouses, users and databases of one account."""
    base_id = (index + 1) * 100
    us = index == 0
    load = queries_per_day * spec.share / 6_000  # 1.0 at the default US load
    scale_clusters = max(1.0, load**0.5)

    def clusters(n: int) -> int:
        return min(10, max(n, round(n * scale_clusters)))

    whs: list[Warehouse] = []

    def add(name_team: str, env: str, size: str, **kwargs) -> Warehouse:
        team = None if name_team == "shared" else name_team
        name = f"WH_{team_code(name_team)}_{env.upper()}_{size}"
        warehouse = Warehouse(len(whs) + base_id + 1, name, team, env, size, **kwargs)
        # An organisation with many times the default volume runs its
        # warehouses as multi-cluster ones, or its queues would never drain.
        if load > 4:
            warehouse.max_clusters = max(
                warehouse.max_clusters, min(10, -(-int(load) // 4))
            )
        whs.append(warehouse)
        return warehouse

    small = {0: "M", 1: "S", 2: "XS"}[index]
    add("data-platform", "prod", small, auto_suspend=60)
    add(
        "bi",
        "prod",
        "M" if us else "S",
        max_clusters=clusters(4 if us else 2),
        auto_suspend=300,
        qas=us,
    )
    add(
        "shared",
        "prod",
        "L" if us else "S",
        max_clusters=clusters(3 if us else 1),
        auto_suspend=120,
    )
    add(
        "growth",
        "prod",
        "2XL" if us else "XS",
        max_clusters=clusters(6 if us else 1),
        auto_suspend=120,
    )
    if "marketing" in spec.teams:
        add(
            "marketing",
            "prod",
            "M" if us else "S",
            auto_suspend=1800 if us and "idle_heavy" in scenarios else 60,
        )
    if us:
        add("data-platform", "dev", "XS", auto_suspend=60)
        add("ml", "prod", "L", snowpark=True, auto_suspend=300)
        add("ml", "dev", "S", auto_suspend=120)
        add("bi", "dev", "XS", auto_suspend=60)
        add("fpa", "prod", "XS", auto_suspend=30)
        add("marketing", "dev", "S", auto_suspend=60)
        renamed = add("growth", "prod", "S", auto_suspend=60)
        if "data_quality" in scenarios:
            renamed.old_name = "ANALYST_WH"
            renamed.tagged = False
            renamed.renamed_at = _epoch_ms(start) + 2 * DAY_MS + 12 * HOUR_MS
        if "oversized" in scenarios:
            add("fpa", "prod", "XL", auto_suspend=300)
        if "unused_warehouse" in scenarios:
            add("bi", "test", "M", auto_suspend=600)

    users: list[User] = []
    roles = list(SYSTEM_ROLES)
    uid = (index + 1) * 1000
    headcount_scale = 1.0 if us else 0.5
    name_cursor = index * 7
    for team in spec.teams:
        roles.append(TEAM_ROLES[team])
        default_wh = next((w.name for w in whs if w.team == team), whs[0].name)
        for _ in range(max(2, round(TEAM_HEADCOUNT[team] * headcount_scale))):
            first = FIRST[name_cursor % len(FIRST)]
            last = LAST[(name_cursor * 7 + 3) % len(LAST)]
            name_cursor += 1
            uid += 1
            users.append(
                User(
                    uid,
                    f"{first}_{last}",
                    team,
                    "PERSON",
                    TEAM_ROLES[team],
                    first.title(),
                    last.title(),
                    default_wh,
                )
            )
    for name, team, role in SERVICE_USERS:
        if team not in spec.teams:
            continue
        uid += 1
        if role not in roles:
            roles.append(role)
        users.append(
            User(uid, name, team, "SERVICE", role, default_warehouse=whs[0].name)
        )
    if us and "unused_warehouse" in scenarios:
        uid += 1
        users.append(
            User(
                uid,
                "MONITOR_SVC",
                "bi",
                "SERVICE",
                "REPORTER",
                default_warehouse="WH_BI_TEST_M",
            )
        )

    db_id = (index + 1) * 10
    scale = {0: 1.0, 1: 0.35, 2: 0.18}[index]
    databases = [
        Database(db_id + 1, "RAW", "data-platform", 40 * scale, 0.004),
        Database(db_id + 2, "ANALYTICS", "bi", 22 * scale, 0.003),
        Database(db_id + 3, "GOVERNANCE", None, 0.01, 0.0),
    ]
    if us:
        databases += [
            Database(db_id + 4, "ML", "ml", 9.0, 0.002),
            Database(db_id + 5, "FINANCE", "fpa", 1.5, 0.001),
            Database(db_id + 6, "MARKETING", "marketing", 4.0, 0.002),
            Database(
                db_id + 7,
                "SANDBOX_OLD",
                None,
                3.0,
                0.0,
                deleted_at=_epoch_ms(start) - 3 * DAY_MS,
            ),
        ]
    elif "marketing" in spec.teams:
        databases.append(Database(db_id + 6, "MARKETING", "marketing", 1.2, 0.002))

    account = AccountOrg(spec, whs, users, databases, roles)
    account.routes = _routes(account, scenarios)
    return account


def _routes(account: AccountOrg, scenarios: frozenset[str]) -> dict:
    names = {w.name for w in account.warehouses}

    def pick(*candidates: tuple[str, float]) -> list[tuple[str, float]]:
        return [(n, wgt) for n, wgt in candidates if n in names]

    routes: dict[str, list[tuple[str, float]]] = {}
    prod = [w for w in account.warehouses if w.env == "prod"]
    bi = [w.name for w in prod if w.team == "bi"]
    shared = [w.name for w in prod if w.team is None]
    routes["bi"] = [(n, 0.6) for n in bi] + [(n, 0.4) for n in shared]
    routes["dbt"] = [(account.warehouses[0].name, 1.0)]
    routes["load"] = [(account.warehouses[0].name, 1.0)]
    routes["unload"] = [(account.warehouses[0].name, 1.0)]
    routes["task"] = [(account.warehouses[0].name, 1.0)]
    routes["ml"] = pick(("WH_ML_PROD_L", 0.8), ("WH_ML_DEV_S", 0.2))
    routes["tiny"] = pick(("WH_FPA_PROD_XL", 1.0))
    routes["ping"] = pick(("WH_BI_TEST_M", 1.0))
    return routes


# dbt: project 'analytics', models per owning team, each with a materialisation.
DBT_MODELS: tuple[tuple[str, str, str, float], ...] = (
    # (node name, owning team, materialisation, median seconds on X-Small)
    ("stg_stripe__charges", "data-platform", "view", 0.5),
    ("stg_app__page_views", "data-platform", "incremental", 60.0),
    ("stg_app__orders", "data-platform", "incremental", 25.0),
    ("stg_crm__customers", "data-platform", "table", 15.0),
    ("int_sessions_stitched", "growth", "incremental", 90.0),
    ("fct_sessions", "growth", "incremental", 45.0),
    ("fct_signups", "growth", "table", 12.0),
    ("fct_orders", "bi", "incremental", 40.0),
    ("dim_customers", "bi", "table", 20.0),
    ("fct_revenue_daily", "fpa", "table", 18.0),
    ("fct_invoices", "fpa", "incremental", 10.0),
    ("mart_campaigns", "marketing", "table", 14.0),
    ("fct_attribution", "marketing", "incremental", 35.0),
    ("ml_user_features", "ml", "table", 120.0),
)
DBT_VERSION = "1.11.2"


# Query patterns. Weights inside a source are implicit (uniform) unless a
# pattern is repeated; exec_s is the median on an X-Small.
def _patterns() -> list[Pattern]:
    p: list[Pattern] = []

    def add(
        source,
        qtype,
        template,
        db,
        schema,
        exec_s,
        sigma,
        scan_gb,
        writes=False,
        team=None,
        node=None,
        materialized=None,
    ):
        p.append(
            Pattern(
                len(p),
                source,
                qtype,
                template,
                db,
                schema,
                exec_s,
                sigma,
                scan_gb,
                writes,
                team,
                node,
                materialized,
            )
        )

    for text in (
        "show tables in schema {db}.{schema}",
        "show warehouses",
        "describe table {db}.{schema}.orders",
        "show grants to role {role}",
        "use warehouse {wh}",
        "show columns in table {db}.{schema}.customers",
    ):
        qtype = text.split()[0].upper()
        add(
            "meta",
            {"USE": "USE", "SHOW": "SHOW", "DESCRIBE": "DESCRIBE"}[qtype],
            text,
            "ANALYTICS",
            "MARTS",
            0.05,
            0.5,
            0.0,
        )
    bi_views = {
        "bi": ("fct_orders", "dim_customers", "fct_revenue_daily"),
        "growth": ("fct_sessions", "fct_signups", "fct_retention_weekly"),
        "fpa": ("fct_revenue_daily", "fct_invoices"),
        "marketing": ("mart_campaigns", "fct_attribution"),
    }
    for team, views in bi_views.items():
        for view in views:
            add(
                "bi",
                "SELECT",
                "select date_trunc('week', order_date) as week, region, "
                f"sum(amount) as amount from ANALYTICS.MARTS.{view.upper()} "
                "where order_date >= '{d}' and customer_segment_id = {n} "
                "group by 1, 2 order by 1",
                "ANALYTICS",
                "MARTS",
                6.0,
                1.0,
                0.8,
                team=team,
            )
    for team, tables in {
        "data-platform": ("RAW.EVENTS.PAGE_VIEWS", "RAW.STRIPE.CHARGES"),
        "ml": ("ML.FEATURES.USER_FEATURES", "ML.FEATURES.TRAINING_SET"),
        "bi": ("ANALYTICS.MARTS.FCT_ORDERS", "ANALYTICS.MARTS.DIM_CUSTOMERS"),
        "growth": ("ANALYTICS.MARTS.FCT_SESSIONS", "RAW.EVENTS.PAGE_VIEWS"),
        "fpa": ("FINANCE.LEDGER.JOURNAL_LINES", "ANALYTICS.MARTS.FCT_REVENUE_DAILY"),
        "marketing": ("MARKETING.ADS.SPEND", "ANALYTICS.MARTS.FCT_ATTRIBUTION"),
    }.items():
        for table in tables:
            db, schema, _ = table.split(".")
            add(
                "adhoc",
                "SELECT",
                f"select * from {table} where id > {{n}} and updated_at >= '{{d}}' "
                "limit 500",
                db,
                schema,
                3.0,
                1.4,
                2.0,
                team=team,
            )
            add(
                "adhoc",
                "SELECT",
                f"select count(*), count(distinct user_id) from {table} "
                "where event_date = '{d}'",
                db,
                schema,
                6.0,
                1.2,
                6.0,
                team=team,
            )
    for table in ("PAGE_VIEWS", "ORDERS", "CUSTOMERS", "CHARGES", "AD_CLICKS"):
        add(
            "load",
            "COPY",
            f"copy into RAW.LANDING.{table} from @RAW.LANDING.S3_STAGE/{table.lower()}/"
            "{d}/ file_format = (type = parquet) pattern = '.*part-{n}.*'",
            "RAW",
            "LANDING",
            8.0,
            0.9,
            1.0,
            writes=True,
        )
        add(
            "load",
            "MERGE",
            f"merge into RAW.CORE.{table} as target using RAW.LANDING.{table} "
            "as source on target.id = source.id and source.batch_id = {n} "
            "when matched then update set * when not matched then insert *",
            "RAW",
            "CORE",
            20.0,
            0.8,
            4.0,
            writes=True,
        )
    add(
        "unload",
        "UNLOAD",
        "copy into @ANALYTICS.EXPORTS.PARTNER_STAGE/daily/{d}/ from "
        "ANALYTICS.MARTS.FCT_ORDERS header = true overwrite = true max_file_size = {n}",
        "ANALYTICS",
        "EXPORTS",
        30.0,
        0.6,
        3.0,
        writes=True,
    )
    for text in (
        "call ML.TRAINING.TRAIN_CHURN_MODEL('{d}', {n})",
        "select user_id, ML.FEATURES.SCORE_CHURN(features) from "
        "ML.FEATURES.USER_FEATURES where snapshot_date = '{d}' and shard = {n}",
    ):
        add(
            "ml",
            "CALL" if text.startswith("call") else "SELECT",
            text,
            "ML",
            "TRAINING",
            240.0,
            0.9,
            20.0,
        )
    add(
        "task",
        "INSERT",
        "insert into GOVERNANCE.OPS.DATA_QUALITY_RESULTS select '{d}', check_id, "
        "count(*) from RAW.CORE.ORDERS where batch_id = {n} group by 2",
        "GOVERNANCE",
        "OPS",
        4.0,
        0.5,
        0.5,
        writes=True,
    )
    add(
        "stask",
        "MERGE",
        "merge into RAW.CORE.PAGE_VIEWS_COMPACT using RAW.CORE.PAGE_VIEWS "
        "on batch_id = {n} when not matched then insert *",
        "RAW",
        "CORE",
        30.0,
        0.4,
        1.0,
        writes=True,
    )
    add(
        "stask",
        "INSERT",
        "insert into GOVERNANCE.TAGS.TAG_SNAPSHOTS select current_timestamp(), * "
        "from snowflake.account_usage.tag_references where {n} > 0",
        "GOVERNANCE",
        "TAGS",
        5.0,
        0.3,
        0.1,
        writes=True,
    )
    add(
        "tiny",
        "SELECT",
        "select amount from FINANCE.LEDGER.BALANCES where account_id = {n}",
        "FINANCE",
        "LEDGER",
        3.0,
        0.3,
        0.001,
        team="fpa",
    )
    add(
        "backfill",
        "MERGE",
        "merge into RAW.CORE.ORDERS as target using RAW.LANDING.ORDERS_BACKFILL as "
        "source on target.id = source.id and source.batch_id = {n} "
        "when matched then update set * when not matched then insert *",
        "RAW",
        "CORE",
        400.0,
        0.4,
        20.0,
        writes=True,
        team="data-platform",
    )
    add(
        "ping",
        "SELECT",
        "select 1 /* health check {n} */",
        None,
        None,
        0.03,
        0.2,
        0.0,
        team="bi",
    )
    add(
        "idle",
        "SELECT",
        "select campaign_id, sum(spend) from MARKETING.ADS.SPEND "
        "where spend_date = '{d}' and channel_id = {n} group by 1",
        "MARKETING",
        "ADS",
        4.0,
        0.6,
        0.5,
        team="marketing",
    )
    add(
        "rare",
        "SELECT",
        "select * from RAW.EVENTS.EVENTS_ARCHIVE where event_date = '{d}' "
        "and user_id = {n}",
        "RAW",
        "EVENTS",
        40.0,
        0.5,
        50.0,
        team="data-platform",
    )
    add(
        "spike",
        "SELECT",
        "select s.user_id, e.* from ANALYTICS.MARTS.FCT_SESSIONS as s "
        "cross join RAW.EVENTS.PAGE_VIEWS as e where s.session_date >= '{d}' "
        "and e.campaign_id = {n}",
        "ANALYTICS",
        "MARTS",
        1500.0,
        0.3,
        900.0,
        team="growth",
    )
    add(
        "midnight",
        "INSERT",
        "insert overwrite into RAW.CORE.DAILY_SNAPSHOT select * from RAW.CORE.ORDERS "
        "where snapshot_date = '{d}' and partition_id = {n}",
        "RAW",
        "CORE",
        2400.0,
        0.2,
        60.0,
        writes=True,
        team="data-platform",
    )
    for node, team, materialized, seconds in DBT_MODELS:
        table = f"ANALYTICS.MARTS.{node.upper()}"
        if materialized == "view":
            text = f"create or replace view {table} as (select * from {{src}})"
            qtype = "CREATE_VIEW"
        elif materialized == "table":
            text = (
                f"create or replace transient table {table} as (select * from {{src}})"
            )
            qtype = "CREATE_TABLE_AS_SELECT"
        else:
            text = (
                f"merge into {table} as DBT_INTERNAL_DEST using {table}__DBT_TMP as "
                "DBT_INTERNAL_SOURCE on DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id "
                "when matched then update set * when not matched then insert *"
            )
            qtype = "MERGE"
        text = text.replace(
            "{src}",
            f"ANALYTICS.STAGING.{node.upper()}__SOURCE "
            "where loaded_at >= '{d}' and batch_id >= {n}",
        )
        add(
            "dbt",
            qtype,
            text,
            "ANALYTICS",
            "MARTS",
            seconds,
            0.5,
            max(0.05, seconds / 20),
            writes=True,
            team=team,
            node=f"model.analytics.{node}",
            materialized=materialized,
        )
        add(
            "dbt_test",
            "SELECT",
            f"select count(*) as failures from (select id from {table} "
            "where id is null or id < {n}) as dbt_internal_test",
            "ANALYTICS",
            "MARTS",
            max(0.3, seconds / 15),
            0.4,
            max(0.02, seconds / 60),
            team=team,
            node=f"test.analytics.not_null_{node}_id",
            materialized="test",
        )
    return p


PATTERNS: list[Pattern] = _patterns()
PATTERNS_BY_SOURCE: dict[str, list[Pattern]] = {}
for _pattern in PATTERNS:
    PATTERNS_BY_SOURCE.setdefault(_pattern.source, []).append(_pattern)
