{#
    Names and units as Snowflake's billing views (USAGE_IN_CURRENCY_DAILY,
    RATE_SHEET_DAILY) spell them, for usage read from ACCOUNT_USAGE, so that
    every usage line can be priced by the same join.
#}

{#
    METERING_HISTORY's SERVICE_TYPE in the billing views' vocabulary. Only
    the two services the views spell differently are renamed; every other
    value passes through, so that a service Snowflake adds tomorrow reaches
    the ledger without a code change.
#}
{% macro billing_service_type(column) -%}
    case {{ column }}
        when 'AUTO_CLUSTERING' then 'AUTOMATIC_CLUSTERING'
        when 'PIPE' then 'SNOWPIPE'
        else {{ column }}
    end
{%- endmacro %}


{#
    The cloud provider's own name of a Snowflake region, as
    DATA_TRANSFER_HISTORY writes regions: AWS_US_EAST_1 -> us-east-1,
    GCP_US_CENTRAL1 -> us-central1, AZURE_EASTUS2 -> eastus2. A region group
    prefix (PUBLIC.AWS_US_EAST_1) is dropped. None for a name that does not
    start with a known cloud.
#}
{% macro snowledger_cloud_region(snowflake_region) %}
    {%- set name = (snowflake_region or '') | string | trim -%}
    {%- set name = name.split('.') | last -%}
    {%- set parts = name.split('_', 1) -%}
    {%- if parts | length < 2 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set cloud = parts[0] | lower -%}
    {%- set rest = parts[1] | lower -%}
    {%- if cloud == 'azure' -%}
        {{ return(rest | replace('_', '')) }}
    {%- elif cloud in ('aws', 'gcp') -%}
        {{ return(rest | replace('_', '-')) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#
    The cloud region of the account named by `account_column`, from var
    snowledger_accounts: the entry's `cloud_region` if set, else derived
    from its `region`. NULL for an account the var does not place.
#}
{% macro account_cloud_region(account_column) -%}
    {%- set regions = [] -%}
    {%- for account in var('snowledger_accounts') -%}
        {%- set cloud_region = account.get('cloud_region')
            or snowledger_cloud_region(account.get('region')) -%}
        {%- if cloud_region -%}
            {%- do regions.append((
                account.name | replace("'", "''"),
                cloud_region | lower | replace("'", "''"),
            )) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if regions | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        case
            {%- for name, cloud_region in regions %}
            when {{ account_column }} = '{{ name }}' then '{{ cloud_region }}'
            {%- endfor %}
        end
    {%- endif -%}
{%- endmacro %}


{#
    Bytes as the terabytes Snowflake bills (binary: bytes / 1024^4), with
    nine decimals (about a kilobyte). The numerator is widened first so that
    Snowflake's quotient keeps 12 decimals before the rounding cast; DuckDB
    divides in double precision, which is exact for a power of two.
#}
{% macro bytes_to_tb(expression) -%}
    cast(
        cast({{ expression }} as decimal(38, 12)) / 1099511627776
        as decimal(38, 9)
    )
{%- endmacro %}
