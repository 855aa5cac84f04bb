"""PostgreSQL serving: a local server, the copy of the published marts, roles and row-level security."""
