"""The floor: a hand-written DuckDB pipeline doing the equivalent work on the same files.

What it covers (and what it leaves out, so the ratios stay honest):
- CSV files only: `;` (latin-1, the offline DuckDB has no cp1252 decoder; the demo text has
  no character where the two differ), `,` UTF-8-BOM with ISO dates, tab monthly totals with
  thousands separators. XLSX files (~3 % of the activity files, DuckDB has no offline XLSX
  reader) are left out; the reading time is scaled up by rows (see ``scaled``).
- the row checks of the readers as SQL filters (unreadable date, date in the future,
  negative counts, resolved > requests, unknown site), partner labels → codes by the same
  regular expressions, the site version (asof join on dim_site), then the aggregations of
  fct_demand, fct_satisfaction and the demand/satisfaction/sites/coverage part of
  mart_territory_monthly, written as tables into a DuckDB file.
- not covered: landing (hashing, manifests, ledger), quarantine rows, Dagster, GX, dbt tests,
  dim_* / coverage models, publishing a serving copy.
Reference tables (dim_site, dim_commune, int_sites_open_monthly, fct_coverage) are read
from the serving DB the full refresh published: they are inputs of the floor, not its work.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb

PARTNER_CASE = r"""
case
  when l ~ '\bfrance travail\b|\bpole emploi\b|\bunedic\b' then 'france_travail'
  when l ~ '\bassurance retraite\b|\bcarsat\b|\bcnav\b|\bcgss\b|\bretraite\b' then 'cnav'
  when l ~ '\bassurance maladie\b|\bcpam\b|\bcnam\b|\bameli\b|\bcaisse primaire\b' then 'cnam'
  when l ~ '\bcaf\b|\bcnaf\b|\ballocations familiales\b' then 'cnaf'
  when l ~ '\bmsa\b|\bmutualite sociale agricole\b' then 'msa'
  when l ~ '\bdgfip\b|\bfinances publiques\b|\bimpots?\b|\bsip\b|\btresor public\b' then 'dgfip'
  when l ~ '\bants\b|\binterieur\b|\btitres?\b|\bprefecture\b' then 'interieur'
  when l ~ '\bjustice\b|\bacces au droit\b|\bcdad\b|\bpoint justice\b' then 'justice'
  when l ~ '\bla poste\b|\bposte\b' then 'la_poste'
  else 'other' end
