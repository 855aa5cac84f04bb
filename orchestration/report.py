"""report.html of an extract: one self-contained French page a regional officer can open and forward.

Key figures against the national ones, demand by month and partner, the coverage map, satisfaction,
network growth against the targets, the 20 largest coverage gaps and QPV coverage, read from the
serving DB. Images are inlined as ``data:`` URIs and the page's Content-Security-Policy forbids any
other source, so it opens offline and never calls the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import jinja2
import pandas as pd

from orchestration.extract_readme import SOURCES, ExtractAbout
from orchestration.report_format import (
    THOUSANDS,
    french_date,
    french_month,
    french_number,
    french_percent,
    short_month,
)

if TYPE_CHECKING:
    from orchestration.extracts import Scope

REPORT_NAME = "report.html"
TEMPLATE = "report.html.j2"
GAP_ROWS = 20
QPV_ROWS = 10
SATISFACTION_MONTHS = 12
OTHER_PARTNER = "Autre partenaire"


@dataclass(frozen=True)
class Indicator:
    """A key figure: its ``mart_territory_monthly`` column, French label and format."""

    column: str
    label: str
    style: str  # count, decimal (one decimal) or share


INDICATORS = (
    Indicator("population", "Population (recensement)", "count"),
    Indicator("sites_open", "Sites France Services ouverts", "count"),
    Indicator("mobile_sites_open", "dont bus itinérants", "count"),
    Indicator("share_within_30_min", "Habitants à moins de 30 minutes d'un site", "share"),
    Indicator("requests", "Demandes du mois", "count"),
    Indicator("requests_12_months", "Demandes des 12 derniers mois", "count"),  # summed here, not a column
    Indicator("requests_per_1000", f"Demandes du mois pour 1{THOUSANDS}000 habitants", "decimal"),
    Indicator("first_visit_resolution_rate", "Demandes résolues dès le premier contact", "share"),
    Indicator("satisfaction_rate", "Usagers satisfaits", "share"),
    Indicator("recommend_rate", "Usagers qui recommanderaient France Services", "share"),
    Indicator("outreach_hours", "Heures de présence hors les murs (arrêts, permanences)", "count"),
)
GROWTH_COLUMNS = ("sites_open", "sites_labelled", "year_end_target", "published_sites")
MONTHLY_COLUMNS = tuple(i.column for i in INDICATORS if i.column != "requests_12_months") + ("responses",)


def format_figure(value, style: str) -> str:
    """A key figure in French: counts ``1 234``, decimals ``20,4``, shares ``96,5 %``."""
    if style == "share":
        return french_percent(value)
    return french_number(value, 1 if style == "decimal" else 0)


@dataclass(frozen=True)
class KeyFigure:
    """One line of the key figures: the territory's value and the nation's, unformatted."""

    column: str
    label: str
    style: str
    value: float | None
    national: float | None


@dataclass
class Report:
    """What report.html shows, read from the serving DB before the page is rendered."""

    about: ExtractAbout
    kind: str  # national, region, department
    month: date | None  # of the key figures: the latest month with requests
    figures: list[KeyFigure]
    demand: pd.DataFrame  # month_start, partner, requests
    partners: list[dict]  # partner, requests, share (of the demand shown in the chart)
    satisfaction: list[dict]  # month_end, responses, satisfaction_rate, recommend_rate, national_rate
    growth: pd.DataFrame  # month_end, sites_open[, sites_labelled]
    targets: dict[int, int]  # year -> national year-end target
    national_growth: list[dict]  # year, target, sites_labelled, sites_open at year end
    published: pd.DataFrame | None
    places: dict  # sites, mobile_sites, outreach_places
    gaps: list[dict]
    gap_count: int
    national_gap_count: int
    gap_population: float | None
    gap_month: date | None
    qpv: dict | None  # None: no QPV coverage published yet
    charts: dict[str, bytes] = field(default_factory=dict)

    def figure(self, column: str) -> KeyFigure:
        """The key figure of a ``mart_territory_monthly`` column (``requests``, ``sites_open``…)."""
        return next(figure for figure in self.figures if figure.column == column)


def _existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where schema_name = 'main' and table_name = ?", [table]
    ).fetchall()
    return {name for (name,) in rows}


def _select(columns: set[str], wanted: tuple[str, ...]) -> str:
    # Columns an older serving DB lacks read as nulls: the report says "—" rather than failing.
    return ", ".join(name if name in columns else f"null as {name}" for name in wanted)


def _scope_filter(scope: Scope, alias: str = "") -> tuple[str, list]:
    if scope.column is None:
        return "true", []
    return f"{alias}{scope.column} = ?", [scope.code]


def _monthly(con: duckdb.DuckDBPyConnection, scope: Scope | None) -> pd.DataFrame:
    """The territory's rows of ``mart_territory_monthly`` (the nation's for ``None``), by month."""
    columns = _existing_columns(con, "mart_territory_monthly")
    condition, params = "territory_level = 'national'", []
    if scope is not None and scope.kind != "national":
        condition, params = "territory_level = ? and territory_code = ?", [scope.kind, scope.code]
    sql = (
        f"select month_end, {_select(columns, MONTHLY_COLUMNS)} from mart_territory_monthly "
        f"where {condition} order by month_end"
    )
    return con.execute(sql, params).df()


def _row_at(monthly: pd.DataFrame, month: date | None) -> dict:
    if month is None:
        return {}
    rows = monthly[monthly["month_end"].dt.date == month]
    return rows.iloc[0].to_dict() if not rows.empty else {}


def _last_12_months(monthly: pd.DataFrame, month: date | None) -> float | None:
    if month is None:
        return None
    months = monthly[monthly["month_end"].dt.date <= month].dropna(subset=["requests"]).tail(12)
    return float(months["requests"].sum()) if not months.empty else None


def _key_figures(territory: pd.DataFrame, nation: pd.DataFrame, month: date | None) -> list[KeyFigure]:
    here, there = _row_at(territory, month), _row_at(nation, month)
    here["requests_12_months"] = _last_12_months(territory, month)
    there["requests_12_months"] = _last_12_months(nation, month)
    return [
        KeyFigure(
            indicator.column,
            indicator.label,
            indicator.style,
            here.get(indicator.column),
            there.get(indicator.column),
        )
        for indicator in INDICATORS
    ]


def _demand(con: duckdb.DuckDBPyConnection, scope: Scope, existing: set[str]) -> pd.DataFrame:
    """Requests by month and partner, attributed to territories as ``mart_territory_monthly`` does
    (through the site's commune), so that each month sums to the mart's figure."""
    if "fct_demand" not in existing or "site_key" not in _existing_columns(con, "dim_site"):
        return pd.DataFrame({"month_start": [], "partner": [], "requests": []})
    condition, params = _scope_filter(scope, "communes.")
    partner = "demand.partner_code"
    join = ""
    if "dim_partner" in existing:
        partner = f"coalesce(partners.partner_name, demand.partner_code, '{OTHER_PARTNER}')"
        join = "left join dim_partner as partners on partners.partner_code = demand.partner_code"
    return con.execute(
        f"""select demand.month_start, {partner} as partner, sum(demand.requests)::double as requests
        from fct_demand as demand
        join dim_site as sites using (site_key)
        join dim_commune as communes on communes.commune_code = sites.commune_code
        {join}
        where {condition}
        group by all order by 1, 2""",
        params,
    ).df()


def _partners(demand: pd.DataFrame) -> list[dict]:
    totals = demand.groupby("partner")["requests"].sum().sort_values(ascending=False)
    # The catch-all partner last, whatever its size: it is not one partner.
    order = [name for name in totals.index if name != OTHER_PARTNER] + [n for n in totals.index if n == OTHER_PARTNER]
    whole = float(totals.sum()) or 1.0
    return [{"partner": name, "requests": float(totals[name]), "share": float(totals[name]) / whole} for name in order]


def _satisfaction(territory: pd.DataFrame, nation: pd.DataFrame) -> list[dict]:
    answered = territory.dropna(subset=["satisfaction_rate"]).tail(SATISFACTION_MONTHS)
    national = dict(zip(nation["month_end"], nation["satisfaction_rate"], strict=True))
    return [
        {
            "month_end": row.month_end.date(),
            "responses": row.responses,
            "satisfaction_rate": row.satisfaction_rate,
            "recommend_rate": row.recommend_rate,
            "national_rate": national.get(row.month_end),
        }
        for row in answered.itertuples()
    ]


def _growth(
    con: duckdb.DuckDBPyConnection, scope: Scope, territory: pd.DataFrame, existing: set[str]
) -> tuple[pd.DataFrame, dict[int, int], list[dict], pd.DataFrame | None]:
    """The territory's sites open by month (the nation's from ``mart_network_growth``, with the
    labelled sites and published counts), the national year-end targets and the network at each
    target's year end."""
    if "mart_network_growth" not in existing:
        return territory[["month_end", "sites_open"]], {}, [], None
    columns = _select(_existing_columns(con, "mart_network_growth"), GROWTH_COLUMNS)
    network = con.execute(f"select month_end, {columns} from mart_network_growth order by month_end").df()
    with_target = network.dropna(subset=["year_end_target"])
    by_year = with_target.groupby(with_target["month_end"].dt.year)["year_end_target"].max()
    targets = {int(year): int(target) for year, target in by_year.items()}
    at_year_end = []
    for year, target in sorted(targets.items()):
        row = network[network["month_end"].dt.date == date(year, 12, 31)]
        at_year_end.append(
            {
                "year": year,
                "target": target,
                "sites_labelled": row["sites_labelled"].iloc[0] if not row.empty else None,
                "sites_open": row["sites_open"].iloc[0] if not row.empty else None,
            }
        )
    published = network.dropna(subset=["published_sites"])[["month_end", "published_sites"]]
    if scope.kind == "national":
        return network[["month_end", "sites_open", "sites_labelled"]], targets, at_year_end, published
    return territory[["month_end", "sites_open"]], targets, at_year_end, None


