"""Regional and departmental extracts of the published serving DB (parquet, csv, xlsx + map).

Layout: ``extracts/<YYYY-MM-DD>/{national,regions/<code>,departments/<code>}/`` holding one
file per table, ``coverage_map.png``, ``report.html`` and ``manifest.json`` (written last). Every file is
written under a hidden temporary name and moved into place with ``os.replace``.

Rows are sorted by territory then month (``ExtractTable.order_by``) and measures rounded by
``extract_columns.MEASURE_RULES``, the same in every format.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.errors import InputError
from orchestration.chief_towns import prefectures, regional_capitals
from orchestration.config import Settings
from orchestration.extract_cells import csv_cell, neutralise, table_rows
from orchestration.extract_columns import round_measures
from orchestration.extract_readme import ExtractAbout, readme_rows
from orchestration.extract_xlsx import write_xlsx
from orchestration.report import REPORT_NAME, Report, gather_report, render_report

FORMATS = ("parquet", "csv", "xlsx")


@dataclass(frozen=True)
class ExtractTable:
    """One table of an extract: the serving table, an extra condition, and its row order."""

    source: str
    condition: str
    order_by: str


TERRITORY_LEVEL_ORDER = (
    "case territory_level when 'national' then 0 when 'region' then 1 when 'department' then 2 "
    "when 'epci' then 3 else 4 end"
)
# Extract name -> its table. Names and SQL here are constants, never user input.
TABLES = {
    "territory_monthly": ExtractTable(
        "mart_territory_monthly", "", f"{TERRITORY_LEVEL_ORDER}, territory_code, month_end"
    ),
    "site_scorecard": ExtractTable("mart_site_scorecard", "", "region_code, department_code, commune_code, site_id"),
    "coverage_gaps": ExtractTable(
        "mart_coverage_gaps", "", "region_code, department_code, month_end, gap_rank, commune_code"
    ),
    "sites": ExtractTable("dim_site", "is_current", "region_code, department_code, commune_code, site_id"),
    "published_reconciliation": ExtractTable(
        "mart_published_reconciliation", "", f"{TERRITORY_LEVEL_ORDER}, territory_code, month_start, indicator"
    ),
    "outreach_places": ExtractTable(
        "dim_outreach_place", "is_current", "region_code, department_code, commune_code, site_id, place_id"
    ),
    "qpv_coverage": ExtractTable(
        "mart_qpv_coverage", "", "region_code, department_code, commune_code, qpv_code, month_end"
    ),
}
MAP_NAME = "coverage_map.png"
MANIFEST_NAME = "manifest.json"
FILE_FORMATS = {MAP_NAME: "png", REPORT_NAME: "html"}  # files written whatever the tables' format
REGION_CODE = re.compile(r"\d{2}")
DEPARTMENT_CODE = re.compile(r"\d{2}|2[AB]|97\d")
KIND_IN_FRENCH = {"region": "région", "department": "département"}


@dataclass(frozen=True)
class Scope:
    """A validated extract scope: ``kind`` is national, region or department."""

    kind: str
    code: str | None = None

    @property
    def folder(self) -> Path:
        """The scope's folder relative to the day folder."""
        if self.kind == "national":
            return Path("national")
        return Path("regions" if self.kind == "region" else "departments") / str(self.code)

    @property
    def column(self) -> str | None:
        """The column the scope filters on (``None`` for national)."""
        return {"region": "region_code", "department": "department_code"}.get(self.kind)

    def __str__(self) -> str:
        return "national" if self.kind == "national" else f"{self.kind}:{self.code}"


@dataclass
class ExtractResult:
    """Where an extract went: its folder, rows per file name, its manifest, and what its
    report.html shows."""

    folder: Path
    files: dict[str, int] = field(default_factory=dict)
    manifest: Path | None = None
    report: Report | None = None


def parse_scope(scope: str, con: duckdb.DuckDBPyConnection | None = None) -> Scope:
    """Validate ``national``, ``region:<2 digits>`` or ``department:<code>``; with ``con``
    (a serving DB) also check that the code exists in ``dim_commune``."""
    text = scope or ""
    kind, _, code = text.partition(":")
    kind = kind.lower()
    parsed: Scope | None = None
    if text.lower() == "national":
        parsed = Scope("national")
    elif kind == "region" and REGION_CODE.fullmatch(code):
        parsed = Scope("region", code)
    elif kind == "department" and DEPARTMENT_CODE.fullmatch(code.upper()):
        parsed = Scope("department", code.upper())
    if parsed is None:
        raise InputError(f"invalid scope {scope!r}: expected national, region:<2 digits> or department:<code>")
    if con is not None and parsed.column is not None:
        _require_tables(con, ["dim_commune"])
        found = con.execute(f"select 1 from dim_commune where {parsed.column} = ? limit 1", [parsed.code]).fetchall()
        if not found:
            raise InputError(f"unknown {parsed.kind} {parsed.code!r}")
    return parsed


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()
    return {name for (name,) in rows}


