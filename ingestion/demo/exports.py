"""Write made-up monthly activity and satisfaction exports, one file per department per month.

Departments keep one export tool, so one file format, for every month: mostly `;` cp1252
CSV, some `,` UTF-8-BOM CSV with other header synonyms and ISO dates, a few tab CSV by
month, and a few XLSX with title rows.

The volumes are the State's published ones (``ingestion.demo.published``): each department's
good rows of a month add up to its acts of that month in the DITP barometer (IND-323), spread
over the department's sites by size, and its satisfied share is the barometer's (IND-246). The
planted bad rows come on top and are rejected, so the warehouse shows the published figures.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from ingestion.demo.published import acts_by_department, department_shares, satisfaction_rates
from ingestion.demo.volumes import (
    CHANNELS,
    PARTNER_CODES,
    REQUESTS_PER_SITE_MONTH,
    SEASON,
    THEMES,
    draw_activity,
    draw_answers,
)

# share of departments per format; XLSX stays small because openpyxl writes slowly
FORMAT_SHARES = {"semicolon": 0.75, "comma": 0.15, "tab_monthly": 0.07, "xlsx": 0.03}
ACTIVITY_HEADERS = {
    "semicolon": [
        "Matricule",
        "Date",
        "Partenaire",
        "Thématique",
        "Canal",
        "Nombre de demandes",
        "Dont résolues au premier contact",
    ],
    "comma": [
        "id_fs",
        "Date de la demande",
        "Opérateur",
        "Thème",
        "Mode de contact",
        "Demandes",
        "Résolues 1er contact",
    ],
    "tab_monthly": ["Identifiant France services", "Mois", "Organisme", "Motif", "Canal", "Nb demandes", "Résolues"],
    "xlsx": [
        "Code structure",
        "Jour",
        "Partenaire",
        "Thématique",
        "Canal",
        "Nombre de demandes",
        "Dont résolues au premier contact",
    ],
}
SATISFACTION_HEADERS = {
    "scores": ["Matricule", "Date de réponse", "Satisfaction", "Recommanderiez-vous France services ?"],
    "labels": ["id_fs", "Date", "Satisfaction", "Recommandation"],
}
SCORE_LABELS = ["Pas du tout satisfait", "Peu satisfait", "Ni satisfait ni insatisfait", "Satisfait", "Très satisfait"]
# how two export tools name the partners (France Travail was Pôle emploi until 2024)
_PARTNER_NAMES = {
    "short": [
        "Finances publiques",
        "CAF",
        "Assurance maladie",
        "ANTS",
        "Assurance retraite",
        "France Travail",
        "MSA",
        "Justice",
        "La Poste",
    ],
    "long": [
        "DGFiP",
        "Caisse d'allocations familiales",
        "CPAM",
        "Ministère de l'Intérieur",
        "Carsat",
        "France Travail",
        "MSA",
        "Ministère de la Justice",
        "La Poste",
    ],
}
_OTHER_PARTNER = "Mission locale"
UNKNOWN_SITE = "99999"
ACTIVITY_BAD_KINDS = ("negative count", "resolved greater than requests", "unreadable date", "unknown site id")
SATISFACTION_BAD_KINDS = ("unreadable satisfaction", "unreadable date", "unknown site id")
_BAD_PER_KIND = 2


def write_demo_exports(
    sites: pd.DataFrame,
    inbox: Path,
    *,
    months: int = 12,
    end_month: date,
    seed: int = 0,
    bad_rows: bool = True,
    published: bool = True,
) -> dict:
    """Write ``months`` months (ending with ``end_month``) of exports under ``inbox``.

    ``sites`` has site_id, department_code, labelled_on and optionally closed_on; a site
    reports from the month it was labelled, and, when closed_on is given, only in the months
    that end before it (a listing release dated the 1st that drops a site: its last month of
    data is the one before). Activity goes to ``inbox/activity/activite_<dep>_<YYYY-MM>.csv|xlsx``, answers
    to ``inbox/satisfaction/satisfaction_<dep>_<YYYY-MM>.csv``. With ``bad_rows`` each month
    gets two rows of each kind of problem, added to the files of random departments.
    With ``published`` (the default) the good rows of a department and month add up to its
    published acts, and its answers give its published satisfied share (module docstring);
    a department the barometer does not publish gets ~197 requests per site.
    Returns counts: files and rows written (bad rows included), ``requests`` and
    ``resolved_first_visit`` over the good rows of real sites, ``answers`` (good answers of
    real sites), ``bad_rows`` (total) and ``bad_activity_rows`` / ``bad_satisfaction_rows``
    (by kind: the reject reason, or ``unknown site id`` for rows naming site 99999).
    """
    rng = np.random.default_rng(seed)
    inbox = Path(inbox)
    (inbox / "activity").mkdir(parents=True, exist_ok=True)
    (inbox / "satisfaction").mkdir(parents=True, exist_ok=True)
    sites = (
        sites.assign(
            site_id=sites["site_id"].astype(str),
            department_code=sites["department_code"].astype(str),
            labelled_on=pd.to_datetime(sites["labelled_on"]),
            closed_on=pd.to_datetime(sites["closed_on"] if "closed_on" in sites else pd.NaT),
        )
        .sort_values(["department_code", "site_id"], kind="stable")
        .reset_index(drop=True)
    )
    size = rng.lognormal(0.0, 0.45, len(sites))
    size /= size.mean()
    formats = _department_formats(sites, rng)
    survey_formats = {dep: ("labels" if rng.random() < 0.2 else "scores") for dep in formats}
    counts = Counter()
    bad_activity_kinds, bad_answer_kinds = Counter(), Counter()
    end = pd.Timestamp(end_month).to_period("M")
    periods = pd.period_range(end - (months - 1), end, freq="M")
    acts = acts_by_department(periods) if published else None
    rates, national_rate = satisfaction_rates(periods) if published else (None, None)
    for period in periods:
        month = period.to_timestamp().date()
        open_all_month = sites["closed_on"].isna() | (sites["closed_on"] > period.end_time)
        active = np.flatnonzero((sites["labelled_on"].dt.to_period("M") <= period) & open_all_month)
        if not len(active):
            continue
        month_sites = sites.iloc[active].reset_index(drop=True)
        departments = month_sites["department_code"].to_numpy()
        site_requests = _site_requests(size[active], departments, acts, period, rng) if published else None
        activity = draw_activity(size[active], month, rng, site_requests)
        if published:
            codes, site_group = np.unique(departments, return_inverse=True)
            sites_per_department = pd.Series(np.bincount(site_group), index=codes)
            shares = department_shares(rates, national_rate, period, sites_per_department).to_numpy()
            answers = draw_answers(len(month_sites), month, rng, site_group, shares)
        else:
            answers = draw_answers(len(month_sites), month, rng)
        bad_activity = _bad_departments(departments, ACTIVITY_BAD_KINDS, rng) if bad_rows else {}
        bad_answers = _bad_departments(departments, SATISFACTION_BAD_KINDS, rng) if bad_rows else {}
        for dep, first, last in _blocks(departments):
            kind = formats[dep]
            columns, requests, resolved = _activity_columns(activity, month_sites, first, last, kind, month)
            counts["requests"] += int(requests.sum())
            counts["resolved_first_visit"] += int(resolved.sum())
            columns = _append(columns, _bad_activity_rows(bad_activity.get(dep, []), columns, kind, month))
            counts["activity_rows"] += len(columns[ACTIVITY_HEADERS[kind][0]])
            path = inbox / "activity" / f"activite_{dep}_{period}.{'xlsx' if kind == 'xlsx' else 'csv'}"
            _write_activity(columns, path, kind, dep, period)
            counts["activity_files"] += 1

            style = survey_formats[dep]
            columns = _answer_columns(answers, month_sites, first, last, style)
            counts["answers"] += len(columns[SATISFACTION_HEADERS[style][0]])
            columns = _append(columns, _bad_answer_rows(bad_answers.get(dep, []), style, month))
            bad_activity_kinds.update(bad_activity.get(dep, []))
            if not len(columns[SATISFACTION_HEADERS[style][0]]):
                # No answer this month (a department's first sites, early in a long window): a
                # site sends no file then, as a header alone is refused by the reader.
                continue
            counts["satisfaction_rows"] += len(columns[SATISFACTION_HEADERS[style][0]])
            _write_csv(
                columns,
                inbox / "satisfaction" / f"satisfaction_{dep}_{period}.csv",
                "semicolon" if style == "scores" else "comma",
            )
            counts["satisfaction_files"] += 1
            bad_answer_kinds.update(bad_answers.get(dep, []))
    keys = (
        "activity_files",
        "satisfaction_files",
        "activity_rows",
        "satisfaction_rows",
        "requests",
        "resolved_first_visit",
        "answers",
    )
    return {
        **{key: counts[key] for key in keys},
        "bad_rows": sum(bad_activity_kinds.values()) + sum(bad_answer_kinds.values()),
        "bad_activity_rows": dict(bad_activity_kinds),
        "bad_satisfaction_rows": dict(bad_answer_kinds),
    }


def _site_requests(
    size: np.ndarray, departments: np.ndarray, acts: pd.DataFrame, period: pd.Period, rng: np.random.Generator
) -> np.ndarray:
    """Each site's requests this month: its department's published acts shared by size (exact
    total), or ~197 × season × size where the barometer publishes nothing for the department."""
    month = period.to_timestamp().month
    totals = rng.poisson(REQUESTS_PER_SITE_MONTH * SEASON[month - 1] * size).astype(np.int64)
    for dep, first, last in _blocks(departments):
        if dep in acts.index:
            block = size[first:last]
            totals[first:last] = rng.multinomial(int(acts.at[dep, period]), block / block.sum())
    return totals


def _department_formats(sites: pd.DataFrame, rng: np.random.Generator) -> dict[str, str]:
    """One format per department: every format shows up once there are four departments;
    XLSX goes to the smallest departments, where a spreadsheet is a plausible tool."""
    sizes = sites.groupby("department_code").size()
    departments = list(rng.permutation(sizes.index.to_numpy()))
    n = len(departments)
    wanted = {kind: max(1, round(share * n)) if n >= len(FORMAT_SHARES) else 0 for kind, share in FORMAT_SHARES.items()}
    wanted["semicolon"] = n - sum(v for k, v in wanted.items() if k != "semicolon")
    smallest = sorted(departments, key=lambda dep: (sizes[dep], departments.index(dep)))
    formats = {dep: "xlsx" for dep in smallest[: wanted["xlsx"]]}
    rest = [dep for dep in departments if dep not in formats]
    for kind in ("comma", "tab_monthly"):
        for dep in rest[: wanted[kind]]:
            formats[dep] = kind
        rest = rest[wanted[kind] :]
    formats.update({dep: "semicolon" for dep in rest})
    return formats


def _blocks(departments: np.ndarray):
    """(department, first, last) slices of the sites of one month, which are sorted by department."""
    starts = np.flatnonzero(np.r_[True, departments[1:] != departments[:-1]])
    ends = np.r_[starts[1:], len(departments)]
    return [(departments[s], s, e) for s, e in zip(starts, ends)]


def _partner_labels(style: str, month: date) -> np.ndarray:
    names = list(_PARTNER_NAMES[style])
    if month < date(2024, 1, 1):
        names[PARTNER_CODES.index("france_travail")] = "Pôle emploi"
    return np.asarray(names + [_OTHER_PARTNER], dtype=object)


def _activity_columns(activity, month_sites, first, last, kind, month):
    """The file's columns (header -> array) for the sites ``first:last``, with its request totals."""
    lo, hi = np.searchsorted(activity.site, [first, last])
    site = activity.site[lo:hi]
    partner, theme, channel = activity.partner[lo:hi], activity.theme[lo:hi], activity.channel[lo:hi]
    requests, resolved, day = activity.requests[lo:hi], activity.resolved[lo:hi], activity.day[lo:hi]
    if kind == "tab_monthly":
        key = ((site.astype(np.int64) * 16 + partner) * 16 + theme) * 8 + channel
        _, first_of, inverse = np.unique(key, return_index=True, return_inverse=True)
        requests = np.bincount(inverse, weights=requests).astype(np.int64)
        resolved = np.bincount(inverse, weights=resolved).astype(np.int64)
        site, partner, theme, channel = site[first_of], partner[first_of], theme[first_of], channel[first_of]
        dates = np.full(len(site), f"{month:%m/%Y}", dtype=object)
    elif kind == "xlsx":
        dates = activity.days.to_pydatetime()[day]
    else:
        dates = activity.days.strftime("%Y-%m-%d" if kind == "comma" else "%d/%m/%Y").to_numpy(dtype=object)[day]
    header = ACTIVITY_HEADERS[kind]
    columns = {
        header[0]: month_sites["site_id"].to_numpy(dtype=object)[site],
        header[1]: dates,
        header[2]: _partner_labels("long" if kind == "comma" else "short", month)[partner],
        header[3]: np.asarray(THEMES, dtype=object)[theme],
        header[4]: np.asarray(CHANNELS, dtype=object)[channel],
        header[5]: requests,
        header[6]: resolved,
    }
    return columns, requests, resolved


