{#
    Roles of each account, current and deleted, one row per account and
    role id.
#}

with

source as (

    {{ union_account_usage('roles', required=['role_id', 'name']) }}

),

renamed as (

    select
        account_name,
        region,
        cast(role_id as {{ dbt.type_bigint() }}) as role_id,
        cast(name as {{ dbt.type_string() }}) as role_name,
        cast(role_type as {{ dbt.type_string() }}) as role_type,
        cast(role_database_name as {{ dbt.type_string() }})
            as role_database_name,
        cast(role_instance_id as {{ dbt.type_bigint() }}) as role_instance_id,
        cast(owner as {{ dbt.type_string() }}) as owner_role_name,
        cast(owner_role_type as {{ dbt.type_string() }}) as owner_role_type,
        cast(comment as {{ dbt.type_string() }}) as role_comment,
        cast(is_from_organization_user_group as boolean)
            as is_from_organization_user_group,
        {{ to_utc('created_on') }} as created_at,
        {{ to_utc('deleted_on') }} as deleted_at

    from source

)

select * from renamed
