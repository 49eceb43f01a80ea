"""Text hygiene: bytes to str without mojibake, Unicode normalisation, whitespace and paragraphs."""

from __future__ import annotations

import codecs
import html
import logging
import re
import unicodedata

from etl.clean.plain import strip_tags
from etl.logs import quiet_unless_verbose
from etl.records import RejectedInput

log = logging.getLogger(__name__)
# UnicodeDammit logs "Some characters could not be decoded ..." without saying of which input;
# `decode` says it itself, naming the input.
quiet_unless_verbose("bs4.dammit")

# Share of control characters (other than whitespace) above which bytes are not text.
_MAX_CONTROL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])  # the same characters
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except newline (incl. NBSP, thin spaces)
_BLANK_LINES = re.compile(r"\n\s*\n")
# Invisible junk: zero-width space, word joiner, BOM, soft hyphen. Not the zero-width (non-)joiners
# U+200C/U+200D: they are part of the spelling in Persian, Indic scripts and of emoji sequences.
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad]")


def decode(data: bytes | str, declared: str | None = None, *, is_html: bool = True, origin: str = "") -> str:
    """Decode page bytes: BOM, UTF-8, the declared/meta charset if it decodes cleanly, else a guess.

    UnicodeDammit tries those in order and falls back to detection, so a page that
    declares the wrong charset is still read correctly. Bytes no encoding decodes become
    U+FFFD, with one warning naming ``origin``.
    Raises ``RejectedInput`` for content that is binary rather than text.
    """
    return _decoded(data, declared, is_html, origin)[0]


def decode_page(data: bytes | str, declared: str | None = None, *, origin: str = "") -> tuple[str, bytes]:
    """The page's text (``decode``) and that text in UTF-8, for lxml: the bytes themselves when they
    are that already (nearly every page), which spares encoding the whole page again."""
    text, verbatim = _decoded(data, declared, True, origin)
    return text, data if verbatim else text.encode("utf-8", "replace")


def _decoded(data: bytes | str, declared: str | None, is_html: bool, origin: str) -> tuple[str, bool]:
    """``decode``'s text, and whether it is ``data`` decoded as UTF-8 with nothing dropped."""
    if isinstance(data, str):
        return _reject_binary(data), False
    if not data.strip():
        raise RejectedInput("clean", "empty document")
    text = _valid_utf8(data)
    if text:
        # In UTF-8 a control character is its own byte and no other: bytes without any leave nothing
        # for ``_reject_binary`` to count or drop (one C pass over bytes instead of two regex passes).
        no_control = len(data.translate(None, _CONTROL_BYTES)) == len(data)
        return (text if no_control else _reject_binary(text)), no_control and not data.startswith(codecs.BOM_UTF8)
    nearly = _nearly_utf8(data, declared, is_html)
    if nearly is not None:
        log.warning("%s: a few bytes are not valid UTF-8; they were replaced with U+FFFD", origin or "input")
        return _reject_binary(nearly), False
    # Bytes that are valid UTF-8 are UTF-8 whatever the page declares (``_valid_utf8`` read them above,
    # unless they are only a BOM): no other charset in use produces valid multi-byte UTF-8 by accident,
    # while pages often declare latin-1 wrongly.
    from bs4.dammit import UnicodeDammit

    known = ["utf-8", declared] if declared else ["utf-8"]
    dammit = UnicodeDammit(data, known_definite_encodings=known, is_html=is_html)
    if dammit.unicode_markup is None:
        raise RejectedInput("clean", "binary content: no text encoding decodes it")
    text = _reject_binary(dammit.unicode_markup)  # binary content is rejected, which says enough
    if dammit.contains_replacement_characters:
        log.warning("%s: some bytes decode in no text encoding; they were replaced with U+FFFD", origin or "input")
    return text, False


def _valid_utf8(data: bytes) -> str | None:
    """The text of bytes that are valid UTF-8, as UnicodeDammit gives it (a UTF-8 BOM dropped), without
    its detection machinery (a third of the decoding time); None when they are not."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


# At most this share of the bytes may be invalid UTF-8 for them to be read as UTF-8 with replacement,
# and at most this share of the non-ASCII sequences (a Latin-1 file's are nearly all invalid).
_MAX_INVALID_SHARE = 0.01
_MAX_INVALID_OF_NON_ASCII = 0.2
_UTF8_NAMES = {"utf-8", "utf8", "utf_8"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _nearly_utf8(data: bytes, declared: str | None, is_html: bool) -> str | None:
    """The text of bytes that are UTF-8 but for a few invalid sequences (a bad copy, a cut character),
    with those replaced by U+FFFD; None when the bytes are valid UTF-8, carry a UTF-16/32 BOM, are
    mostly not UTF-8, or a declared charset (given, or an HTML meta charset) names another encoding.
    Read as a whole in another charset, such bytes turn every accent into mojibake ("Biden‚Äôs")."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    try:
        data.decode("utf-8")
        return None  # valid UTF-8: the ordinary path reads it
    except UnicodeDecodeError:
        pass
    from bs4.dammit import EncodingDetector  # bs4 only for bytes that are not UTF-8: text mostly is

    named = declared or (EncodingDetector.find_declared_encoding(data[:65536], is_html=is_html) if is_html else None)
    if named and named.strip().lower() not in _UTF8_NAMES:
        return None
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(_NON_ASCII.findall(text))
    if invalid >= _MAX_INVALID_SHARE * len(data) or invalid > _MAX_INVALID_OF_NON_ASCII * non_ascii:
        return None
    return text


def _reject_binary(text: str) -> str:
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > _MAX_CONTROL_SHARE:
        raise RejectedInput("clean", "binary content: too many control characters for text")
    return text.replace("\x00", "")  # a stray NUL is never text (and lxml would make it U+FFFD in a title)


def normalise(text: str) -> str:
    """NFC, HTML entities decoded, control and invisible characters removed (joiners kept), spaces collapsed.

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


# Entities escaped twice ("&amp;#8211;" in a meta content) decode in two passes; a third is never needed.
_UNESCAPE_PASSES = 2


def one_line(value: str) -> str:
    """A metadata value (title, author, site name) as plain text: HTML entities decoded, even when
    escaped twice, markup that decoding revealed (or that was there) removed, and whitespace runs
    (NBSP included) collapsed to one space."""
    for _ in range(_UNESCAPE_PASSES):
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = decoded
    return " ".join(strip_tags(value).split())


def lines_to_paragraphs(text: str) -> str:
    """Plain text with one paragraph per line (a .txt export) -> blank-line-separated paragraphs."""
    return normalise(_BLANK_LINES.sub("\n", text).replace("\n", "\n\n"))


# Chinese, Japanese and Korean are written without spaces: each of their characters counts as a word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_HAS_CJK = re.compile(rf"[{_CJK}]")


def word_count(text: str) -> int:
    if not _HAS_CJK.search(text):
        return len(text.split())  # the same words (\s is str.isspace), without a list of matches
    return len(_WORD.findall(text))
