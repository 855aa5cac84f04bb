"""Reader for INSEE's EPCI composition workbook (`EPCI_au_01-01-YYYY.xlsx`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingestion.errors import InputError
from ingestion.insee.codes import CodeProblem, repair_commune_code, repaired_codes_warning
from ingestion.insee.vintage import find_vintage
from ingestion.textfiles import find_header_row, match_columns, read_xlsx_sheet_with_row_numbers

COMPOSITION_SHEET = "Composition_communale"
EPCI_SHEET = "EPCI"
COMPOSITION_COLUMNS = {
    "commune_code": ["CODGEO"],
    "commune_name": ["LIBGEO"],
    "epci_code": ["EPCI"],
    "epci_name": ["LIBEPCI"],
    "department_code": ["DEP"],
    "region_code": ["REG"],
}
EPCI_COLUMNS = {
    "epci_code": ["EPCI"],
    "epci_name": ["LIBEPCI"],
    "epci_nature": ["NATURE_EPCI"],
    "commune_count": ["NB_COM"],
}
NO_EPCI = "ZZZZZZZZZ"


@dataclass(frozen=True)
class EpciComposition:
    """Which EPCI each commune belongs to, and the EPCI list, for one geography year.

    ``warnings`` say in one line what was repaired (codes whose leading zeros a spreadsheet
    stripped).
    """

    communes: pd.DataFrame
    epcis: pd.DataFrame
    geography_year: int | None
    warnings: tuple[str, ...] = ()


def _read_table(path: Path, sheet: str, columns: dict, required: list[str]) -> tuple[list, int, dict]:
    numbered = read_xlsx_sheet_with_row_numbers(path, sheet)
    rows = [cells for _, cells in numbered]
    header_index = find_header_row(
        rows, columns, required, file=path, sheet=sheet, row_numbers=[n for n, _ in numbered]
    )
    positions = match_columns(rows[header_index], columns)
    titles = [cell for row in rows[:header_index] for cell in row]
    return numbered[header_index + 1 :], find_vintage(titles)["geography_year"], positions


def _is_blank_row(cells: list) -> bool:
    """Every cell empty or spaces: the only rows skipped without a word."""
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in cells)


def _text(cells: list, pos: int | None) -> str:
    if pos is None or pos >= len(cells) or cells[pos] is None:
        return ""
    value = cells[pos]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_epci_composition(path: Path) -> EpciComposition:
    """Read the `Composition_communale` and `EPCI` sheets; vintage from the title rows.

    Communes outside any EPCI keep the file's ``ZZZZZZZZZ`` code ("Sans objet"). Only
    entirely blank rows are skipped; a row of either sheet without its code fails the file
    (``InputError`` naming sheet, row and column), as every other bad row does.
    """
    path = Path(path)
    body, year, pos = _read_table(path, COMPOSITION_SHEET, COMPOSITION_COLUMNS, ["commune_code", "epci_code"])
    records, repairs = [], []
    for number, cells in body:
        if _is_blank_row(cells):
            continue
        raw = _text(cells, pos["commune_code"])
        if not raw:
            raise InputError("empty commune code", file=path, sheet=COMPOSITION_SHEET, row=number, column="CODGEO")
        try:
            code, repaired = repair_commune_code(raw, _text(cells, pos.get("department_code")))
        except CodeProblem as problem:
            raise InputError(str(problem), file=path, sheet=COMPOSITION_SHEET, row=number, column="CODGEO") from None
        if repaired:
            repairs.append((number, "CODGEO", raw, code))
        epci = _text(cells, pos["epci_code"])
        if not epci:
            raise InputError("empty EPCI code", file=path, sheet=COMPOSITION_SHEET, row=number, column="EPCI")
        records.append(
            {
                "commune_code": code,
                "commune_name": _text(cells, pos.get("commune_name")),
                "epci_code": epci,
                "epci_name": _text(cells, pos.get("epci_name")) or None,
                "department_code": _text(cells, pos.get("department_code")) or None,
                "region_code": _text(cells, pos.get("region_code")) or None,
                "source_row": number,
            }
        )
    if not records:
        raise InputError("no data rows under the header", file=path, sheet=COMPOSITION_SHEET)
    communes = pd.DataFrame.from_records(records)
    duplicated = communes[communes["commune_code"].duplicated()]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        raise InputError(
            f"commune {first['commune_code']} listed twice",
            file=path,
            sheet=COMPOSITION_SHEET,
            row=int(first["source_row"]),
            column="CODGEO",
        )
    epci_body, epci_year, epci_pos = _read_table(path, EPCI_SHEET, EPCI_COLUMNS, ["epci_code", "epci_name"])
    epci_records = []
    for number, cells in epci_body:
        if _is_blank_row(cells):
            continue
        epci = _text(cells, epci_pos["epci_code"])
        if not epci:
            raise InputError("empty EPCI code", file=path, sheet=EPCI_SHEET, row=number, column="EPCI")
        epci_records.append(
            {
                "epci_code": epci,
                "epci_name": _text(cells, epci_pos["epci_name"]),
                "epci_nature": _text(cells, epci_pos.get("epci_nature")) or None,
            }
        )
    epcis = pd.DataFrame.from_records(epci_records)
    warnings = (repaired_codes_warning(path, repairs),) if repairs else ()
    return EpciComposition(communes, epcis, year or epci_year, warnings)
