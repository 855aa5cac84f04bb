{% macro spark__load_csv_rows(model, agate_table) -%}
{#-
  dbt-spark's seed rows as literals: its session method puts bound values into the SQL
  unescaped, so a name with an apostrophe (Ministère de l'Intérieur) breaks the insert.
  Spark string literals escape with a backslash.
-#}
{%- set column_override = model['config'].get('column_types', {}) -%}
{%- set types = [] -%}
{%- for col_name in agate_table.column_names -%}
    {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
{%- endfor -%}
{%- set rows = [] -%}
{%- for row in agate_table.rows -%}
    {%- set values = [] -%}
    {%- for value in row -%}
        {%- if value is none -%}
            {%- do values.append('cast(null as ' ~ types[loop.index0] ~ ')') -%}
        {%- else -%}
            {%- set text = (value | string).replace('\\', '\\\\').replace("'", "\\'") -%}
            {%- do values.append("cast('" ~ text ~ "' as " ~ types[loop.index0] ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do rows.append('(' ~ values | join(', ') ~ ')') -%}
{%- endfor -%}
{%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ rows | join(', ') -%}
{%- do adapter.add_query(sql, abridge_sql_log=True) -%}
{{ return(sql) }}
{%- endmacro %}
