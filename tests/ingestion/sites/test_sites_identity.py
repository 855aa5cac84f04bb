"""Carrying site ids over to a release that has none."""

import pandas as pd

from ingestion.sites.identity import assign_site_ids, generated_site_id, normalise_site_name

KNOWN = pd.DataFrame(
    {
        "site_id": ["1", "2", "26", "173", "594"],
        "site_name": [
            "Valserhône",
            "Saint-Trivier-de-Courtes",
            "Saint-André de la Roche",
            "PIMMS de Brest Pontanézen",
            "PIMMS de Brest Kérédern",
        ],
        "commune_code": ["01033", "01388", "06114", "29019", "29019"],
        "latitude": [46.105747, 46.45916, 43.7389, 48.4099, 48.4084],
        "longitude": [5.825644, 5.083785, 7.2885, -4.4713, -4.4982],
    }
)


def release(*rows):
    return pd.DataFrame(
        [{"site_id": None, "site_name": n, "commune_code": c, "latitude": la, "longitude": lo} for n, c, la, lo in rows]
    )


def test_name_normalisation_drops_generic_words_accents_and_punctuation():
    assert normalise_site_name("Espace France Services de Saint-André de la Roche") == "saint andre roche"
    assert normalise_site_name("MSAP Saint-André-de-la-Roche") == "saint andre roche"
    assert normalise_site_name("Maison de services au public d'Ebreuil") == "ebreuil"


def test_position_then_name_then_generated_id():
    out = assign_site_ids(
        release(
            ("Valserhône ", "01033", 46.10580, 5.82570),  # 8 m away
            ("MSAP Saint-André-de-la-Roche", "06114", None, None),  # by name
            ("Espace France Services Ebreuil", "03254", 46.28, 3.26),  # new
            ("Saint-Trivier", "01033", 46.45916, 5.083785),  # same point, other commune
        ),
        KNOWN,
    )
    assert out["site_id"].tolist()[:2] == ["1", "26"]
    assert out["site_id"].iloc[2] == generated_site_id("03254", "Espace France Services Ebreuil")
    assert out["site_id"].iloc[2].startswith("gen-") and len(out["site_id"].iloc[2]) == 14
    assert out["site_id"].iloc[3].startswith("gen-")
    assert out["id_generated"].tolist() == [False, False, True, True]


def test_a_known_site_is_matched_once_and_to_the_nearest_row():
    out = assign_site_ids(
        release(
            ("Pimms de Brest - Kérédern", "29019", 48.4099, -4.4712),
            ("PIMMS de Brest", "29019", 48.4099, -4.4713),
            ("Valserhône", "01033", 46.105747, 5.825644),
            ("Valserhône", "01033", 46.105747, 5.825644),
        ),
        KNOWN,
    )
    assert out["site_id"].iloc[1] == "173"  # exactly on the spot
    assert out["site_id"].iloc[0] == "594"  # by name, once 173 is taken
    assert out["site_id"].iloc[2] == "1"
    assert out["site_id"].iloc[3].startswith("gen-")
    assert out["site_id"].is_unique


def test_rows_that_already_have_an_id_keep_it():
    rows = release(("Valserhône", "01033", 46.105747, 5.825644))
    rows["site_id"] = ["99"]
    out = assign_site_ids(rows, KNOWN)
    assert out["site_id"].tolist() == ["99"] and out["id_generated"].tolist() == [False]
