"""Demo listing and exports: the national shares, and exports the readers load back to the same totals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ingestion.activity import read_activity
from ingestion.demo import write_demo_exports, write_demo_listing
from ingestion.demo.listing import write_demo_history
from ingestion.demo.published import acts_by_department
from ingestion.satisfaction import read_satisfaction


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    """Four communes in each of eight departments, populations 100 to 40,000."""
    rows = []
    for d, dep in enumerate(["01", "03", "15", "2A", "43", "63", "75", "971"]):
        for c in range(4):
            rows.append(
                {
                    "commune_code": f"{dep}{c + 1:03d}"[:5] if len(dep) == 2 else f"{dep}{c + 1:02d}",
                    "commune_name": f"Commune {dep}-{c}",
                    "department_code": dep,
                    "population": 100 * 20 ** (c / 2),
                    "latitude": 44.0 + d * 0.5,
                    "longitude": 2.0 + c * 0.3,
                }
            )
    return pd.DataFrame(rows)


def test_national_listing_mix(communes, tmp_path):
    listing = write_demo_listing(communes, tmp_path / "liste-fs.csv", seed=1)
    real_header = "id_fs,insee_dep,lib_fs,adresse,complement_adresse,insee_com,code_postal,lib_com,latitude,longitude,mail,telephone,h_lundi,h_mardi,h_mercredi,h_jeudi,h_vendredi,h_samedi,prise_rdv,commentaire,type_fs,format_fs,groupe_fs,labellisation_fs"
    assert (tmp_path / "liste-fs.csv").read_text("utf-8").splitlines()[0].replace('"', "") == real_header
    assert len(listing) == 2845 and listing["id_fs"].tolist()[:3] == ["1", "2", "3"]
    assert listing["type_fs"].value_counts()["Antenne"] == 125
    mobile = listing["format_fs"].isin(["Bus_équivalent", "Itinérante"]).mean()
    assert 0.055 < mobile < 0.059
    assert set(listing["insee_dep"]) == set(communes["department_code"])
    labelled = pd.to_datetime(listing["labellisation_fs"].str[-10:], format="%d/%m/%Y")
    main = listing["type_fs"] == "Principal"
    assert (labelled[main] <= "2020-01-01").sum() == 460
    assert abs((labelled[main] <= "2022-04-30").sum() - 2200) < 10
    assert abs((labelled[main] <= "2022-11-30").sum() - 2538) < 10
    assert listing["h_mardi"].dropna().str.fullmatch(r"\d\d:\d\d - \d\d:\d\d( / \d\d:\d\d - \d\d:\d\d)?").all()
    no_hours = (
        listing[[f"h_{d}" for d in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")]].isna().all(axis=1)
    )
    assert no_hours.sum() == 48
    # at most 2 km from the commune
    placed = communes.set_index("commune_code").loc[listing["insee_com"]]
    km = np.hypot(
        (listing["latitude"].to_numpy() - placed["latitude"].to_numpy()) * 111.32,
        (listing["longitude"].to_numpy() - placed["longitude"].to_numpy())
        * 111.32
        * np.cos(np.radians(placed["latitude"].to_numpy())),
    )
    assert km.max() <= 2.001


def test_same_seed_same_listing(communes, tmp_path):
    first = write_demo_listing(communes, tmp_path / "a.csv", n_sites=30, seed=3)
    second = write_demo_listing(communes, tmp_path / "b.csv", n_sites=30, seed=3)
    pd.testing.assert_frame_equal(first, second)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_exports_read_back_to_the_same_totals(communes, tmp_path):
    listing = write_demo_listing(communes, tmp_path / "liste.csv", n_sites=30, seed=2)
    sites = pd.DataFrame(
        {
            "site_id": listing["id_fs"],
            "department_code": listing["insee_dep"],
            "labelled_on": pd.to_datetime(listing["labellisation_fs"].str[-10:], format="%d/%m/%Y").dt.date,
        }
    )
    inbox = tmp_path / "inbox"
    counts = write_demo_exports(sites, inbox, months=2, end_month=dt.date(2024, 6, 1), seed=5)
    activity_files = sorted((inbox / "activity").iterdir())
    assert counts["activity_files"] == len(activity_files) == 16
    assert {path.suffix for path in activity_files} == {".csv", ".xlsx"}
    assert activity_files[0].name == "activite_01_2024-05.csv"

    results = [read_activity(path, today=dt.date(2024, 7, 1)) for path in activity_files]
    rows = pd.concat([r.rows for r in results])
    rejects = pd.concat([r.rejects for r in results])
    known = rows[rows["site_id"].isin(sites["site_id"])]
    assert known["requests"].sum() == counts["requests"]
    assert known["resolved_first_visit"].sum() == counts["resolved_first_visit"]
    assert len(rows) + rejects[["file", "sheet", "row"]].drop_duplicates().shape[0] == counts["activity_rows"]
    bad = counts["bad_activity_rows"]
    assert (rows["site_id"] == "99999").sum() == bad["unknown site id"] == 4
    assert rejects["reason"].value_counts().to_dict() == {k: v for k, v in bad.items() if k != "unknown site id"}
    assert sorted(bad) == ["negative count", "resolved greater than requests", "unknown site id", "unreadable date"]
    assert rows["is_monthly"].any() and not rows["is_monthly"].all()
    # each department's good rows add up to its published acts (IND-323) of the month
    by_department = known.assign(month=known["activity_date"].dt.to_period("M")).merge(
        sites[["site_id", "department_code"]], on="site_id"
    )
    totals = by_department.groupby(["department_code", "month"])["requests"].sum()
    acts = acts_by_department(pd.period_range("2024-05", "2024-06", freq="M"))
    assert totals.to_dict() == {(dep, month): acts.at[dep, month] for dep, month in totals.index}
    assert 0.75 < known["resolved_first_visit"].sum() / known["requests"].sum() < 0.85
    assert set(rows["partner_code"]) >= {"dgfip", "cnaf", "cnam", "interieur", "cnav", "france_travail"}

    survey = [read_satisfaction(p, today=dt.date(2024, 7, 1)) for p in sorted((inbox / "satisfaction").iterdir())]
    answers = pd.concat([r.rows for r in survey])
    real = answers[answers["site_id"].isin(sites["site_id"])]
    assert len(real) == counts["answers"]
    survey_rejects = pd.concat([r.rejects for r in survey])
    assert survey_rejects["reason"].value_counts().to_dict() == {"unreadable satisfaction": 4, "unreadable date": 4}
    assert (answers["site_id"] == "99999").sum() == counts["bad_satisfaction_rows"]["unknown site id"] == 4
    assert 0.85 < real["satisfied"].mean() < 1.0
    assert 0.93 < real["would_recommend"].mean() <= 1.0


def test_history_releases_agree_with_labelling_dates_and_closures(communes, tmp_path):
    dates = [dt.date(2025, 12, 1), dt.date(2026, 3, 1), dt.date(2026, 6, 1)]
    written = write_demo_history(communes, tmp_path / "sites", dates, n_sites=60, seed=4)
    assert [(r.as_of, r.path.name) for r in written] == [(d, f"liste-fs-demo-{d}.csv") for d in dates]
    releases = [pd.read_csv(r.path, dtype=str) for r in written]
    ids = [set(frame["id_fs"]) for frame in releases]
    # one opening, one closing and one change of hours per quarter at 60 sites
    assert [(r.sites, r.opened, r.closed, r.hours_changed) for r in written] == [
        (60, 60, 0, 0),
        (60, 1, 1, 1),
        (60, 1, 1, 1),
    ]
    assert ids[-1] == {str(i) for i in range(1, 61)}  # the newest release: the demo listing's ids
    assert ids[0] - ids[-1] == {"61", "62"}  # the closed sites have ids of their own
    for before, after, frame, as_of in zip(ids, ids[1:], releases[1:], dates[1:]):
        opened = frame[frame["id_fs"].isin(after - before)]
        assert (opened["labellisation_fs"] == f"Espace labellisé {as_of:%d/%m/%Y}").all()
    for frame, as_of in zip(releases, dates):
        labelled = pd.to_datetime(frame["labellisation_fs"].str[-10:], format="%d/%m/%Y").dt.date
        assert (labelled <= as_of).all()
    wednesday = [frame.set_index("id_fs")["h_mercredi"].fillna("") for frame in releases]
    assert sum((wednesday[0][s] != wednesday[-1][s]) for s in ids[0] & ids[-1]) == 2


def test_a_closed_site_reports_until_the_month_before_the_release_that_drops_it(communes, tmp_path):
    dates = [dt.date(2025, 12, 1), dt.date(2026, 3, 1)]
    [first, second] = [
        pd.read_csv(r.path, dtype=str) for r in write_demo_history(communes, tmp_path, dates, n_sites=30)
    ]
    [closed] = set(first["id_fs"]) - set(second["id_fs"])
    [opened] = set(second["id_fs"]) - set(first["id_fs"])
    both = pd.concat([first.assign(as_of=dates[0]), second.assign(as_of=dates[1])])
    sites = both.groupby("id_fs").agg(department_code=("insee_dep", "last"), last_seen=("as_of", "max")).reset_index()
    sites = sites.rename(columns={"id_fs": "site_id"}).assign(
        labelled_on=lambda f: f["site_id"].map(
            both.drop_duplicates("id_fs").set_index("id_fs")["labellisation_fs"].str[-10:]
        ),
        closed_on=lambda f: f["last_seen"].map({dates[0]: dates[1], dates[1]: None}),
    )
    sites["labelled_on"] = pd.to_datetime(sites["labelled_on"], format="%d/%m/%Y").dt.date
    inbox = tmp_path / "inbox"
    write_demo_exports(sites, inbox, months=4, end_month=dt.date(2026, 4, 1), seed=1, bad_rows=False)
    rows = pd.concat(read_activity(p, today=dt.date(2026, 5, 1)).rows for p in sorted((inbox / "activity").iterdir()))
    months = rows.groupby("site_id")["activity_date"].agg(lambda d: sorted({f"{day:%Y-%m}" for day in d}))
    assert months[closed] == ["2026-01", "2026-02"]
    assert months[opened] == ["2026-03", "2026-04"]
    answers = pd.concat(
        read_satisfaction(p, today=dt.date(2026, 5, 1)).rows for p in sorted((inbox / "satisfaction").iterdir())
    )
    assert answers.loc[answers["site_id"] == closed, "response_date"].max() < pd.Timestamp("2026-03-01")


def test_a_month_without_answers_writes_no_satisfaction_file(tmp_path):
    # One site over 16 years: about five answers a month (Poisson), so some months have none.
    # A header alone would be refused by the reader ("no data rows under the header").
    sites = pd.DataFrame({"site_id": ["1"], "department_code": ["48"], "labelled_on": [dt.date(2000, 1, 1)]})
    inbox = tmp_path / "inbox"
    counts = write_demo_exports(
        sites, inbox, months=200, end_month=dt.date(2026, 8, 1), seed=3, bad_rows=False, published=False
    )
    files = sorted((inbox / "satisfaction").iterdir())
    assert counts["activity_files"] == 200
    assert counts["satisfaction_files"] == len(files) < 200
    answers = sum(len(read_satisfaction(path, today=dt.date(2026, 9, 1)).rows) for path in files)
    assert answers == counts["answers"] == counts["satisfaction_rows"]
