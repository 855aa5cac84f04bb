"""Great Expectations (GX 1.x) suites, one per raw table, and the runner the checks use."""
