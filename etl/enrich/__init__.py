"""Enrichment with spaCy: canonical entities and attributed quotes (see design.md)."""

from etl.enrich.model import load_nlp
from etl.enrich.stream import enrich

__all__ = ["enrich", "load_nlp"]
