"""The table of column synonyms seen across the France Services releases (2020 → 2024)."""

from __future__ import annotations

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Internal field -> header labels seen in the releases; matched without case, accents or
# punctuation (``COMPLEMENT.D.ADRESSE`` == ``complement d adresse``). First column wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "site_id": ("id_fs", "MATRICULE", "id"),
    "site_name": ("lib_fs", "lib_france_services", "nom_fs", "nom"),
    "department_code": ("insee_dep", "DEPARTEMENT", "code_departement", "dep"),
    "address": ("adresse", "ADRESSE"),
    "address_extra": ("complement_adresse", "adresse_cplmt", "COMPLEMENT.D.ADRESSE"),
    "commune_code": ("insee_com", "code_insee", "code_commune", "codgeo"),
    "geocoder_citycode": ("result_citycode",),
    "postcode": ("code_postal", "cp"),
    "commune_name": ("lib_com", "COMMUNE", "libelle_commune"),
    "latitude": ("latitude", "LATITUDE", "lat", "y"),
    "longitude": ("longitude", "LONGITUDE", "long", "lon", "lng", "x"),
    "email": ("mail", "CONTACT.MAIL", "email", "courriel"),
    "phone": ("telephone", "TELEPHONE", "tel"),
    "hours_mon": ("h_lundi", "lundi"),
    "hours_tue": ("h_mardi", "mardi"),
    "hours_wed": ("h_mercredi", "mercredi"),
    "hours_thu": ("h_jeudi", "jeudi"),
    "hours_fri": ("h_vendredi", "vendredi"),
    "hours_sat": ("h_samedi", "samedi"),
    "hours_sun": ("h_dimanche", "dimanche"),
    "category": ("categorie",),
    "site_type": ("type_fs",),
    # 2020 FORMAT_FS (Espace labellisé / Antenne) and 2024 format_fs (Fixe, Bus_équivalent…)
    # share one label; the values tell them apart.
    "format": ("format_fs",),
    "itinerance": ("itinerance", "ITINERANCE"),
    "labelling": ("labellisation_fs", "Labellisation", "LABELISATION", "labelisation"),
    "appointment": ("prise_rdv",),
}

# At least one label of each group must be present (coordinates may also come from geometry).
REQUIRED_COMMUNE = ("commune_code", "geocoder_citycode")
