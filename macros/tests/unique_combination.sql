{#
    Fails for every combination of `columns` that occurs on more than one row.
    NULLs compare equal, as in group by, so two rows that differ only by a
    NULL key part are duplicates too (a NULL entity id is still a key).
#}
{% test unique_combination(model, columns) %}

with

combinations as (

    select
        {{ columns | join(",\n        ") }},
        count(*) as row_count

    from {{ model }}

    group by {{ range(1, columns | length + 1) | join(", ") }}

)

select * from combinations
where row_count > 1

{% endtest %}
