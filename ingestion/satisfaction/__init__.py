"""Satisfaction survey exports: one row per answer."""

from ingestion.satisfaction.reader import read_satisfaction

__all__ = ["read_satisfaction"]
