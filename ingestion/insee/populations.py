"""Reader for INSEE legal populations: `ensemble.xlsx` (sheet `Communes`) or `donnees_communes.csv`."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingestion.errors import InputError
from ingestion.insee.cities import NOTE_COLUMNS, empty_notes, replace_cities_by_arrondissements
from ingestion.insee.codes import CodeProblem, normalise_department, repair_commune_code, repaired_codes_warning
from ingestion.insee.kinds import NO_VINTAGE
from ingestion.insee.vintage import find_vintage
from ingestion.textfiles import (
    find_header_row,
    match_columns,
    normalise_label,
    read_csv_records,
    read_xlsx_sheet_with_row_numbers,
)

SHEET = "Communes"
COLUMNS = {
    "region_code": ["Code région"],
    "region_name": ["Nom de la région"],
    "department_code": ["Code département"],
    "commune_suffix": ["Code commune"],
    "commune_name": ["Nom de la commune"],
    "population": ["Population municipale"],
    "population_counted_apart": ["Population comptée à part"],
    "population_total": ["Population totale"],
}
REQUIRED = ["region_code", "department_code", "commune_suffix", "commune_name", "population"]
ROW_WITHOUT_CODE = "row without a commune code (department and commune code empty)"

# donnees_communes.csv, the CSV of the same zip, in the two headers seen over the years. The
# same labels mean different things in each: REG is the region's name in the first, its code
# in the second; COM the commune's name in the first, its code in the second.
CSV_SPLIT_CODE = {  # CODREG;REG;CODDEP;CODARR;CODCAN;CODCOM;COM;PMUN;PCAP;PTOT
    "region_code": ["CODREG"],
    "region_name": ["REG"],
    "department_code": ["CODDEP"],
    "commune_suffix": ["CODCOM"],
    "commune_name": ["COM"],
    "population": ["PMUN"],
    "population_counted_apart": ["PCAP"],
    "population_total": ["PTOT"],
}
CSV_FULL_CODE = {  # REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;Commune;PMUN;PCAP;PTOT
    "region_code": ["REG"],
    "region_name": ["Région"],
    "department_code": ["DEP"],
    "commune_suffix": ["CODCOM"],
    "commune_code": ["COM"],
    "commune_name": ["Commune"],
    "population": ["PMUN"],
    "population_counted_apart": ["PCAP"],
    "population_total": ["PTOT"],
}
CSV_REQUIRED = {
    "split": ["region_code", "department_code", "commune_suffix", "commune_name", "population"],
    "full": ["region_code", "department_code", "commune_code", "commune_name", "population"],
}


@dataclass(frozen=True)
class LegalPopulations:
    """Communes with their legal population and the vintage the file states (or was given).

    ``notes`` are quarantine-shaped rows (file, sheet, row, column, value, reason) for rows
    that were read but not kept (a city listed beside its arrondissements, a workbook row with
    content but neither department nor commune code); ``warnings`` say in one line each what
    was dropped or repaired.
    """

    communes: pd.DataFrame
    census_year: int | None
    in_force_year: int | None
    notes: pd.DataFrame = field(default_factory=empty_notes)
    warnings: tuple[str, ...] = ()


def _as_int(value: object, *, path: Path, row: int, column: str, sheet: str | None = SHEET) -> int | None:
    if value in (None, "", "null"):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).replace("\u202f", "").replace("\u00a0", "").replace(" ", "").strip()
    if text.isdigit():
        return int(text)
    raise InputError(
        f"expected a whole number, found {str(value)[:40]!r}", file=path, sheet=sheet, row=row, column=column
    )


def _commune_code(dep: str, suffix: str) -> str:
    """``75`` + ``112`` → ``75112``; overseas ``971`` + ``101`` → ``97101``."""
    suffix = suffix.zfill(3)
    return dep[:2] + suffix if len(dep) == 2 else dep + suffix[-2:]


def read_legal_populations(path: Path, *, year: int | None = None) -> LegalPopulations:
    """Read INSEE's legal populations, as the workbook or as ``donnees_communes.csv``.

    The shape is recognised from the content (a workbook, or one of the two CSV headers).
    The workbook states its vintage in its title rows; the CSV does not, so ``year`` (the
    census year, ``fsw ingest --year``) is required for it, and must agree with a stated one.
    A city listed beside its arrondissements is dropped with a note (never counted twice), and
    so is a workbook row with content but no code at all (:data:`ROW_WITHOUT_CODE`); only
    entirely blank rows are skipped.
    Raises ``InputError`` naming file, sheet, row and column for anything unreadable.
    """
    path = Path(path)
    if zipfile.is_zipfile(path):
        records, labels, sheet, vintage, repairs, notes = _read_workbook(path)
    else:
        records, labels, sheet, vintage, repairs, notes = _read_csv(path)
    stated = vintage["census_year"]
    if stated is not None and year is not None and stated != year:
        raise InputError(f"the file says census {stated} but --year {year} was given", file=path)
    if stated is None and year is None:
        raise InputError(NO_VINTAGE, file=path)
    return _finish(
        path, sheet, records, labels, repairs, notes, census_year=stated or year, in_force_year=vintage["in_force_year"]
    )


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_workbook(path: Path) -> tuple[list[dict], dict, str, dict, list, list[dict]]:
    numbered = read_xlsx_sheet_with_row_numbers(path, SHEET)
    rows = [cells for _, cells in numbered]
    header_index = find_header_row(
        rows, COLUMNS, REQUIRED, file=path, sheet=SHEET, row_numbers=[n for n, _ in numbered]
    )
    header = rows[header_index]
    positions = match_columns(header, COLUMNS)
    labels = {field: str(header[pos]) for field, pos in positions.items()}
    vintage = find_vintage(cell for row in rows[:header_index] for cell in row)
    records, notes = [], []
    for number, cells in numbered[header_index + 1 :]:

        def cell(field: str) -> object:
            pos = positions.get(field)
            return cells[pos] if pos is not None and pos < len(cells) else None

        dep = str(cell("department_code") or "").strip()
        suffix = str(cell("commune_suffix") or "").strip()
        if not dep and not suffix:
            if not all(_is_blank(value) for value in cells):
                notes.append(
                    {
                        "file": path.name,
                        "sheet": SHEET,
                        "row": number,
                        "column": labels["commune_suffix"],
                        "value": "",
                        "reason": ROW_WITHOUT_CODE,
                    }
                )
            continue
        if not dep or not suffix:
            missing = "department_code" if not dep else "commune_suffix"
            raise InputError("empty code", file=path, sheet=SHEET, row=number, column=labels[missing])
        dep = dep.zfill(2)
        records.append(_record(path, SHEET, number, labels, cell, _commune_code(dep, suffix), dep))
    if not records:
        raise InputError("no data rows under the header", file=path, sheet=SHEET, row=numbered[header_index][0])
    return records, labels, SHEET, vintage, [], notes


def _record(path, sheet, number, labels, cell, code, dep) -> dict:
    def number_in(field: str, default_label: str) -> int | None:
        return _as_int(cell(field), path=path, row=number, column=labels.get(field, default_label), sheet=sheet)

    population = number_in("population", "PMUN")
    if population is None:
        raise InputError("empty population", file=path, sheet=sheet, row=number, column=labels["population"])
    return {
        "commune_code": code,
        "commune_name": str(cell("commune_name") or "").strip(),
        "department_code": dep,
        "region_code": str(cell("region_code") or "").strip().zfill(2),
        "region_name": str(cell("region_name") or "").strip() or None,
        "population": population,
        "population_counted_apart": number_in("population_counted_apart", "Population comptée à part"),
        "population_total": number_in("population_total", "Population totale"),
        "source_row": number,
    }


def _read_csv(path: Path) -> tuple[list[dict], dict, None, dict, list, list[dict]]:
    """The rows of ``donnees_communes.csv`` (either header) and the codes repaired on the way."""
    numbered = read_csv_records(path)
    if not numbered:
        raise InputError("no header row: the file has no line with any value", file=path)
    header_line, header = numbered[0]
    names = {normalise_label(cell) for cell in header}
    if "coddep" in names:
        shape, columns = "split", CSV_SPLIT_CODE
    elif {"dep", "com", "commune"} <= names:
        shape, columns = "full", CSV_FULL_CODE
    else:
        raise InputError(
            "not a legal-populations CSV: expected the header CODREG;REG;CODDEP;CODARR;CODCAN;CODCOM;COM;PMUN;PCAP;PTOT "
            "or REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;Commune;PMUN;PCAP;PTOT",
            file=path,
            row=header_line,
        )
    find_header_row([header], columns, CSV_REQUIRED[shape], file=path, scan=1, row_numbers=[header_line])
    positions = match_columns(header, columns)
    labels = {field: header[pos].strip() for field, pos in positions.items()}
    records, repairs = [], []
    for number, cells in numbered[1:]:

        def cell(field: str) -> str:
            pos = positions.get(field)
            return cells[pos].strip() if pos is not None and pos < len(cells) else ""

        dep_text = cell("department_code")
        dep = normalise_department(dep_text)
        if not dep:
            raise InputError("empty code", file=path, row=number, column=labels["department_code"])
        if dep != dep_text:
            repairs.append((number, labels["department_code"], dep_text, dep))
        suffix = cell("commune_suffix")
        if shape == "split":
            if not suffix.isdigit() or len(suffix) > 3:
                raise InputError(
                    f"invalid commune code {suffix!r} (expected 3 digits)",
                    file=path,
                    row=number,
                    column=labels["commune_suffix"],
                )
            code = _commune_code(dep, suffix)
        else:
            raw = cell("commune_code")
            try:
                code, repaired = repair_commune_code(raw, dep_text)
            except CodeProblem as problem:
                raise InputError(str(problem), file=path, row=number, column=labels["commune_code"]) from None
            if repaired:
                repairs.append((number, labels["commune_code"], raw, code))
            if suffix and (not suffix.isdigit() or _commune_code(dep, suffix) != code):
                raise InputError(
                    f"commune code {code!r} does not match {labels['department_code']} {dep!r} and "
                    f"{labels['commune_suffix']} {suffix!r}",
                    file=path,
                    row=number,
                    column=labels["commune_code"],
                )
        records.append(_record(path, None, number, labels, cell, code, dep))
    if not records:
        raise InputError("no data rows under the header", file=path, row=header_line)
    return records, labels, None, {"census_year": None, "in_force_year": None, "geography_year": None}, repairs, []


def _finish(
    path: Path,
    sheet: str | None,
    records: list[dict],
    labels: dict,
    repairs: list,
    row_notes: list[dict],
    *,
    census_year: int,
    in_force_year: int | None,
) -> LegalPopulations:
    frame = pd.DataFrame.from_records(records)
    duplicated = frame[frame["commune_code"].duplicated(keep=False)]
    if not duplicated.empty:
        first, again = (
            duplicated.iloc[0],
            duplicated[duplicated["commune_code"] == duplicated.iloc[0]["commune_code"]].iloc[1],
        )
        raise InputError(
            f"commune {first['commune_code']} listed twice (rows {first['source_row']} and {again['source_row']})",
            file=path,
            sheet=sheet,
            row=int(again["source_row"]),
            column=labels.get("commune_code", labels.get("commune_suffix")),
        )
    frame, notes, warnings = replace_cities_by_arrondissements(
        frame,
        path=path,
        sheet=sheet,
        code_column=labels.get("commune_code", labels["commune_suffix"]),
        population_column=labels["population"],
    )
    if repairs:
        warnings = [repaired_codes_warning(path, repairs), *warnings]
    if row_notes:
        without_code = pd.DataFrame.from_records(row_notes, columns=NOTE_COLUMNS)
        notes = without_code if notes.empty else pd.concat([notes, without_code], ignore_index=True)
        notes = notes.sort_values("row", kind="stable", ignore_index=True)
        where = f"sheet {sheet!r}, " if sheet else ""
        warnings = [
            *warnings,
            f"{path.name}: {where}{len(row_notes):,} row(s) not loaded, {ROW_WITHOUT_CODE}; "
            f"first: row {row_notes[0]['row']}",
        ]
    for column in ("population", "population_counted_apart", "population_total"):
        frame[column] = frame[column].astype("Int64")
    return LegalPopulations(frame, census_year, in_force_year, notes, tuple(warnings))
