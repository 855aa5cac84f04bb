"""INSEE commune and department codes, and the leading zeros a spreadsheet strips from them."""

from __future__ import annotations

import re
from pathlib import Path

COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def department_of(code: str) -> str:
    """The department of a commune code: 3 characters overseas (``97101`` → ``971``), else 2."""
    return code[:3] if code.startswith("97") else code[:2]


def normalise_department(dep: str) -> str:
    """``1`` → ``01`` (a department that lost its leading zero); other codes unchanged."""
    dep = dep.strip()
    return dep.zfill(2) if dep.isdigit() and len(dep) == 1 else dep


class CodeProblem(ValueError):
    """A commune code that is not a code, or cannot be repaired consistently with its DEP."""


def repair_commune_code(code: str, dep: str = "") -> tuple[str, bool]:
    """Return ``(code, repaired)``: a 5-character commune code, zero-padded when a spreadsheet
    stripped it (``1001`` → ``01001``) and that is unambiguous.

    Padding is unambiguous for a 4-digit code (no INSEE code has 4 characters, and only the
    departments 01–09 start with a zero) as long as the row's department agrees with it; an
    empty ``dep`` (arrondissements and delegated communes of the COG) says nothing against it.
    Raises :class:`CodeProblem` otherwise.
    """
    code, given = code.strip(), dep.strip()
    dep = normalise_department(given)
    if COMMUNE_CODE.match(code):
        return code, False
    if code.isdigit() and len(code) == 4:
        padded = "0" + code
        if not dep or dep == department_of(padded):
            return padded, True
        raise CodeProblem(
            f"commune code {code!r} lost its leading zero but its department is {given!r}: "
            "cannot repair it consistently"
        )
    raise CodeProblem(f"invalid commune code {code!r} (expected 5 characters, e.g. 01001 or 2A004)")


def repaired_codes_warning(path: Path, repairs: list[tuple[int, str, str, str]]) -> str:
    """One warning line for the codes repaired in a file: ``repairs`` = (row, column, was, now)."""
    counts: dict[str, int] = {}
    for _, column, _, _ in repairs:
        counts[column] = counts.get(column, 0) + 1
    row, column, was, now = next((r for r in repairs if r[1] in ("COM", "CODGEO")), repairs[0])
    return (
        f"{Path(path).name}: codes that had lost their leading zeros (a spreadsheet copy?) repaired: "
        + ", ".join(f"{column} {count:,}" for column, count in counts.items())
        + f"; first: row {row}, column {column!r}, {was!r} → {now!r}"
    )
