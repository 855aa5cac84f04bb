{% macro register_lake_sources() -%}
{#-
  On Spark (on-run-start): every dbt source as an external Parquet table of its schema, read
  from FSW_HOME/lake/<table>: the raw layer orchestration.lake writes, and the tables computed
  in Python (source `computed`, orchestration/defs/nearest). Files are found at any depth, so
  monthly tables keep their `month=YYYY-MM` folders while their month stays the typed column
  of the files. Tables are registered again
  on each run: a new column or month is seen at once. DuckDB reads work.duckdb: nothing to do.
-#}
{%- if target.type == 'spark' and execute -%}
    {#- Spark resolves a relative table location against its warehouse, not the working directory. -#}
    {%- set lake = env_var('FSW_HOME') ~ '/lake/' -%}
    {%- for schema in graph.sources.values() | map(attribute='schema') | unique -%}
        {%- do run_query('create database if not exists ' ~ schema) -%}
    {%- endfor -%}
    {%- for source in graph.sources.values() -%}
        {%- set relation = source.schema ~ '.' ~ source.identifier -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- do run_query(
            'create table ' ~ relation ~ " using parquet options (path '" ~ lake ~ source.identifier
            ~ "', recursiveFileLookup 'true')"
        ) -%}
    {%- endfor -%}
{%- endif -%}
{%- endmacro %}
