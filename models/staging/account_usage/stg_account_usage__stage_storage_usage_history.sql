{#
    Daily average internal-stage storage, one row per account and day.
    Rows repeated by ACCOUNT_USAGE are collapsed.
#}

with

source as (

    {{ union_account_usage(
        'stage_storage_usage_history',
        required=['usage_date', 'average_stage_bytes']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(usage_date as date) as usage_date,
        cast(average_stage_bytes as {{ dbt.type_bigint() }})
            as average_stage_bytes

    from source

),

deduplicated as (

    {# A repeated day keeps its fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, usage_date
        order by average_stage_bytes desc nulls last
    ) = 1

)

select * from deduplicated
