"""A static coverage map of one extract: communes coloured by minutes to the nearest site, the
sites, department outlines, chief towns and a scale bar (matplotlib Agg, no tiles, no network)."""

from __future__ import annotations

import math
import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar  # noqa: E402

from orchestration.extract_readme import french_month  # noqa: E402
from orchestration.map_outlines import borders_between, km_per_degree_longitude  # noqa: E402

THRESHOLD_MINUTES = 30.0
# Greens up to the 30-minute threshold, oranges to reds beyond it: the break is the colour change.
MINUTE_STEPS = [0, 10, 20, 30, 45, 60, 90]
MINUTE_COLOURS = ["#1a9850", "#66bd63", "#a6d96a", "#fdae61", "#f46d43", "#d73027"]
OVER_COLOUR = "#7f0000"
NO_DATA_COLOUR = "#b0b0b0"
STOP_COLOUR = "#d01c8b"  # outreach stops and permanences: a colour the minute scale does not use
QPV_COLOUR = "#5e3c99"  # priority neighbourhoods
# Overseas regions drawn as insets under a national map; the collectivities only named in its caption.
OVERSEAS_INSETS = {"01": "Guadeloupe", "02": "Martinique", "03": "Guyane", "04": "La Réunion", "06": "Mayotte"}
OVERSEAS_NOT_DRAWN = {"05": "Saint-Pierre-et-Miquelon", "07": "Saint-Barthélemy", "08": "Saint-Martin"}
OVERSEAS_REGIONS = set(OVERSEAS_INSETS) | set(OVERSEAS_NOT_DRAWN)
FRAME_MARGIN = 0.05  # of the territory's span, on each side
MIN_SPAN_DEGREES = 0.2
NEARBY_SITE_BAND = 0.2  # sites this far (share of the span) beyond the communes still frame the map
MAP_WIDTH_INCHES = 8.5
MAP_HEIGHT_INCHES = (4.5, 11.0)
INSET_ROW_INCHES = 1.9
SCALE_STEPS = (1, 2, 5)
CORNER_SHARE = (0.25, 0.12)  # the scale bar's corner, as shares of the frame's width and height
DPI = 120
SOURCE_CAPTION = (
    "Sources : ANCT (sites France Services), INSEE et IGN (communes, populations), Licence Ouverte 2.0. "
    "Contours tracés d'après les positions des communes."
)


@dataclass(frozen=True)
class Frame:
    """The part of the map shown: longitudes and latitudes in degrees."""

    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float

    @property
    def middle_latitude(self) -> float:
        """The latitude at the frame's centre (where the scale bar is exact)."""
        return (self.lat_min + self.lat_max) / 2

    @property
    def height_over_width(self) -> float:
        """The frame's shape on the ground: north–south over east–west distance."""
        width = (self.lon_max - self.lon_min) * math.cos(math.radians(self.middle_latitude))
        return (self.lat_max - self.lat_min) / width


def map_title(territory: str, data_month: date | None) -> str:
    """The map's title: the territory's name and the month of the coverage data, in French."""
    return f"{territory} — accès aux France Services\ntemps jusqu'au site le plus proche, {french_month(data_month)}"


def frame_around(longitude: pd.Series, latitude: pd.Series) -> Frame:
    """The frame of points, with a margin of 5 % of their span on each side (at least 0.2° wide)."""
    spans = []
    for values in (longitude.astype(float), latitude.astype(float)):
        low, high = float(values.min()), float(values.max())
        span = max(high - low, MIN_SPAN_DEGREES)
        middle = (low + high) / 2
        spans += [middle - span * (0.5 + FRAME_MARGIN), middle + span * (0.5 + FRAME_MARGIN)]
    return Frame(*spans)


def _territory_frame(communes: pd.DataFrame, sites: pd.DataFrame) -> Frame | None:
    """The frame of the communes and of the sites near them (a site placed far away, a wrong
    position, does not stretch the map); of the sites alone when no commune has a position."""
    if communes.empty:
        return frame_around(sites["longitude"], sites["latitude"]) if not sites.empty else None
    around = frame_around(communes["longitude"], communes["latitude"])
    band = Frame(
        around.lon_min - (around.lon_max - around.lon_min) * NEARBY_SITE_BAND,
        around.lon_max + (around.lon_max - around.lon_min) * NEARBY_SITE_BAND,
        around.lat_min - (around.lat_max - around.lat_min) * NEARBY_SITE_BAND,
        around.lat_max + (around.lat_max - around.lat_min) * NEARBY_SITE_BAND,
    )
    points = pd.concat([communes, _in_frame(sites, band)])
    return frame_around(points["longitude"], points["latitude"])


