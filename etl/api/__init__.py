"""`news-etl serve`: a read-only HTTP API (and the search page) over either engine; see ``etl.api.app``."""

from etl.api.app import create_app

__all__ = ["create_app"]
