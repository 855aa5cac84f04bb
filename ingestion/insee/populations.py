"""Reader for INSEE legal populations (`ensemble.xlsx`, sheet `Communes`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingestion.errors import InputError
from ingestion.insee.vintage import find_vintage
from ingestion.textfiles import find_header_row, match_columns, read_xlsx_sheet_with_row_numbers

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


@dataclass(frozen=True)
class LegalPopulations:
    """Communes with their legal population and the vintage the file states."""

    communes: pd.DataFrame
    census_year: int | None
    in_force_year: int | None


def _as_int(value: object, *, path: Path, row: int, column: str) -> int | None:
    if value in (None, "", "null"):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if text.isdigit():
        return int(text)
    raise InputError(f"expected a whole number, found {str(value)[:40]!r}", file=path, sheet=SHEET, row=row, column=column)


def read_legal_populations(path: Path) -> LegalPopulations:
    """Read the `Communes` sheet of INSEE's legal populations workbook.

    The header row and the vintage are found in the sheet itself; the commune code is the
    department code followed by the 3-digit ``Code commune`` (``75`` + ``112`` → ``75112``).
    Raises ``InputError`` naming file, sheet, row and column for anything unreadable.
    """
    path = Path(path)
    numbered = read_xlsx_sheet_with_row_numbers(path, SHEET)
    rows = [cells for _, cells in numbered]
    header_index = find_header_row(
        rows, COLUMNS, REQUIRED, file=path, sheet=SHEET, row_numbers=[n for n, _ in numbered]
    )
    header = rows[header_index]
    positions = match_columns(header, COLUMNS)
    labels = {field: str(header[pos]) for field, pos in positions.items()}
    vintage = find_vintage(cell for row in rows[:header_index] for cell in row)
    records = []
    for number, cells in numbered[header_index + 1 :]:
        def cell(field: str) -> object:
            pos = positions.get(field)
            return cells[pos] if pos is not None and pos < len(cells) else None

        dep = str(cell("department_code") or "").strip()
        suffix = str(cell("commune_suffix") or "").strip()
        if not dep and not suffix:
            continue
        if not dep or not suffix:
            missing = "department_code" if not dep else "commune_suffix"
            raise InputError("empty code", file=path, sheet=SHEET, row=number, column=labels[missing])
        suffix = suffix.zfill(3)
        dep = dep.zfill(2)
        code = dep[:2] + suffix if len(dep) == 2 else dep + suffix[-2:]
        records.append(
            {
                "commune_code": code,
                "commune_name": str(cell("commune_name") or "").strip(),
                "department_code": dep,
                "region_code": str(cell("region_code") or "").strip().zfill(2),
                "region_name": str(cell("region_name") or "").strip() or None,
                "population": _as_int(cell("population"), path=path, row=number, column=labels["population"]),
                "population_counted_apart": _as_int(
                    cell("population_counted_apart"), path=path, row=number,
                    column=labels.get("population_counted_apart", "Population comptée à part"),
                ),
                "population_total": _as_int(
                    cell("population_total"), path=path, row=number,
                    column=labels.get("population_total", "Population totale"),
                ),
                "source_row": number,
            }
        )
    if not records:
        raise InputError("no data rows under the header", file=path, sheet=SHEET, row=numbered[header_index][0])
    frame = pd.DataFrame.from_records(records)
    frame["population"] = frame["population"].astype("Int64")
    frame["population_counted_apart"] = frame["population_counted_apart"].astype("Int64")
    frame["population_total"] = frame["population_total"].astype("Int64")
    return LegalPopulations(frame, vintage["census_year"], vintage["in_force_year"])
