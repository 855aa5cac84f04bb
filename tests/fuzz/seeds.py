"""The files the fuzz tests mutate: small samples of real files, demo exports, test fixtures.

Real files come from ``../shared/real-data`` (never copied into the project: sampled in
memory at the start of the run); a reader whose seeds are all real skips when the folder is
absent, a reader with other seeds runs on those.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from tests.conftest import PROJECT_ROOT, REAL_DATA
from tests.fuzz.harness import GridSeed, TextSeed, text_sample

TESTS = PROJECT_ROOT / "tests"
ACTIVITY_FIXTURES = TESTS / "ingestion" / "activity" / "fixtures"
SATISFACTION_FIXTURES = TESTS / "ingestion" / "satisfaction" / "fixtures"
SITES_FIXTURES = TESTS / "ingestion" / "sites" / "fixtures"
BAD_INPUTS = TESTS / "bad_inputs"


def real_path(*parts: str) -> Path | None:
    path = REAL_DATA.joinpath(*parts)
    return path if path.exists() else None


# ---------------------------------------------------------------------------------------------
# demo exports (activity, satisfaction)


def write_demo(folder: Path) -> Path:
    """One month of demo exports for 40 sites in 8 departments: every format appears."""
    import pandas as pd

    from ingestion.demo import write_demo_exports

    sites = pd.DataFrame(
        {
            "site_id": [str(100 + i) for i in range(40)],
            "department_code": [f"{i % 8 + 1:02d}" for i in range(40)],
            "labelled_on": ["2023-01-01"] * 40,
        }
    )
    write_demo_exports(sites, folder, months=1, end_month=dt.date(2024, 5, 1), seed=3)
    return folder


_CSV_KINDS = {
    b"Matricule;": ("cp1252", ";"),
    b"\xef\xbb\xbfid_fs,": ("utf-8", ","),
    b"Identifiant France services\t": ("utf-8", "\t"),
}


def _demo_text_seeds(folder: Path, prefix: str) -> list[TextSeed]:
    seeds, seen = [], set()
    for path in sorted(folder.glob("*.csv")):
        data = path.read_bytes()
        for start, (encoding, delimiter) in _CSV_KINDS.items():
            if data.startswith(start) and start not in seen:
                seen.add(start)
                seeds.append(
                    TextSeed(f"{prefix}:{path.name}", text_sample(data, encoding=encoding), encoding, delimiter)
                )
    return seeds


def _fixture_seed(path: Path, *, encoding: str, delimiter: str, header_line: int = 0) -> TextSeed:
    return TextSeed(f"fixture:{path.parent.name}/{path.name}", path.read_bytes(), encoding, delimiter, header_line)


def activity_seeds(demo: Path) -> list:
    seeds = _demo_text_seeds(demo / "activity", "demo")
    workbook = next(iter(sorted((demo / "activity").glob("*.xlsx"))))
    seeds.append(_workbook_sample(workbook, "demo:" + workbook.name, header_row=2, head=24, tail=6))
    for name, encoding, delimiter, header in [
        ("semicolon_cp1252.csv", "cp1252", ";", 0),
        ("comma_utf8_bom.csv", "utf-8", ",", 0),
        ("tab_monthly.csv", "utf-8", "\t", 0),
        ("rejects.csv", "cp1252", ";", 0),
        ("title_rows.csv", "utf-8", ";", 3),
        ("ragged.csv", "utf-8", ";", 0),
        ("blank_lines_inside.csv", "utf-8", ";", 0),
    ]:
        seeds.append(
            _fixture_seed(ACTIVITY_FIXTURES / name, encoding=encoding, delimiter=delimiter, header_line=header)
        )
    for name in ("partly_bad.csv", "unknown_site_middle.csv"):
        seeds.append(_fixture_seed(BAD_INPUTS / "activity" / name, encoding="utf-8", delimiter=";"))
    return seeds


def satisfaction_seeds(demo: Path) -> list:
    seeds = _demo_text_seeds(demo / "satisfaction", "demo")
    for name, encoding, delimiter in [
        ("labels_utf8_bom.csv", "utf-8", ","),
        ("scores_cp1252.csv", "cp1252", ";"),
        ("rejects.csv", "utf-8", ";"),
    ]:
        seeds.append(_fixture_seed(SATISFACTION_FIXTURES / name, encoding=encoding, delimiter=delimiter))
    seeds.append(_fixture_seed(BAD_INPUTS / "satisfaction" / "partly_bad.csv", encoding="utf-8", delimiter=";"))
    seeds.append(_satisfaction_workbook())
    return seeds


def _satisfaction_workbook() -> GridSeed:
    """A satisfaction export as a spreadsheet tool writes it: a title row, scores and labels, dates as dates."""
    rows = [
        ["Enquête de satisfaction — mai 2024"],
        ["Matricule", "Date de réponse", "Satisfaction", "Recommanderiez-vous France services ?"],
    ]
    labels = ["Très satisfait", 4, "Satisfait", 5, "Peu satisfait", 1, 3, "Pas du tout satisfait"]
    for i in range(24):
        rows.append(
            [100 + i % 5, dt.datetime(2024, 5, 1 + i % 28), labels[i % len(labels)], ["Oui", "Non", None][i % 3]]
        )
    rows.append([None, dt.datetime(2024, 5, 2), 4, "Oui"])
    rows.append([101, "pas de date", "Bof", "peut-être"])
    return GridSeed("built:satisfaction.xlsx", {"Réponses": rows}, {"Réponses": 1})


def _workbook_sample(path: Path, name: str, *, header_row: int, head: int, tail: int) -> GridSeed:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    grid, headers = {}, {}
    for sheet in workbook.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        top, body = rows[: header_row + 1], rows[header_row + 1 :]
        if len(body) > head + tail:
            body = body[:head] + body[-tail:]
        grid[sheet.title] = top + body
        headers[sheet.title] = header_row
    return GridSeed(name, grid, headers)


# ---------------------------------------------------------------------------------------------
# site listings


def _csv_sample(path: Path, *, keep, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """The header and the records ``keep(index)`` selects, as the original text (quoted line ends kept)."""
    text = path.read_bytes().decode("utf-8-sig" if encoding == "utf-8" else encoding)
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(iter(lines), delimiter=delimiter)
    out, previous = [], 0
    for index, _ in enumerate(reader):
        span = "".join(lines[previous : reader.line_num])
        previous = reader.line_num
        if index == 0 or keep(index - 1):
            out.append(span)
    prefix = path.read_bytes()[:3] if path.read_bytes().startswith(b"\xef\xbb\xbf") else b""
    return prefix + "".join(out).encode(encoding)


def _geojson_sample(path: Path, indices) -> bytes:
    import json

    document = json.loads(path.read_text(encoding="utf-8"))
    document["features"] = [document["features"][i] for i in indices if i < len(document["features"])]
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def listing_seeds() -> list[TextSeed]:
    seeds = [
        TextSeed(
            "fixture:sites/listing_2020_01_geocoded.csv",
            (SITES_FIXTURES / "listing_2020_01_geocoded.csv").read_bytes(),
            "utf-8",
            ",",
        ),
        TextSeed(
            "fixture:sites/listing_2020_r_export.csv",
            (SITES_FIXTURES / "listing_2020_r_export.csv").read_bytes(),
            "utf-8",
            ",",
        ),
        TextSeed(
            "fixture:sites/listing_2024_semicolon_cp1252.csv",
            (SITES_FIXTURES / "listing_2024_semicolon_cp1252.csv").read_bytes(),
            "cp1252",
            ";",
        ),
        TextSeed(
            "fixture:sites/listing_2020_03_swapped.geojson",
            (SITES_FIXTURES / "listing_2020_03_swapped.geojson").read_bytes(),
            "utf-8",
            ",",
            suffix=".geojson",
        ),
        TextSeed(
            "fixture:bad_inputs/sites/listing_100.csv",
            text_sample((BAD_INPUTS / "sites" / "listing_100.csv").read_bytes(), encoding="utf-8"),
            "utf-8",
            sniff_listing(BAD_INPUTS / "sites" / "listing_100.csv"),
        ),
    ]
    folder = "anct-france-services"
    for name, keep in [
        ("2024-08-01_liste-fs-20240801.csv", lambda i: i < 24 or 392 <= i <= 400),
        ("2020-01-09_4e7c558_france_services.csv", lambda i: i < 20 or 55 <= i <= 67),
        ("2020-01-02_b88c14a_france-services.csv", lambda i: i < 20 or 62 <= i <= 69),
    ]:
        path = real_path(folder, name)
        if path is not None:
            seeds.append(TextSeed(f"real:{name}", _csv_sample(path, keep=keep), "utf-8", ","))
    for name in (
        "2020-03-10_a249d68_france_services.geojson",
        "2020-10-12_0584fe1_france_services.geojson",
        "2020-01-02_b88c14a_france_services.geojson",
    ):
        path = real_path(folder, name)
        if path is not None:
            seeds.append(TextSeed(f"real:{name}", _geojson_sample(path, range(25)), "utf-8", ",", suffix=".geojson"))
    return seeds


def sniff_listing(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0]
    return max((";", ",", "\t"), key=lambda d: first.count(d.encode()))


# ---------------------------------------------------------------------------------------------
# barometer

BAROMETER_FIXTURE = (
    "mesure,indicateur,id_indicateur,maille_geographique,date,valeur,unite\n"
    "Plan,Nombre,nb-peres-conge-paternite,national,2018-03-31,74396.0,pères\n"
    + "".join(
        f"France services,Nombre de France services,nb-labellisations-france-services,national,"
        f"2021-{month:02d}-28,{1000 + 50 * month}.0,sites\n"
        for month in range(1, 13)
    )
    + '"Autre, avec virgule",Autre,nb-autre,national,2021-01-31,"1 234,5",unités\n'
)
BAROMETER_SYNTHESIS_FIXTURE = (
    "mesure,indicateur,id_indicateur,code_departement,libelle_departement,valeur_actuelle,date_valeur_actuelle,cible,date_cible,unite\n"
    + "".join(
        f"France services,Nombre,nb-labellisations-france-services,{dep},Dép {dep},{20 + i}.0,2022-12-31,"
        f"{'' if i % 4 == 0 else 25 + i},{'' if i % 4 == 1 else '2022-12-31'},sites\n"
        for i, dep in enumerate(["1", "02", "2A", "2B", "971", "976", "75"])
    )
    + "Autre,Autre,nb-autre,01,Ain,1.0,2022-12-31,2,2023-12-31,x\n"
)


def barometer_seeds() -> list[TextSeed]:
    seeds = [
        TextSeed("built:barometer-detail.csv", BAROMETER_FIXTURE.encode("utf-8"), "utf-8", ","),
        TextSeed("built:barometer-synthesis.csv", BAROMETER_SYNTHESIS_FIXTURE.encode("utf-8"), "utf-8", ","),
    ]
    indicator = "nb-labellisations-france-services"
    for name in (
        "barometre-resultats-detail-national.csv",
        "barometre-resultats-detail-regional.csv",
        "barometre-resultats-synthese-departemental.csv",
        "barometre-resultats-synthese-national.csv",
        "barometre-resultats-synthese-regional.csv",
    ):
        path = real_path("barometre", name)
        if path is None:
            continue
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        column = records[0].index("id_indicateur")
        ours = [i for i, r in enumerate(records[1:]) if len(r) > column and r[column] == indicator]
        others = [i for i, r in enumerate(records[1:]) if len(r) > column and r[column] != indicator]
        chosen = set(ours[:20]) | set(ours[-4:]) | set(others[:4]) | set(others[-2:])
        seeds.append(TextSeed(f"real:{name}", _csv_sample(path, keep=chosen.__contains__), "utf-8", ","))
    return seeds


# ---------------------------------------------------------------------------------------------
# INSEE


def _calamine_rows(path: Path, sheet: str) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return [[None if cell == "" else cell for cell in row] for row in rows]


def _pick(rows: list, header: int, head: int, wanted) -> list:
    body = rows[header + 1 :]
    extra = [row for row in body[head:] if wanted(row)]
    return rows[: header + 1] + body[:head] + extra


def populations_seeds(tmp: Path) -> list[GridSeed]:
    from tests.fixtures.make_insee import write_populations

    seeds = [
        _workbook_sample(
            write_populations(tmp / "ensemble-fixture.xlsx"),
            "fixture:make_insee.write_populations",
            header_row=7,
            head=40,
            tail=0,
        )
    ]
    path = real_path("insee", "2025", "ensemble.xlsx")
    if path is not None:
        rows = _calamine_rows(path, "Communes")
        seen = set()

        def wanted(row):  # one commune of Corsica, Paris, Lyon, Marseille and of each overseas department
            key = str(row[2])
            if key in {"2A", "2B", "75", "69", "13", "971", "972", "973", "974", "976"} and key not in seen:
                seen.add(key)
                return True
            return False

        regions = _calamine_rows(path, "Régions")[:14]
        seeds.append(
            GridSeed(
                "real:insee/2025/ensemble.xlsx",
                {"Régions": regions, "Communes": _pick(rows, 7, 24, wanted)},
                {"Régions": 7, "Communes": 7},
            )
        )
    return seeds


def epci_seeds(tmp: Path) -> list[GridSeed]:
    from tests.fixtures.make_insee import write_epci

    seeds = [
        _workbook_sample(
            write_epci(tmp / "EPCI-fixture.xlsx"), "fixture:make_insee.write_epci", header_row=5, head=40, tail=0
        )
    ]
    path = real_path("insee", "2025", "EPCI_au_01-01-2024.xlsx")
    if path is not None:
        epci = _pick(_calamine_rows(path, "EPCI"), 5, 16, lambda row: row[0] == "ZZZZZZZZZ")
        composition = _pick(
            _calamine_rows(path, "Composition_communale"),
            5,
            20,
            lambda row: row[2] == "ZZZZZZZZZ" or str(row[0]).startswith(("2A00", "97500", "9760")),
        )
        seeds.append(
            GridSeed(
                "real:insee/2025/EPCI_au_01-01-2024.xlsx",
                {"EPCI": epci, "Composition_communale": composition},
                {"EPCI": 5, "Composition_communale": 5},
            )
        )
    return seeds


INSEE_FIXTURES = TESTS / "ingestion" / "insee" / "fixtures"


def populations_csv_seeds() -> list[TextSeed]:
    """``donnees_communes.csv`` in its two headers (the fixtures of tests/ingestion/insee)."""
    seeds = []
    for name, encoding in [("donnees_communes_codcom.csv", "cp1252"), ("donnees_communes_com.csv", "utf-8")]:
        path = INSEE_FIXTURES / name
        if path.exists():
            seeds.append(TextSeed(f"fixture:insee/{name}", path.read_bytes(), encoding, ";"))
    return seeds


def cog_fixture_seeds() -> list[TextSeed]:
    return [
        TextSeed(f"fixture:insee/{name}", (INSEE_FIXTURES / name).read_bytes(), "utf-8", ",")
        for name in ("v_commune_2024.csv", "v_commune_2024_stripped.csv")
        if (INSEE_FIXTURES / name).exists()
    ]


COG_FIXTURE = (
    "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
    "COM,01001,84,01,01D,012,5,ABERGEMENT CLEMENCIAT,Abergement-Clémenciat,L'Abergement-Clémenciat,0108,\n"
    "COM,01002,84,01,01D,011,5,ABERGEMENT DE VAREY,Abergement-de-Varey,L'Abergement-de-Varey,0101,\n"
    "COMD,01015,,,,,0,ARBIGNIEU,Arbignieu,Arbignieu,,01015\n"
    "COMA,01033,,,,,0,BELLEGARDE SUR VALSERINE,Bellegarde-sur-Valserine,Bellegarde-sur-Valserine,,01033\n"
    "COM,2A004,94,2A,20D,2A1,0,AJACCIO,Ajaccio,Ajaccio,2A98,\n"
    "COM,13055,93,13,13D,133,0,MARSEILLE,Marseille,Marseille,1398,\n"
    "ARM,13201,,,,,0,MARSEILLE 1ER ARRONDISSEMENT,Marseille 1er Arrondissement,Marseille 1er Arrondissement,,13055\n"
    "COM,75056,11,75,75C,751,0,PARIS,Paris,Paris,7599,\n"
    "ARM,75112,,,,,0,PARIS 12,Paris 12e,Paris 12e Arrondissement,,75056\n"
    'COM,97101,01,971,971D,9711,0,ABYMES,Abymes,"Les Abymes",97198,\n'
    "COM,97611,06,976,976D,9761,0,MAMOUDZOU,Mamoudzou,Mamoudzou,97611,\n"
)


def cog_seeds() -> list[TextSeed]:
    return [
        TextSeed("built:v_commune_2025.csv", COG_FIXTURE.encode("utf-8"), "utf-8", ","),
        TextSeed(
            "built:v_commune_2025-cp1252-semicolon.csv", COG_FIXTURE.replace(",", ";").encode("cp1252"), "cp1252", ";"
        ),
        *cog_fixture_seeds(),
    ]
