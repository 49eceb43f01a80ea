"""Generated inputs: distinct good articles built from the seed, and the bad inputs of issue #9.

Everything is written into a test's tmp folder; nothing large is committed (the 20 MB page is
generated here too).
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SEED

PARAGRAPHS = [p for p in SEED.read_text(encoding="utf-8").splitlines() if len(p.split()) > 20]


def article_text(n: int) -> str:
    """Article ``n``: a headline and three seed paragraphs (rotating with n) plus a sentence of its own."""
    picked = [PARAGRAPHS[(n + k) % len(PARAGRAPHS)] for k in range(3)]
    return f"Dispatch {n} from the talks in Istanbul\n\n" + "\n\n".join(picked) + f"\n\nThis is dispatch number {n} of the series.\n"


def write_articles(folder: Path, count: int) -> list[Path]:
    """``count`` distinct plain-text articles in ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"dispatch-{n:03d}.txt"
        path.write_text(article_text(n), encoding="utf-8")
        paths.append(path)
    return paths


def html_page(title: str, paragraphs: list[str], *, lang: str = "en", head: str = "", extra: str = "") -> str:
    """A realistic news page: navigation, an <article> with the paragraphs, a footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{head}<title>{title}</title></head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a></nav>
<article><h1>{title}</h1>
{body}
{extra}
</article>
<footer>&copy; 2024 Example News. All rights reserved.</footer>
</body></html>
"""


GERMAN = [
    "Die Bundesregierung in Berlin hat am Dienstag neue Hilfen für die Ukraine angekündigt. "
    "Nach Angaben des Finanzministeriums sollen die Mittel noch in diesem Jahr bereitgestellt werden.",
    "„Wir stehen fest an der Seite der Ukraine“, sagte der Bundeskanzler nach einem Treffen mit "
    "Vertretern der Europäischen Union. Die Opposition kritisierte die Pläne als unzureichend.",
    "Die Verhandlungen zwischen Russland und der Ukraine in Istanbul sollen in der kommenden Woche "
    "fortgesetzt werden, teilten beide Seiten mit. Beobachter bleiben jedoch skeptisch.",
]

ACCENTED = [
    "The café owner in Zürich said the naïve plan to reopen the façade would cost 5 000 francs. "
    "Critics in the canton were unconvinced by the résumé of the architect behind the project.",
    "Officials in Genève and São Paulo said the exposé had changed little, and the débâcle over the "
    "budget would continue into next year according to people familiar with the talks.",
]


def own(paragraphs: list[str], n: int) -> list[str]:
    """The paragraphs plus one of their own, so that no two inputs are duplicates by content."""
    return [*paragraphs, f"Reporting for this story was completed in edition {n}."]


