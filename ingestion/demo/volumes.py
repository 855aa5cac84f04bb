"""Made-up activity and survey answers at the published national volumes, as arrays.

Published figures: ~500,000 requests a month for 2,538 sites, 80% solved at the first
visit, 94% of users satisfied, 98% would recommend. Everything is drawn with numpy in one
go per month; the writers only format it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

REQUESTS_PER_SITE_MONTH = 197
# about 140 rows per site-month at the site × day × partner × theme × channel grain once the
# draws falling on the same row are added up (measured: ~15% of draws repeat a row)
REQUESTS_PER_DRAW = 1.2
RESOLVED_SHARE = 0.80
ANSWERS_PER_SITE_MONTH = 5
# January and September busy (tax, school year), August quiet; mean 1
SEASON = np.asarray([1.15, 1.0, 1.05, 1.0, 0.92, 0.95, 0.85, 0.62, 1.15, 1.1, 1.0, 0.85])
SEASON = SEASON / SEASON.mean()

PARTNER_CODES = ["dgfip", "cnaf", "cnam", "interieur", "cnav", "france_travail", "msa", "justice", "la_poste", "other"]
PARTNER_SHARES = np.asarray([0.20, 0.17, 0.15, 0.14, 0.10, 0.10, 0.04, 0.03, 0.03, 0.04])
THEMES = [
    "Impôts, prélèvement à la source",
    "Prestations familiales et RSA",
    "Prime d'activité",
    "Carte Vitale et remboursements",
    "Complémentaire santé solidaire",
    "Titres d'identité et permis de conduire",
    "Certificat d'immatriculation",
    "Retraite",
    "Recherche d'emploi et indemnisation",
    "Accès au droit",
    "Services postaux et bancaires",
    "Accompagnement numérique",
]
# theme shares for each partner (rows in PARTNER_CODES order, columns in THEMES order)
_THEME_SHARES = np.asarray(
    [
        [0.85, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.15],
        [0, 0.60, 0.30, 0, 0, 0, 0, 0, 0, 0, 0, 0.10],
        [0, 0, 0, 0.60, 0.30, 0, 0, 0, 0, 0, 0, 0.10],
        [0, 0, 0, 0, 0, 0.55, 0.35, 0, 0, 0, 0, 0.10],
        [0, 0, 0, 0, 0, 0, 0, 0.90, 0, 0, 0, 0.10],
        [0, 0, 0, 0, 0, 0, 0, 0, 0.90, 0, 0, 0.10],
        [0, 0.30, 0, 0.30, 0, 0, 0, 0.30, 0, 0, 0, 0.10],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.95, 0, 0.05],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.85, 0.15],
        [0, 0.10, 0, 0.10, 0, 0, 0, 0, 0, 0.10, 0, 0.70],
    ]
)
CHANNELS = ["Accueil physique", "Téléphone", "Courriel", "Visio", "Itinérance"]
CHANNEL_SHARES = np.asarray([0.70, 0.17, 0.07, 0.02, 0.04])
SCORE_SHARES = np.asarray([0.01, 0.02, 0.03, 0.32, 0.62])  # scores 1..5: 94% give 4 or 5


@dataclass
class MonthActivity:
    """One month of activity rows, sorted by site: indexes into the site, day, partner, theme, channel lists."""

    site: np.ndarray
    day: np.ndarray  # index into ``days``
    days: pd.DatetimeIndex
    partner: np.ndarray
    theme: np.ndarray
    channel: np.ndarray
    requests: np.ndarray
    resolved: np.ndarray


@dataclass
class MonthAnswers:
    """One month of survey answers, sorted by site."""

    site: np.ndarray
    day: np.ndarray
    days: pd.DatetimeIndex
    score: np.ndarray
    recommend: np.ndarray


def working_days(month: date) -> pd.DatetimeIndex:
    """Monday to Friday of the month starting on ``month``."""
    return pd.bdate_range(month, periods=31).to_series().loc[lambda d: d.dt.month == month.month].index


def draw_activity(site_size: np.ndarray, month: date, rng: np.random.Generator) -> MonthActivity:
    """Rows for the sites whose relative size is ``site_size`` (mean 1), one month."""
    days = working_days(month)
    expected_rows = REQUESTS_PER_SITE_MONTH * SEASON[month.month - 1] * site_size / REQUESTS_PER_DRAW
    per_site = rng.poisson(expected_rows)
    site = np.repeat(np.arange(len(site_size)), per_site)
    n = len(site)
    day = rng.integers(0, len(days), n)
    partner = _draw(PARTNER_SHARES, n, rng)
    theme = _draw_conditional(_THEME_SHARES, partner, rng)
    channel = _draw(CHANNEL_SHARES, n, rng)
    requests = 1 + rng.poisson(REQUESTS_PER_DRAW - 1, n)
    # the grain is one row per site × day × partner × theme × channel: repeats add up
    key = ((((site.astype(np.int64) * 32 + day) * 16 + partner) * 16 + theme) * 8) + channel
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    site, day, partner, theme, channel = (a[first] for a in (site, day, partner, theme, channel))
    requests = np.bincount(inverse, weights=requests).astype(np.int64)
    resolved = rng.binomial(requests, RESOLVED_SHARE)
    return MonthActivity(site, day, days, partner, theme, channel, requests, resolved)


def draw_answers(n_sites: int, month: date, rng: np.random.Generator) -> MonthAnswers:
    """About five survey answers per site for one month."""
    days = working_days(month)
    site = np.repeat(np.arange(n_sites), rng.poisson(ANSWERS_PER_SITE_MONTH, n_sites))
    score = 1 + _draw(SCORE_SHARES, len(site), rng)
    # recommending follows satisfaction: 98% overall
    recommend = rng.random(len(site)) < np.where(score >= 4, 0.995, 0.71)
    return MonthAnswers(site, rng.integers(0, len(days), len(site)), days, score, recommend)


def _draw(shares: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    return np.searchsorted(np.cumsum(shares / shares.sum()), rng.random(n), side="right").clip(max=len(shares) - 1)


def _draw_conditional(shares: np.ndarray, given: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cumulative = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
    return (rng.random(len(given))[:, None] > cumulative[given]).sum(axis=1).clip(max=shares.shape[1] - 1)
