"""Plain readers for every source of the warehouse (no Dagster imports)."""
