"""A static coverage map of one extract's communes and sites (matplotlib Agg, no tiles)."""

from __future__ import annotations

import math
import os
import uuid
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402

METROPOLE_BOUNDS = (-5.5, 10.0, 41.0, 51.5)  # lon_min, lon_max, lat_min, lat_max
THRESHOLD_MINUTES = 30.0
# Greens up to the 30-minute threshold, oranges to reds beyond it: the break is the colour change.
MINUTE_STEPS = [0, 10, 20, 30, 45, 60, 90]
MINUTE_COLOURS = ["#1a9850", "#66bd63", "#a6d96a", "#fdae61", "#f46d43", "#d73027"]
OVER_COLOUR = "#7f0000"
NO_DATA_COLOUR = "#b0b0b0"


def _clip(frame: pd.DataFrame, bounds: tuple[float, float, float, float] | None) -> pd.DataFrame:
    frame = frame.dropna(subset=["latitude", "longitude"])
    if bounds is None:
        return frame
    lon_min, lon_max, lat_min, lat_max = bounds
    inside = frame["longitude"].between(lon_min, lon_max) & frame["latitude"].between(lat_min, lat_max)
    return frame[inside]


def draw_coverage_map(
    communes: pd.DataFrame,
    sites: pd.DataFrame,
    path: Path,
    title: str,
    *,
    bounds: tuple[float, float, float, float] | None = None,
) -> Path:
    """Draw communes (``latitude``, ``longitude``, optional ``travel_minutes``) coloured by
    minutes to the nearest site, and sites (``latitude``, ``longitude``, ``is_mobile``) as
    triangles (mobile: diamonds), into a 1200×1200 px PNG at ``path``.

    ``bounds`` (lon_min, lon_max, lat_min, lat_max) drops points outside it, e.g.
    ``METROPOLE_BOUNDS`` for a national map. Communes without minutes are grey. The PNG is
    written under a hidden name and moved into place, so ``path`` is never half-written.
    """
    communes = _clip(communes, bounds)
    sites = _clip(sites, bounds)
    minutes = (
        pd.to_numeric(communes["travel_minutes"], errors="coerce")
        if "travel_minutes" in communes
        else pd.Series(np.nan, index=communes.index)
    )
    fig, ax = plt.subplots(figsize=(10, 10), dpi=120, layout="constrained")
    try:
        ax.set_title(title)
        if communes.empty and sites.empty:
            ax.text(0.5, 0.5, "no communes in this scope", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
        else:
            latitudes = pd.concat([communes["latitude"], sites["latitude"]]).astype(float)
            ax.set_aspect(1 / math.cos(math.radians(float(latitudes.mean()))))
            size = max(2.0, min(40.0, 60000 / max(len(communes), 1)))
            known = minutes.notna()
            if (~known).any():
                grey = communes[~known]
                ax.scatter(
                    grey["longitude"],
                    grey["latitude"],
                    s=size,
                    c=NO_DATA_COLOUR,
                    linewidths=0,
                    label="communes without travel time",
                )
            cmap = ListedColormap(MINUTE_COLOURS + [OVER_COLOUR])
            norm = BoundaryNorm(MINUTE_STEPS, cmap.N, extend="max")
            coloured = ax.scatter(
                communes.loc[known, "longitude"],
                communes.loc[known, "latitude"],
                c=minutes[known],
                cmap=cmap,
                norm=norm,
                s=size,
                linewidths=0,
            )
            colorbar = fig.colorbar(coloured, ax=ax, shrink=0.7, extend="max", ticks=MINUTE_STEPS)
            colorbar.set_label("travel minutes to the nearest France Services site")
            colorbar.ax.axhline(THRESHOLD_MINUTES, color="black", linewidth=2.5)
            mobile = (
                sites["is_mobile"].fillna(False).astype(bool)
                if "is_mobile" in sites
                else pd.Series(False, index=sites.index)
            )
            fixed = sites[~mobile]
            roaming = sites[mobile]
            ax.scatter(
                fixed["longitude"],
                fixed["latitude"],
                marker="^",
                s=28,
                c="black",
                edgecolors="white",
                linewidths=0.4,
                label=f"sites ({len(fixed)})",
            )
            if not roaming.empty:
                ax.scatter(
                    roaming["longitude"],
                    roaming["latitude"],
                    marker="D",
                    s=18,
                    c="#2c7bb6",
                    edgecolors="black",
                    linewidths=0.4,
                    label=f"mobile sites ({len(roaming)})",
                )
            ax.legend(loc="lower left", fontsize=8, markerscale=1.2)
            ax.set_xlabel("longitude")
            ax.set_ylabel("latitude")
            if bounds is not None:
                ax.set_xlim(bounds[0], bounds[1])
                ax.set_ylim(bounds[2], bounds[3])
        path = Path(path)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            fig.savefig(partial, format="png", dpi=120)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    finally:
        plt.close(fig)
    return path
