"""Regional and departmental extracts of the published serving DB (parquet, csv, xlsx + map).

Layout: ``extracts/<YYYY-MM-DD>/{national,regions/<code>,departments/<code>}/`` holding one
file per table, ``coverage_map.png`` and ``manifest.json`` (written last). Every file is
written under a hidden temporary name and moved into place with ``os.replace``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.errors import InputError
from orchestration.config import Settings
from orchestration.extract_map import METROPOLE_BOUNDS, draw_coverage_map

FORMATS = ("parquet", "csv", "xlsx")
# Extract name -> (serving table, extra condition). Names here are constants, never user input.
TABLES = {
    "territory_monthly": ("mart_territory_monthly", ""),
    "site_scorecard": ("mart_site_scorecard", ""),
    "coverage_gaps": ("mart_coverage_gaps", ""),
    "sites": ("dim_site", "is_current"),
}
MAP_NAME = "coverage_map.png"
MANIFEST_NAME = "manifest.json"
REGION_CODE = re.compile(r"\d{2}")
DEPARTMENT_CODE = re.compile(r"\d{2}|2[AB]|97\d")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575
ILLEGAL_XLSX_CHARS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


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
    """Where an extract went: its folder, rows per file name, and its manifest."""

    folder: Path
    files: dict[str, int] = field(default_factory=dict)
    manifest: Path | None = None


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
        found = con.execute(f"select 1 from dim_commune where {parsed.column} = ? limit 1", [parsed.code]).fetchone()
        if found is None:
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


def _query_table(con: duckdb.DuckDBPyConnection, table: str, scope: Scope, extra: str) -> pa.Table:
    where, params = _where(scope, extra)
    return con.sql(f'select * from main."{table}"{where}', params=params).to_arrow_table()


# --- cell conventions -------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Prefix a text cell that a spreadsheet would read as a formula with ``'`` (OWASP)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _decimal_comma(number: float | Decimal) -> str:
    if isinstance(number, Decimal):
        return format(number, "f").replace(".", ",")
    # Positional (never 1e-05) so French Excel reads every value as a number.
    return np.format_float_positional(number, trim="-").replace(".", ",")


def _utc_naive(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def csv_cell(value: object) -> str:
    """One CSV cell for French Excel: empty for null, ``true``/``false``, decimal comma,
    ISO dates, timestamps as UTC ``YYYY-MM-DD HH:MM:SS``, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if math.isnan(value) or math.isinf(value) else _decimal_comma(value)
    if isinstance(value, Decimal):
        return _decimal_comma(value)
    if isinstance(value, datetime):
        return _utc_naive(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def _xlsx_value(value: object) -> object:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, datetime):
        return _utc_naive(value)
    if value is None or isinstance(value, (bool, int, float, Decimal, date)):
        return value
    return ILLEGAL_XLSX_CHARS.sub("", neutralise(str(value)))[:32767]


def _rows(table: pa.Table) -> Iterable[tuple]:
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return zip(*columns)


# --- writers ------------------------------------------------------------------------------


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path)