def _places(con: duckdb.DuckDBPyConnection, scope: Scope, existing: set[str]) -> dict:
    # As the map draws them: current sites and outreach places by their own territory codes.
    condition, params = _scope_filter(scope)
    ((sites, mobile),) = con.execute(
        f"select count(*), count(*) filter (where is_mobile) from dim_site where is_current and {condition}", params
    ).fetchall()
    outreach = None
    if "dim_outreach_place" in existing:
        ((outreach,),) = con.execute(
            f"select count(*) from dim_outreach_place where is_current and {condition}", params
        ).fetchall()
    return {"sites": sites, "mobile_sites": mobile, "outreach_places": outreach}


def _gaps(con: duckdb.DuckDBPyConnection, scope: Scope) -> tuple[list[dict], int, int, float | None, date | None]:
    """The scope's largest communes beyond 30 minutes (ranked by population, as ``gap_rank``), how
    many there are (in the scope and in France), how many people live there and the month."""
    condition, params = _scope_filter(scope)
    columns = _existing_columns(con, "mart_coverage_gaps")
    wanted = (
        "gap_rank",
        "commune_code",
        "commune_name",
        "department_name",
        "population",
        "nearest_site_name",
        "distance_km",
        "travel_minutes",
    )
    rows = con.execute(
        f"select {_select(columns, wanted)} from mart_coverage_gaps where {condition} order by gap_rank limit ?",
        [*params, GAP_ROWS],
    ).df()
    ((count, population, month),) = con.execute(
        f"select count(*), sum(population)::double, max(month_end) from mart_coverage_gaps where {condition}", params
    ).fetchall()
    ((national_count,),) = con.execute("select count(*) from mart_coverage_gaps").fetchall()
    return rows.to_dict("records"), count, national_count, population, month


