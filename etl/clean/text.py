"""Text hygiene: bytes to str without mojibake, Unicode normalisation, whitespace and paragraphs."""

from __future__ import annotations

import html
import re
import unicodedata

from bs4 import UnicodeDammit

from etl.records import RejectedInput

# Share of control characters (other than whitespace) above which bytes are not text.
_MAX_CONTROL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except newline (incl. NBSP, thin spaces)
_BLANK_LINES = re.compile(r"\n\s*\n")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")  # zero-width chars, soft hyphen


def decode(data: bytes | str, declared: str | None = None, *, is_html: bool = True) -> str:
    """Decode page bytes: BOM, UTF-8, the declared/meta charset if it decodes cleanly, else a guess.

    UnicodeDammit tries those in order and falls back to detection, so a page that
    declares the wrong charset is still read correctly.
    Raises ``RejectedInput`` for content that is binary rather than text.
    """
    if isinstance(data, str):
        return _reject_binary(data)
    if not data.strip():
        raise RejectedInput("clean", "empty document")
    # Bytes that are valid UTF-8 are UTF-8 whatever the page declares: no other charset in use
    # produces valid multi-byte UTF-8 by accident, while pages often declare latin-1 wrongly.
    known = ["utf-8", declared] if declared else ["utf-8"]
    dammit = UnicodeDammit(data, known_definite_encodings=known, is_html=is_html)
    if dammit.unicode_markup is None:
        raise RejectedInput("clean", "binary content: no text encoding decodes it")
    return _reject_binary(dammit.unicode_markup)


def _reject_binary(text: str) -> str:
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > _MAX_CONTROL_SHARE:
        raise RejectedInput("clean", "binary content: too many control characters for text")
    return text.replace("\x00", "")  # a stray NUL is never text (and lxml would make it U+FFFD in a title)


def normalise(text: str) -> str:
    """NFC, HTML entities decoded, control and zero-width characters removed, spaces collapsed.

    Paragraphs come out separated by one blank line, lines inside a paragraph by one newline.
    """
    text = html.unescape(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", _CONTROL.sub("", text))
    paragraphs = (_lines(p) for p in _BLANK_LINES.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _lines(paragraph: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in paragraph.split("\n"))
    return "\n".join(line for line in lines if line)


def lines_to_paragraphs(text: str) -> str:
    """Plain text with one paragraph per line (a .txt export) -> blank-line-separated paragraphs."""
    return normalise(_BLANK_LINES.sub("\n", text).replace("\n", "\n\n"))


# Chinese, Japanese and Korean are written without spaces: each of their characters counts as a word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
