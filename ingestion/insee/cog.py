"""Reader for INSEE's COG commune list (`v_commune_YYYY.csv`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingestion.errors import InputError
from ingestion.insee.codes import (
    CodeProblem,
    department_of,
    normalise_department,
    repair_commune_code,
    repaired_codes_warning,
)
from ingestion.textfiles import find_header_row, match_columns, read_csv_records

COLUMNS = {
    "type": ["TYPECOM"],
    "code": ["COM"],
    "region_code": ["REG"],
    "department_code": ["DEP"],
    "name": ["LIBELLE"],
    "parent_code": ["COMPARENT"],
}
REQUIRED = ["type", "code", "department_code", "name"]
_YEAR_IN_NAME = re.compile(r"(20\d{2})")


@dataclass(frozen=True)
class CogCommunes:
    """Communes and arrondissements (``communes``) and the aliases of COMA/COMD codes.

    ``warnings`` say in one line what was repaired (codes whose leading zeros a spreadsheet
    stripped).
    """

    communes: pd.DataFrame
    aliases: pd.DataFrame
    geography_year: int | None
    warnings: tuple[str, ...] = ()


def read_cog_communes(path: Path) -> CogCommunes:
    """Read a COG commune file: keep COM and ARM; COMA/COMD become aliases of their parent.

    The header is found by its column names (``CTCD``, absent from older vintages, is not
    needed). The file has no title rows; its vintage is the year in its published name
    (``v_commune_2025.csv``), when there is one. A copy whose codes lost their leading zeros in
    a spreadsheet (``1001`` for ``01001``, department ``1``) is repaired when that agrees with
    the row's DEP, with a warning; a code that cannot be repaired consistently fails the file,
    and so does a row whose TYPECOM is empty or unknown (only blank lines are skipped).
    """
    path = Path(path)
    records = read_csv_records(path)
    lines, rows = [line for line, _ in records], [cells for _, cells in records]
    header_index = find_header_row(rows, COLUMNS, REQUIRED, file=path, scan=5, row_numbers=lines)
    pos = match_columns(rows[header_index], COLUMNS)
    label = {field: str(rows[header_index][p]).strip() for field, p in pos.items()}
    communes, aliases, repairs, seen = [], [], [], {}
    # Each row is named by the line it starts on (blank lines and quoted line ends counted).
    for number, cells in zip(lines[header_index + 1 :], rows[header_index + 1 :]):
        get = lambda f: cells[pos[f]].strip() if f in pos and pos[f] < len(cells) else ""  # noqa: E731

        def repaired(field: str, value: str, fixed: str) -> str:
            if fixed != value:
                repairs.append((number, label[field], value, fixed))
            return fixed

        def code_of(field: str, dep: str) -> str:
            value = get(field)
            try:
                fixed, _ = repair_commune_code(value, dep)
            except CodeProblem as problem:
                raise InputError(str(problem), file=path, row=number, column=label[field]) from None
            return repaired(field, value, fixed)

        kind = get("type")
        if kind in ("COM", "ARM"):
            dep = repaired("department_code", get("department_code"), normalise_department(get("department_code")))
            region = get("region_code")
            region = repaired("region_code", region, region.zfill(2) if region.isdigit() else region)
            code = code_of("code", get("department_code"))
            if dep and department_of(code) != dep:
                raise InputError(
                    f"commune code {code!r} is not in its department {dep!r}",
                    file=path,
                    row=number,
                    column=label["code"],
                )
            if code in seen:
                raise InputError(
                    f"commune {code} listed twice (rows {seen[code]} and {number})",
                    file=path,
                    row=number,
                    column=label["code"],
                )
            seen[code] = number
            communes.append(
                {
                    "commune_code": code,
                    "commune_name": get("name"),
                    "commune_type": kind,
                    "department_code": dep or None,
                    "region_code": region or None,
                    "parent_commune_code": (code_of("parent_code", "") if get("parent_code") else None),
                }
            )
        elif kind in ("COMA", "COMD"):
            if not get("parent_code"):
                raise InputError(f"{kind} without COMPARENT", file=path, row=number, column="COMPARENT")
            aliases.append(
                {
                    "alias_code": code_of("code", get("department_code")),
                    "commune_code": code_of("parent_code", ""),
                    "alias_type": kind,
                }
            )
        elif kind:
            raise InputError(f"unknown TYPECOM {kind!r}", file=path, row=number, column="TYPECOM")
        else:  # read_csv_records keeps no blank record: this row has content, but no type
            raise InputError("empty TYPECOM (expected COM, ARM, COMA or COMD)", file=path, row=number, column="TYPECOM")
    if not communes:
        raise InputError("no COM or ARM rows", file=path)
    match = _YEAR_IN_NAME.search(path.name)
    return CogCommunes(
        pd.DataFrame.from_records(communes),
        pd.DataFrame.from_records(aliases, columns=["alias_code", "commune_code", "alias_type"]),
        int(match.group(1)) if match else None,
        (repaired_codes_warning(path, repairs),) if repairs else (),
    )
