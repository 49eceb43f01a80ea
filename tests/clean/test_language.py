"""An article's language comes from its text; the page's declared language is a hint (issue #14 §5)."""

from __future__ import annotations

from conftest import STORY, raw_html
from etl.clean import clean

GERMAN = (
    "<p>Die Hafenbehörde teilte am Montag mit, dass das neue Fährterminal erst im Mai öffnen werde, zwei Jahre "
    "später als geplant, nachdem Ingenieure Risse im Beton des Hauptpiers gefunden hatten.</p>"
    "<p>Die Reparatur werde nach Angaben der Behörde rund vier Millionen Euro kosten. Sie machte einen Lieferanten "
    "für die Verzögerung verantwortlich, der inzwischen insolvent ist.</p>"
    "<p>Örtliche Geschäftsleute sagten, die Verzögerung habe sie einen zweiten Sommer mit Touristen gekostet, und "
    "baten die Landesregierung um Hilfe bei den Mieten, bis das Terminal öffnet.</p>"
)


def html_page(body: str, lang: str | None = None, head: str = "") -> bytes:
    attribute = f' lang="{lang}"' if lang else ""
    return f"<html{attribute}><head>{head}</head><body><article>{body}</article></body></html>".encode()


def language_of(settings, content: bytes) -> str:
    return clean(raw_html(content), settings).language


def test_a_template_language_loses_to_the_text(settings):
    assert language_of(settings, html_page(STORY, "de")) == "en"
    assert language_of(settings, html_page(GERMAN, "en-US")) == "de"
    og_locale = '<meta property="og:locale" content="fr_FR">'
    assert language_of(settings, html_page(STORY, head=og_locale)) == "en"


def test_the_declared_language_stands_when_the_text_agrees_or_none_is_declared(settings):
    assert language_of(settings, html_page(GERMAN, "de-DE")) == "de"
    assert language_of(settings, html_page(STORY)) == "en"
    assert language_of(settings, html_page(GERMAN)) == "de"


def test_a_short_body_keeps_the_declared_language(settings):
    short = ("<p>Le conseil a voté hier soir. The harbour authority said on Monday that the new ferry terminal "
             "would open in May, after engineers found cracks.</p>")
    assert language_of(settings, html_page(short, "fr")) == "fr"


def test_a_mixed_body_keeps_the_declared_language(settings):
    """An English story with a long German statement quoted in full: neither text overrules the page."""
    mixed = STORY * 3 + GERMAN * 3
    assert language_of(settings, html_page(mixed, "de")) == "de"
    assert language_of(settings, html_page(mixed, "en")) == "en"
