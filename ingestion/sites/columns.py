"""The table of column synonyms seen across the France Services releases (2020 → 2024)."""

from __future__ import annotations

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Internal field -> header labels seen in the releases; matched without case, accents or
# punctuation (``COMPLEMENT.D.ADRESSE`` == ``complement d adresse``). First column wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "site_id": ("id_fs", "MATRICULE", "id"),
    # "FRANCE SERVICES" is the name column of the Banque des Territoires exports (2020).
    "site_name": ("lib_fs", "lib_france_services", "nom_fs", "nom", "FRANCE SERVICES", "nom_france_services"),
    "department_code": ("insee_dep", "DEPARTEMENT", "code_departement", "dep"),
    "address": ("adresse", "ADRESSE"),
    "address_extra": ("complement_adresse", "adresse_cplmt", "COMPLEMENT.D.ADRESSE"),
    "commune_code": ("insee_com", "code_insee", "CODE INSEE", "code_commune", "code_commune_insee", "codgeo"),
    "geocoder_citycode": ("result_citycode",),
    "postcode": ("code_postal", "cp"),
    "commune_name": ("lib_com", "COMMUNE", "libelle_commune", "nom_commune"),
    "latitude": ("latitude", "LATITUDE", "lat", "y"),
    "longitude": ("longitude", "LONGITUDE", "long", "lon", "lng", "x"),
    "email": ("mail", "CONTACT.MAIL", "CONTACT MAIL", "email", "courriel"),
    "phone": ("telephone", "TELEPHONE", "tel"),
    "hours_mon": ("h_lundi", "lundi", "HORAIRES LUNDI"),
    "hours_tue": ("h_mardi", "mardi", "HORAIRES MARDI"),
    "hours_wed": ("h_mercredi", "mercredi", "HORAIRES MERCREDI"),
    "hours_thu": ("h_jeudi", "jeudi", "HORAIRES JEUDI"),
    "hours_fri": ("h_vendredi", "vendredi", "HORAIRES VENDREDI"),
    "hours_sat": ("h_samedi", "samedi", "HORAIRES SAMEDI"),
    "hours_sun": ("h_dimanche", "dimanche", "HORAIRES DIMANCHE"),
    "category": ("categorie",),
    "site_type": ("type_fs", "type_france_services"),
    # 2020 FORMAT_FS (Espace labellisé / Antenne), 2022 format_fs (Site principal / Antenne)
    # and 2024 format_fs (Fixe, Bus_équivalent…) share one label: the first two carry the
    # site type, the last the format; the values tell them apart (values.carries_type).
    "format": ("format_fs", "FORMAT FRANCE SERVICES", "format_france_services"),
    "itinerance": ("itinerance", "ITINERANCE"),
    "labelling": ("labellisation_fs", "Labellisation", "LABELISATION", "labelisation"),
    "appointment": ("prise_rdv", "prise_de_rdv", "prise_rendez_vous"),
}

# At least one label of each group must be present (coordinates may also come from geometry).
REQUIRED_COMMUNE = ("commune_code", "geocoder_citycode")
