"""Moving rows that do not fit the commune register or the map of France to rejects."""

import pandas as pd

from ingestion.sites.validate import validate_sites

KNOWN = {"01033", "2A004", "97101", "97411", "75112", "08081"}


def site(row, commune, department, lat, lon):
    return {
        "source_row": row,
        "commune_code": commune,
        "department_code": department,
        "latitude": lat,
        "longitude": lon,
    }


def frame(*sites):
    rows = pd.DataFrame(list(sites))
    rows["latitude"] = rows["latitude"].astype("Float64")
    rows["longitude"] = rows["longitude"].astype("Float64")
    return rows


def test_sites_in_metro_corsica_and_overseas_are_kept():
    rows = frame(
        site(1, "01033", "01", 46.106, 5.826),
        site(2, "2A004", "2A", 41.92, 8.74),
        site(3, "97101", "971", 16.27, -61.50),
        site(4, "97411", "974", -20.88, 55.45),
        site(5, "75112", "75", 48.84, 2.39),
    )
    good, rejects = validate_sites(rows, KNOWN)
    assert good["source_row"].tolist() == [1, 2, 3, 4, 5]
    assert rejects.empty and list(rejects.columns) == ["file", "row", "column", "value", "reason"]


def test_missing_coordinates_are_kept_because_the_site_is_real():
    good, rejects = validate_sites(frame(site(1, "08081", "08", None, None), site(2, None, "37", None, None)), KNOWN)
    assert good["source_row"].tolist() == [1, 2]
    assert rejects.empty


def test_unknown_commune_and_points_abroad_stay_sites_without_position_wrong_department_is_fixed():
    rows = frame(
        site(1, "01033", "01", 46.106, 5.826),
        site(2, "99999", "99", 46.0, 5.0),
        site(3, "01033", "27", 46.106, 5.826),
        site(4, "01033", "01", 5.826, 46.106),  # swapped: the Indian Ocean off Somalia
        site(5, "97411", "974", 46.106, 5.826),  # a Réunion commune drawn in the Ain
    )
    good, rejects = validate_sites(rows, KNOWN, file="listing.csv")
    assert good["source_row"].tolist() == [1, 2, 3, 4, 5]
    assert good["has_position"].tolist() == [True, False, True, False, False]
    assert good["department_code"].tolist() == ["01", "99", "01", "01", "974"]
    assert good["latitude"].isna().tolist() == [False, False, False, True, True]
    reasons = dict(zip(rejects["row"], rejects["reason"]))
    assert reasons[2] == "unknown commune code"
    assert reasons[3] == "department does not match commune 01033 (kept with department 01)"
    assert reasons[4] == "coordinates outside France (position left out)"
    assert reasons[5] == "coordinates outside department 974 (position left out)"
    assert set(rejects["file"]) == {"listing.csv"}


def test_rows_without_coordinates_have_no_position():
    good, _ = validate_sites(frame(site(1, "08081", "08", None, None)), KNOWN)
    assert good["has_position"].tolist() == [False]
