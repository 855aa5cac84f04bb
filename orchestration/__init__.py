"""Dagster definitions, resources, publish and the `fsw` CLI."""
