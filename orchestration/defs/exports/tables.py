"""DDL of the raw export tables and the SQL that resolves which file wins each site-month."""

ROWS_DDL = {
    "activity": """
        create table if not exists raw.{table} (
            site_id varchar, activity_date date, is_monthly boolean, partner_code varchar,
            partner_label varchar, theme varchar, channel varchar, requests bigint,
            resolved_first_visit bigint, source_sheet varchar, source_row bigint,
            load_id varchar, month date)""",
    "satisfaction": """
        create table if not exists raw.{table} (
            site_id varchar, response_date date, satisfaction_score integer, satisfied boolean,
            would_recommend boolean, source_sheet varchar, source_row bigint,
            load_id varchar, month date)""",
}
MONTHS_DDL = (
    "create table if not exists raw.{name}_months (month date primary key, refreshed_at timestamptz, row_count bigint)"
)


def ensure_tables(con, name: str) -> None:
    """Create the raw tables of source ``name`` when missing (identifiers come from code)."""
    con.execute("create schema if not exists raw")
    con.execute(ROWS_DDL[name].format(table=f"{name}_rows"))
    con.execute(ROWS_DDL[name].format(table=name))
    con.execute(MONTHS_DDL.format(name=name))


SITE_WINDOWS_SQL = """
    with releases as (select distinct as_of from raw.site_listing),
    per_site as (
        select site_id, min(coalesce(labelled_on, as_of)) as first_day, max(as_of) as last_seen
        from raw.site_listing group by site_id
    )
    select per_site.site_id,
           cast(date_trunc('month', per_site.first_day) as date) as known_from,
           (select min(as_of) from releases where releases.as_of > per_site.last_seen) as closed_on
    from per_site
"""
"""When each site may send data: from its labelling month until the release that dropped it."""


def winners_sql(name: str, date_column: str) -> str:
    """Rows of the newest usable load for each site-month in [?, ?]; demo loads only when no real one.

    Parameters: first month, last month, exclude_demo.
    """
    return f"""
        with candidates as (
            select r.*, l.landed_at
            from raw.{name}_rows r join meta.loads l using (load_id)
            where r.month between ? and ?
              and l.status in ('parsed', 'loaded', 'published')
              and not (? and l.is_demo)
        ),
        latest as (
            select site_id, month, arg_max(load_id, landed_at) as load_id
            from candidates group by site_id, month
        )
        select candidates.* exclude (landed_at)
        from candidates join latest using (site_id, month, load_id)
    """


def months_with_data(con, name: str) -> list[str]:
    """Partition keys of the months that have parsed rows of ``name`` (any load) or built rows.

    A month whose parsed rows are all gone (superseded demo loads) still has built rows until
    it is rebuilt, empty.
    """
    ensure_tables(con, name)
    rows = con.execute(
        f"""select distinct strftime(month, '%Y-%m-01') from
            (select month from raw.{name}_rows union select month from raw.{name}) order by 1"""
    ).fetchall()
    return [r[0] for r in rows]


def months_pending(con, name: str) -> list[str]:
    """Partition keys of months holding rows of parsed loads not yet loaded into partitions."""
    ensure_tables(con, name)
    rows = con.execute(
        f"""select distinct strftime(r.month, '%Y-%m-01') from raw.{name}_rows r
            join meta.loads l using (load_id) where l.status = 'parsed' order by 1"""
    ).fetchall()
    return [r[0] for r in rows]
