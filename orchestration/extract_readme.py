"""What an extract says about itself to a person: the French "Lisez-moi" of its workbooks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
README_SHEET = "Lisez-moi"
TABLE_DESCRIPTIONS = {
    "territory_monthly": "Indicateurs par territoire et par mois (France, région, départements, EPCI) : sites "
    "ouverts, population à moins de 30 minutes d'un site, demandes, résolution au premier contact, satisfaction.",
    "site_scorecard": "Un site France Services par ligne : demandes des 12 derniers mois et des 12 précédents, "
    "résolution au premier contact, satisfaction, horaires, respect de la charte.",
    "coverage_gaps": "Communes dont les habitants sont à plus de 30 minutes du site le plus proche, "
    "classées par gap_rank.",
    "sites": "Sites France Services de la liste en vigueur : format, adresse, horaires, position.",
    "published_reconciliation": "Chiffres publiés par l'État (baromètre DITP : actes par mois, satisfaction en % ; "
    "baromètre Etalab : sites labellisés) à côté de ceux de l'entrepôt, avec l'écart et le rapport.",
    "outreach_places": "Arrêts des bus France Services et permanences hors les murs en vigueur : site qui les "
    "assure, commune, position, horaires (syntaxe opening_hours), semaines (toutes, paires, impaires), heures par "
    "semaine.",
    "qpv_coverage": "Quartiers prioritaires de la politique de la ville (QPV) par mois : population, site fixe le "
    "plus proche et temps d'accès, lieux (sites, arrêts, permanences) dans le quartier et leurs heures du mois.",
}
MAP_DESCRIPTION = (
    "Carte : temps d'accès de chaque commune au site le plus proche (vert : moins de 30 minutes), sites fixes "
    "et itinérants, arrêts et permanences (cercles magenta), quartiers prioritaires (croix violettes)."
)
CONVENTIONS = (
    "Parts et taux en pourcentage arrondis à 0,1 % ; temps en minutes entières ; distances au 0,1 km ; "
    "dates AAAA-MM-JJ ; cellule vide : pas de donnée. Lignes triées par territoire puis par mois."
)
SOURCES = (
    "Sites : liste nationale des France Services, ANCT (Agence nationale de la cohésion des territoires), "
    "data.gouv.fr, Licence Ouverte / Etalab 2.0.",
    "Communes, départements, régions et populations légales : INSEE (code officiel géographique, recensement), "
    "Licence Ouverte / Etalab 2.0 ; positions des communes : IGN, Licence Ouverte / Etalab 2.0.",
    "Demandes et satisfaction : exports d'activité et enquêtes de satisfaction des sites France Services.",
)


@dataclass(frozen=True)
class ExtractAbout:
    """The facts about one extract that its readers need: which territory, which data, from where."""

    scope: str  # national, region:<code>, department:<code>
    territory: str  # "France", "Occitanie", "Hérault"
    territory_label: str  # "France entière", "région Occitanie (76)"
    data_month: date | None  # the month of the coverage data (or of the latest monthly figures)
    first_month: date | None
    last_month: date | None
    source_run_id: str | None
    source_published_at: datetime | None
    demo_sources: tuple[str, ...]
    extracted_on: date


def french_month(day: date | None) -> str:
    """``novembre 2026`` for any day of November 2026; ``mois inconnu`` for ``None``."""
    if day is None:
        return "mois inconnu"
    return f"{FRENCH_MONTHS[day.month - 1]} {day.year}"


def _french_moment(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.day} {french_month(moment)} à {moment:%H:%M} UTC"


def readme_rows(about: ExtractAbout, tables: Iterable[str], workbook_table: str | None = None) -> list[tuple[str, str]]:
    """The Lisez-moi as (label, text) rows: territory, data month, source publication, one line per
    table (``workbook_table`` marked as the one in this workbook), conventions, sources and licences."""
    publication = "inconnue (base publiée sans métadonnées)"
    if about.source_published_at is not None:
        publication = f"publiée le {_french_moment(about.source_published_at)}"
        if about.source_run_id:
            publication += f" (exécution {about.source_run_id})"
    rows = [
        (f"France Services — {about.territory}", ""),
        ("Territoire", about.territory_label),
        ("Mois des données", french_month(about.data_month)),
    ]
    if about.first_month is not None and about.last_month is not None:
        rows.append(("Séries mensuelles", f"de {french_month(about.first_month)} à {french_month(about.last_month)}"))
    rows += [
        ("Publication source", publication),
        ("Extrait créé le", about.extracted_on.isoformat()),
    ]
    if about.demo_sources:
        rows.append(
            (
                "Attention",
                "données de démonstration, pas de fichier réel chargé, pour : " + ", ".join(about.demo_sources),
            )
        )
    for table in tables:
        label = f"{table} (ce classeur)" if table == workbook_table else table
        rows.append((label, TABLE_DESCRIPTIONS.get(table, "")))
    rows.append(("coverage_map.png", MAP_DESCRIPTION))
    rows.append(("Conventions", CONVENTIONS))
    rows += [("Sources et licences" if index == 0 else "", text) for index, text in enumerate(SOURCES)]
    return rows
