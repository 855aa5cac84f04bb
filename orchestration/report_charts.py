"""The charts of report.html: demand by month and partner, network growth against the targets
(matplotlib Agg, French labels, PNG bytes ready to inline as ``data:`` URIs)."""

from __future__ import annotations

import base64
import io
from datetime import date

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from orchestration.report_format import french_number, short_month  # noqa: E402

DPI = 100
SIZE_INCHES = (9.0, 3.8)
# Nine national partners and the others: colours apart from the map's minute scale.
PARTNER_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
OPEN_COLOUR = "#000091"  # the French State's blue
LABELLED_COLOUR = "#6a6af4"
TARGET_COLOUR = "#e1000f"
PUBLISHED_COLOUR = "#18753c"


def png_data_uri(png: bytes) -> str:
    """``data:image/png;base64,…`` for PNG bytes, to inline an image in HTML or Markdown."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _french_axis(ax) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: french_number(value)))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def demand_chart(demand: pd.DataFrame, partners: list[str]) -> bytes:
    """Stacked bars of requests by month (``month_start``) and ``partner``, the partners stacked in
    the order of ``partners`` (largest first), as PNG bytes."""
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    if demand.empty:
        ax.text(0.5, 0.5, "aucune demande enregistrée", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _png(fig)
    table = demand.pivot_table(index="month_start", columns="partner", values="requests", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=[name for name in partners if name in table.columns]).sort_index()
    positions = range(len(table))
    bottom = pd.Series(0.0, index=table.index)
    for index, partner in enumerate(table.columns):
        colour = PARTNER_COLOURS[index % len(PARTNER_COLOURS)]
        ax.bar(positions, table[partner], bottom=bottom, color=colour, width=0.75, label=partner)
        bottom += table[partner]
    ax.set_xticks(list(positions), [short_month(month) for month in table.index], rotation=45, ha="right")
    ax.set_ylabel("demandes")
    _french_axis(ax)
    # Largest partner on top of the legend, as in the stack read from the top.
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _png(fig)


def growth_chart(
    growth: pd.DataFrame, targets: dict[int, int], *, published: pd.DataFrame | None = None, label: str
) -> bytes:
    """Sites open by month (``month_end``, ``sites_open``, optional ``sites_labelled``) with the
    year-end ``targets`` (year → sites) as red marks and the ``published`` counts (``month_end``,
    ``published_sites``) as green dots, as PNG bytes; ``label`` names the open-sites line."""
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    opened = growth.dropna(subset=["sites_open"]) if "sites_open" in growth else growth.iloc[0:0]
    if opened.empty and not targets:
        ax.text(0.5, 0.5, "aucun site enregistré", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _png(fig)
    ax.plot(opened["month_end"], opened["sites_open"], color=OPEN_COLOUR, linewidth=2, label=label)
    if "sites_labelled" in growth:
        labelled = growth.dropna(subset=["sites_labelled"])
        ax.plot(
            labelled["month_end"],
            labelled["sites_labelled"],
            color=LABELLED_COLOUR,
            linewidth=1.2,
            linestyle="--",
            label="sites labellisés (date de labellisation)",
        )
    for index, (year, target) in enumerate(sorted(targets.items())):
        ax.scatter(
            [date(year, 12, 31)],
            [target],
            marker="_",
            s=400,
            linewidths=3,
            color=TARGET_COLOUR,
            label="objectif de fin d'année" if index == 0 else None,
            zorder=3,
        )
        ax.annotate(
            f"objectif {year} : {french_number(target)}",
            (date(year, 12, 31), target),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=7,
            color=TARGET_COLOUR,
        )
    if published is not None and not published.empty:
        ax.scatter(
            published["month_end"],
            published["published_sites"],
            color=PUBLISHED_COLOUR,
            s=18,
            label="sites publiés (baromètre)",
            zorder=3,
        )
    months = pd.to_datetime(pd.concat([growth["month_end"], pd.Series([date(y, 12, 31) for y in targets])]))
    ticks = sorted({month.year for month in months})
    ax.set_xticks([date(year, 1, 1) for year in ticks], [str(year) for year in ticks])
    ax.set_ylabel("sites")
    ax.set_ylim(bottom=0)
    _french_axis(ax)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    return _png(fig)
