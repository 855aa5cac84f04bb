"""The published figures (asset `raw/barometer`): Etalab's counts of France Services and the
DITP barometer's indicator exports (acts per month, users' satisfaction)."""

import dagster as dg
import pandas as pd

from ingestion.barometer import BarometerRows, DitpExport, read_barometer_file
from ingestion.barometer.revisions import (
    current_values_by_load,
    empty_revisions,
    export_as_of,
    latest_national_figures,
    revision_rows,
    write_ditp_revisions,
)
from ingestion.barometer.summary import describe_export
from ingestion.errors import InputError
from ingestion.landing import LandedFile, read_manifest
from ingestion.store import connect, loads, quarantine, replace_table, set_load_counts, set_load_status
from orchestration.defs.ledger import USABLE
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource

RAW_BAROMETER = dg.AssetKey(["raw", "barometer"])
ETALAB_COLUMNS = {
    "level": "string",
    "territory_code": "string",
    "date": "datetime64[s]",
    "value": "float64",
    "kind": "string",
    "source_row": "int64",
    "load_id": "string",
}
FIGURE_NAMES = {"monthly_acts": "national_acts", "satisfaction_rate": "national_satisfaction_rate"}


@dg.asset(
    key=RAW_BAROMETER,
    group_name="barometer",
    kinds={"duckdb", "pandas"},
    owners=[OWNER],
    pool=WORK_DB_POOL,
    description=(
        "The State's published figures, from every file landed by `fsw ingest barometer`, told apart "
        "by their header. Etalab barometer files (indicator nb-labellisations-france-services) → "
        "`raw.barometer`, one row per level × territory × date × kind (published, target). DITP "
        "exports (IND-323 acts per month, IND-246 satisfaction %) → `raw.barometer_ditp_revisions`, "
        "one row per export × indicator × zone × month × measure (initial, current, target, "
        "achievement), and the view `raw.barometer_ditp` where the newest export (as-of, then "
        "landing time) wins per indicator, zone, month and measure. Rebuilt from all loads on every "
        "run; unreadable cells go to quarantine, a fill-down-damaged export fails the load."
    ),
)
def raw_barometer(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Read every usable barometer file: Etalab counts and targets, and every DITP export's values."""
    settings = warehouse.settings()
    with connect(settings.work_db) as con:
        ledger = loads(con, "barometer", USABLE)
    etalab, exports = [], []
    for _, row in ledger.iterrows():
        landed = read_manifest(settings.landing, "barometer", row["load_id"])
        try:
            result = read_barometer_file(landed.path)
        except InputError as error:
            with connect(settings.work_db) as con:
                set_load_status(con, [landed.load_id], "failed", reason=error.line())
            raise dg.Failure(description=error.line()) from None
        if isinstance(result, DitpExport):
            exports.append((landed, result))
        else:
            etalab.append((landed, result))
    table = _etalab_table(etalab)
    revisions = (
        pd.concat([revision_rows(export, landed) for landed, export in exports], ignore_index=True)
        if exports
        else empty_revisions()
    )
    pending = set(ledger.loc[ledger["status"] == "landed", "load_id"])
    with connect(settings.work_db) as con:
        replace_table(con, "raw", "barometer", table)
        write_ditp_revisions(con, revisions)
        for landed, export in exports:
            quarantine(con, landed.load_id, "barometer", pd.concat([export.rejects, export.notes], ignore_index=True))
        current = current_values_by_load(con)
        figures = latest_national_figures(con)
        counts = {landed.load_id: (len(rows.rows), 0) for landed, rows in etalab if landed.load_id in pending}
        counts |= {
            landed.load_id: (len(export.rows), len(export.rejects) + len(export.notes))
            for landed, export in exports
            if landed.load_id in pending
        }
        set_load_counts(con, "loaded", counts)
    summary_lines = [
        describe_export(landed.original_name, export_as_of(landed), export, current.get(landed.load_id, 0))
        for landed, export in exports
        if landed.load_id in pending
    ]
    return dg.MaterializeResult(
        metadata={
            "rows": len(table) + len(revisions),
            "etalab_rows": len(table),
            "files": len(etalab) + len(exports),
            "ditp_exports": dg.MetadataValue.json(
                [
                    {
                        "load_id": landed.load_id,
                        "file": landed.original_name,
                        "as_of": str(export_as_of(landed)),
                        "values": len(export.rows),
                        "current": current.get(landed.load_id, 0),
                    }
                    for landed, export in exports
                ]
            ),
            "ditp_values": len(revisions),
            "ditp_current_values": int(sum(current.values())),
            "quarantined_rows": int(sum(len(export.rejects) + len(export.notes) for _, export in exports)),
            "unknown_indicators": dg.MetadataValue.json(_unknown_indicators(exports)),
            **_national_figures_metadata(figures),
            "release_summary": dg.MetadataValue.json(summary_lines),
        }
    )


def _etalab_table(files: list[tuple[LandedFile, BarometerRows]]) -> pd.DataFrame:
    frames = [rows.rows.assign(load_id=landed.load_id) for landed, rows in files]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in ETALAB_COLUMNS.items()})
    return pd.concat(frames, ignore_index=True)[list(ETALAB_COLUMNS)]


def _unknown_indicators(exports: list[tuple]) -> dict[str, int]:
    unknown: dict[str, int] = {}
    for _, export in exports:
        for indicator, rows in export.unknown_indicators.items():
            unknown[indicator] = unknown.get(indicator, 0) + rows
    return unknown


def _national_figures_metadata(figures: pd.DataFrame) -> dict:
    """The latest national acts and satisfaction and their targets, as numbers the UI can chart
    across materialisations and one small table."""
    metadata = {}
    for _, figure in figures.iterrows():
        name = FIGURE_NAMES.get(figure["indicator"], f"national_{figure['indicator']}")
        suffix = "_target" if figure["measure"] == "target" else ""
        metadata[f"{name}{suffix}"] = float(figure["value"])
        metadata[f"{name}{suffix}_month"] = f"{figure['month_start']:%Y-%m}"
    if not figures.empty:
        table = figures.assign(
            month=figures["month_start"].map(lambda d: f"{d:%Y-%m}"), as_of=figures["as_of"].astype(str)
        )
        metadata["published_national"] = dg.MetadataValue.md(
            table[["indicator", "measure", "month", "value", "as_of"]].to_markdown(index=False, floatfmt=",.2f")
        )
    return metadata
