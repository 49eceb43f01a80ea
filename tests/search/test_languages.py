"""Per-language analysis in both engines: an article in a language of ``STEMMERS`` is also analysed as
that language (``body_fr`` beside ``body``), so the other forms of its words find it; English stays the
analysis of every text field, so an English article and the fields themselves match as before.

osmem-server honours Elasticsearch's ``elision`` filter in ``_analyze`` but not when it indexes, so the
searches here use no elided word (l'écurie); the analysis comparison below covers those. It indexes
only some of the languages as themselves (``es_stems`` in conftest.py); the others are searched here
in the embedded index (and a real cluster), and compared with Elasticsearch's through ``_analyze``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import tantivy

from etl.index import open_sink
from etl.index.elastic.indices import alias_for
from etl.index.embedded.analysis import analyze, register
from etl.records import Article, IndexedDocument, Quote
from etl.search.query import SearchRequest
from etl.search.vocabulary import STEMMERS

FRENCH_QUOTE = "Nos chevaux sont prêts pour la saison"
FRENCH_BODY = (
    "Les chevaux du haras national de Pompadour ont repris leur entraînement lundi. À quelques semaines des "
    "élections municipales, le maire a promis de nouveaux moyens pour les écuries du domaine. "
    f"« {FRENCH_QUOTE} », a déclaré Marie Dubois, directrice du haras."
)


def article(doc_id: str, language: str, title: str, body: str, quotes: tuple[Quote, ...] = ()) -> IndexedDocument:
    return IndexedDocument(
        Article(id=doc_id, url=f"https://news.example.org/{doc_id}", source="news.example.org", title=title,
                authors=["Desk"], published_at="2025-03-10T08:00:00+00:00", language=language, body=body,
                word_count=len(body.split()), content_hash=f"hash-{doc_id}", origin=f"{doc_id}.html"),
        [], list(quotes), ingested_at="2025-03-11T00:00:00+00:00")


def said(body: str, text: str, speaker: str) -> Quote:
    start = body.index(text)
    return Quote(text, speaker, "PERSON", "a déclaré", "direct", start, start + len(text))


NEWS = [
    article("fr", "fr", "Les chevaux de Pompadour reprennent l'entraînement avant les élections", FRENCH_BODY,
            (said(FRENCH_BODY, FRENCH_QUOTE, "Marie Dubois"),)),
    article("es", "es", "Los vecinos votaron contra la ampliación del aeropuerto",
            "Los vecinos de Castellón votaron el domingo contra la ampliación del aeropuerto. Los concejales "
            "decidieron aplazar las obras hasta después del verano."),
    article("en", "en", "Vintage car rally draws crowds to the county show",
            "Collectors drove a restored Citroën deux chevaux past the stables, where the horses of the county "
            "show stood waiting for the judges."),
]

# One sentence of news per language of the table (written for these tests), and two forms of one word
# that the language's stemmer makes one while English's does not.
SAMPLES = {
    "da": (("Regeringen fremlagde onsdag et nyt lovforslag om boligstøtte, og flere partier kritiserede de "
            "foreslåede ændringer af huslejereglerne."), ("husene", "huset")),
    "de": (("Die Bürgermeisterin kündigte am Dienstag an, dass die Gemeinden in Sachsen nach den Wahlen mehr Geld "
            "für Schulen und Krankenhäuser erhalten sollen; aktuell fehlen Lehrkräfte."), ("Wahlen", "Wahl")),
    "es": (("Los votantes acudieron a las urnas el domingo y las autoridades electorales informaron de una "
            "participación récord en las elecciones regionales."), ("votaron", "votar")),
    "fi": (("Hallitus esitteli tiistaina uudet leikkaukset, ja opposition kansanedustajat arvostelivat "
            "suunnitelmia eduskunnan täysistunnossa."), ("eduskunnassa", "eduskunta")),
    "fr": (("Les chevaux du haras ont quitté l'écurie avant l'aube, tandis que les électeurs se rendaient aux "
            "urnes pour les élections municipales d'aujourd'hui."), ("chevaux", "cheval")),
    "hu": (("A kormány szerdán bejelentette, hogy a választások előtt emelik a nyugdíjakat, az ellenzéki pártok "
            "szerint azonban a döntés késve érkezett."), ("választásokon", "választás")),
    "it": (("L'amministrazione comunale ha approvato ieri il bilancio dell'anno prossimo, mentre i sindacati "
            "hanno annunciato uno sciopero nelle scuole della regione."), ("elezioni", "elezione")),
    "no": (("Regjeringen la mandag fram forslaget til statsbudsjett, og opposisjonspartiene varslet harde "
            "forhandlinger om skattene i ukene som kommer."), ("valgene", "valget")),
    "pt": (("O governo anunciou nesta quarta-feira novas medidas para conter a inflação, e os economistas "
            "avaliaram que as eleições de outubro pesaram na decisão."), ("anunciou", "anunciar")),
    "ro": (("Guvernul a aprobat marți o ordonanță privind creșterea salariilor profesorilor, iar sindicatele au "
            "anunțat că vor suspenda protestele."), ("alegerile", "alegeri")),
    "ru": (("Власти города сообщили во вторник, что ремонт мостов завершится до начала зимы, а движение "
            "транспорта будет восстановлено в полном объёме."), ("выборов", "выборы")),
    "sv": (("Regeringen presenterade på tisdagen nya åtgärder mot gängbrottsligheten, och polisen välkomnade "
            "beskeden inför valen i höst."), ("polisen", "polis")),
    "tr": (("Belediye başkanı salı günü yaptığı açıklamada, seçimlerden önce şehirdeki okulların ve "
            "hastanelerin yenileneceğini söyledi."), ("okulların", "okul")),
}


@pytest.fixture(params=["embedded", "elastic"])
def index_into(request, tmp_settings) -> Iterator[Callable]:
    """Index documents into one engine and hand back a sink that reads them."""
    sinks = []

    def index(docs: list[IndexedDocument]):
        settings = request.getfixturevalue("es_settings") if request.param == "elastic" else tmp_settings
        with open_sink(settings, write=True) as sink:
            assert sink.write(docs).indexed == len(docs)
        sinks.append(open_sink(settings))
        return sinks[-1]

    yield index
    for sink in sinks:
        sink.close()


@pytest.fixture
def news(index_into):
    return index_into(NEWS)


def ids(sink, text: str, index: str = "articles") -> set[str]:
    return {hit.id for hit in sink.search(SearchRequest(text=text, index=index, size=50)).hits}


def test_an_article_is_found_by_other_forms_of_its_words_in_its_own_language(news):
    assert ids(news, "cheval") == {"fr"}  # chevaux
    assert ids(news, "élection") == ids(news, "election") == {"fr"}  # élections
    assert ids(news, "écurie") == {"fr"}
    assert ids(news, '"élection municipale"') == {"fr"}
    assert ids(news, "body:cheval") == ids(news, "title:élection") == {"fr"}
    assert ids(news, "votar") == ids(news, "title:votar") == ids(news, "decidir Castellón") == {"es"}
    assert ids(news, "horse") == {"en"}


def test_english_articles_and_words_match_as_before(news):
    """The English article says "deux chevaux": a French stem does not reach it, the word itself does."""
    assert ids(news, "cheval") == {"fr"}
    assert ids(news, "chevaux") == {"fr", "en"}
    assert ids(news, "horses -cheval") == {"en"}
    assert ids(news, "cheval OR horse") == {"fr", "en"}


def test_the_text_fields_themselves_keep_the_english_analysis(news):
    """What applications that query the index directly see: ``body`` alone stems English, as before."""
    if news.name == "elasticsearch":
        def found(word: str) -> int:
            response = news.client.search(index=alias_for(news.settings, "articles"), query={"match": {"body": word}})
            return response["hits"]["total"]["value"]
    else:
        index = register(tantivy.Index.open(str(news.path / "articles")))

        def found(word: str) -> int:
            return index.searcher().search(tantivy.Query.term_query(index.schema, "body", analyze(word)[0])).count
    assert (found("cheval"), found("chevaux"), found("votar"), found("horse")) == (0, 2, 0, 1)


def test_an_article_found_through_its_language_is_highlighted_in_its_fields(news):
    [hit] = news.search(SearchRequest(text="cheval")).hits
    assert "<b>chevaux</b>" in hit.highlights["body"][0] and "<b>chevaux</b>" in hit.highlights["title"][0]
    [hit] = news.search(SearchRequest(text="decidir")).hits
    assert "<b>decidieron</b>" in hit.highlights["body"][0]
    assert set(hit.highlights) <= {"title", "body", "quotes"}


def test_the_language_copies_stay_inside_the_index(news):
    """`get` gives the article as it was written, hits carry their usual fields."""
    for doc in NEWS:
        assert news.get(doc.article.id) == doc.to_dict()
    assert news.get("fr-q0", index="quotes") == NEWS[0].quote_documents()[0]
    [hit] = news.search(SearchRequest(text="cheval")).hits
    assert not any(name.endswith("_fr") for name in hit.fields)


def test_a_quote_is_found_by_the_stems_of_its_language(news):
    assert ids(news, "cheval", index="quotes") == {"fr-q0"}
    assert ids(news, "text:prêt", index="quotes") == {"fr-q0"}
    [hit] = news.search(SearchRequest(text="cheval", index="quotes")).hits
    assert "<b>chevaux</b>" in hit.highlights["text"][0]


def test_every_language_of_the_table_stems_as_itself_in_both_engines(index_into, request):
    """A language added to STEMMERS needs a sample here: its article is found by the other form."""
    assert set(SAMPLES) == set(STEMMERS)
    engine = request.node.callspec.params["index_into"]
    languages = request.getfixturevalue("es_stems") if engine == "elastic" else set(STEMMERS)
    sink = index_into([article(code, code, "", f"{SAMPLES[code][0]} {SAMPLES[code][1][0]}") for code in sorted(languages)])
    missed = {code: SAMPLES[code][1] for code in languages if ids(sink, SAMPLES[code][1][1]) != {code}}
    assert not missed


def test_norwegian_bokmal_is_stemmed_as_norwegian(index_into):  # "nb", the code pages declare
    sink = index_into([article("nb", "nb", "", "Partiene varslet harde forhandlinger om valgene.")])
    assert ids(sink, "valget") == {"nb"}


def test_both_engines_analyse_each_language_into_the_same_words(es_settings):
    """Elasticsearch's news_text_<code> (through _analyze) and the embedded analysis of the same code, on
    the samples; German and Russian differ in a word or two (Snowball 3 reads ue as ü and ё as е)."""
    with open_sink(es_settings) as sink:
        sink.ensure_indices()
        alias = alias_for(es_settings, "articles")
        differ = {}
        for code, (text, forms) in SAMPLES.items():
            text = f"{text} {' '.join(forms)}"
            theirs = [t["token"] for t in sink.client.indices.analyze(index=alias, analyzer=f"news_text_{code}", text=text)["tokens"]]
            mine = analyze(text, code)
            same = sum(a == b for a, b in zip(theirs, mine))
            if len(theirs) != len(mine) or same < 0.9 * len(mine) or (code not in ("de", "ru") and same < len(mine)):
                differ[code] = list(zip(theirs, mine))
    assert not differ