def _append(columns: dict[str, np.ndarray], extra: dict[str, list]) -> dict[str, np.ndarray]:
    """Add a few rows (plain lists, any types) under the columns."""
    if not extra:
        return columns
    return {
        name: np.concatenate([values.astype(object), np.asarray(extra[name], dtype=object)])
        for name, values in columns.items()
    }


def _bad_departments(departments: np.ndarray, kinds, rng) -> dict[str, list[str]]:
    """Which department files get which bad rows this month."""
    chosen: dict[str, list[str]] = {}
    distinct = np.unique(departments)
    for kind in kinds:
        for dep in rng.choice(distinct, _BAD_PER_KIND):
            chosen.setdefault(str(dep), []).append(kind)
    return chosen


def _bad_activity_rows(kinds: list[str], columns: dict[str, np.ndarray], kind: str, month: date) -> dict[str, list]:
    """Copies of the file's first row, each broken in one way (or for a site that does not exist)."""
    names = list(columns)
    if not kinds or not len(columns[names[0]]):
        return {}
    rows = {name: [columns[name][0]] * len(kinds) for name in names}
    site, day, requests, resolved = names[0], names[1], names[5], names[6]
    bad_date = {"tab_monthly": f"13/{month:%Y}", "comma": f"{month:%Y-%m}-32", "xlsx": "inconnue"}.get(
        kind, f"32/{month:%m/%Y}"
    )
    for i, bad in enumerate(kinds):
        if bad == "negative count":
            rows[requests][i], rows[resolved][i] = -3, 0
        elif bad == "resolved greater than requests":
            rows[requests][i], rows[resolved][i] = 2, 5
        elif bad == "unreadable date":
            rows[day][i] = bad_date
        else:
            rows[site][i] = UNKNOWN_SITE
    return rows