def scale_bar_km(frame: Frame) -> int:
    """A round length (1, 2 or 5 × 10ⁿ km) about a fifth of the frame's width on the ground."""
    width_km = (frame.lon_max - frame.lon_min) * km_per_degree_longitude(frame.middle_latitude)
    target = max(width_km / 5, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in SCALE_STEPS if step * power <= target)


def map_size_inches(frame: Frame | None) -> tuple[float, float]:
    """The map's width and height (inches, without colour bar and captions) shaped like ``frame``,
    so that a wide or a tall territory fills its map instead of leaving a band empty."""
    if frame is None:
        return MAP_WIDTH_INCHES, MAP_HEIGHT_INCHES[0]
    shape = frame.height_over_width
    height = min(max(MAP_WIDTH_INCHES * shape, MAP_HEIGHT_INCHES[0]), MAP_HEIGHT_INCHES[1])
    width = min(max(height / shape, MAP_HEIGHT_INCHES[0]), MAP_WIDTH_INCHES)
    return width, height


def _located(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(columns=["latitude", "longitude"])
    return frame.dropna(subset=["latitude", "longitude"])


def _in_frame(points: pd.DataFrame, frame: Frame) -> pd.DataFrame:
    inside = points["longitude"].between(frame.lon_min, frame.lon_max) & points["latitude"].between(
        frame.lat_min, frame.lat_max
    )
    return points[inside]


def _overseas(points: pd.DataFrame) -> pd.Series:
    if "region_code" not in points:
        return pd.Series(False, index=points.index)
    return points["region_code"].isin(OVERSEAS_REGIONS)


def _mobile(sites: pd.DataFrame) -> pd.Series:
    if "is_mobile" not in sites:
        return pd.Series(False, index=sites.index)
    return sites["is_mobile"].astype("boolean").fillna(False).astype(bool)


def _draw_places(ax, stops: pd.DataFrame, qpvs: pd.DataFrame, *, labels: bool) -> None:
    """Outreach stops and permanences (hollow magenta circles) and QPVs (purple crosses)."""
    if not qpvs.empty:
        ax.scatter(
            qpvs["longitude"],
            qpvs["latitude"],
            marker="x",
            s=14 if labels else 6,
            c=QPV_COLOUR,
            linewidths=0.8,
            label=f"quartiers prioritaires ({len(qpvs)})" if labels else None,
            zorder=3,
        )
    if not stops.empty:
        ax.scatter(
            stops["longitude"],
            stops["latitude"],
            marker="o",
            s=18 if labels else 7,
            facecolors="none",
            edgecolors=STOP_COLOUR,
            linewidths=1.1,
            label=f"arrêts et permanences ({len(stops)})" if labels else None,
            zorder=3,
        )


def _draw_points(ax, communes: pd.DataFrame, sites: pd.DataFrame, size: float, *, labels: bool):
    minutes = (
        pd.to_numeric(communes["travel_minutes"], errors="coerce")
        if "travel_minutes" in communes
        else pd.Series(np.nan, index=communes.index)
    )
    known = minutes.notna()
    if (~known).any():
        grey = communes[~known]
        ax.scatter(
            grey["longitude"],
            grey["latitude"],
            s=size,
            c=NO_DATA_COLOUR,
            linewidths=0,
            label="communes sans temps d'accès" if labels else None,
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
    mobile = _mobile(sites)
    fixed, roaming = sites[~mobile], sites[mobile]
    ax.scatter(
        fixed["longitude"],
        fixed["latitude"],
        marker="^",
        s=28 if labels else 12,
        c="black",
        edgecolors="white",
        linewidths=0.4,
        label=f"sites fixes ({len(fixed)})" if labels else None,
        zorder=4,
    )
    if not roaming.empty:
        ax.scatter(
            roaming["longitude"],
            roaming["latitude"],
            marker="D",
            s=18 if labels else 8,
            c="#2c7bb6",
            edgecolors="black",
            linewidths=0.4,
            label=f"sites itinérants ({len(roaming)})" if labels else None,
            zorder=4,
        )
    return coloured


def _draw_outlines(ax, communes: pd.DataFrame, neighbours: pd.DataFrame) -> None:
    if "department_code" not in communes:
        return
    neighbours = neighbours if "department_code" in neighbours else neighbours.iloc[0:0]
    points = pd.concat([communes.assign(in_scope=True), neighbours.assign(in_scope=False)], ignore_index=True).dropna(
        subset=["department_code"]
    )
    segments, pairs = borders_between(
        points["longitude"].to_numpy(), points["latitude"].to_numpy(), points["department_code"].to_numpy()
    )
    if not len(segments):
        return
    in_scope = points["in_scope"].to_numpy()
    outline = in_scope[pairs[:, 0]] != in_scope[pairs[:, 1]]
    inside = in_scope[pairs[:, 0]] & in_scope[pairs[:, 1]]
    regions = points["region_code"].to_numpy() if "region_code" in points else None
    between_regions = regions[pairs[:, 0]] != regions[pairs[:, 1]] if regions is not None else outline
    styles = [
        (~inside & ~outline, "#c8c8c8", 0.5),  # borders beyond the territory, for context
        (inside & ~between_regions, "#4d4d4d", 0.7),  # departments inside it
        (inside & between_regions, "#262626", 1.3),  # regions inside a national map
        (outline, "black", 1.6),  # the territory's own outline
    ]
    for chosen, colour, width in styles:
        if chosen.any():
            ax.add_collection(LineCollection(segments[chosen], colors=colour, linewidths=width, zorder=3))


def _draw_towns(ax, towns: pd.DataFrame | None, frame: Frame) -> None:
    towns = _in_frame(_located(towns), frame)
    if towns.empty:
        return
    ax.scatter(
        towns["longitude"],
        towns["latitude"],
        s=30,
        c="white",
        edgecolors="black",
        linewidths=1.0,
        zorder=5,
        label="chefs-lieux",
    )
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    for town in towns.itertuples():
        ax.annotate(
            town.name,
            (town.longitude, town.latitude),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=9,
            fontweight="bold",
            path_effects=halo,
            zorder=6,
        )


def _emptier_lower_corner(points: pd.DataFrame, frame: Frame) -> str:
    """``lower right`` or ``lower left``, whichever holds fewer points (where the scale bar goes)."""
    width, height = frame.lon_max - frame.lon_min, frame.lat_max - frame.lat_min
    low = points["latitude"] <= frame.lat_min + height * CORNER_SHARE[1]
    left = (low & (points["longitude"] <= frame.lon_min + width * CORNER_SHARE[0])).sum()
    right = (low & (points["longitude"] >= frame.lon_max - width * CORNER_SHARE[0])).sum()
    return "lower left" if left < right else "lower right"


def _draw_scale_bar(ax, frame: Frame, points: pd.DataFrame) -> None:
    km = scale_bar_km(frame)
    bar = AnchoredSizeBar(
        ax.transData,
        km / km_per_degree_longitude(frame.middle_latitude),
        f"{km} km",
        _emptier_lower_corner(points, frame),
        pad=0.6,
        borderpad=0.8,
        sep=4,
        frameon=True,
        size_vertical=(frame.lat_max - frame.lat_min) / 250,
    )
    bar.patch.set_alpha(0.8)
    ax.add_artist(bar)


def _set_frame(ax, frame: Frame) -> None:
    ax.set_xlim(frame.lon_min, frame.lon_max)
    ax.set_ylim(frame.lat_min, frame.lat_max)
    # Degrees of longitude shrink with latitude: this aspect keeps kilometres square.
    ax.set_aspect(1 / math.cos(math.radians(frame.middle_latitude)), adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])


def _in_region(points: pd.DataFrame, code: str) -> pd.DataFrame:
    return points[points["region_code"] == code] if "region_code" in points else points.iloc[0:0]


def _draw_insets(
    fig, grid, communes: pd.DataFrame, sites: pd.DataFrame, stops: pd.DataFrame, qpvs: pd.DataFrame
) -> None:
    for column, (code, name) in enumerate(OVERSEAS_INSETS.items()):
        ax = fig.add_subplot(grid[1, column])
        region_communes = communes[communes["region_code"] == code]
        region_sites = _in_region(sites, code)
        ax.set_title(name, fontsize=8)
        if region_communes.empty:
            ax.set_axis_off()
            continue
        _draw_points(ax, region_communes, region_sites, 14.0, labels=False)
        _draw_places(ax, _in_region(stops, code), _in_region(qpvs, code), labels=False)
        _set_frame(ax, _territory_frame(region_communes, region_sites))


def draw_coverage_map(
    communes: pd.DataFrame,
    sites: pd.DataFrame,
    path: Path,
    title: str,
    *,
    neighbours: pd.DataFrame | None = None,
    towns: pd.DataFrame | None = None,
    stops: pd.DataFrame | None = None,
    qpvs: pd.DataFrame | None = None,
    overseas_insets: bool = False,
) -> Path:
    """Draw a territory's coverage map into a PNG at ``path`` (title also in its PNG metadata).

    ``communes`` (``latitude``, ``longitude``, optional ``travel_minutes``, ``department_code``,
    ``region_code``) are coloured by minutes to the nearest site (grey without minutes);
    ``sites`` (``latitude``, ``longitude``, ``is_mobile``) are triangles (mobile: diamonds).
    Department borders and the territory's outline are traced from the communes and from
    ``neighbours`` (communes around the territory, not coloured); ``towns`` (``name``,
    ``latitude``, ``longitude``) are labelled; ``stops`` (outreach places) are hollow circles and
    ``qpvs`` (priority neighbourhoods) crosses, both with ``latitude``, ``longitude`` and
    ``region_code``. The map is framed on the communes with a small
    margin and carries a scale bar. ``overseas_insets`` (national map): metropolitan France is
    framed and the overseas regions are drawn as insets under it.

    The PNG is written under a hidden name and moved into place, so ``path`` is never half-written.
    """
    communes, sites, neighbours = _located(communes), _located(sites), _located(neighbours)
    stops, qpvs = _located(stops), _located(qpvs)  # none given: empty
    main_communes, main_sites, main_stops, main_qpvs = communes, sites, stops, qpvs
    if overseas_insets:
        main_communes, main_sites = communes[~_overseas(communes)], sites[~_overseas(sites)]
        main_stops, main_qpvs = stops[~_overseas(stops)], qpvs[~_overseas(qpvs)]
    frame = _territory_frame(main_communes, main_sites)
    width, height = map_size_inches(frame)
    insets = overseas_insets and _overseas(communes).any()
    fig = plt.figure(figsize=(width + 2.5, height + 1.4 + (INSET_ROW_INCHES if insets else 0)), dpi=DPI)
    fig.set_layout_engine("constrained")
    try:
        grid = fig.add_gridspec(2 if insets else 1, len(OVERSEAS_INSETS) if insets else 1)
        if insets:
            grid.set_height_ratios([height, INSET_ROW_INCHES])
        ax = fig.add_subplot(grid[0, :])
        ax.set_title(title, fontsize=13)
        caption = SOURCE_CAPTION
        if frame is None:
            ax.text(0.5, 0.5, "aucune commune dans ce territoire", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
        else:
            size = max(2.0, min(40.0, 60000 / max(len(main_communes), 1)))
            coloured = _draw_points(ax, main_communes, main_sites, size, labels=True)
            _draw_places(ax, _in_frame(main_stops, frame), _in_frame(main_qpvs, frame), labels=True)
            _draw_outlines(ax, main_communes, neighbours)
            _draw_towns(ax, towns, frame)
            _set_frame(ax, frame)
            _draw_scale_bar(ax, frame, pd.concat([main_communes, main_sites]))
            ax.legend(loc="upper right" if overseas_insets else "best", fontsize=8, markerscale=1.2, framealpha=0.9)
            colorbar = fig.colorbar(coloured, ax=ax, shrink=0.7, extend="max", ticks=MINUTE_STEPS)
            colorbar.set_label("minutes jusqu'au site France Services le plus proche")
            colorbar.ax.axhline(THRESHOLD_MINUTES, color="black", linewidth=2.5)
        if insets:
            _draw_insets(fig, grid, communes, sites, stops, qpvs)
        if overseas_insets:
            present = set(communes["region_code"]) if "region_code" in communes else set()
            absent = [name for code, name in OVERSEAS_NOT_DRAWN.items() if code in present]
            if absent:
                caption = f"Non représentés : {', '.join(absent)}. " + caption
        fig.get_layout_engine().set(h_pad=0.1)
        fig.supxlabel(caption, fontsize=7, color="#555555", wrap=True)
        path = Path(path)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            fig.savefig(partial, format="png", dpi=DPI, metadata={"Title": title.replace("\n", " — ")})
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    finally:
        plt.close(fig)
    return path