QPV_COLUMNS = ("qpv_name", "qpv_code", "commune_code", "population", "travel_minutes", "has_presence_inside")


def _qpv(con: duckdb.DuckDBPyConnection, scope: Scope, existing: set[str]) -> dict | None:
    """QPV coverage of the newest month and generation: how many neighbourhoods, how many people,
    how many with a France Services presence inside, and those without one farthest from a fixed
    site. ``None`` before any QPV data are published."""
    if "mart_qpv_coverage" not in existing:
        return None
    condition, params = _scope_filter(scope)
    latest = f"""(select {_select(_existing_columns(con, "mart_qpv_coverage"), QPV_COLUMNS)},
            month_end, generation
        from mart_qpv_coverage
        where month_end = (select max(month_end) from mart_qpv_coverage)
            and generation = (select max(generation) from mart_qpv_coverage) and {condition})"""
    ((count, population, inside, inside_population, month, generation),) = con.execute(
        f"""select count(*), sum(population)::double, count(*) filter (where has_presence_inside),
            sum(population) filter (where has_presence_inside)::double, max(month_end), max(generation)
        from {latest}""",
        params,
    ).fetchall()
    if not count:
        return None
    farthest = con.execute(
        f"""select coalesce(qpv.qpv_name, qpv.qpv_code) as qpv_name, communes.commune_name, qpv.population,
            qpv.travel_minutes
        from {latest} as qpv left join (select commune_code, commune_name from dim_commune) as communes
            using (commune_code)
        where not coalesce(qpv.has_presence_inside, false)
        order by qpv.travel_minutes desc nulls last, qpv.population desc nulls last limit ?""",
        [*params, QPV_ROWS],
    ).df()
    return {
        "count": count,
        "population": population,
        "inside": inside,
        "inside_population": inside_population,
        "month": month,
        "generation": generation,
        "farthest": farthest.to_dict("records"),
    }


