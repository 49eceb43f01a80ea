"""Articles in other languages: French through its own spaCy pipeline, the rest indexed with the reason.

The French texts are written for these tests (the 181-page corpus has no French page); the
Portuguese one is a real page of that corpus, cleaned at test time.
"""

from __future__ import annotations

import gzip
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from etl.clean import clean
from etl.enrich import enrich
from etl.records import Article, IndexedDocument, RawDocument, Rejected
from etl.settings import Settings

PAGES = Path(__file__).resolve().parents[2] / "shared" / "bench" / "extraction" / "html"
# "Atendimento Domiciliar registra arrombamento em veículos": a local news item in Portuguese.
PORTUGUESE_PAGE = PAGES / "f6ac15a4d98511396da23e4428deb5605422b1c8bbc8284e771f6896bdccf57f.html.gz"

MOUNTAINS = """GRENOBLE – La ministre de la Transition écologique, Claire Morvan, a présenté mercredi un plan de soutien aux stations de ski des Alpes, menacées par le manque de neige.

« Nous ne laisserons aucune commune de montagne sans solution », a déclaré Claire Morvan devant les élus réunis à Grenoble.

« Les premiers financements arriveront dès le printemps », a-t-elle ajouté.

Le président de la région Auvergne-Rhône-Alpes, Julien Barrault, a affirmé que la région apporterait 40 millions d'euros supplémentaires.

Selon Météo-France, l'enneigement moyen a reculé de près d'un mois depuis les années 1970."""

ECONOMY = """La Banque de France a abaissé mardi sa prévision de croissance pour 2025, à 0,7 %.

« La consommation des ménages reste fragile », a expliqué l'économiste Anne Lefèvre, de l'institut Rexecode, interrogée par l'AFP.

Le ministre de l'Économie, Antoine Armand, a assuré qu'aucune hausse d'impôts n'était prévue. « Nous tiendrons nos engagements », a-t-il martelé à Bercy."""

STRIKE = """Les contrôleurs aériens de l'aéroport de Marseille ont cessé le travail lundi matin, à l'appel de leur syndicat.

Selon Sophie Garnier, près de la moitié des vols ont été annulés.

« Personne ne nous écoute depuis des mois », dit-elle."""

ENGLISH = """Mayor Ana Torres said on Monday that the city would reopen the Harbor Bridge by June.

"We owe the commuters an answer," Torres told reporters in Oakridge."""


def article(body, n: int, language: str | None) -> Article:
    return Article(
        id=f"a{n}", url=f"https://news.example/{n}", source="news.example", title=f"Story {n}", authors=[],
        published_at="2025-02-11T09:00:00+01:00", language=language, body=body,
        word_count=len(body.split()), content_hash=f"h{n}", origin=f"story-{n}",
    )


def quotes_of(doc: IndexedDocument) -> list[tuple[str, str | None, str]]:
    return [(q.kind, q.speaker, q.text) for q in doc.quotes]


def said_by(doc: IndexedDocument, opening: str) -> tuple[str, str | None]:
    """(kind, speaker) of the one quote that opens with ``opening``."""
    (found,) = [(q.kind, q.speaker) for q in doc.quotes if q.text.startswith(opening)]
    return found


@pytest.fixture(scope="module")
def french(nlp, settings) -> list[IndexedDocument]:
    items = list(enrich([article(MOUNTAINS, 0, "fr"), article(ECONOMY, 1, "fr-FR"), article(STRIKE, 2, "fr")],
                        nlp, settings))
    assert all(isinstance(i, IndexedDocument) for i in items), items
    return items


def test_french_articles_are_enriched_by_the_french_pipeline_with_the_project_labels(french):
    mountains, economy, _ = french
    assert {d.enriched_by for d in french} == {"fr_core_news_sm"} and not any(d.enrich_skipped for d in french)
    out = mountains.to_dict()
    assert {"Claire Morvan", "Julien Barrault"} <= set(out["persons"])
    assert {"Grenoble", "Alpes"} <= set(out["locations"])
    assert {"Banque de France", "AFP"} <= set(economy.to_dict()["organizations"])
    assert {"Anne Lefèvre", "Antoine Armand"} <= set(economy.to_dict()["persons"])
    labels = {e.label for d in french for e in d.entities}
    assert labels <= {"PERSON", "ORG", "LOC", "GPE"}  # no PER, no MISC ("Transition écologique")


