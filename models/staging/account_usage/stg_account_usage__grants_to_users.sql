{#
    Account roles granted to users, one row per account, role, user and
    grant time; a revoked grant has `revoked_at` set and a re-grant is a new
    row.
#}

with

source as (

    {{ union_account_usage(
        'grants_to_users',
        required=['role', 'grantee_name', 'created_on']
    ) }}

),

renamed as (

    select
        account_name,
        region,
        cast(role as {{ dbt.type_string() }}) as role_name,
        cast(grantee_name as {{ dbt.type_string() }}) as user_name,
        cast(granted_to as {{ dbt.type_string() }}) as granted_to,
        cast(granted_by as {{ dbt.type_string() }}) as granted_by,
        {{ to_utc('created_on') }} as granted_at,
        {{ to_utc('deleted_on') }} as revoked_at

    from source

)

select * from renamed
