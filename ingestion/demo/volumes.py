"""Made-up activity and survey answers at the published volumes, as arrays.

The writer gives each site its month's total of requests (the department's published acts
spread over its sites by size, see ``ingestion.demo.published``) and each department its
satisfied share; without them a site gets ~197 requests a month and 94% of users are satisfied.
80% are solved at the first visit, 98% would recommend. Everything is drawn with numpy in one
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


def draw_activity(
    site_size: np.ndarray, month: date, rng: np.random.Generator, site_requests: np.ndarray | None = None
) -> MonthActivity:
    """Rows for the sites whose relative size is ``site_size`` (mean 1), one month.

    With ``site_requests`` each site's requests add up to exactly that number; the number of
    rows stays that of the default volume (a bigger site has bigger rows, not more of them).
    """
    days = working_days(month)
    expected_rows = REQUESTS_PER_SITE_MONTH * SEASON[month.month - 1] * site_size / REQUESTS_PER_DRAW
    per_site = rng.poisson(expected_rows)
    if site_requests is not None:
        site_requests = np.asarray(site_requests, dtype=np.int64)
        per_site = np.minimum(np.maximum(per_site, site_requests > 0), site_requests)
    site = np.repeat(np.arange(len(site_size)), per_site)
    n = len(site)
    day = rng.integers(0, len(days), n)
    partner = _draw(PARTNER_SHARES, n, rng)
    theme = _draw_conditional(_THEME_SHARES, partner, rng)
    channel = _draw(CHANNEL_SHARES, n, rng)
    if site_requests is None:
        requests = 1 + rng.poisson(REQUESTS_PER_DRAW - 1, n)
    else:
        requests = split_total(site_requests, per_site, rng)
    # the grain is one row per site × day × partner × theme × channel: repeats add up
    key = ((((site.astype(np.int64) * 32 + day) * 16 + partner) * 16 + theme) * 8) + channel
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    site, day, partner, theme, channel = (a[first] for a in (site, day, partner, theme, channel))
    requests = np.bincount(inverse, weights=requests).astype(np.int64)
    resolved = rng.binomial(requests, RESOLVED_SHARE)
    return MonthActivity(site, day, days, partner, theme, channel, requests, resolved)


def split_total(totals: np.ndarray, parts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split each ``totals[i]`` into ``parts[i]`` positive whole numbers (``parts[i] <= totals[i]``),
    the parts of one total next to each other; the pieces add up to the totals exactly."""
    starts = np.r_[0, np.cumsum(parts)[:-1]]
    extra = totals - parts
    owner = np.repeat(np.arange(len(totals)), extra)
    piece = starts[owner] + (rng.random(len(owner)) * parts[owner]).astype(np.int64)
    return 1 + np.bincount(piece, minlength=int(parts.sum())).astype(np.int64)


def draw_answers(
    n_sites: int,
    month: date,
    rng: np.random.Generator,
    site_group: np.ndarray | None = None,
    group_share: np.ndarray | None = None,
) -> MonthAnswers:
    """About five survey answers per site for one month.

    With ``site_group`` (a group index per site, e.g. its department) and ``group_share`` (the
    satisfied share of each group), exactly that share of each group's answers, rounded, give 4
    or 5; otherwise scores follow ``SCORE_SHARES`` (94% satisfied).
    """
    days = working_days(month)
    site = np.repeat(np.arange(n_sites), rng.poisson(ANSWERS_PER_SITE_MONTH, n_sites))
    if site_group is None or group_share is None:
        score = 1 + _draw(SCORE_SHARES, len(site), rng)
    else:
        score = _scores_with_shares(np.asarray(site_group)[site], np.asarray(group_share, dtype=float), rng)
    # recommending follows satisfaction: 98% overall
    recommend = rng.random(len(site)) < np.where(score >= 4, 0.995, 0.71)
    return MonthAnswers(site, rng.integers(0, len(days), len(site)), days, score, recommend)


def _scores_with_shares(group: np.ndarray, share: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scores 1–5 where, in each group, round(share × answers) answers are satisfied (4 or 5)."""
    n = len(group)
    order = np.lexsort((rng.random(n), group))
    sizes = np.bincount(group, minlength=len(share))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(np.r_[0, np.cumsum(sizes)[:-1]], sizes)
    satisfied = rank < np.round(share * sizes)[group]
    high = 4 + _draw(SCORE_SHARES[3:], n, rng)
    low = 1 + _draw(SCORE_SHARES[:3], n, rng)
    return np.where(satisfied, high, low)


def _draw(shares: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    return np.searchsorted(np.cumsum(shares / shares.sum()), rng.random(n), side="right").clip(max=len(shares) - 1)


def _draw_conditional(shares: np.ndarray, given: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cumulative = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
    return (rng.random(len(given))[:, None] > cumulative[given]).sum(axis=1).clip(max=shares.shape[1] - 1)