def _require_tables(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> None:
    existing = _existing_tables(con)
    for name in names:
        if name not in existing:
            raise InputError(f"serving DB has no table {name}: run fsw run first")


def _where(scope: Scope, extra: str) -> tuple[str, list]:
    conditions = [extra] if extra else []
    params: list = []
    if scope.column is not None:
        conditions.append(f"{scope.column} = ?")
        params.append(scope.code)
    return (" where " + " and ".join(conditions) if conditions else ""), params


def _query_table(con: duckdb.DuckDBPyConnection, extract: ExtractTable, scope: Scope) -> pa.Table:
    where, params = _where(scope, extract.condition)
    sql = f'select * from main."{extract.source}"{where} order by {extract.order_by}'
    return round_measures(con.sql(sql, params=params).to_arrow_table())


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where schema_name = 'main' and table_name = ?", [table]
    ).fetchall()
    return {name for (name,) in rows}


# --- writers ------------------------------------------------------------------------------


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _write_csv(table: pa.Table, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([neutralise(name) for name in table.column_names])
        for row in table_rows(table):
            writer.writerow([csv_cell(value) for value in row])


def _write_table(table: pa.Table, path: Path, fmt: str, name: str, about: ExtractAbout) -> None:
    if fmt == "parquet":
        _atomic(path, lambda target: pq.write_table(table, target))
    elif fmt == "csv":
        _atomic(path, lambda target: _write_csv(table, target))
    else:
        readme = readme_rows(about, TABLES, workbook_table=name)
        _atomic(path, lambda target: write_xlsx(table, target, name, readme))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- what the extract is about: territory, months, source -----------------------------------


def _territory(con: duckdb.DuckDBPyConnection, scope: Scope) -> tuple[str, str]:
    """The scope's name ("Occitanie") and its label ("région Occitanie (76)"), from dim_commune."""
    if scope.kind == "national":
        return "France", "France entière"
    kind = KIND_IN_FRENCH[scope.kind]
    name_column = f"{scope.kind}_name"
    name = None
    if name_column in _columns(con, "dim_commune"):
        ((name,),) = con.execute(
            f"select min({name_column}) from dim_commune where {scope.column} = ? and {name_column} <> ''",
            [scope.code],
        ).fetchall()
    if not name:
        return f"{kind} {scope.code}", f"{kind} {scope.code}"
    return name, f"{kind} {name} ({scope.code})"


def _months(con: duckdb.DuckDBPyConnection, scope: Scope, existing: set[str]) -> tuple[date | None, ...]:
    """The data month (of the coverage data, else the latest monthly figures) and the first and
    last months of the monthly series of the scope."""
    where, params = _where(scope, "")
    ((first, last),) = con.execute(
        f"select min(month_end), max(month_end) from mart_territory_monthly{where}", params
    ).fetchall()
    coverage = None
    if "fct_coverage" in existing:
        ((coverage,),) = con.execute("select max(month_end) from fct_coverage").fetchall()
    return coverage or last, first, last


def _demo_sources(con: duckdb.DuckDBPyConnection, existing: set[str]) -> tuple[str, ...]:
    """The sources whose published data are all demo (no real file loaded yet): the loads ledger's,
    and ``sites`` when the current sites are demo ones (the demo listing is not a load)."""
    demo = set()
    if "fsw_loads" in existing and {"source", "status", "is_demo"} <= _columns(con, "fsw_loads"):
        rows = con.execute(
            "select source from fsw_loads where status = 'published' group by source having bool_and(is_demo)"
        ).fetchall()
        demo |= {source for (source,) in rows}
    if "is_demo" in _columns(con, "dim_site"):
        ((demo_sites,),) = con.execute("select count(*) from dim_site where is_current and is_demo").fetchall()
        if demo_sites:
            demo.add("sites")
    return tuple(sorted(demo))


def _source(con: duckdb.DuckDBPyConnection, existing: set[str]) -> tuple[str | None, datetime | None]:
    """The run id and time of the publication the serving DB comes from (``None`` if unrecorded)."""
    if "fsw_publication" not in existing:
        return None, None
    rows = con.execute("select run_id, published_at from fsw_publication limit 1").fetchall()
    if not rows:
        return None, None
    ((run_id, published_at),) = rows
    if isinstance(published_at, str):
        try:
            published_at = datetime.fromisoformat(published_at)
        except ValueError:
            published_at = None
    return run_id, published_at if isinstance(published_at, datetime) else None


def _about(con: duckdb.DuckDBPyConnection, scope: Scope, existing: set[str], day: date) -> ExtractAbout:
    territory, label = _territory(con, scope)
    data_month, first, last = _months(con, scope, existing)
    run_id, published_at = _source(con, existing)
    return ExtractAbout(
        scope=str(scope),
        territory=territory,
        territory_label=label,
        data_month=data_month,
        first_month=first,
        last_month=last,
        source_run_id=run_id,
        source_published_at=published_at,
        demo_sources=_demo_sources(con, existing),
        extracted_on=day,
    )


# --- map ----------------------------------------------------------------------------------------


@dataclass
class MapData:
    """What the coverage map draws: the scope's communes, the communes around, sites, chief towns."""

    communes: pd.DataFrame
    neighbours: pd.DataFrame
    sites: pd.DataFrame
    towns: pd.DataFrame
    stops: pd.DataFrame | None = None
    qpvs: pd.DataFrame | None = None


def _map_data(con: duckdb.DuckDBPyConnection, scope: Scope, existing: set[str]) -> MapData:
    minutes = "null::double"
    join = ""
    if "fct_coverage" in existing:
        minutes = "latest.travel_minutes"
        join = (
            "left join (select commune_code, travel_minutes from fct_coverage "
            "where month_end = (select max(month_end) from fct_coverage)) as latest using (commune_code)"
        )
    every = con.sql(
        "select c.commune_code, c.latitude, c.longitude, c.department_code, c.region_code, "
        f"{minutes} as travel_minutes from dim_commune as c {join}"
    ).df()
    in_scope = every[scope.column] == scope.code if scope.column else pd.Series(True, index=every.index)
    communes, others = every[in_scope], every[~in_scope]
    neighbours = others.iloc[0:0]
    located = communes.dropna(subset=["latitude", "longitude"])
    if not located.empty and not others.empty:
        # Communes around the territory, so that its outline is drawn against theirs.
        lon, lat = located["longitude"], located["latitude"]
        pad_lon = (lon.max() - lon.min()) * 0.3 + 0.1
        pad_lat = (lat.max() - lat.min()) * 0.3 + 0.1
        near = others["longitude"].between(lon.min() - pad_lon, lon.max() + pad_lon) & others["latitude"].between(
            lat.min() - pad_lat, lat.max() + pad_lat
        )
        neighbours = others[near]
    site_where, site_params = _where(scope, "is_current")
    sites = con.sql(
        f"select latitude, longitude, is_mobile, region_code from dim_site{site_where}", params=site_params
    ).df()
    if scope.kind == "national":
        chief = regional_capitals(communes["region_code"].dropna())
    else:
        chief = prefectures(communes["department_code"].dropna())
    towns = every[every["commune_code"].isin(chief)][["commune_code", "latitude", "longitude"]]
    towns = towns.assign(name=towns["commune_code"].map(chief))
    stops = qpvs = None
    if "dim_outreach_place" in existing:
        stops = con.sql(
            f"select latitude, longitude, region_code from dim_outreach_place{site_where}", params=site_params
        ).df()
    if "dim_qpv" in existing:
        # the newest generation in force (2024 replaced 2015)
        qpv_where, qpv_params = _where(scope, "generation = (select max(generation) from dim_qpv)")
        qpvs = con.sql(f"select latitude, longitude, region_code from dim_qpv{qpv_where}", params=qpv_params).df()
    return MapData(communes=communes, neighbours=neighbours, sites=sites, towns=towns, stops=stops, qpvs=qpvs)


# --- manifest ----------------------------------------------------------------------------------


# Per-file provenance key -> the manifest key it comes from for the run that wrote the file.
PROVENANCE = {
    "written_at": "created_at",
    "run_id": "run_id",
    "source_run_id": "source_run_id",
    "source_published_at": "source_published_at",
    "data_month": "data_month",
}


def _carried_over(folder: Path, written: set[str]) -> list[dict]:
    """The entries of the folder's previous manifest for files this run did not rewrite and that
    are unchanged, each keeping the publication and run it came from."""
    manifest = folder / MANIFEST_NAME
    if not manifest.exists():
        return []
    try:
        previous = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    kept = []
    for entry in previous.get("files", []):
        path = folder / str(entry.get("name", ""))
        if entry.get("name") in written or path.parent != folder or not path.is_file():
            continue
        if _sha256(path) != entry.get("sha256"):
            continue
        if "source_run_id" not in entry:
            # A manifest without per-file provenance: only files of its own format were its run's.
            own = entry.get("format") == previous.get("format")
            for key, previous_key in PROVENANCE.items():
                entry[key] = previous.get(previous_key) if own else None
        kept.append({**entry, "carried_over": True})
    return kept


def write_extract(
    settings: Settings, scope: str, fmt: str, *, day: date | None = None, run_id: str = ""
) -> ExtractResult:
    """Write one scope's tables (``territory_monthly``, ``site_scorecard``, ``coverage_gaps``,
    ``sites``) as ``fmt`` (parquet, csv or xlsx), a coverage map, ``report.html`` (the French
    report of ``orchestration.report``, the map inlined) and ``manifest.json`` under
    ``settings.extracts/<day>/<scope folder>/``, reading the serving DB read-only.

    Every format: rows sorted by territory then month, measures rounded by
    ``extract_columns.MEASURE_RULES`` (shares 0.789, minutes whole, km 0.1). CSV is for French
    Excel: UTF-8 with BOM, ``;``, CRLF, decimal comma, ISO dates, booleans ``true``/``false``,
    empty cells for nulls. XLSX: a Lisez-moi sheet first, then the table with a frozen header,
    filters, fitted widths, percent and thousands formats. In csv and xlsx, text starting with
    ``= + - @``, tab or CR gets a leading ``'``. Re-running the same day, scope and format
    overwrites; files of another format already in the folder stay listed in the manifest with
    the publication they came from. ``run_id`` is the id of the run making the extract.
    """
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise InputError(f"invalid format {fmt!r}: expected parquet, csv or xlsx")
    parse_scope(scope)  # the syntax first: a bad scope is refused even on an empty home
    if not settings.serving_db.exists():
        raise InputError(f"no serving DB at {settings.serving_db}: run fsw run first")
    day = day or date.today()
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        parsed = parse_scope(scope, con)
        _require_tables(con, ["dim_commune"] + [extract.source for extract in TABLES.values()])
        existing = _existing_tables(con)
        extracts_root = settings.extracts.resolve()
        folder = extracts_root / day.isoformat() / parsed.folder
        if not folder.resolve().is_relative_to(extracts_root):
            raise InputError(f"invalid scope {scope!r}: folder outside the extracts folder")
        folder.mkdir(parents=True, exist_ok=True)
        for leftover in folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)

        about = _about(con, parsed, existing, day)
        files: dict[str, int] = {}
        for name, extract in TABLES.items():
            table = _query_table(con, extract, parsed)
            file_name = f"{name}.{fmt}"
            _write_table(table, folder / file_name, fmt, name, about)
            files[file_name] = table.num_rows
        drawn = _map_data(con, parsed, existing)
        report = gather_report(con, parsed, about, existing)
    finally:
        con.close()

    # matplotlib only when a map is drawn: every fsw command imports this module (0.8 s)
    from orchestration.extract_map import draw_coverage_map, map_title

    draw_coverage_map(
        drawn.communes,
        drawn.sites,
        folder / MAP_NAME,
        map_title(about.territory, about.data_month),
        neighbours=drawn.neighbours,
        towns=drawn.towns,
        stops=drawn.stops,
        qpvs=drawn.qpvs,
        overseas_insets=parsed.kind == "national",
    )
    files[MAP_NAME] = len(drawn.communes)
    html = render_report(report, (folder / MAP_NAME).read_bytes())
    _atomic(folder / REPORT_NAME, lambda target: target.write_text(html, encoding="utf-8"))
    files[REPORT_NAME] = 1

    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = {
        "scope": str(parsed),
        "territory": about.territory,
        "format": fmt,
        "day": day.isoformat(),
        "created_at": created_at,
        "run_id": run_id or None,
        "source_run_id": about.source_run_id,
        "source_published_at": about.source_published_at.isoformat() if about.source_published_at else None,
        "data_month": f"{about.data_month:%Y-%m}" if about.data_month else None,
    }
    entries = [
        {
            "name": name,
            "format": FILE_FORMATS.get(name, fmt),
            "rows": rows,
            "bytes": (folder / name).stat().st_size,
            "sha256": _sha256(folder / name),
            **{key: manifest[previous_key] for key, previous_key in PROVENANCE.items()},
            "carried_over": False,
        }
        for name, rows in files.items()
    ]
    entries += _carried_over(folder, set(files))
    manifest["files"] = sorted(entries, key=lambda entry: entry["name"])
    manifest_path = folder / MANIFEST_NAME
    _atomic(
        manifest_path,
        lambda target: target.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"),
    )
    return ExtractResult(folder=folder, files=files, manifest=manifest_path, report=report)
