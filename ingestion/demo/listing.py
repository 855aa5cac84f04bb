"""A made-up national site listing in the format of the 2024 data.gouv file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

LISTING_COLUMNS = [
    "id_fs",
    "insee_dep",
    "lib_fs",
    "adresse",
    "complement_adresse",
    "insee_com",
    "code_postal",
    "lib_com",
    "latitude",
    "longitude",
    "mail",
    "telephone",
    "h_lundi",
    "h_mardi",
    "h_mercredi",
    "h_jeudi",
    "h_vendredi",
    "h_samedi",
    "prise_rdv",
    "commentaire",
    "type_fs",
    "format_fs",
    "groupe_fs",
    "labellisation_fs",
]
WEEKDAYS = ["h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi"]

# shares in the August 2024 listing (2,845 sites)
TYPE_SHARES = {"Principal": 0.956, "Antenne": 0.044}
FORMAT_SHARES = {
    "Fixe": 0.8436,
    "Multisites": 0.0612,
    "Bus_équivalent": 0.0471,
    "Fixe_antenne(s)": 0.0380,
    "Itinérante": 0.0101,
}
NO_HOURS_SHARE = 0.017

# Published national count of labelled sites (baromètre de l'action publique), by month
# since January 2020: the waves of labelling give the S-curve.
LABELLED_BY_MONTH = {
    "2020-01": 460,
    "2020-02": 534,
    "2020-09": 856,
    "2021-01": 1123,
    "2021-04": 1304,
    "2021-07": 1494,
    "2021-10": 1745,
    "2022-01": 2055,
    "2022-04": 2197,
    "2022-07": 2379,
    "2022-11": 2538,
}
LAST_LABEL_MONTH = "2024-07"
_PUBLISHED_MAIN_SITES = 2721

# Between two releases of a demo history, per month between them, as shares of the network:
# sites labelled (new in the later release), sites closed (gone from it), sites whose
# opening hours changed (a new version in dim_site).
OPENED_PER_MONTH = 0.003
CLOSED_PER_MONTH = 0.001
HOURS_CHANGED_PER_MONTH = 0.002

_MORNINGS = ["09:00 - 12:00", "08:30 - 12:00", "09:00 - 12:30", "08:30 - 12:30", "08:45 - 12:00", "09:30 - 12:00"]
_AFTERNOONS = ["14:00 - 17:00", "13:30 - 17:00", "13:30 - 17:30", "13:30 - 16:30", "14:00 - 18:00", "13:00 - 17:00"]
_STREETS = [
    "Rue de la Mairie",
    "Place de l'Église",
    "Grande Rue",
    "Rue de la Poste",
    "Avenue de la Gare",
    "Place du Marché",
    "Rue Jean Jaurès",
    "Rue Victor Hugo",
    "Place de la République",
    "Rue des Écoles",
]
_COMMENTS = [
    "Ouvert le premier samedi du mois de 9h à 12h",
    "Sur rendez-vous le mercredi après-midi",
    "Bus circulant sur les communes du territoire",
]


def write_demo_listing(communes: pd.DataFrame, path: Path, *, n_sites: int = 2845, seed: int = 0) -> pd.DataFrame:
    """Write a made-up listing of ``n_sites`` sites placed in real ``communes``; return what was written.

    ``communes`` has commune_code, commune_name, department_code, population, latitude,
    longitude. Every department gets a site, the rest go to communes drawn by population;
    positions move by at most 2 km. Type, format, opening hours and labelling dates follow
    the national shares; the same ``seed`` gives the same file.
    """
    listing = demo_listing_frame(communes, n_sites=n_sites, seed=seed)
    _write_like_data_gouv(listing, Path(path))
    return listing


def demo_listing_frame(
    communes: pd.DataFrame, *, n_sites: int, seed: int, first_id: int = 1, every_department: bool = True
) -> pd.DataFrame:
    """The rows of ``write_demo_listing`` (ids from ``first_id``), not written; without
    ``every_department`` the sites are all drawn by population."""
    rng = np.random.default_rng(seed)
    communes = communes.reset_index(drop=True)
    picks = _place_sites(communes, n_sites, rng, every_department=every_department)
    placed = communes.iloc[picks].reset_index(drop=True)
    latitude, longitude = _jitter(placed["latitude"].to_numpy(float), placed["longitude"].to_numpy(float), rng)

    site_type = _exact_mix(TYPE_SHARES, n_sites, rng)
    site_format = _exact_mix(FORMAT_SHARES, n_sites, rng)
    names = placed["commune_name"].astype(str).to_numpy(dtype=object)
    departments = placed["department_code"].astype(str).to_numpy(dtype=object)
    commune_codes = placed["commune_code"].astype(str).to_numpy(dtype=object)
    numbers = np.arange(first_id, first_id + n_sites)

    return pd.DataFrame(
        {
            "id_fs": numbers.astype(str),
            "insee_dep": departments,
            "lib_fs": _site_names(names, site_type, site_format, rng),
            "adresse": [f"{n} {s}" for n, s in zip(rng.integers(1, 40, n_sites), rng.choice(_STREETS, n_sites))],
            "complement_adresse": None,
            "insee_com": commune_codes,
            "code_postal": [_postcode(code) for code in commune_codes],
            "lib_com": names,
            "latitude": latitude.round(6),
            "longitude": longitude.round(6),
            "mail": [f"france-services.{i}@france-services.gouv.fr" for i in numbers],
            "telephone": [
                f"0{p} {a:02d} {b:02d} {c:02d} {d:02d}"
                for p, a, b, c, d in rng.integers([1, 10, 0, 0, 0], [6, 99, 99, 99, 99], (n_sites, 5))
            ],
            **_opening_hours(site_format, n_sites, rng),
            "prise_rdv": np.where(rng.random(n_sites) < 0.35, "Oui", "Non"),
            "commentaire": np.where(rng.random(n_sites) < 0.03, rng.choice(_COMMENTS, n_sites), None),
            "type_fs": site_type,
            "format_fs": site_format,
            "groupe_fs": np.where(site_type == "Antenne", names, None),
            "labellisation_fs": [_labelling_text(d) for d in _labelling_dates(site_type, rng)],
        },
        columns=LISTING_COLUMNS,
    )


def _labelling_text(day) -> str:
    return f"Espace labellisé {day:%d/%m/%Y}"


@dataclass(frozen=True)
class DemoRelease:
    """One written release of a demo history and what it changed against the one before."""

    as_of: date
    path: Path
    sites: int
    opened: int
    closed: int
    hours_changed: int


def write_demo_history(
    communes: pd.DataFrame, folder: Path, release_dates: list[date], *, n_sites: int = 2845, seed: int = 0
) -> list[DemoRelease]:
    """Write one listing per date of ``release_dates`` under ``folder``: one network, told over time.

    The newest release holds the ``n_sites`` sites of ``demo_listing_frame(n_sites, seed)``.
    Between two releases, in proportion to the months between them, a few sites open (the
    latest-labelled sites, relabelled on the date of the later release), a few close (extra
    sites, ids after ``n_sites``, labelled by the first release and absent from the later one
    on) and a few change their Wednesday hours (a new site version). A release holds exactly
    the sites labelled on or before its date and not yet closed: labelling dates and releases
    agree, so the sites open at a month end are the same whether counted from the releases
    (dim_site versions) or from labelling dates. Files are ``liste-fs-demo-<YYYY-MM-DD>.csv``;
    returns the releases by date.
    """
    dates = sorted(set(release_dates))
    rng = np.random.default_rng([seed, len(dates)])
    newest = demo_listing_frame(communes, n_sites=n_sites, seed=seed)
    labelled = pd.to_datetime(newest["labellisation_fs"].str[-10:], format="%d/%m/%Y").dt.date.to_numpy(
        dtype=object, copy=True
    )
    intervals = list(zip(dates[:-1], dates[1:]))
    months = [max(1, (b.year - a.year) * 12 + b.month - a.month) for a, b in intervals]
    opened = [max(1, round(OPENED_PER_MONTH * n_sites * m)) for m in months]
    closed = [max(1, round(CLOSED_PER_MONTH * n_sites * m)) for m in months]
    changed = [max(1, round(HOURS_CHANGED_PER_MONTH * n_sites * m)) for m in months]

    # openers: the latest-labelled sites (ties in random order), labelled on the date of the
    # release that first lists them
    latest_first = np.lexsort((rng.random(n_sites), -pd.to_datetime(labelled).asi8))
    openers = latest_first[: min(sum(opened), n_sites - 1)] if intervals else latest_first[:0]
    opens_at = np.repeat(np.asarray([b for _, b in intervals], dtype=object), opened)[: len(openers)]
    labelled[openers] = rng.permutation(opens_at)
    newest["labellisation_fs"] = [_labelling_text(day) for day in labelled]

    closers = (
        demo_listing_frame(communes, n_sites=sum(closed), seed=seed + 1, first_id=n_sites + 1, every_department=False)
        if intervals
        else newest.iloc[0:0]
    )
    first_month = date(dates[0].year, dates[0].month, 1)
    closer_labelled = pd.to_datetime(closers["labellisation_fs"].str[-10:], format="%d/%m/%Y").dt.date
    closers["labellisation_fs"] = [_labelling_text(min(day, first_month)) for day in closer_labelled]
    closes_at = np.repeat(np.asarray([b for _, b in intervals], dtype=object), closed)

    # hours changes: sites in every release with Wednesday hours; the earlier releases had other ones
    steady = np.flatnonzero((labelled <= dates[0]) & newest["h_mercredi"].notna().to_numpy())
    movers = rng.choice(steady, min(sum(changed), len(steady)), replace=False) if intervals else steady[:0]
    changes_at = np.repeat(np.asarray([b for _, b in intervals], dtype=object), changed)[: len(movers)]
    new_hours = newest["h_mercredi"].to_numpy(dtype=object)
    old_hours = np.where(new_hours[movers] == "09:00 - 12:00", "09:00 - 12:00 / 14:00 - 17:00", "09:00 - 12:00")

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written, previous = [], None
    for as_of in dates:
        sites = newest[labelled <= as_of].copy()
        before_change = pd.Series(changes_at > as_of, index=newest.index[movers])
        reverted = before_change[before_change].index.intersection(sites.index)
        sites.loc[reverted, "h_mercredi"] = pd.Series(old_hours, index=newest.index[movers]).loc[reverted]
        release = pd.concat([sites, closers[closes_at > as_of]], ignore_index=True)
        release = release.sort_values("id_fs", key=lambda ids: ids.astype(int), kind="stable").reset_index(drop=True)
        path = folder / f"liste-fs-demo-{as_of:%Y-%m-%d}.csv"
        _write_like_data_gouv(release, path)
        ids = set(release["id_fs"])
        written.append(
            DemoRelease(
                as_of=as_of,
                path=path,
                sites=len(release),
                opened=len(ids - previous) if previous is not None else len(ids),
                closed=len(previous - ids) if previous is not None else 0,
                hours_changed=int((changes_at == as_of).sum()),
            )
        )
        previous = ids
    return written


def _write_like_data_gouv(listing: pd.DataFrame, path: Path) -> None:
    """`,`-separated UTF-8, text quoted, coordinates bare, missing values as nothing at all."""

    def cell(value: object) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, float):
            return repr(value)
        return '"' + str(value).replace('"', '""') + '"'

    lines = [",".join(cell(name) for name in listing.columns)]
    lines += [
        ",".join(cell(value) for value in row) for row in listing.astype(object).itertuples(index=False, name=None)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _place_sites(communes: pd.DataFrame, n_sites: int, rng: np.random.Generator, *, every_department: bool = True):
    """Row positions in ``communes``: one per department first (if asked), then drawn by population."""
    weights = communes["population"].to_numpy(float).clip(min=1)
    firsts = []
    for _, members in communes.groupby("department_code", sort=True).indices.items() if every_department else []:
        firsts.append(rng.choice(members, p=weights[members] / weights[members].sum()))
    if len(firsts) > n_sites:
        raise ValueError(f"{n_sites} sites cannot cover {len(firsts)} departments")
    rest = rng.choice(len(communes), size=n_sites - len(firsts), p=weights / weights.sum())
    return rng.permutation(np.concatenate([np.asarray(firsts, dtype=int), rest]))


def _jitter(latitude: np.ndarray, longitude: np.ndarray, rng: np.random.Generator, km: float = 2.0):
    distance = km * np.sqrt(rng.random(len(latitude)))
    bearing = rng.random(len(latitude)) * 2 * np.pi
    dlat = distance * np.cos(bearing) / 111.32
    dlon = distance * np.sin(bearing) / (111.32 * np.cos(np.radians(latitude)))
    return latitude + dlat, longitude + dlon


def _exact_mix(shares: dict[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """Labels in exactly the given shares (rounded), shuffled."""
    counts = np.floor(np.asarray(list(shares.values())) * n).astype(int)
    counts[0] += n - counts.sum()
    return rng.permutation(np.repeat(np.asarray(list(shares), dtype=object), counts))


def _site_names(names, site_type, site_format, rng) -> list[str]:
    la_poste = rng.random(len(names)) < 0.08
    result = []
    for name, kind, fmt, poste in zip(names, site_type, site_format, la_poste):
        if fmt in ("Bus_équivalent", "Itinérante"):
            label = f"Bus France services {name}"
        elif poste:
            label = f"France services La Poste de {name}"
        else:
            label = f"France services {name}"
        result.append(f"{label} - Antenne" if kind == "Antenne" else label)
    return result


def _postcode(commune_code: str) -> str:
    if commune_code.startswith("97"):
        return commune_code[:3] + commune_code[-2:]
    if commune_code[:2] in ("2A", "2B"):
        return "20" + commune_code[-3:]
    return commune_code[:2] + commune_code[-3:]


def _opening_hours(site_format: np.ndarray, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Weekday columns in the listing's ``09:00 - 12:00 / 13:30 - 17:00`` format."""
    morning = rng.choice(np.asarray(_MORNINGS, dtype=object), n)
    afternoon = rng.choice(np.asarray(_AFTERNOONS, dtype=object), n)
    full = morning + " / " + afternoon
    mobile = np.isin(site_format, ["Bus_équivalent", "Itinérante"])
    hours = {}
    for day in WEEKDAYS:
        draw = rng.random(n)
        day_hours = np.where(draw < 0.72, full, np.where(draw < 0.82, morning, np.where(draw < 0.9, afternoon, None)))
        hours[day] = np.where(mobile, "09:30 - 16:30", day_hours)
    hours["h_samedi"] = np.where(rng.random(n) < 0.2, morning, None)
    no_hours = rng.permutation(np.arange(n) < round(NO_HOURS_SHARE * n))
    for day in hours:
        hours[day] = np.where(no_hours, None, hours[day])
    return hours


