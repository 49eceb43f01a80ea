"""The entity registry across articles: which short forms mean which full name, within a date window.

Each article's full names are filed (``names.filed_keys``) on the article's day; its short forms
("Trump", "FBI") are looked up by their key and take the one full name filed under it within
``window`` days of the article (either side; an undated article, or name, matches any day), when
that name is attested (``names.pick``: in the article itself, in ``names.EVIDENCE`` articles, or in one
that names ``names.SHARED_PEOPLE`` of the article's people: ``people_of`` reads an indexed article's).
Names of this run's articles count at once, for the articles after them; they are stored for
later runs only once their article has landed (``confirm``), as the fetch state does. Until then they
are kept in a private temporary SQLite database (on disk, gone with the run), and what is read from the
store is cached up to a bound: a run of a million articles holds no more memory than a run of ten.

A short form that is ambiguous now but was resolved in the article's indexed version keeps that
resolution (``previous``): re-running a day never turns "Donald Trump" back into "Trump" because
"Ivanka Trump" has been indexed since.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from functools import partial
from typing import Protocol

from etl.entity_ids import fold_name
from etl.index.registry.names import SHARED_PEOPLE, FullName, filed_keys, lookup_key, pick, titled_keys
from etl.records import Entity, IndexedDocument
from etl.state_store import private_database

Renames = dict[tuple[str, str], str]  # (label, name as indexed) -> the full name it is indexed as
Row = tuple[str, FullName, str]  # (key, full name, the id of an article it was seen in)
Seen = dict[FullName, set[str]]  # full names filed under one key -> articles they were seen in (some)
PeopleOf = Callable[[str], Iterable[str]]  # article id -> the persons facet of the indexed article
Form = tuple[str, str]  # (label, key): a short form whose names changed

CACHED = 10_000  # keys (and indexed articles' people) kept in memory after reading them; re-read past that
CHUNK = 5_000  # rows per write to the store
_RUN_SCHEMA = """CREATE TABLE names (label TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, day TEXT NOT NULL,
    article TEXT NOT NULL, PRIMARY KEY (label, key, name, day, article)) WITHOUT ROWID;
