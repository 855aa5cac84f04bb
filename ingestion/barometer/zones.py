"""The zones of the DITP barometer (``D01``, ``D2A``, ``D976``, ``R84``, ``FRANCE``) as territories."""

from __future__ import annotations

from functools import cache

from ingestion.insee.snapshot import load_departments

NATIONAL_ZONE = "FRANCE"
LEVEL_OF_MAILLE = {"DEPT": "department", "REG": "region", "NAT": "national"}


@cache
def ditp_zones() -> dict[str, tuple[str, str]]:
    """Every zone the barometer can name → (territory level, territory code of dim_commune).

    ``D`` + a department code, ``R`` + a region code (both from the embedded INSEE reference),
    and ``FRANCE`` → (national, FR).
    """
    departments = load_departments()
    zones = {NATIONAL_ZONE: ("national", "FR")}
    zones |= {f"D{code}": ("department", code) for code in departments["department_code"]}
    zones |= {f"R{code}": ("region", code) for code in departments["region_code"]}
    return zones


def territory_of_zone(zone_id: str) -> tuple[str, str] | None:
    """(level, code) of a zone as written (case and spaces ignored), or None for an unknown zone."""
    return ditp_zones().get(zone_id.strip().upper())
