"""The asset definitions grouped by the role they play in a load (no jobs, sensors or schedules)."""

from orchestration.defs.barometer.assets import raw_barometer
from orchestration.defs.exports.assets import FILES_ASSETS
from orchestration.defs.insee.assets import raw_insee_reference
from orchestration.defs.outreach.assets import raw_outreach
from orchestration.defs.publish.outputs import dbt_docs, extracts
from orchestration.defs.qpv.assets import raw_qpv
from orchestration.defs.sites.assets import raw_site_listing

# What the first run of a load materialises: the raw tables and the parse of landed exports.
RAW_SOURCES = [raw_insee_reference, raw_site_listing, raw_barometer, raw_outreach, raw_qpv, *FILES_ASSETS]
# Sources rebuilt in full from everything landed: (asset, the raw table it writes).
REBUILT_SOURCES = {
    "insee": (raw_insee_reference, "insee_communes"),
    "sites": (raw_site_listing, "site_listing"),
    "barometer": (raw_barometer, "barometer_ditp_revisions"),
    "outreach": (raw_outreach, "outreach_places"),
    "qpv": (raw_qpv, "qpv"),
}
# Written from the published serving DB, never by a load.
OUTPUTS = [extracts, dbt_docs]
