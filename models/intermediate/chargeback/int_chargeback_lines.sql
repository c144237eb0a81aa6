{#
    Every dollar of daily_spend, attributed: one row per UTC day, account,
    service, cost type, cost kind and attribution, in both readings (as of
    the day, and restated under today's structure). Warehouse compute is
    shared by the queries that ran (and the idle line), cloud services by
    the queries' billed share (and the part tied to no query); every other
    line is attributed by its resource. Shared lines are left for the
    shared-cost policies (int_chargeback_allocated).
#}
{{ config(materialized='table') }}

{%- set shared_patterns = var('snowledger_shared_warehouses') -%}

with

spend as (

    select * from {{ ref('daily_spend') }}

),

compute_allocated as (

    select * from {{ ref('int_query_compute_allocated') }}

),

cloud_services_allocated as (

    select * from {{ ref('int_query_cloud_services') }}

),

queries as (

    select * from {{ ref('query_costs') }}

),

warehouse_hours as (

    select * from {{ ref('warehouse_costs_hourly') }}

),

signals as (

    select * from {{ ref('int_ownership_signals') }}

),

entities as (

    select * from {{ ref('chargeback_entity_registry') }}

),

today as (

    select cast({{ dbt.current_timestamp() }} as date) as restated_date

),

query_attributes as (

    select
        account_name,
        query_id,
        warehouse_id,
        user_name,
        role_name,
        database_name,
        case
            when schema_name is not null
                then database_name || '.' || schema_name
        end as schema_name,
        {{ json_text('query_tag', var('snowledger_query_tag_team_key')) }}
            as query_team

    from queries

),

warehouse_names as (

    {# The name a warehouse had on the day, as daily_spend lists it. #}
    select distinct
        usage_date,
        account_name,
        resource_id as warehouse_id,
        resource_name as warehouse_name

    from spend

    where resource_type = 'warehouse' and service = 'WAREHOUSE_METERING'

),

-- Weights: who used each pool of credits ----------------------------------

query_compute_weights as (

    select
        cast(compute_allocated.usage_hour as date) as usage_date,
        compute_allocated.account_name,
        'warehouse' as pool,
        compute_allocated.warehouse_id,
        'query' as cost_kind,
        query_attributes.user_name,
        query_attributes.role_name,
        query_attributes.database_name,
        query_attributes.schema_name,
        query_attributes.query_team,
        sum(compute_allocated.compute_credits) as weight

    from compute_allocated

    left join query_attributes
        on
            compute_allocated.account_name = query_attributes.account_name
            and compute_allocated.query_id = query_attributes.query_id

    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

idle_weights as (

    select
        usage_date,
        account_name,
        'warehouse' as pool,
        warehouse_id,
        'idle' as cost_kind,
        cast(null as {{ dbt.type_string() }}) as user_name,
        cast(null as {{ dbt.type_string() }}) as role_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        cast(null as {{ dbt.type_string() }}) as schema_name,
        cast(null as {{ dbt.type_string() }}) as query_team,
        sum(idle_credits) as weight

    from warehouse_hours

    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

query_cloud_services_weights as (

    select
        cloud_services_allocated.usage_date,
        cloud_services_allocated.account_name,
        'cloud services' as pool,
        query_attributes.warehouse_id,
        'query' as cost_kind,
        query_attributes.user_name,
        query_attributes.role_name,
        query_attributes.database_name,
        query_attributes.schema_name,
        query_attributes.query_team,
        sum(cloud_services_allocated.billed_cloud_services_credits) as weight

    from cloud_services_allocated

    left join query_attributes
        on
            cloud_services_allocated.account_name
            = query_attributes.account_name
            and cloud_services_allocated.query_id = query_attributes.query_id

    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

cloud_services_pools as (

    select
        usage_date,
        account_name,
        sum(credits) as credits

    from spend

    where service = 'CLOUD_SERVICES'

    group by 1, 2

),

query_cloud_services_totals as (

    select
        usage_date,
        account_name,
        sum(weight) as weight

    from query_cloud_services_weights

    group by 1, 2

),

unattributed_cloud_services_weights as (

    {# Billed cloud services no query accounts for (background work) are a
       shared cost. A pool no query and no remainder weighs takes it all,
       so that no dollar is left without a receiver. #}
    select
        cloud_services_pools.usage_date,
        cloud_services_pools.account_name,
        'cloud services' as pool,
        cast(null as {{ dbt.type_bigint() }}) as warehouse_id,
        'cloud_services' as cost_kind,
        cast(null as {{ dbt.type_string() }}) as user_name,
        cast(null as {{ dbt.type_string() }}) as role_name,
        cast(null as {{ dbt.type_string() }}) as database_name,
        cast(null as {{ dbt.type_string() }}) as schema_name,
        cast(null as {{ dbt.type_string() }}) as query_team,
        case
            when
                coalesce(query_cloud_services_totals.weight, 0) <= 0
                and cloud_services_pools.credits
                - coalesce(query_cloud_services_totals.weight, 0) <= 0
                then 1
            else
                greatest(
                    cloud_services_pools.credits
                    - coalesce(query_cloud_services_totals.weight, 0),
                    0
                )
        end as weight

    from cloud_services_pools

    left join query_cloud_services_totals
        on
            cloud_services_pools.usage_date
            = query_cloud_services_totals.usage_date
            and cloud_services_pools.account_name
            = query_cloud_services_totals.account_name

),

pool_weights as (

    select * from query_compute_weights

    union all

    select * from idle_weights

    union all

    select * from query_cloud_services_weights

    union all

    select * from unattributed_cloud_services_weights

),

-- Lines attributed by their own resource -----------------------------------

resource_lines as (

    {# Serverless features, storage and transfer: their resource says who
       owns them (a database, or a warehouse for query acceleration). #}
    select
        usage_date,
        account_name,
        'line' as pool,
        case
            when resource_type = 'warehouse' then resource_id
        end as warehouse_id,
        case
            when service in ('STORAGE', 'HYBRID_TABLE_STORAGE') then 'storage'
            when service = 'DATA_TRANSFER' then 'data_transfer'
            else 'serverless'
        end as cost_kind,
        cast(null as {{ dbt.type_string() }}) as user_name,
        cast(null as {{ dbt.type_string() }}) as role_name,
        case
            when service != 'DATA_TRANSFER' then database_name
        end as database_name,
        cast(null as {{ dbt.type_string() }}) as schema_name,
        cast(null as {{ dbt.type_string() }}) as query_team,
        region,
        service,
        cost_type,
        currency,
        credits,
        cost

    from spend

    where service not in ('WAREHOUSE_METERING', 'CLOUD_SERVICES')

),

-- Who owned each object on each day, and today -----------------------------

attribution_keys as (

    select
        usage_date,
        account_name,
        warehouse_id,
        cost_kind,
        user_name,
        role_name,
        database_name,
        schema_name,
        query_team

    from pool_weights

    union distinct

    select
        usage_date,
        account_name,
        warehouse_id,
        cost_kind,
        user_name,
        role_name,
        database_name,
        schema_name,
        query_team

    from resource_lines

),

named_keys as (

    select
        attribution_keys.*,
        warehouse_names.warehouse_name,
        {{ like_any('warehouse_names.warehouse_name', shared_patterns) }}
            as is_shared_warehouse

    from attribution_keys

    left join warehouse_names
        on
            attribution_keys.usage_date = warehouse_names.usage_date
            and attribution_keys.account_name = warehouse_names.account_name
            and attribution_keys.warehouse_id = warehouse_names.warehouse_id

),

objects as (

    select distinct
        usage_date,
        account_name,
        'user' as object_type,
        upper(user_name) as object_name,
        cast(null as {{ dbt.type_bigint() }}) as object_id

    from named_keys

    where user_name is not null

    union all

    select distinct
        usage_date,
        account_name,
        'role' as object_type,
        upper(role_name) as object_name,
        cast(null as {{ dbt.type_bigint() }}) as object_id

    from named_keys

    where role_name is not null

    union all

    select distinct
        usage_date,
        account_name,
        'warehouse' as object_type,
        upper(warehouse_name) as object_name,
        warehouse_id as object_id

    from named_keys

    where warehouse_name is not null

    union all

    select distinct
        usage_date,
        account_name,
        'database' as object_type,
        upper(database_name) as object_name,
        cast(null as {{ dbt.type_bigint() }}) as object_id

    from named_keys

    where database_name is not null

    union all

    select distinct
        usage_date,
        account_name,
        'schema' as object_type,
        upper(schema_name) as object_name,
        cast(null as {{ dbt.type_bigint() }}) as object_id

    from named_keys

    where schema_name is not null

),

object_signals as (

    {# Of the signals valid on the day, the newest tag and the most specific
       seed rule. A tag seen only from a later snapshot stands for earlier
       days (is_backfilled) unless a seed rule covers them. #}
    select
        objects.usage_date,
        objects.account_name,
        objects.object_type,
        objects.object_name,
        signals.signal_source,
        signals.entity_id,
        signals.signal_source = 'tag'
        and objects.usage_date < signals.valid_from as is_backfilled,
        row_number() over (
            partition by
                objects.usage_date,
                objects.account_name,
                objects.object_type,
                objects.object_name,
                signals.signal_source
            order by
                signals.account_name is null,
                signals.valid_from desc
        ) as _signal_rank

    from objects

    inner join signals
        on {{ ownership_signal_holds(
            'objects.object_type',
            'objects.object_id',
            'objects.object_name',
            'objects.account_name',
            day='objects.usage_date',
        ) }}

),

object_owners as (

    select
        usage_date,
        account_name,
        object_type,
        object_name,
        max(case when signal_source = 'seed' then entity_id end)
            as seed_entity_id,
        max(case when signal_source = 'tag' then entity_id end)
            as tag_entity_id,
        coalesce(
            max(case when signal_source = 'tag' then is_backfilled end),
            false
        ) as is_tag_backfilled

    from object_signals

    where _signal_rank = 1

    group by 1, 2, 3, 4

),

object_owners_as_of as (

    {# Before the first snapshot, the seed's effective dates decide. #}
    select
        usage_date,
        account_name,
        object_type,
        object_name,
        seed_entity_id,
        case
            when not is_tag_backfilled or seed_entity_id is null
                then tag_entity_id
        end as tag_entity_id

    from object_owners

),

object_owners_today as (

    select
        known_objects.account_name,
        known_objects.object_type,
        known_objects.object_name,
        max(case when signals.signal_source = 'seed' then signals.entity_id end)
            as seed_entity_id,
        max(case when signals.signal_source = 'tag' then signals.entity_id end)
            as tag_entity_id

    from (
        select distinct
            account_name,
            object_type,
            object_name,
            object_id
        from objects
    ) as known_objects

    cross join today

    inner join signals
        on {{ ownership_signal_holds(
            'known_objects.object_type',
            'known_objects.object_id',
            'known_objects.object_name',
            'known_objects.account_name',
        ) }}

    group by 1, 2, 3

),

entity_codes as (

    {# WH_{TEAM}_{ENV}_{SIZE}: the TEAM part is an entity id without its
       separators, upper case. Registered entities only. #}
    select
        entity_id,
        upper(replace(replace(entity_id, '-', ''), '_', '')) as team_code,
        valid_from,
        valid_to

    from entities

),

entity_status as (

    select
        entities.entity_id,
        max(
            case
                when
                    entities.valid_to is null
                    or today.restated_date < entities.valid_to
                    then 1
                else 0
            end
        ) = 1 as is_current

    from entities

    cross join today

    group by 1

),

-- Attribution: the first rule that names an entity wins ----------------------

attributed_as_of as (

    {{ chargeback_attribution('as_of') }}

),

attributed_today as (

    {{ chargeback_attribution('today') }}

),

attributed_keys as (

    {# Idle time of a shared warehouse, cloud services tied to no query and
       resources no signal covers are shared costs; idle time of any other
       warehouse without an owner stays visible as UNALLOCATED. #}
    select
        attributed_as_of.usage_date,
        attributed_as_of.account_name,
        attributed_as_of.warehouse_id,
        attributed_as_of.cost_kind,
        attributed_as_of.user_name,
        attributed_as_of.role_name,
        attributed_as_of.database_name,
        attributed_as_of.schema_name,
        attributed_as_of.query_team,
        case
            when attributed_as_of.cost_kind = 'cloud_services' then true
            when attributed_as_of.cost_kind = 'idle'
                then attributed_as_of.is_shared_warehouse
            when
                attributed_as_of.cost_kind
                in ('serverless', 'storage', 'data_transfer')
                then attributed_as_of.entity_id is null
            else false
        end as is_shared,
        case
            when attributed_as_of.cost_kind = 'idle'
                then attributed_as_of.warehouse_owner_entity_id
            else attributed_as_of.database_owner_entity_id
        end as owner_entity_id,
        coalesce(attributed_as_of.entity_id, 'UNALLOCATED') as entity_id,
        coalesce(attributed_as_of.attribution_rule, 'unallocated')
            as attribution_rule,
        coalesce(attributed_today.entity_id, 'UNALLOCATED')
            as restated_entity_id,
        coalesce(attributed_today.attribution_rule, 'unallocated')
            as restated_attribution_rule

    from attributed_as_of

    inner join attributed_today
        on
            attributed_as_of.usage_date = attributed_today.usage_date
            and attributed_as_of.account_name = attributed_today.account_name
            and attributed_as_of.cost_kind = attributed_today.cost_kind
            and attributed_as_of.warehouse_id
            is not distinct from attributed_today.warehouse_id
            {%- for column in [
                'user_name', 'role_name', 'database_name', 'schema_name',
                'query_team',
            ] %}
                and attributed_as_of.{{ column }}
                is not distinct from attributed_today.{{ column }}
            {%- endfor %}

),

{% set key_columns = [
    'warehouse_id', 'cost_kind', 'user_name', 'role_name', 'database_name',
    'schema_name', 'query_team',
] %}

attributed_weights as (

    select
        pool_weights.usage_date,
        pool_weights.account_name,
        pool_weights.pool,
        pool_weights.warehouse_id as pool_warehouse_id,
        pool_weights.cost_kind,
        attributed_keys.is_shared,
        attributed_keys.owner_entity_id,
        attributed_keys.entity_id,
        attributed_keys.attribution_rule,
        attributed_keys.restated_entity_id,
        attributed_keys.restated_attribution_rule,
        sum(pool_weights.weight) as weight

    from pool_weights

    inner join attributed_keys
        on
            pool_weights.usage_date = attributed_keys.usage_date
            and pool_weights.account_name = attributed_keys.account_name
            {%- for column in key_columns %}
                and pool_weights.{{ column }}
                is not distinct from attributed_keys.{{ column }}
            {%- endfor %}

    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11

),

-- Money: each pool's lines shared by its weights, to the nano -------------

pool_lines as (

    select
        usage_date,
        account_name,
        region,
        service,
        cost_type,
        currency,
        case
            when service = 'WAREHOUSE_METERING' then 'warehouse'
            else 'cloud services'
        end as pool,
        case
            when service = 'WAREHOUSE_METERING' then resource_id
        end as pool_warehouse_id,
        sum(credits) as credits,
        sum(cost) as cost

    from spend

    where service in ('WAREHOUSE_METERING', 'CLOUD_SERVICES')

    group by 1, 2, 3, 4, 5, 6, 7, 8

),

weighted_lines as (

    select
        pool_lines.usage_date,
        pool_lines.account_name,
        pool_lines.region,
        pool_lines.service,
        pool_lines.cost_type,
        pool_lines.currency,
        pool_lines.pool_warehouse_id,
        attributed_weights.cost_kind,
        attributed_weights.is_shared,
        attributed_weights.owner_entity_id,
        attributed_weights.entity_id,
        attributed_weights.attribution_rule,
        attributed_weights.restated_entity_id,
        attributed_weights.restated_attribution_rule,
        case when pool_lines.cost < 0 then -1 else 1 end as _cost_sign,
        case when pool_lines.credits < 0 then -1 else 1 end as _credits_sign,
        abs(pool_lines.cost) as _cost_amount,
        abs(pool_lines.credits) as _credits_amount,
        cast(
            attributed_weights.weight * {{ allocation_weight_scale() }}
            as decimal(38, 0)
        ) as _weight_units

    from pool_lines

    inner join attributed_weights
        on
            pool_lines.usage_date = attributed_weights.usage_date
            and pool_lines.account_name = attributed_weights.account_name
            and pool_lines.pool = attributed_weights.pool
            and pool_lines.pool_warehouse_id
            is not distinct from attributed_weights.pool_warehouse_id

),

{% set line_partition = [
    'usage_date', 'account_name', 'service', 'cost_type',
    'pool_warehouse_id',
] %}
{% set tie_break = 'entity_id, attribution_rule, restated_entity_id, '
    ~ 'restated_attribution_rule, cost_kind, owner_entity_id' %}

cost_bases as (

    select
        weighted_lines.*,
        {{ allocation_base('_cost_amount', '_weight_units', line_partition) }}

    from weighted_lines

),

cost_shares as (

    select
        cost_bases.* exclude (_amount_nano, _base_nano, _remainder),
        cost_bases._cost_sign
        * {{ allocation_credits(line_partition, tie_break) }} as cost

    from cost_bases

),

credit_bases as (

    select
        cost_shares.*,
        {{ allocation_base(
            '_credits_amount', '_weight_units', line_partition
        ) }}

    from cost_shares

),

pool_shares as (

    select
        usage_date,
        account_name,
        region,
        service,
        cost_type,
        cost_kind,
        is_shared,
        owner_entity_id,
        entity_id,
        attribution_rule,
        restated_entity_id,
        restated_attribution_rule,
        currency,
        _credits_sign * {{ allocation_credits(line_partition, tie_break) }}
            as credits,
        cost

    from credit_bases

),

resource_shares as (

    select
        resource_lines.usage_date,
        resource_lines.account_name,
        resource_lines.region,
        resource_lines.service,
        resource_lines.cost_type,
        resource_lines.cost_kind,
        attributed_keys.is_shared,
        attributed_keys.owner_entity_id,
        attributed_keys.entity_id,
        attributed_keys.attribution_rule,
        attributed_keys.restated_entity_id,
        attributed_keys.restated_attribution_rule,
        resource_lines.currency,
        resource_lines.credits,
        resource_lines.cost

    from resource_lines

    inner join attributed_keys
        on
            resource_lines.usage_date = attributed_keys.usage_date
            and resource_lines.account_name = attributed_keys.account_name
            {%- for column in key_columns %}
                and resource_lines.{{ column }}
                is not distinct from attributed_keys.{{ column }}
            {%- endfor %}

),

all_shares as (

    select * from pool_shares

    union all

    select * from resource_shares

),

final as (

    select
        cast(usage_date as date) as usage_date,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(service as {{ dbt.type_string() }}) as service, -- noqa: RF04
        cast(cost_type as {{ dbt.type_string() }}) as cost_type,
        cast(cost_kind as {{ dbt.type_string() }}) as cost_kind,
        cast(is_shared as boolean) as is_shared,
        cast(
            case when is_shared then owner_entity_id end
            as {{ dbt.type_string() }}
        ) as owner_entity_id,
        cast(
            case when not is_shared then entity_id end
            as {{ dbt.type_string() }}
        ) as entity_id,
        cast(
            case when not is_shared then attribution_rule end
            as {{ dbt.type_string() }}
        ) as attribution_rule,
        cast(
            case when not is_shared then restated_entity_id end
            as {{ dbt.type_string() }}
        ) as restated_entity_id,
        cast(
            case when not is_shared then restated_attribution_rule end
            as {{ dbt.type_string() }}
        ) as restated_attribution_rule,
        cast(sum(credits) as {{ credits_type() }}) as credits,
        cast(sum(cost) as {{ money_type() }}) as cost,
        cast(currency as {{ dbt.type_string() }}) as currency,
        {# Whole nano-units, for the Python model: integers cross into
           pandas exactly on every engine, decimals may not. #}
        cast(
            sum(credits) * 1000000000 as {{ dbt.type_bigint() }}
        ) as credits_nano,
        cast(sum(cost) * 1000000000 as {{ dbt.type_bigint() }}) as cost_nano

    from all_shares

    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15

)

select * from final
