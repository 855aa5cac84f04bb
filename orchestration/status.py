"""`fsw status`: what each source holds (demo or real), loads, quarantine, publication."""

from __future__ import annotations

import duckdb

from orchestration.config import Settings


def render_status(settings: Settings) -> str:
    """A short text report read from the serving DB (never blocks on a running load)."""
    lines = [f"FSW_HOME: {settings.home}"]
    if not settings.serving_db.exists():
        lines.append("serving: nothing published yet (run `fsw run`)")
        return "\n".join(lines)
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        published_at, run_id = con.execute("select published_at, run_id from fsw_publication").fetchone()
        lines.append(
            f"serving: {settings.serving_db} (published {published_at:%Y-%m-%d %H:%M:%S %Z}, run {run_id[:8]})"
        )
        sources = con.execute(
            """select source, count(*) filter (where status = 'published') as published,
                      count(*) filter (where status = 'failed') as failed,
                      bool_or(is_demo) filter (where status = 'published') as demo,
                      max(landed_at) as last_landed
               from fsw_loads group by source order by source"""
        ).fetchall()
        known = {row[0]: row for row in sources}
        demo_sites = con.execute("select count(*) from dim_site where is_current and is_demo").fetchone()[0]
        lines.append("sources:")
        for source in ("insee", "sites", "activity", "satisfaction", "barometer"):
            row = known.get(source)
            if source == "sites" and demo_sites:
                lines.append(f"  {source:<13} demo: generated listing of {demo_sites:,} sites (no real listing loaded)")
            elif row is None or not row[1]:
                origin = {"insee": "embedded snapshot (real, older)", "barometer": "none loaded"}.get(
                    source, "none loaded"
                )
                lines.append(f"  {source:<13} {origin}")
            elif row[3] and source in ("activity", "satisfaction"):
                lines.append(
                    f"  {source:<13} demo: generated exports for the sites of the current listing "
                    f"(no real file loaded): {row[1]} published load(s), {row[2]} failed"
                )
            else:
                kind = "demo" if row[3] else "real"
                lines.append(
                    f"  {source:<13} {kind}: {row[1]} published load(s), {row[2]} failed, last landed {row[4]:%Y-%m-%d}"
                )
        # Rows of superseded demo exports stay in fsw_quarantine but no longer describe the data.
        quarantine = con.execute(
            "select q.source, q.reason, count(*) from fsw_quarantine q left join fsw_loads l using (load_id) "
            "where l.status is distinct from 'superseded' group by all order by 1, 3 desc"
        ).fetchall()
        lines.append(f"quarantine: {sum(r[2] for r in quarantine)} rows")
        for source, reason, count in quarantine:
            lines.append(f"  {source:<13} {reason}: {count}")
        tables = con.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'main' order by 1"
        ).fetchall()
        lines.append("tables: " + ", ".join(f"{name} ({size:,})" for name, size in tables))
    finally:
        con.close()
    return "\n".join(lines)