def _labelling_dates(site_type: np.ndarray, rng: np.random.Generator) -> list[pd.Timestamp]:
    """First-of-month labelling dates whose running count of main sites follows the published waves."""
    months = pd.period_range("2020-01", LAST_LABEL_MONTH, freq="M")
    main = site_type == "Principal"
    scale = main.sum() / _PUBLISHED_MAIN_SITES
    anchors = {**LABELLED_BY_MONTH, LAST_LABEL_MONTH: _PUBLISHED_MAIN_SITES}
    known = [months.get_loc(pd.Period(m, "M")) for m in anchors]
    cumulative = np.interp(np.arange(len(months)), known, list(anchors.values()))
    # between published waves the count does not move; after the last one it grows steadily
    last_wave = months.get_loc(pd.Period("2022-11", "M"))
    waves = np.asarray(known[:-1])
    before = np.arange(last_wave + 1)
    cumulative[before] = np.asarray(list(LABELLED_BY_MONTH.values()), dtype=float)[
        np.searchsorted(waves, before, side="right") - 1
    ]
    counts = np.diff(np.concatenate([[0], np.round(cumulative * scale)])).astype(int)
    counts[-1] += main.sum() - counts.sum()
    month_starts = months.to_timestamp()
    dates = np.empty(len(site_type), dtype=object)
    dates[main] = rng.permutation(np.repeat(month_starts, counts))
    # antennas open beside existing sites: same calendar, drawn from the main sites' dates
    dates[~main] = rng.choice(dates[main], (~main).sum()) if main.any() else month_starts[0]
    return list(dates)