def test_guillemet_quotes_name_their_speakers_including_inverted_ones(french):
    mountains, economy, strike = french
    assert said_by(mountains, "Nous ne laisserons") == ("direct", "Claire Morvan")  # », a déclaré X
    assert said_by(mountains, "Les premiers financements") == ("direct", "Claire Morvan")  # », a-t-elle ajouté
    assert said_by(economy, "Nous tiendrons") == ("direct", "Antoine Armand")  # », a-t-il martelé
    assert said_by(economy, "La consommation") == ("direct", "Anne Lefèvre")
    assert said_by(strike, "Personne ne nous écoute") == ("direct", "Sophie Garnier")  # », dit-elle
    for doc in french:
        for quote in doc.quotes:
            assert doc.article.body[quote.start : quote.end] == quote.text
            assert "«" not in quote.text and "»" not in quote.text


def test_reported_speech_after_que_and_selon_has_its_source(french):
    mountains, economy, strike = french
    assert said_by(mountains, "la région apporterait") == ("indirect", "Julien Barrault")  # X a affirmé que ...
    assert said_by(economy, "aucune hausse d'impôts") == ("indirect", "Antoine Armand")  # a assuré qu'...
    kind, speaker = said_by(strike, "près de la moitié des vols")  # Selon X, ...
    assert (kind, speaker) == ("indirect", "Sophie Garnier")
    selon = [q for q in mountains.quotes if q.cue == "Selon"]
    assert [q.text for q in selon] == ["l'enneigement moyen a reculé de près d'un mois depuis les années 1970"]


def test_a_real_portuguese_page_is_indexed_without_entities_and_with_the_reason(nlp, settings):
    raw = RawDocument(origin=str(PORTUGUESE_PAGE), content=gzip.decompress(PORTUGUESE_PAGE.read_bytes()))
    page = clean(raw, settings)
    assert page.language == "pt"
    (doc,) = list(enrich([page], nlp, settings))
    out = doc.to_dict()
    assert out["entities"] == [] and out["quotes"] == [] and out["persons"] == []
    assert out["enriched_by"] is None
    assert "'pt'" in out["enrich_skipped"] and "NEWS_ETL_MODELS" in out["enrich_skipped"]
    assert out["body"] == page.body


def test_a_run_indexes_french_facets_and_quotes_and_the_skipped_reason(tmp_path, tmp_settings, nlp):
    """The whole run into the embedded index: what a user finds by searching."""
    from conftest import input_folder

    from etl.index import open_sink
    from etl.pipeline import run
    from etl.search.query import SearchRequest

    folder = input_folder(tmp_path, {"montagne.txt": MOUNTAINS, "portugues.html.gz": PORTUGUESE_PAGE.read_bytes()})
    seen: list[IndexedDocument] = []
    summary = run([str(folder)], tmp_settings, nlp=nlp, on_document=seen.append)
    assert summary.indexed == 2 and summary.rejected == 0
    assert summary.not_enriched == {"pt": 1}  # the run's summary says how many went without, in which language
    with open_sink(tmp_settings) as index:
        found = index.search(SearchRequest(filters=[("persons", "Claire Morvan")], facets=["locations"]))
        assert [hit.id for hit in found.hits] == [d.article.id for d in seen if d.article.language == "fr"]
        said = index.search(SearchRequest(index="quotes", filters=[("speaker", "Claire Morvan")]))
        assert said.total == 2
        (skipped,) = [index.get(d.article.id) for d in seen if d.article.language == "pt"]
    assert skipped["entities"] == [] and "'pt'" in skipped["enrich_skipped"] and skipped["enriched_by"] is None


