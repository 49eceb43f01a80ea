"""Enrichment with spaCy: canonical entities and attributed quotes (README.md, "The indexed document")."""

from etl.enrich.model import load_nlp
from etl.enrich.stream import enrich

__all__ = ["enrich", "load_nlp"]