def _write_csv(table: pa.Table, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([neutralise(name) for name in table.column_names])
        for row in _rows(table):
            writer.writerow([csv_cell(value) for value in row])


def _write_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    if table.num_rows > XLSX_MAX_ROWS:
        raise InputError(f"{sheet} has {table.num_rows} rows, more than an xlsx sheet holds: use csv or parquet")
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append(list(table.column_names))
    for row in _rows(table):
        cells = []
        for value in row:
            cell = WriteOnlyCell(worksheet, value=_xlsx_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # belt and braces: never a formula, whatever the text
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        worksheet.append(cells)
    workbook.save(path)


def _write_table(table: pa.Table, path: Path, fmt: str, name: str) -> None:
    if fmt == "parquet":
        _atomic(path, lambda target: _write_parquet(table, target))
    elif fmt == "csv":
        _atomic(path, lambda target: _write_csv(table, target))
    else:
        _atomic(path, lambda target: _write_xlsx(table, target, name))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- map, source, manifest --------------------------------------------------------------------


def _map_frames(con: duckdb.DuckDBPyConnection, scope: Scope, existing: set[str]):
    where, params = _where(scope, "")
    if "fct_coverage" in existing:
        communes = con.sql(
            "with latest as (select commune_code, travel_minutes from fct_coverage "
            "where month_end = (select max(month_end) from fct_coverage)) "
            "select c.commune_code, c.latitude, c.longitude, latest.travel_minutes "
            f"from (select * from dim_commune{where}) as c left join latest using (commune_code)",
            params=params,
        ).df()
    else:
        communes = con.sql(f"select commune_code, latitude, longitude from dim_commune{where}", params=params).df()
    site_where, site_params = _where(scope, "is_current")
    sites = con.sql(f"select latitude, longitude, is_mobile from dim_site{site_where}", params=site_params).df()
    return communes, sites


def _source(con: duckdb.DuckDBPyConnection, existing: set[str]) -> dict:
    if "fsw_publication" not in existing:
        return {"run_id": None, "published_at": None}
    row = con.execute("select run_id, published_at from fsw_publication limit 1").fetchone()
    if row is None:
        return {"run_id": None, "published_at": None}
    run_id, published_at = row
    return {
        "run_id": run_id,
        "published_at": published_at.isoformat() if hasattr(published_at, "isoformat") else published_at,
    }


def _carried_over(folder: Path, written: set[str]) -> list[dict]:
    # Files of an earlier extract in another format stay listed while they are unchanged.
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
        if _sha256(path) == entry.get("sha256"):
            kept.append(entry)
    return kept


def write_extract(
    settings: Settings, scope: str, fmt: str, *, day: date | None = None, run_id: str = ""
) -> ExtractResult:
    """Write one scope's tables (``territory_monthly``, ``site_scorecard``, ``coverage_gaps``,
    ``sites``) as ``fmt`` (parquet, csv or xlsx), a coverage map and ``manifest.json`` under
    ``settings.extracts/<day>/<scope folder>/``, reading the serving DB read-only.

    CSV is for French Excel: UTF-8 with BOM, ``;``, CRLF, decimal comma, ISO dates, booleans
    ``true``/``false``, empty cells for nulls. In csv and xlsx, text starting with ``= + - @``,
    tab or CR gets a leading ``'``. Re-running the same day, scope and format overwrites.
    ``run_id`` is the id of the run making the extract, recorded in the manifest.
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
        _require_tables(con, ["dim_commune"] + [table for table, _ in TABLES.values()])
        existing = _existing_tables(con)
        extracts_root = settings.extracts.resolve()
        folder = extracts_root / day.isoformat() / parsed.folder
        if not folder.resolve().is_relative_to(extracts_root):
            raise InputError(f"invalid scope {scope!r}: folder outside the extracts folder")
        folder.mkdir(parents=True, exist_ok=True)
        for leftover in folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)

        files: dict[str, int] = {}
        for name, (table_name, extra) in TABLES.items():
            table = _query_table(con, table_name, parsed, extra)
            file_name = f"{name}.{fmt}"
            _write_table(table, folder / file_name, fmt, name)
            files[file_name] = table.num_rows
        communes, sites = _map_frames(con, parsed, existing)
        source = _source(con, existing)
    finally:
        con.close()

    bounds = METROPOLE_BOUNDS if parsed.kind == "national" else None
    title = f"France Services coverage: {parsed} ({day.isoformat()})"
    draw_coverage_map(communes, sites, folder / MAP_NAME, title, bounds=bounds)
    files[MAP_NAME] = len(communes)

    entries = [
        {
            "name": name,
            "format": "png" if name == MAP_NAME else fmt,
            "rows": rows,
            "bytes": (folder / name).stat().st_size,
            "sha256": _sha256(folder / name),
        }
        for name, rows in files.items()
    ]
    entries += _carried_over(folder, set(files))
    manifest = {
        "scope": str(parsed),
        "format": fmt,
        "day": day.isoformat(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run_id or None,
        "source_run_id": source["run_id"],
        "source_published_at": source["published_at"],
        "files": sorted(entries, key=lambda entry: entry["name"]),
    }
    manifest_path = folder / MANIFEST_NAME
    _atomic(
        manifest_path,
        lambda target: target.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"),
    )
    return ExtractResult(folder=folder, files=files, manifest=manifest_path)