def _write_activity(columns: dict[str, np.ndarray], path: Path, kind: str, dep: str, period: pd.Period) -> None:
    if kind == "xlsx":
        titles = [f"Export de l'activité France services — département {dep}", f"Mois : {period}"]
        _write_xlsx(columns, path, titles, str(period))
        return
    if kind == "tab_monthly":
        for name in list(columns)[5:7]:
            columns[name] = _with_thousands(columns[name])
    _write_csv(columns, path, kind)


def _answer_columns(answers, month_sites, first, last, style) -> dict[str, np.ndarray]:
    lo, hi = np.searchsorted(answers.site, [first, last])
    header = SATISFACTION_HEADERS[style]
    score = answers.score[lo:hi]
    days = answers.days.strftime("%Y-%m-%d" if style == "labels" else "%d/%m/%Y").to_numpy(dtype=object)
    return {
        header[0]: month_sites["site_id"].to_numpy(dtype=object)[answers.site[lo:hi]],
        header[1]: days[answers.day[lo:hi]],
        header[2]: np.asarray(SCORE_LABELS, dtype=object)[score - 1] if style == "labels" else score,
        header[3]: np.where(answers.recommend[lo:hi], "Oui", "Non").astype(object),
    }


def _bad_answer_rows(kinds: list[str], style: str, month: date) -> dict[str, list]:
    header = SATISFACTION_HEADERS[style]
    good_date = f"{month:%Y-%m}-02" if style == "labels" else f"02/{month:%m/%Y}"
    rows = {name: [] for name in header}
    for bad in kinds:
        rows[header[0]].append(UNKNOWN_SITE if bad == "unknown site id" else "1")
        rows[header[1]].append("pas de date" if bad == "unreadable date" else good_date)
        rows[header[2]].append(
            "Bof" if bad == "unreadable satisfaction" else ("Satisfait" if style == "labels" else "4")
        )
        rows[header[3]].append("Oui")
    return rows if kinds else {}