def test_a_configured_model_that_is_not_installed_skips_its_articles_with_one_warning(nlp, settings, caplog):
    missing = settings.with_(models={"fr": "fr_core_news_sm", "de": "de_news_missing_for_this_test"})
    german = [article(f"Bundeskanzlerin Petra Lang sagte am Montag in Berlin, Gespräch {n} sei gut gelaufen.", n, "de")
              for n in range(3)]
    with caplog.at_level(logging.WARNING):
        items = list(enrich([*german, article(ENGLISH, 3, "en")], nlp, missing))
    assert [type(i) for i in items] == [IndexedDocument] * 4
    for doc in items[:3]:
        assert doc.entities == [] and doc.enriched_by is None
        assert "de_news_missing_for_this_test" in doc.enrich_skipped and "pip install" in doc.enrich_skipped
    assert items[3].enriched_by == settings.model and "Ana Torres" in items[3].to_dict()["speakers"]
    warnings = [r for r in caplog.records
                if r.levelno == logging.WARNING and "de_news_missing_for_this_test" in r.getMessage()]
    assert len(warnings) == 1


def test_english_in_a_mixed_batch_is_enriched_as_alone_and_the_order_is_kept(nlp, settings):
    (alone,) = list(enrich([article(ENGLISH, 9, "en")], nlp, settings))
    batch = [article(MOUNTAINS, 0, "fr"), article(ENGLISH, 1, "en"), article("Olá, mundo. Tudo bem por aqui.", 2, "pt"),
             article(ECONOMY, 3, "FR_ca"), article(ENGLISH, 4, None), article(ENGLISH, 5, "English")]
    items = list(enrich(batch, nlp, settings.with_(nlp_batch_size=5)))
    assert [i.article.id for i in items] == ["a0", "a1", "a2", "a3", "a4", "a5"]
    french, english = "fr_core_news_sm", settings.model
    # A regional code is its language; no language, or a value that is no code, is English as always.
    assert [i.enriched_by for i in items] == [french, english, None, french, english, english]
    for mixed in (items[1], items[4], items[5]):
        assert [e.to_dict() for e in mixed.entities] == [e.to_dict() for e in alone.entities]
        assert quotes_of(mixed) == quotes_of(alone) and alone.quotes


def test_a_french_article_whose_enrichment_fails_is_rejected_and_the_batch_goes_on(nlp, settings, quote_finder_fails_on):
    quote_finder_fails_on("EXPLOSER", "boum")
    batch = [article(STRIKE, 0, "fr"), article("EXPLOSER maintenant, a dit le maire.", 1, "fr"),
             article(ENGLISH, 2, "en"), article(ECONOMY, 3, "fr")]
    items = list(enrich(batch, nlp, settings))
    assert [type(i) for i in items] == [IndexedDocument, Rejected, IndexedDocument, IndexedDocument]
    assert items[1].id == "a1" and "RuntimeError: boum" in items[1].reason
    assert items[3].quotes and items[0].quotes


def test_the_french_pipeline_is_loaded_only_when_a_french_article_arrives():
    """In a process of its own: what a worker that only meets English articles holds in memory."""
    script = (
        "import sys\n"
        "from etl.enrich import enrich, load_nlp\n"
        "from etl.records import Article\n"
        "from etl.settings import Settings\n"
        "s = Settings.from_env({})\n"
        "nlp = load_nlp(s)\n"
        "def a(body, lang): return Article('x', None, None, None, [], None, lang, body, 3, 'h', 'o')\n"
        "list(enrich([a('Kirby said it was over.', 'en')], nlp, s))\n"
        "print('fr_core_news_sm' in sys.modules)\n"
        "list(enrich([a('Le maire a dit non.', 'fr')], nlp, s))\n"
        "print('fr_core_news_sm' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_models_are_read_from_the_environment_and_a_bad_entry_names_the_setting():
    settings = Settings.from_env({"NEWS_ETL_MODELS": "fr=fr_core_news_md, DE=de_core_news_sm"})
    assert settings.models == {"fr": "fr_core_news_md", "de": "de_core_news_sm"}
    assert Settings.from_env({}).models == {"fr": "fr_core_news_sm"}
    with pytest.raises(ValueError, match="setting models"):
        Settings.from_env({"NEWS_ETL_MODELS": "fr_core_news_sm"})
    with pytest.raises(ValueError, match="setting model "):
        Settings.from_env({"NEWS_ETL_MODELS": "en=en_core_web_lg"})
