"""The query language, parsed once into an engine-neutral tree that each engine compiles.

    words are all required        police shooting
    either                        trade OR China        (OR binds tighter: a b OR c = a (b OR c))
    without                       trade -China, trade NOT China
    exact phrase                  "climate change"
    grouping                      (Kyiv OR Kharkiv) -Moscow
    one field                     title:ukraine  persons:"Joe Biden"  source:(apnews.com OR reuters.com)

Matching ignores case and accents and stems alike in both engines: English on every text field,
and for a document in a language of ``vocabulary.STEMMERS`` also that language's stems. Operators
are upper case (``and``, ``or`` and ``not`` in lower case are words). There are no wildcards or
fuzzy matches: ``*`` and ``~`` are refused, not silently dropped; punctuation with no word in it
(``—``, ``&``) is ignored as the text analysis ignores it, and a query of nothing else is refused. Anything else malformed is a
``QueryError`` that says where; it never falls back to a wider search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.search.query import SearchError
from etl.search.vocabulary import VOCABULARIES

MAX_CLAUSES = 64  # a pasted page should not become a thousand-clause query
MAX_DEPTH = 32  # "((((...": a recursion limit, not a crash
_WORD_CHAR = re.compile(r"[^\W_]")  # a letter or a digit: the analysis keeps it
_QUOTES = '"“”„'
_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<phrase>[' + _QUOTES + r'])|(?P<word>[^\s()' + _QUOTES + r']+))')


class QueryError(SearchError):
    """A query that cannot be searched as written; the message names what and where."""


@dataclass(frozen=True, slots=True)
class Match:
    """Words to find in ``field`` (None: the index's text fields), all in a row when ``phrase``."""

    text: str
    field: str | None = None
    phrase: bool = False


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Node


Node = Match | And | Or | Not


def parse(query: str, index: str = "articles") -> Node | None:
    """The tree of ``query`` for ``index``; None when it is empty (search everything)."""
    parser = _Parser(query, VOCABULARIES[index].fields)
    tree = parser.expression(depth=0)
    if parser.peek() is not None:
        kind, text, at = parser.peek()
        raise parser.error(f"unexpected {text!r}" + (" (no ( before it)" if kind == "close" else ""), at)
    if tree is None and query.strip():  # "\\", "—": asking for something, yet no word to look for
        raise QueryError(f"query {_short(query)}: no word to search for (punctuation alone is not searched)")
    if parser.clauses > MAX_CLAUSES:
        raise QueryError(f"query {_short(query)}: {parser.clauses} terms; at most {MAX_CLAUSES}")
    return tree


class _Parser:
    """Recursive descent over: expression := or_group+ ; or_group := unary (OR unary)* ;
    unary := (- | NOT) unary | primary ; primary := ( expression ) | field:primary | "phrase" | word."""

    def __init__(self, query: str, fields: tuple[str, ...]):
        self.query, self.fields = query, fields
        self.tokens = list(self._lex(query))
        self.pos, self.clauses = 0, 0

    def _lex(self, query: str):
        at = 0
        while True:
            found = _TOKEN.match(query, at)
            if not found:
                return
            kind = found.lastgroup
            start = found.start(kind)
            if kind == "phrase":
                end = next((i for i in range(found.end(), len(query)) if query[i] in _QUOTES), -1)
                if end < 0:
                    raise QueryError(f"query {_short(query)}: the quotation mark at character {start + 1} is never closed")
                yield "phrase", query[found.end():end], start
                at = end + 1
                continue
            yield kind, found.group(kind), start
            at = found.end()

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.pos += 1
        return token

    def error(self, what: str, at: int | None) -> QueryError:
        where = f" at character {at + 1}" if at is not None else " at the end"
        return QueryError(f"query {_short(self.query)}: {what}{where}")

    def expression(self, depth: int) -> Node | None:
        if depth > MAX_DEPTH:
            raise QueryError(f"query {_short(self.query)}: nested more than {MAX_DEPTH} deep")
        parts = []
        while (token := self.peek()) is not None and token[0] != "close":
            if token[1] == "AND":
                if not parts:
                    raise self.error("AND needs something before it", token[2])
                self.take()
                if self.peek() is None or self.peek()[0] == "close" or self.peek()[1] in ("AND", "OR"):
                    raise self.error("AND needs something after it", token[2])
                continue
            part = self.or_group(depth)
            if part is not None:
                parts.append(part)
        return _join(And, parts)

    def or_group(self, depth: int) -> Node | None:
        token = self.peek()
        if token[1] == "OR":
            raise self.error("OR needs something before it", token[2])
        parts = [self.unary(depth)]
        while (token := self.peek()) is not None and token[1] == "OR":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt[0] == "close" or nxt[1] in ("AND", "OR"):
                raise self.error("OR needs something after it", token[2])
            parts.append(self.unary(depth))
        if len(parts) > 1 and None in parts:  # "— OR x": a side with no word would widen to everything
            raise self.error("a side of OR has no word to search for", token[2] if token else None)
        return _join(Or, [p for p in parts if p is not None])

    def unary(self, depth: int) -> Node | None:
        kind, text, at = self.peek()
        nxt = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else None
        group_follows = text == "-" and nxt is not None and nxt[0] == "open" and nxt[2] == at + 1  # -(a OR b)
        if kind == "word" and (text == "NOT" or (text.startswith("-") and len(text) > 1) or group_follows):
            self.take()
            if text == "NOT":
                if self.peek() is None or self.peek()[0] == "close":
                    raise self.error("NOT needs something after it", at)
            elif len(text) > 1:  # "-word": the rest of the token is what to leave out
                self.tokens.insert(self.pos, ("word", text[1:], at + 1))
            part = self.unary(depth + 1)
            if part is None:
                raise self.error(f"{text!r} has no word to leave out", at)
            return Not(part)
        return self.primary(depth, field=None)

    def primary(self, depth: int, field: str | None) -> Node | None:
        kind, text, at = self.take()
        if kind == "open":
            inner = self.expression(depth + 1)
            if self.take() is None:
                raise self.error("the ( is never closed", at)
            return _scoped(inner, field) if field else inner
        if kind == "phrase":
            return self._match(text, field, True, at)
        if kind == "close":
            raise self.error("unexpected ')' (no ( before it)", at)
        if text in ("AND", "OR", "NOT"):
            raise self.error(f"{text} needs something before and after it", at)
        name, colon, rest = text.partition(":")
        if colon and name and "://" not in text:  # a URL is words, not a field
            if field:
                raise self.error(f"{name!r} inside {field}: (one field at a time)", at)
            if name not in self.fields:
                raise self.error(f"unknown field {name!r}; fields are {', '.join(self.fields)}", at)
            if rest:
                self.tokens.insert(self.pos, ("word", rest, at + len(name) + 1))
            nxt = self.peek()
            if nxt is None or nxt[0] == "close" or nxt[1] in ("AND", "OR"):
                raise self.error(f"{name}: needs a word after it", at)
            return self.primary(depth, field=name)
        return self._match(text, field, False, at)

    def _match(self, text: str, field: str | None, phrase: bool, at: int) -> Match | None:
        if not phrase and ("*" in text or "?" in text.rstrip("?") or "~" in text):
            raise self.error(f"{text!r}: wildcards and fuzzy matching are not part of the query language", at)
        if text in ("&&", "||", "!"):
            raise self.error(f"{text!r} is not an operator here; use AND, OR or NOT", at)
        if not _WORD_CHAR.search(text):
            return None  # punctuation alone: the analysis would drop it anyway
        self.clauses += 1
        return Match(text.strip(), field, phrase)


def _join(kind, parts: list[Node]) -> Node | None:
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    flat: list[Node] = []
    for part in parts:  # (a b) c is a b c
        flat.extend(part.parts if isinstance(part, kind) else [part])
    return kind(tuple(flat))


def _scoped(node: Node | None, field: str) -> Node | None:
    """``field:(a OR b)``: every match inside the group searches ``field``."""
    if node is None:
        return None
    if isinstance(node, Match):
        if node.field not in (None, field):
            raise QueryError(f"{node.field}:{node.text} inside {field}:( ): one field at a time")
        return Match(node.text, field, node.phrase)
    if isinstance(node, Not):
        return Not(_scoped(node.part, field))
    return type(node)(tuple(_scoped(p, field) for p in node.parts))


def _short(query: str) -> str:
    return repr(query if len(query) <= 80 else query[:77] + "...")
