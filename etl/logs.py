"""Third-party loggers that speak only when news-etl is verbose.

Libraries log about one request or one page without saying which it was: elastic_transport logs
every retry as a WARNING with a full traceback, trafilatura an ERROR "empty HTML tree" for a page
with no text, bs4 that "some characters could not be decoded". news-etl reports what matters
itself, naming the input or the server: a one-line error, a rejected record, a warning with the
file's name. So their records pass only when the ``etl`` logger is at INFO or lower (``news-etl -v``,
an Airflow task log), or when they are at least ``keep``.
"""

from __future__ import annotations

import logging

_ETL = logging.getLogger("etl")


class _UnlessVerbose(logging.Filter):
    def __init__(self, keep: int):
        super().__init__()
        self.keep = keep

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.keep or _ETL.isEnabledFor(logging.INFO)


def quiet_unless_verbose(prefix: str, keep: int = logging.CRITICAL) -> None:
    """Filter the logger ``prefix`` and every logger under it that exists by now (call it after
    importing the library): a logger's filters see only its own records, not its children's."""
    children = [name for name in list(logging.Logger.manager.loggerDict) if name.startswith(prefix + ".")]
    for name in (prefix, *children):
        logging.getLogger(name).addFilter(_UnlessVerbose(keep))