def _write_csv(columns: dict[str, np.ndarray], path: Path, kind: str) -> None:
    """Arrow's CSV writer (fast), then the encoding and line ends each export tool uses."""
    table = pa.table({name: _as_text(values) for name, values in columns.items()})
    delimiter = {"semicolon": ";", "comma": ",", "tab_monthly": "\t"}[kind]
    buffer = io.BytesIO()
    # the `,` tool quotes every text (its themes hold commas); the others never quote
    quoting = "needed" if kind == "comma" else "none"
    buffer.write((delimiter.join(columns) + "\n").encode("utf-8"))
    pa_csv.write_csv(
        table, buffer, pa_csv.WriteOptions(include_header=False, delimiter=delimiter, quoting_style=quoting)
    )
    data = buffer.getvalue()
    if kind == "semicolon":
        data = data.decode("utf-8").encode("cp1252").replace(b"\n", b"\r\n") + b"\r\n"
    elif kind == "comma":
        data = b"\xef\xbb\xbf" + data + b"\n"
    path.write_bytes(data)  # with a trailing empty line, as spreadsheet exports leave


def _as_text(values: np.ndarray) -> pa.Array:
    if values.dtype.kind in "iu":
        return pa.array(values.astype(str), type=pa.string())
    try:
        return pa.array(values, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # the bad rows mix numbers into text columns
        return pa.array([str(v) for v in values], type=pa.string())


def _with_thousands(values: np.ndarray) -> np.ndarray:
    """Numbers as French exports print them: ``1 234`` with a narrow no-break space."""
    text = pd.Series(np.asarray(values).astype(str), dtype=object)
    big = text.str.fullmatch(r"\d{4,}")
    return text.where(~big, text.str.replace(r"(\d)(?=(\d{3})+$)", "\\1\u202f", regex=True)).to_numpy(dtype=object)


def _write_xlsx(columns: dict[str, np.ndarray], path: Path, titles: list[str], sheet: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    for title in titles:
        worksheet.append([title])
    worksheet.append(list(columns))
    for row in zip(*(values.tolist() for values in columns.values())):
        worksheet.append(row)
    workbook.save(path)
