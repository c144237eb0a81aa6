{#
    True when dbt-snowflake is talking to fakesnow, the in-process Snowflake
    emulator of the smoke test (profiles.yml, target `fakesnow`). The shims in
    this folder change nothing unless this is true.
#}
{% macro snowledger_on_fakesnow() %}
    {{ return(target.type == 'snowflake' and target.name == 'fakesnow') }}
{% endmacro %}