def bad_inputs(folder: Path) -> dict[str, str]:
    """Write the bad inputs of issue #9 into ``folder``; name -> what must become of it.

    "indexed": every article in it is indexed; "rejected": it becomes a rejected record; "either":
    indexed or rejected, as long as the run goes on and the counts reconcile.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cases: dict[str, tuple[bytes, str]] = {
        "empty.html": (b"", "rejected"),
        "blank.txt": (b" \n\t\n  ", "rejected"),
        "binary.html": (bytes(range(256)) * 256, "rejected"),
        "png-named.html": (b"\x89PNG\r\n\x1a\n" + bytes(2048), "rejected"),
        # Declares UTF-8, is Windows-1252: a decoder must not trust the declaration blindly.
        "wrong-charset.html": (
            html_page("Zürich café owners count the cost", own(ACCENTED, 1), head='<meta charset="utf-8">').encode("cp1252"),
            "indexed",
        ),
        "latin1.txt": (("Zürich café owners count the cost\n\n" + "\n\n".join(own(ACCENTED, 2))).encode("latin-1"), "indexed"),
        "utf16.txt": (("Genève budget débâcle drags on\n\n" + "\n\n".join(own(ACCENTED, 3))).encode("utf-16"), "indexed"),
        "utf16.html": (html_page("São Paulo exposé changes little", own(ACCENTED, 4)).encode("utf-16"), "indexed"),
        "nul-bytes.html": (html_page("Talks resume\x00 in Istanbul", own(PARAGRAPHS[:3], 5)).replace("Kyiv", "Ky\x00iv").encode(), "indexed"),
        "deep.html": (
            ("<html><body>" + "<div>" * 5000 + "".join(f"<p>{p}</p>" for p in own(PARAGRAPHS[:3], 6)) + "</div>" * 5000 + "</body></html>").encode(),
            "either",
        ),
        "no-article.html": (
            b"<html><head><title>Example News</title></head><body><nav><a href='/'>Home</a> <a href='/world'>World</a>"
            b" <a href='/login'>Log in</a></nav><footer>&copy; 2024 Example News</footer></body></html>",
            "rejected",
        ),
        "german.html": (html_page("Neue Hilfen für die Ukraine", GERMAN, lang="de").encode(), "indexed"),
        "truncated-feed.rss": (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title><item><title>Ta', "rejected"),
        # Well-formed enough for feedparser to recover the entry, with an undefined entity in it.
        "sloppy-feed.xml": (
            (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title><item>'
                "<title>Talks resume &nbsp; in Istanbul</title><description><![CDATA["
                + "".join(f"<p>{p}</p>" for p in own(PARAGRAPHS[:3], 7))
                + "]]></description></item></channel>"
            ).encode(),
            "either",
        ),
        "unclosed-quote.txt": (
            (
                "Kirby warns of a long campaign\n\n" + PARAGRAPHS[0] + "\n\n"
                'John Kirby told reporters on Tuesday, "We are not going to take the Russians at their word, and we will '
                "keep watching what they do on the ground rather than what they say at the table.\n\n" + PARAGRAPHS[1]
            ).encode(),
            "indexed",
        ),
    }
    expected = {}
    for name, (content, fate) in cases.items():
        (folder / name).write_bytes(content)
        # A feed's records are its entries, named by position (a feed with no entries at all keeps its name).
        expected[f"{name}#0" if name.endswith((".rss", ".xml")) else name] = fate
    expected.update(_json_lines(folder))
    return expected


def _json_lines(folder: Path) -> dict[str, str]:
    """A JSON Lines export: good lines, one broken line, a lone surrogate, a story given twice under two
    spellings of its URL (a duplicate), and that URL once more with other text (a conflict: kept, issue 12)."""
    good = {"url": "https://news.example.org/world/talks-resume", "title": "Talks resume in Istanbul", "text": "\n\n".join(PARAGRAPHS[:3])}
    surrogate = {
        "url": "https://news.example.org/world/sanctions",
        "title": "Sanctions stay \ud800 in place",
        "text": "\n\n".join(own(PARAGRAPHS[2:5], 8)).replace("sanctions", "sanc\udfffions", 1),
    }
    again = dict(good, url="https://www.news.example.org/world/talks-resume/?utm_source=feed")
    other_text = dict(again, text=good["text"] + " Updated.")
    lines = [
        json.dumps(good),
        '{"url": "https://news.example.org/broken", "title": "Cut off mid-wr',
        json.dumps(surrogate),  # json.dumps writes the lone surrogates as \ud800 escapes, as real exports do
        json.dumps(again),
        json.dumps(other_text),
    ]
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"export.jsonl#L1": "indexed", "export.jsonl#L2": "rejected", "export.jsonl#L3": "indexed",
            "export.jsonl#L4": "duplicate", "export.jsonl#L5": "indexed"}


def huge_page(path: Path, megabytes: int = 20) -> None:
    """A page of ``megabytes`` MB: a real article followed by a huge comment section, generated."""
    comment = "<div class='comment'><p>" + ("This is reader comment text that goes on and on. " * 20) + "</p></div>\n"
    head = html_page("Talks resume in Istanbul", PARAGRAPHS[:4]).replace("</body></html>", "")
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        out.write("<section id='comments'>\n")
        written = len(head)
        while written < megabytes * 1_000_000:
            out.write(comment)
            written += len(comment)
        out.write("</section></body></html>\n")