CREATE INDEX names_by_article ON names (article);
CREATE TABLE people (article TEXT PRIMARY KEY, surnames TEXT NOT NULL);
CREATE TABLE landed (article TEXT PRIMARY KEY)"""
_SEP = "\x1f"


class NameStore(Protocol):
    # key -> the names filed under it, each with at least min(EVIDENCE, all) of the articles it was seen in
    def lookup(self, label: str, keys: Iterable[str]) -> dict[str, Seen]: ...

    def add(self, rows: Iterable[Row]) -> list[Row]: ...  # returns the rows that were new

    def close(self) -> None: ...


class EntityRegistry:
    def __init__(self, store: NameStore, window_days: int, people_of: PeopleOf | None = None):
        if window_days < 0:
            raise ValueError(f"setting entity_window_days: expected 0 or more days, got {window_days}")
        self.store = store
        self._people_of = people_of
        self._indexed_people: dict[str, frozenset[str]] = {}  # indexed article id -> its people's surnames, folded
        self.window = timedelta(days=window_days)
        self._stored: dict[tuple[str, str], Seen] = {}  # (label, key) -> stored names, as read
        # This run's names (usable at once, stored once their article lands) and its articles' people.
        self._run = private_database(_RUN_SCHEMA)

    def canonicalize(self, doc: IndexedDocument, previous: Callable[[], dict | None] | None = None) -> IndexedDocument:
        """``doc`` with its short forms indexed as their full names; its own full names are remembered."""
        day = _day(doc.article.published_at)
        article = doc.article.id
        rows = [(e.label, key, e.name, day, article) for e in doc.entities
                for key in filed_keys(e.label, e.name, e.titles)]
        people = _surnames(e.name for e in doc.entities if e.label == "PERSON")
        with self._run:  # the article's names as of this version of it
            self._run.execute("DELETE FROM names WHERE article = ?", (article,))
            self._run.executemany("INSERT OR IGNORE INTO names VALUES (?, ?, ?, ?, ?)", rows)
            self._run.execute("INSERT OR REPLACE INTO people VALUES (?, ?)", (article, _SEP.join(sorted(people))))
        return rename(doc, self.resolutions(doc, previous))

    def resolutions(self, doc: IndexedDocument, previous: Callable[[], dict | None] | None = None) -> Renames:
        """What each of ``doc``'s short forms resolves to now; ``previous()`` gives its indexed version,
        asked only when a short form has become ambiguous."""
        # Each form's key, then the keys of the offices it was written with ("vice president: biden").
        wanted = {(e.label, e.name): [key, *titled_keys(e.label, e.name, e.titles)]
                  for e in doc.entities if (key := lookup_key(e.label, e.name))}
        self._load({(label, key) for (label, _), keys in wanted.items() for key in keys})
        day = _day(doc.article.published_at)
        renames: Renames = {}
        ambiguous: dict[tuple[str, str], set[str]] = {}
        story = _surnames(e.name for e in doc.entities if e.label == "PERSON")
        for (label, name), (key, *offices) in wanted.items():
            same_story = partial(self._same_story, story - {key})
            candidates = self._candidates(label, key, day)
            target = pick(label, key, candidates, name, doc.article.id, same_story)
            if target is None and len({fold_name(c.name) for c in candidates} - {fold_name(name)}) > 1:
                # A surname several people share: the one of them named elsewhere with the office it has here.
                target = next((found for office in offices if (
                    found := pick(label, office, self._candidates(label, office, day), name, doc.article.id, same_story))),
                    None)
                if target is None:
                    ambiguous[(label, name)] = {c.name for c in candidates}
            if target is not None:
                renames[(label, name)] = target
        if ambiguous and previous is not None:
            renames.update(_kept(ambiguous, previous()))
        return renames

    def confirm(self, ids: Iterable[str]) -> set[Form]:
        """Store the names of these articles (the ones that landed), then forget this run's; returns the
        short forms (label, key) that have names new to the store."""
        with self._run:
            self._run.executemany("INSERT OR IGNORE INTO landed VALUES (?)", ((i,) for i in ids))
        changed: set[Form] = set()
        for chunk in self._landed_rows():
            for key, full, article in self.store.add(chunk):
                changed.add((full.label, key))
                loaded = self._stored.get((full.label, key))
                if loaded is not None:  # a key not read yet is read whole when first asked for
                    loaded.setdefault(full, set()).add(article)
        with self._run:
            for table in ("names", "people", "landed"):
                self._run.execute(f"DELETE FROM {table}")
        return changed

    def close(self) -> None:
        self.store.close()
        self._run.close()

    def _landed_rows(self) -> Iterator[list[Row]]:
        cursor = self._run.execute("SELECT key, label, name, day, article FROM names JOIN landed USING (article)")
        while chunk := cursor.fetchmany(CHUNK):
            yield [(key, FullName(label, name, day), article) for key, label, name, day, article in chunk]
    def _same_story(self, story: frozenset[str], articles: set[str]) -> bool:
        return any(len(story & self._people_in(article)) >= SHARED_PEOPLE for article in articles)

    def _people_in(self, article: str) -> frozenset[str]:
        found = self._run.execute("SELECT surnames FROM people WHERE article = ?", (article,)).fetchone()
        if found is not None:  # an article of this run
            return frozenset(found[0].split(_SEP)) - {""}
        if article not in self._indexed_people:
            if len(self._indexed_people) >= CACHED:
                self._indexed_people.clear()
            self._indexed_people[article] = _surnames(self._people_of(article) if self._people_of else ())
        return self._indexed_people[article]

    def _load(self, wanted: set[Form]) -> None:
        if len(self._stored) + len(wanted) > CACHED:
            self._stored.clear()  # all of it is in the store, to be read again when asked for
        missing: dict[str, set[str]] = {}
        for label, key in wanted:
            if (label, key) not in self._stored:
                missing.setdefault(label, set()).add(key)
        for label, keys in missing.items():
            found = self.store.lookup(label, sorted(keys))
            for key in keys:
                self._stored[(label, key)] = found.get(key, {})

    def _candidates(self, label: str, key: str, day: str) -> Seen:
        """The names filed under ``key``, stored or of this run, seen within the window of ``day``."""
        merged: Seen = {}
        for full, articles in self._stored.get((label, key), {}).items():
            if self._within(full.day, day):
                merged.setdefault(full, set()).update(articles)
        for name, seen, article in self._run.execute("SELECT name, day, article FROM names WHERE label = ? AND key = ?",
                                                     (label, key)):
            if self._within(seen, day):
                merged.setdefault(FullName(label, name, seen), set()).add(article)
        return merged

    def _within(self, seen: str, day: str) -> bool:
        if not seen or not day:
            return True
        return abs(date.fromisoformat(seen) - date.fromisoformat(day)) <= self.window


def rename(doc: IndexedDocument, renames: Renames) -> IndexedDocument:
    """``doc`` with entities renamed (two that become one name are merged, counts and mentions
    summed) and the speakers of its quotes with them."""
    if not renames:
        return doc
    merged: dict[tuple[str, str], Entity] = {}
    for e in doc.entities:
        name = renames.get((e.label, e.name), e.name)
        mentions = [*e.mentions, e.name] if name != e.name else e.mentions
        found = merged.get((e.label, name))
        if found is None:
            merged[(e.label, name)] = Entity(name, e.label, e.count, list(dict.fromkeys(mentions)), list(e.titles))
        else:
            found.count += e.count
            found.mentions = list(dict.fromkeys([*found.mentions, *mentions]))
            found.titles = list(dict.fromkeys([*found.titles, *e.titles]))
    speakers = _speaker_renames(renames)
    quotes = [q if q.speaker not in speakers else replace(q, speaker=speakers[q.speaker]) for q in doc.quotes]
    return replace(doc, entities=list(merged.values()), quotes=quotes)  # the rest (enriched_by, ...) as it was


def _speaker_renames(renames: Renames) -> dict[str, str]:
    """Speaker name -> new name, for names renamed one way only (a name that is a person's and an
    organisation's, renamed differently, leaves its speakers alone)."""
    targets: dict[str, set[str]] = {}
    for (_, name), target in renames.items():
        targets.setdefault(name, set()).add(target)
    return {name: next(iter(found)) for name, found in targets.items() if len(found) == 1}


def _kept(ambiguous: dict[tuple[str, str], set[str]], indexed: dict | None) -> Renames:
    """The resolutions the indexed version of the article made for forms now ambiguous."""
    if not indexed:
        return {}
    kept: Renames = {}
    for entity in indexed.get("entities") or []:
        for mention in entity.get("mentions") or []:
            names = ambiguous.get((entity.get("label"), mention))
            if names and entity.get("name") in names:
                kept[(entity["label"], mention)] = entity["name"]
    return kept


def _surnames(names: Iterable[str]) -> frozenset[str]:
    """The people an article names, by folded surname: "Zelensky" there is "Volodymyr Zelensky" here."""
    return frozenset(fold_name(name).rsplit(" ", 1)[-1] for name in names if name.strip())


def _day(published_at: str | None) -> str:
    """The ISO date of an article (as published, in its own timezone); "" when undated or unreadable."""
    if not published_at:
        return ""
    try:
        return date.fromisoformat(published_at[:10]).isoformat()
    except ValueError:
        return ""
