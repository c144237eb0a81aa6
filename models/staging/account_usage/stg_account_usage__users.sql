{#
    Users of each account, current and deleted, one row per account and
    user id. NAME is what QUERY_HISTORY.USER_NAME holds.
#}

with

source as (

    {{ union_account_usage('users', required=['user_id', 'name']) }}

),

renamed as (

    select
        account_name,
        region,
        {# Snowflake's own names are kept where they are also keywords
           (noqa: RF04 below). #}
        cast(user_id as {{ dbt.type_bigint() }}) as user_id,
        cast(name as {{ dbt.type_string() }}) as user_name,
        cast(login_name as {{ dbt.type_string() }})
            as login_name,  -- noqa: RF04
        cast(display_name as {{ dbt.type_string() }})
            as display_name,  -- noqa: RF04
        cast(first_name as {{ dbt.type_string() }})
            as first_name,  -- noqa: RF04
        cast(last_name as {{ dbt.type_string() }}) as last_name,  -- noqa: RF04
        cast(email as {{ dbt.type_string() }}) as email,  -- noqa: RF04
        cast(type as {{ dbt.type_string() }}) as user_type,
        cast(comment as {{ dbt.type_string() }}) as user_comment,
        cast(owner as {{ dbt.type_string() }}) as owner_role_name,
        cast(default_warehouse as {{ dbt.type_string() }})
            as default_warehouse,  -- noqa: RF04
        cast(default_namespace as {{ dbt.type_string() }})
            as default_namespace,  -- noqa: RF04
        cast(default_role as {{ dbt.type_string() }})
            as default_role,  -- noqa: RF04
        cast(default_secondary_role as {{ dbt.type_string() }})
            as default_secondary_role,
        cast(database_id as {{ dbt.type_bigint() }}) as database_id,
        cast(database_name as {{ dbt.type_string() }}) as database_name,
        cast(schema_id as {{ dbt.type_bigint() }}) as schema_id,
        cast(schema_name as {{ dbt.type_string() }}) as schema_name,
        {# VARIANT in Snowflake, read as text ('true' / 'false'). #}
        try_cast(disabled as boolean) as is_disabled,
        try_cast(snowflake_lock as boolean) as is_snowflake_locked,
        cast(must_change_password as boolean)
            as must_change_password,  -- noqa: RF04
        cast(has_password as boolean) as has_password,
        cast(has_mfa as boolean) as has_mfa,
        cast(ext_authn_duo as boolean) as has_duo_mfa,
        cast(ext_authn_uid as {{ dbt.type_string() }}) as duo_uid,
        cast(has_rsa_public_key as boolean) as has_rsa_public_key,
        cast(has_pat as boolean) as has_pat,
        cast(has_workload_identity as boolean) as has_workload_identity,
        cast(is_from_organization_user as boolean)
            as is_from_organization_user,
        {{ to_utc('created_on') }} as created_at,
        {{ to_utc('deleted_on') }} as deleted_at,
        {{ to_utc('last_success_login') }} as last_success_login_at,
        {{ to_utc('expires_at') }} as expires_at,
        {{ to_utc('locked_until_time') }} as locked_until_at,
        {{ to_utc('bypass_mfa_until') }} as bypass_mfa_until_at,
        {{ to_utc('password_last_set_time') }} as password_last_set_at

    from source

)

select * from renamed
