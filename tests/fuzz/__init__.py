"""Property-based (hypothesis) tests: every reader on mutated real files."""
