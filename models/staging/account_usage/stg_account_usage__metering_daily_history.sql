{#
    Daily credits per service with the cloud-services adjustment that makes
    the billed credits, one row per account, UTC day and service type.
    Rows repeated by ACCOUNT_USAGE are collapsed to the fullest reading.
#}

with

source as (

    {{ union_account_usage(
        'metering_daily_history',
        required=['service_type', 'usage_date', 'credits_billed']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(usage_date as date) as usage_date,
        cast(service_type as {{ dbt.type_string() }}) as service_type,
        cast(credits_used_compute as {{ credits_type() }}) as compute_credits,
        cast(
            credits_used_cloud_services as {{ credits_type() }}
        ) as cloud_services_credits,
        cast(credits_used as {{ credits_type() }}) as credits_used,
        cast(
            credits_adjustment_cloud_services as {{ credits_type() }}
        ) as cloud_services_adjustment_credits,
        cast(credits_billed as {{ credits_type() }}) as billed_credits

    from source

),

deduplicated as (

    {# A day is re-stated while its late hours arrive; a repeated row keeps
       the fullest reading. #}
    select * from renamed
    qualify row_number() over (
        partition by account_name, usage_date, service_type
        order by credits_used desc nulls last, billed_credits desc nulls last
    ) = 1

)

select * from deduplicated
