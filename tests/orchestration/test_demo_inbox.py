"""`fsw demo --months N` writes the demo world a run keeps: the default window does not replace it."""

import json
import re
from pathlib import Path

import duckdb

from ingestion.landing import land_file
from ingestion.store import connect, record_loads
from orchestration.config import Settings
from orchestration.defs.demo import WRITTEN_FOR, ensure_demo_exports
from orchestration.demo_cli import write_demo_inbox

MONTH = re.compile(r"_(\d{4}-\d{2})\.")


def _months(paths: list[Path]) -> set[str]:
    return {MONTH.search(p.name).group(1) for p in paths}


def _land_inbox(settings: Settings) -> int:
    """Land the inbox files as the sensors do, demo files marked demo."""
    records = []
    for path in sorted(p for source in ("activity", "satisfaction") for p in (settings.inbox / source).glob("*")):
        landed = land_file(settings.landing, path.parent.name, path, move=True)
        records.append({"landed": landed, "status": "landed", "kind": landed.source, "is_demo": True})
    with connect(settings.work_db) as con:
        record_loads(con, records)
    return len(records)


def test_a_longer_demo_window_is_kept_by_the_run_and_by_a_later_listing_change(tmp_path):
    settings = Settings(home=tmp_path / "home", demo_months=1)
    settings.ensure()
    counts = write_demo_inbox(settings, months=4, n_sites=150)
    inbox_files = [p for source in ("activity", "satisfaction") for p in (settings.inbox / source).glob("*")]
    assert counts["activity_files"] > 0 and len(_months(inbox_files)) == 4

    # Before the inbox is landed (the run's parse step comes first): nothing generated, nothing replaced.
    assert ensure_demo_exports(settings) == 0
    marker = json.loads((settings.demo / "exports" / WRITTEN_FOR).read_text(encoding="utf-8"))
    assert marker["months"] == 4
    landed = _land_inbox(settings)
    assert landed == len(inbox_files)
    # After: the 4 months stay the demo in place, not 1 month of FSW_DEMO_MONTHS.
    assert ensure_demo_exports(settings) == 0
    with connect(settings.work_db) as con:
        statuses = dict(con.execute("select status, count(*) from meta.loads group by status").fetchall())
    assert statuses == {"landed": landed}

    # A listing change (one site fewer) regenerates the demo exports for 4 months, not 1.
    with duckdb.connect(str(settings.work_db)) as con:
        con.execute("delete from raw.site_listing where site_id = (select min(site_id) from raw.site_listing)")
    regenerated = ensure_demo_exports(settings)
    generated = [p for source in ("activity", "satisfaction") for p in (settings.demo / "exports" / source).glob("*")]
    assert regenerated == len(generated) > 0
    assert _months(generated) == _months(inbox_files)
    with connect(settings.work_db) as con:
        superseded = con.execute("select count(*) from meta.loads where status = 'superseded'").fetchone()[0]
    assert superseded == landed


def test_the_run_keeps_a_shorter_window_and_the_size_fsw_demo_chose(tmp_path, monkeypatch):
    """`fsw demo --months 2 --sites 150`, then the run's listing step and parse step: the demo
    listing and the 2 months of exports stay in place (no 12-month, 2,845-site regeneration)."""
    import dagster as dg

    from orchestration.defs.demo import current_sites_fingerprint, listed_sites
    from orchestration.defs.sites.assets import raw_site_listing
    from orchestration.resources import WarehouseResource

    monkeypatch.delenv("FSW_DEMO_MONTHS", raising=False)  # the default window, 12 months
    home = tmp_path / "home"
    settings = Settings(home=home, demo_months=12)
    settings.ensure()
    write_demo_inbox(settings, months=2, n_sites=150)
    inbox_files = [p for source in ("activity", "satisfaction") for p in (settings.inbox / source).glob("*")]
    marker = json.loads((settings.demo / "exports" / WRITTEN_FOR).read_text(encoding="utf-8"))
    assert (marker["months"], marker["n_sites"]) == (2, 150)

    monkeypatch.setenv("FSW_HOME", str(home))
    result = dg.materialize([raw_site_listing], resources={"warehouse": WarehouseResource(home=str(home))})
    assert result.success
    sites = listed_sites(settings)
    assert len(sites) < 300  # the 150-site demo (and the few its history opens), not 2,845
    assert current_sites_fingerprint(sites) == marker["sites"]

    landed = _land_inbox(settings)
    assert ensure_demo_exports(settings) == 0
    with connect(settings.work_db) as con:
        statuses = dict(con.execute("select status, count(*) from meta.loads group by status").fetchall())
    assert statuses == {"landed": landed}
    assert _months(inbox_files) and len(_months(inbox_files)) == 2