"""


def classify(paths: list[Path]) -> dict[str, list[str]]:
    """Files by dialect, from their first bytes (part of the floor's time)."""
    kinds: dict[str, list[str]] = {"semicolon": [], "comma": [], "tab": [], "xlsx": []}
    for path in paths:
        with open(path, "rb") as handle:
            head = handle.read(512)
        if head.startswith(b"PK\x03\x04"):
            kinds["xlsx"].append(str(path))
        elif b"\t" in head.split(b"\n", 1)[0]:
            kinds["tab"].append(str(path))
        elif b";" in head.split(b"\n", 1)[0]:
            kinds["semicolon"].append(str(path))
        else:
            kinds["comma"].append(str(path))
    return kinds


def _csv(files: list[str], delim: str, encoding: str, names: list[str], quote: str = "") -> str:
    listing = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
    cols = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    return (
        f"read_csv({listing}, delim='{delim}', header=true, encoding='{encoding}', columns={cols}, "
        f"quote='{quote}', escape='{quote}', auto_detect=false)"
    )


ACT_NAMES = ["site", "day", "partner", "theme", "channel", "requests", "resolved"]
SAT_NAMES = ["site", "day", "satisfaction", "recommend"]


def read_activity_sql(kinds: dict[str, list[str]], today: date) -> str:
    parts = []
    if kinds["semicolon"]:
        parts.append(
            f"select site, try_strptime(day, '%d/%m/%Y')::date as d, false as is_monthly, partner, theme, channel, "
            f"try_cast(requests as bigint) as requests, try_cast(resolved as bigint) as resolved "
            f"from {_csv(kinds['semicolon'], ';', 'latin-1', ACT_NAMES)}"
        )
    if kinds["comma"]:
        parts.append(
            f"select site, try_strptime(day, '%Y-%m-%d')::date, false, partner, theme, channel, "
            f"try_cast(requests as bigint), try_cast(resolved as bigint) "
            f"from {_csv(kinds['comma'], ',', 'utf-8', ACT_NAMES, quote=chr(34))}"
        )
    if kinds["tab"]:
        parts.append(
            f"select site, try_strptime('01/' || day, '%d/%m/%Y')::date, true, partner, theme, channel, "
            f"try_cast(replace(replace(requests, '\u202f', ''), ' ', '') as bigint), "
            f"try_cast(replace(replace(resolved, '\u202f', ''), ' ', '') as bigint) "
            f"from {_csv(kinds['tab'], chr(9), 'utf-8', ACT_NAMES)}"
        )
    union = "\nunion all\n".join(parts)
    return f"""
        create or replace table floor_activity_rows as
        with rows as ({union}),
        labels as (select distinct partner, lower(trim(regexp_replace(strip_accents(partner), '\\s+', ' ', 'g'))) as l from rows)
        select trim(site) as site_id, d as activity_date, is_monthly, labels.l as partner_l,
               {PARTNER_CASE.replace("l ~", "labels.l ~")} as partner_code,
               partner as partner_label, coalesce(nullif(trim(theme), ''), 'Non précisé') as theme_label,
               coalesce(nullif(trim(channel), ''), 'Non précisé') as channel, requests, resolved as resolved_first_visit,
               cast(date_trunc('month', d) as date) as month_start
        from rows join labels using (partner)
        where site is not null and d is not null and d <= date '{today}' and requests >= 0
          and (resolved is null or (resolved >= 0 and resolved <= requests))
    """


def read_satisfaction_sql(kinds: dict[str, list[str]], today: date) -> str:
    score = """case lower(strip_accents(trim(satisfaction)))
        when 'tres satisfait' then 5 when 'satisfait' then 4 when 'ni satisfait ni insatisfait' then 3
        when 'peu satisfait' then 2 when 'pas du tout satisfait' then 1
        else try_cast(satisfaction as integer) end"""
    parts = []
    if kinds["semicolon"]:
        parts.append(
            f"select site, try_strptime(day, '%d/%m/%Y')::date as d, {score} as score, recommend "
            f"from {_csv(kinds['semicolon'], ';', 'latin-1', SAT_NAMES)}"
        )
    if kinds["comma"]:
        parts.append(
            f"select site, try_strptime(day, '%Y-%m-%d')::date, {score}, recommend "
            f"from {_csv(kinds['comma'], ',', 'utf-8', SAT_NAMES, quote=chr(34))}"
        )
    union = "\nunion all\n".join(parts)
    return f"""
        create or replace table floor_satisfaction_rows as
        select trim(site) as site_id, d as response_date, cast(date_trunc('month', d) as date) as month_start,
               score as satisfaction_score, score >= 4 as is_satisfied,
               case lower(trim(recommend)) when 'oui' then true when 'non' then false end as would_recommend
        from ({union})
        where site is not null and d is not null and d <= date '{today}' and score between 1 and 5
    """


VERSIONS_SQL = """
    create or replace temp table versions as
    select site_id, site_key, valid_from, row_number() over (partition by site_id order by valid_from) = 1 as is_first
    from serving.dim_site
"""

FCT_DEMAND_SQL = """
    create or replace table floor_fct_demand as
    with keyed as (
        select r.*, coalesce(started.site_key, first_version.site_key) as site_key
        from floor_activity_rows r
        asof left join versions started on r.site_id = started.site_id and r.activity_date >= started.valid_from
        left join versions first_version on r.site_id = first_version.site_id and first_version.is_first
        where {month_filter}
    )
    select site_key, site_id, activity_date as date_day, month_start, partner_code,
           md5(lower(trim(regexp_replace(strip_accents(theme_label), '[^A-Za-z0-9]+', ' ', 'g')))) as theme_key,
           channel, sum(requests)::bigint as requests, sum(resolved_first_visit)::bigint as resolved_first_visit,
           bool_or(is_monthly) as is_monthly
    from keyed where site_key is not null
    group by site_key, site_id, activity_date, month_start, partner_code, theme_label, channel
"""

FCT_SATISFACTION_SQL = """
    create or replace table floor_fct_satisfaction as
    with keyed as (
        select a.*, coalesce(started.site_key, first_version.site_key) as site_key
        from floor_satisfaction_rows a
        asof left join versions started on a.site_id = started.site_id and a.month_start >= started.valid_from
        left join versions first_version on a.site_id = first_version.site_id and first_version.is_first
        where {month_filter}
    )
    select site_key, site_id, month_start, count(*) as responses,
           count(*) filter (where is_satisfied) as satisfied,
           count(*) filter (where would_recommend) as would_recommend,
           count(would_recommend) as recommend_answers, avg(satisfaction_score) as mean_score
    from keyed where site_key is not null
    group by site_key, site_id, month_start
"""

MART_SQL = """
    create or replace table floor_mart_territory_monthly as
    with c as (select * from serving.dim_commune),
    territories as (
        select commune_code, 'national' as territory_level, 'FR' as territory_code from c
        union all select commune_code, 'region', region_code from c
        union all select commune_code, 'department', department_code from c
        union all select commune_code, 'epci', epci_code from c where epci_code is not null and epci_code <> 'ZZZZZZZZZ'
    ),
    population as (
        select territory_level, territory_code, sum(coalesce(population, 0))::bigint as population
        from territories join c using (commune_code) group by all
    ),
    demand as (
        select territory_level, territory_code, last_day(f.month_start) as month_end,
               sum(requests)::bigint as requests, sum(resolved_first_visit)::bigint as resolved_first_visit,
               sum(requests) filter (where resolved_first_visit is not null)::bigint as requests_with_resolution
        from floor_fct_demand f join serving.dim_site s using (site_key) join territories t on t.commune_code = s.commune_code
        where {month_filter}
        group by all
    ),
    satisfaction as (
        select territory_level, territory_code, last_day(f.month_start) as month_end,
               sum(responses)::bigint as responses, sum(satisfied)::bigint as satisfied
        from floor_fct_satisfaction f join serving.dim_site s using (site_key) join territories t on t.commune_code = s.commune_code
        where {month_filter}
        group by all
    ),
    sites as (
        select territory_level, territory_code, month_end, count(*) as sites_open
        from serving.int_sites_open_monthly_copy o join territories t using (commune_code) group by all
    ),
    coverage as (
        select territory_level, territory_code, month_end,
               sum(coalesce(population, 0)) filter (where within_30_min)::bigint as population_within_30_min
        from serving.fct_coverage join territories using (commune_code)
        where {coverage_filter}
        group by all
    )
    select p.territory_level, p.territory_code, d.month_end, p.population, coalesce(s.sites_open, 0) as sites_open,
           cv.population_within_30_min, cv.population_within_30_min / nullif(p.population, 0) as share_within_30_min,
           coalesce(d.requests, 0) as requests, coalesce(d.requests, 0) * 1000.0 / nullif(p.population, 0) as requests_per_1000,
           d.resolved_first_visit / nullif(d.requests_with_resolution, 0) as first_visit_resolution_rate,
           coalesce(q.responses, 0) as responses, q.satisfied / nullif(q.responses, 0) as satisfaction_rate
    from population p
    join demand d using (territory_level, territory_code)
    left join satisfaction q using (territory_level, territory_code, month_end)
    left join sites s using (territory_level, territory_code, month_end)
    left join coverage cv using (territory_level, territory_code, month_end)
"""


def run_floor(
    activity_files: list[Path],
    satisfaction_files: list[Path],
    serving_db: Path,
    out_db: Path,
    *,
    months: tuple[str, str] | None = None,
    today: date | None = None,
) -> dict:
    """Run the floor pipeline; ``months`` (first, last month_start) restricts the aggregation
    to those months (the incremental floor). Returns timings (s) and row counts."""
    today = today or date.today()
    out_db.unlink(missing_ok=True)
    t: dict = {}
    start = time.perf_counter()
    con = duckdb.connect(str(out_db))
    con.execute(f"attach '{serving_db}' as serving (read_only)")
    step = time.perf_counter()
    act_kinds, sat_kinds = classify(activity_files), classify(satisfaction_files)
    t["classify_s"] = time.perf_counter() - step
    step = time.perf_counter()
    con.execute(read_activity_sql(act_kinds, today))
    t["read_activity_s"] = time.perf_counter() - step
    step = time.perf_counter()
    con.execute(read_satisfaction_sql(sat_kinds, today))
    t["read_satisfaction_s"] = time.perf_counter() - step
    # sites open per month: the same table the dbt model gives, read from serving when present
    has_open = con.execute(
        "select count(*) from duckdb_tables() where database_name = 'serving' and table_name = 'int_sites_open_monthly'"
    ).fetchone()[0]
    step = time.perf_counter()
    if months:
        month_filter = f"month_start between date '{months[0]}' and date '{months[1]}'"
        mart_filter = f"f.month_start between date '{months[0]}' and date '{months[1]}'"
        coverage_filter = f"month_end between date '{months[0]}' and last_day(date '{months[1]}')"
    else:
        month_filter = mart_filter = coverage_filter = "true"
    con.execute(VERSIONS_SQL)
    con.execute(FCT_DEMAND_SQL.format(month_filter=month_filter))
    con.execute(FCT_SATISFACTION_SQL.format(month_filter=month_filter))
    t["facts_s"] = time.perf_counter() - step
    step = time.perf_counter()
    sites_sql = (
        "serving.int_sites_open_monthly"
        if has_open
        else """(select last_day(m) as month_end, s.commune_code from serving.dim_site s,
                     (select distinct month_start as m from floor_fct_demand) where s.valid_from <= last_day(m)
                     and (s.valid_to is null or s.valid_to > last_day(m)))"""
    )
    con.execute(
        MART_SQL.replace("serving.int_sites_open_monthly_copy", sites_sql).format(
            month_filter=mart_filter, coverage_filter=coverage_filter
        )
    )
    t["mart_s"] = time.perf_counter() - step
    con.execute("checkpoint")
    t["total_s"] = time.perf_counter() - start
    counts = {
        name: con.execute(f"select count(*) from {name}").fetchone()[0]
        for name in (
            "floor_activity_rows",
            "floor_satisfaction_rows",
            "floor_fct_demand",
            "floor_fct_satisfaction",
            "floor_mart_territory_monthly",
        )
    }
    con.close()
    t["files"] = {k: len(v) for k, v in act_kinds.items()}
    t["satisfaction_files"] = {k: len(v) for k, v in sat_kinds.items()}
    t["rows"] = counts
    return t