def gather_report(con: duckdb.DuckDBPyConnection, scope: Scope, about: ExtractAbout, existing: set[str]) -> Report:
    """Read what the scope's report shows from the open serving DB (``existing``: its tables)."""
    territory, nation = _monthly(con, scope), _monthly(con, None)
    with_requests = territory.dropna(subset=["requests"])
    if with_requests.empty:
        with_requests = territory
    month = with_requests["month_end"].max().date() if not with_requests.empty else None
    demand = _demand(con, scope, existing)
    growth, targets, national_growth, published = _growth(con, scope, territory, existing)
    gaps, gap_count, national_gap_count, gap_population, gap_month = _gaps(con, scope)
    return Report(
        about=about,
        kind=scope.kind,
        month=month,
        figures=_key_figures(territory, nation, month),
        demand=demand,
        partners=_partners(demand),
        satisfaction=_satisfaction(territory, nation),
        growth=growth,
        targets=targets,
        national_growth=national_growth,
        published=published,
        places=_places(con, scope, existing),
        gaps=gaps,
        gap_count=gap_count,
        national_gap_count=national_gap_count,
        gap_population=gap_population,
        gap_month=gap_month,
        qpv=_qpv(con, scope, existing),
    )


def draw_charts(report: Report) -> dict[str, bytes]:
    """Draw the report's charts once (``demand``, ``growth``), kept on the report for the page and
    the Dagster metadata."""
    # matplotlib only when a report is drawn: every fsw command imports this module
    from orchestration.report_charts import demand_chart, growth_chart

    if not report.charts:
        opened = "sites ouverts (France)" if report.kind == "national" else f"sites ouverts ({report.about.territory})"
        report.charts = {
            "demand": demand_chart(report.demand, [row["partner"] for row in report.partners]),
            # National targets only against the national network: a region's curve would be flattened.
            "growth": growth_chart(
                report.growth,
                report.targets if report.kind == "national" else {},
                published=report.published,
                label=opened,
            ),
        }
    return report.charts


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        number=french_number,
        percent=french_percent,
        month=french_month,
        short_month=short_month,
        day=french_date,
        figure=format_figure,
    )
    return environment


def render_report(report: Report, map_png: bytes | None) -> str:
    """The report as one HTML page: charts and the coverage map (``map_png``) inlined as ``data:``
    URIs, no external resource."""
    from orchestration.report_charts import png_data_uri

    charts = draw_charts(report)
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            report=report,
            about=report.about,
            national=report.kind == "national",
            demand_chart=png_data_uri(charts["demand"]),
            growth_chart=png_data_uri(charts["growth"]),
            map_image=png_data_uri(map_png) if map_png else None,
            sources=SOURCES,
        )
    )


def report_markdown(report: Report) -> str:
    """The key figures as Markdown, with the demand chart inline: the Dagster metadata of the
    national report."""
    from orchestration.report_charts import png_data_uri

    lines = [
        f"**{report.about.territory} — {french_month(report.month)}**",
        "",
        "| Indicateur | Valeur |",
        "| --- | ---: |",
    ]
    lines += [f"| {figure.label} | {format_figure(figure.value, figure.style)} |" for figure in report.figures]
    lines += [
        f"| Communes à plus de 30 minutes d'un site | {french_number(report.gap_count)} "
        f"({french_number(report.gap_population)} habitants) |",
        "",
        f"![Demandes par mois et par partenaire]({png_data_uri(draw_charts(report)['demand'])})",
    ]
    return "\n".join(lines)
