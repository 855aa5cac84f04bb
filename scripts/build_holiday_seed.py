"""Write dbt_project/seeds/french_public_holidays.csv (metropolitan national holidays)."""

from datetime import date, timedelta
from pathlib import Path

from dateutil.easter import easter

FIXED = [
    ((1, 1), "Jour de l'an"),
    ((5, 1), "Fête du Travail"),
    ((5, 8), "Victoire 1945"),
    ((7, 14), "Fête nationale"),
    ((8, 15), "Assomption"),
    ((11, 1), "Toussaint"),
    ((11, 11), "Armistice 1918"),
    ((12, 25), "Noël"),
]
MOVABLE = [(1, "Lundi de Pâques"), (39, "Ascension"), (50, "Lundi de Pentecôte")]

rows = []
for year in range(2019, 2031):
    rows += [(date(year, m, d), name) for (m, d), name in FIXED]
    rows += [(easter(year) + timedelta(days=offset), name) for offset, name in MOVABLE]
out = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "french_public_holidays.csv"
out.write_text(
    "holiday_date,holiday_name\n" + "".join(f"{d.isoformat()},{n}\n" for d, n in sorted(rows)), encoding="utf-8"
)
print(f"{len(rows)} holidays written to {out}")
