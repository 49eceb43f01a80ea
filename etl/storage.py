"""Folders that may live on object storage: a local path, a ``file://`` URL, or ``s3://``, ``gs://``, ``az://``.

The staging folder of scheduled runs must be storage every worker sees; on a cluster that is
usually a bucket. A plain path (or ``file://``) stays a ``pathlib.Path`` and needs nothing more;
an object-store URL goes through fsspec (the layer under Airflow's ``ObjectStoragePath``), with the
store's driver (``s3fs``, ``gcsfs``, ``adlfs``) imported only then. Credentials come from
``storage_options`` (fsspec's keyword arguments, e.g. ``key``/``secret``/``endpoint_url`` for s3:
the DAG builds them from an Airflow connection) or, without them, from the store's standard
environment (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``, ``GOOGLE_APPLICATION_CREDENTIALS``, ...).
Every failure is a ``StorageError``: one line naming the URL (redacted) and the reason.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote_to_bytes, urlsplit

from etl.redact import redact_url, redact_urls

Location = str | os.PathLike
# Stores a run can stage on: they keep objects, list them and delete them, and every worker sees them.
OBJECT_STORE_SCHEMES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oci", "oss"})
LOCAL_SCHEMES = frozenset({"file", "local"})
_URL = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*)://")


class StorageError(Exception):
    """A storage URL that cannot be used: an unsupported scheme, a missing driver, an unreachable bucket."""


def is_url(location: Location) -> bool:
    """Whether ``location`` is an object-store URL (not a plain path, not ``file://``)."""
    return _scheme(location) not in (None, *LOCAL_SCHEMES)


def local_path(location: Location) -> Path | None:
    """``location`` as a local ``Path`` (a plain path or a ``file://`` URL); None for an object-store URL."""
    scheme = _scheme(location)
    if scheme is None:
        return Path(location)
    if scheme in LOCAL_SCHEMES:
        return Path(os.fsdecode(unquote_to_bytes(urlsplit(str(location)).path)))
    return None


def join(location: Location, *parts: str) -> Path | str:
    """``location`` with ``parts`` appended: a ``Path`` for local storage, a URL string otherwise."""
    path = local_path(location)
    if path is not None:
        return path.joinpath(*parts)
    return "/".join([str(location).rstrip("/"), *parts])


def check(location: Location, what: str = "storage") -> None:
    """Raise ``StorageError`` now for a URL whose scheme no store here can keep a run's files in."""
    scheme = _scheme(location)
    if scheme is not None and scheme not in LOCAL_SCHEMES and scheme not in OBJECT_STORE_SCHEMES:
        supported = ", ".join(f"{s}://" for s in sorted(OBJECT_STORE_SCHEMES | {"file"}))
        raise StorageError(f"{what} {redact_url(str(location))}: unsupported storage scheme {scheme!r} "
                           f"(use a local path or one of {supported})")


def clear(location: Location, storage_options: Mapping[str, Any] | None = None, what: str = "storage") -> None:
    """Delete everything under ``location`` and make sure it can be written (a local folder is recreated).

    For a bucket the bucket itself must exist (it is never created) and be reachable: that is
    checked here, so a wrong URL or credential fails the step that plans a run, not each batch.
    """
    path = local_path(location)
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return
    with _errors(location, what, storage_options) as (fs, key):
        fs.invalidate_cache()  # another worker may have written here since this process last listed it
        bucket = key.split("/", 1)[0]
        fs.ls(bucket, detail=False)  # raises for a missing bucket, a refused credential, an unreachable endpoint
        if key != bucket and fs.exists(key):
            fs.rm(key, recursive=True)
        fs.invalidate_cache()


def put_files(local_dir: Path, names: list[str], location: Location,
              storage_options: Mapping[str, Any] | None = None, what: str = "storage") -> None:
    """Move the files ``names`` of ``local_dir`` into ``location``, in that order, each replacing its old copy.

    On a local disk each is an atomic rename; in a bucket each object appears whole when its upload ends.
    """
    path = local_path(location)
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.replace(local_dir / name, path / name)
        return
    with _errors(location, what, storage_options) as (fs, key):
        for name in names:
            fs.put_file(str(local_dir / name), f"{key.rstrip('/')}/{name}")


@contextmanager
def open_text(location: Location, storage_options: Mapping[str, Any] | None = None,
              what: str = "storage") -> Iterator[IO[str]]:
    """``location`` open for reading as UTF-8 text."""
    path = local_path(location)
    if path is not None:
        with path.open(encoding="utf-8") as text:
            yield text
        return
    with _errors(location, what, storage_options) as (fs, key):
        text = fs.open(key, "rt", encoding="utf-8")
    with text:
        yield text


def _scheme(location: Location) -> str | None:
    if isinstance(location, os.PathLike):
        return None
    match = _URL.match(str(location))
    return match.group(1).lower() if match else None


@contextmanager
def _errors(location: Location, what: str, storage_options: Mapping[str, Any] | None):
    """The store's filesystem and ``location``'s key in it; any failure inside becomes one ``StorageError`` line."""
    check(location, what)
    url = str(location)
    try:
        import fsspec

        fs, key = fsspec.core.url_to_fs(url, **dict(storage_options or {}))
        yield fs, key
    except StorageError:
        raise
    except Exception as err:  # ImportError (no driver), FileNotFoundError (no bucket), PermissionError, network errors
        reason = str(err).strip().splitlines()[0] if str(err).strip() else ""
        reason = f"{type(err).__name__}: {reason}" if reason else type(err).__name__
        raise StorageError(f"{what} {redact_url(url)}: {redact_urls(reason)}") from None
