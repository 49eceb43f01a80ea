"""Quote extraction against the hand-annotated gold set, beside textacy's ``direct_quotations``.

    python -m bench.quotes_eval          # table on stdout
    python -m bench.quotes_eval --json   # the figures as JSON
    python -m bench.quotes_eval --only blind_ -v   # only texts whose id starts so, with each miss

Gold: ``bench/gold/quotes/*.json``, one text each, with its quotes (text, speaker, kind,
start, end); annotation rules are in that folder's README.md.

How a prediction is matched, the same way for both systems:
- Spans are compared as sets of word positions (``\\w+`` runs of the text). A predicted and
  a gold quote match when their Dice overlap 2|P∩G|/(|P|+|G|) is >= 0.5: a span that
  includes or drops a trailing comma, the mark itself or a few edge words still counts, a
  different sentence does not. Pairs are matched one-to-one, best overlap first, within a
  class: "marked" quotes (direct + partial) and "indirect" ones.
- A speaker is right when both are None, or when the predicted speaker's words (lowercased,
  without a leading article, ’ read as ') are all among the gold speaker's words: "Kirby" or
  "John Kirby" for gold "John Kirby". This spares textacy, which does not canonicalise names.
- End-to-end F1: a true positive is a matched quote with the right speaker. ``e2e_f1_exact_speaker``
  is stricter: the speaker exactly as annotated, i.e. canonicalised ("Kirby" for "John Kirby" fails).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent / "gold" / "quotes"
REAL_GOLD_DIR = Path(__file__).resolve().parent / "gold" / "quotes_real"
# Annotated blind after the rules were tuned on the real set, and never used to tune them: how the
# real-set figures hold on news the rules have not seen.
HELDOUT_GOLD_DIR = Path(__file__).resolve().parent / "gold" / "quotes_heldout"
PAGES_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "extraction" / "html"
MIN_DICE = 0.5
CLASSES = {"direct": "marked", "partial": "marked", "indirect": "indirect"}
WORD = re.compile(r"\w+")
ARTICLES = ("a", "an", "the")


@dataclass(frozen=True)
class Item:
    kind: str
    start: int
    end: int
    speaker: str | None


def load_gold(folder: Path = GOLD_DIR) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def load_real_gold(folder: Path = REAL_GOLD_DIR, pages: Path = PAGES_DIR) -> tuple[list[dict], list[str]]:
    """The real-news gold as texts with offsets: each page cleaned by today's cleaner, each quote found in it.

    Returns (texts, problems): a quote whose words the cleaner no longer keeps is a problem, not dropped
    silently. Quotes are found in order, so a text quoted twice gets both places.
    """
    from etl.clean import clean
    from etl.settings import Settings
    from etl.sources import iter_sources

    settings = Settings.from_env()
    texts, problems = [], []
    for path in sorted(folder.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        (raw,) = iter_sources([str(pages / gold["page"])], settings)
        article = clean(raw, settings)
        body, quotes, cursor = article.body, [], 0
        for quote in gold["quotes"]:
            start = body.find(quote["text"], cursor)
            if start < 0:
                start = body.find(quote["text"])
            if start < 0:
                problems.append(f"{path.stem}: not in today's cleaned body: {quote['text'][:60]!r}")
                continue
            cursor = start
            quotes.append({**quote, "start": start, "end": start + len(quote["text"])})
        texts.append({"id": path.stem, "text": body, "quotes": quotes, "source": article.source})
    return texts, problems


def words_in(spans: list[tuple[int, int]], start: int, end: int) -> frozenset[int]:
    return frozenset(n for n, (s, e) in enumerate(spans) if s < end and e > start)


def speaker_matches(predicted: str | None, gold: str | None) -> bool:
    if predicted is None or gold is None:
        return predicted is gold
    pred, want = _speaker_words(predicted), _speaker_words(gold)
    return bool(pred) and set(pred) <= set(want)


def _same_speaker(predicted: str | None, gold: str | None) -> bool:
    if predicted is None or gold is None:
        return predicted is gold
    return _speaker_words(predicted) == _speaker_words(gold)


def _speaker_words(name: str) -> list[str]:
    words = name.replace("’", "'").lower().split()
    return words[1:] if words and words[0] in ARTICLES else words


def match(text: str, gold: list[Item], predicted: list[Item]) -> list[tuple[Item, Item]]:
    """One-to-one pairs (gold, predicted) within a class, best word overlap first."""
    spans = [m.span() for m in WORD.finditer(text)]
    g_words = [words_in(spans, g.start, g.end) for g in gold]
    p_words = [words_in(spans, p.start, p.end) for p in predicted]
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            if CLASSES[g.kind] != CLASSES[p.kind] or not g_words[gi] or not p_words[pi]:
                continue
            dice = 2 * len(g_words[gi] & p_words[pi]) / (len(g_words[gi]) + len(p_words[pi]))
            if dice >= MIN_DICE:
                candidates.append((dice, gi, pi))
    pairs, used_g, used_p = [], set(), set()
    for _, gi, pi in sorted(candidates, reverse=True):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gold[gi], predicted[pi]))
    return pairs


class Tally:
    def __init__(self) -> None:
        self.gold = self.predicted = self.found = self.correct = self.matched = self.right_speaker = 0
        self.exact_speaker = 0  # the speaker exactly as annotated (canonical full name)
        # The same two counts seen from the predicted side: with pairs reaching across kinds they differ.
        self.right_speaker_predicted = self.exact_speaker_predicted = 0

    def add(self, gold: list[Item], predicted: list[Item], pairs: list[tuple[Item, Item]]) -> None:
        """Pairs may reach beyond these lists (a gold direct quote found as partial): each side counts its own."""
        gold_ids, predicted_ids = {id(g) for g in gold}, {id(p) for p in predicted}
        self.gold += len(gold)
        self.predicted += len(predicted)
        self.found += sum(id(g) in gold_ids for g, _ in pairs)
        self.correct += sum(id(p) in predicted_ids for _, p in pairs)
        mine = [(g, p) for g, p in pairs if id(g) in gold_ids]
        self.matched += len(mine)
        self.right_speaker += sum(speaker_matches(p.speaker, g.speaker) for g, p in mine)
        self.exact_speaker += sum(_same_speaker(p.speaker, g.speaker) for g, p in mine)
        theirs = [(g, p) for g, p in pairs if id(p) in predicted_ids]
        self.right_speaker_predicted += sum(speaker_matches(p.speaker, g.speaker) for g, p in theirs)
        self.exact_speaker_predicted += sum(_same_speaker(p.speaker, g.speaker) for g, p in theirs)

    def figures(self) -> dict[str, float]:
        precision = self.correct / self.predicted if self.predicted else 0.0
        recall = self.found / self.gold if self.gold else 0.0
        e2e = _f1(self.right_speaker_predicted, self.predicted, self.right_speaker, self.gold)
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "speaker_accuracy": round(self.right_speaker / self.matched, 3) if self.matched else 0.0,
            "e2e_f1": round(e2e, 3),
            "e2e_f1_exact_speaker": round(_f1(self.exact_speaker_predicted, self.predicted, self.exact_speaker, self.gold), 3),
        }


def _f1(right_predicted: int, predicted: int, right_gold: int, gold: int) -> float:
    """Harmonic mean of end-to-end precision and recall; 2TP/(G+P) when both sides count the same pairs."""
    precision = right_predicted / predicted if predicted else 0.0
    recall = right_gold / gold if gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def ours(nlp, text: str) -> list[Item]:
    doc = nlp(text)
    if doc._.enrich_error:  # the component records its failure instead of raising: show it
        raise RuntimeError(doc._.enrich_error)
    return [Item(q.kind, q.start, q.end, q.speaker) for q in doc._.quotes]


def textacy_quotes(nlp, text: str) -> list[Item]:
    """textacy's direct quotations (its content span includes the marks; the words are what count)."""
    from textacy.extract.triples import direct_quotations

    doc = nlp(text)
    try:
        triples = list(direct_quotations(doc))
    except ValueError:  # textacy refuses texts with an odd number of quotation marks
        return []
    return [
        Item("direct", t.content.start_char, t.content.end_char, " ".join(tok.text for tok in t.speaker))
        for t in triples
    ]


def evaluate(gold_dir: Path = GOLD_DIR, only: str = "", real: bool = True) -> dict:
    """Figures for our extractor and textacy's: the real-news set (the headline) and the written texts
    whose id starts with ``only``."""
    import spacy

    from etl.enrich import load_nlp
    from etl.settings import Settings

    settings = Settings.from_env()
    nlp = load_nlp(settings)
    plain = spacy.load(settings.model)  # textacy reads lemmas, which our pipeline does without
    written = score([t for t in load_gold(gold_dir) if t["id"].startswith(only)], nlp, plain)
    result = {"written": written, **{k: written[k] for k in ("quotes_e2e_f1", "quotes_indirect_f1", "textacy_e2e_f1")}}
    if real and REAL_GOLD_DIR.is_dir() and PAGES_DIR.is_dir():
        texts, problems = load_real_gold()
        result["real"] = {**score(texts, nlp, plain, by_source=True), "gold_not_in_body": problems}
        result.update({f"real_{k}": result["real"][k] for k in ("quotes_e2e_f1", "quotes_indirect_f1", "textacy_e2e_f1")})
        result["real_indirect_precision"] = result["real"]["indirect"]["precision"]
    if real and HELDOUT_GOLD_DIR.is_dir() and PAGES_DIR.is_dir():
        texts, problems = load_real_gold(HELDOUT_GOLD_DIR)
        result["heldout"] = {**score(texts, nlp, plain), "gold_not_in_body": problems}
        result.update({f"heldout_{k}": result["heldout"][k] for k in ("quotes_e2e_f1", "quotes_indirect_f1")})
        result["heldout_indirect_precision"] = result["heldout"]["indirect"]["precision"]
    return result


def score(texts: list[dict], nlp, plain, by_source: bool = False) -> dict:
    """Per kind, per class (and per outlet) figures of ours and textacy's over gold texts with offsets.

    Gold quotes marked ``borderline`` count neither way: finding one is not a false positive, missing one
    is not a miss.
    """
    per_kind = {k: Tally() for k in ("direct", "partial", "indirect")}
    per_class = {c: Tally() for c in ("marked", "indirect")}
    per_source: dict[str, dict[str, Tally]] = {}
    textacy = Tally()
    misses: list[dict] = []
    for entry in texts:
        text = entry["text"]
        gold = [Item(q["kind"], q["start"], q["end"], q["speaker"]) for q in entry["quotes"] if not q.get("borderline")]
        optional = [Item(q["kind"], q["start"], q["end"], q["speaker"]) for q in entry["quotes"] if q.get("borderline")]
        predicted = ours(nlp, text)
        excused = {id(p) for _, p in match(text, optional, predicted)}
        predicted = [p for p in predicted if id(p) not in excused]
        outlet = per_source.setdefault(str(entry.get("source")), {c: Tally() for c in per_class})
        for cls, tally in per_class.items():
            g = [x for x in gold if CLASSES[x.kind] == cls]
            p = [x for x in predicted if CLASSES[x.kind] == cls]
            pairs = match(text, g, p)
            tally.add(g, p, pairs)
            outlet[cls].add(g, p, pairs)
            for kind in [k for k, c in CLASSES.items() if c == cls]:
                # Detection per kind: a quote found under the other kind of its class still counts as found.
                per_kind[kind].add(
                    [x for x in g if x.kind == kind],
                    [x for x in p if x.kind == kind],
                    pairs,
                )
            paired = {id(a) for a, _ in pairs}
            right = {id(a) for a, b in pairs if speaker_matches(b.speaker, a.speaker)}
            for x in g:
                if id(x) not in right:
                    why = "wrong speaker" if id(x) in paired else "missed"
                    misses.append({"text": entry["id"], "why": why, "gold": text[x.start : x.end][:70]})
            found = {id(b) for _, b in pairs}
            misses.extend(
                {"text": entry["id"], "why": "spurious " + x.kind, "gold": text[x.start : x.end][:70]}
                for x in p if id(x) not in found
            )
        marked_gold = [x for x in gold if CLASSES[x.kind] == "marked"]
        theirs = textacy_quotes(plain, text)
        textacy.add(marked_gold, theirs, match(text, marked_gold, theirs))

    marked, indirect = per_class["marked"].figures(), per_class["indirect"].figures()
    out = {
        "texts": len(texts),
        "per_kind": {k: t.figures() for k, t in per_kind.items()},
        "marked": marked,
        "indirect": indirect,
        "textacy_marked": textacy.figures(),
        "quotes_e2e_f1": marked["e2e_f1"],
        "quotes_indirect_f1": indirect["e2e_f1"],
        "textacy_e2e_f1": textacy.figures()["e2e_f1"],
        "errors": misses,
    }
    if by_source:
        out["per_source"] = {name: {c: t.figures() for c, t in tallies.items()} for name, tallies in sorted(per_source.items())}
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    only = argv[argv.index("--only") + 1] if "--only" in argv else ""
    result = evaluate(only=only)
    if "--json" in argv:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    if "real" in result:
        real = result["real"]
        print(f"REAL NEWS (headline): {real['texts']} real articles annotated blind "
              f"(match: word Dice >= {MIN_DICE}, speaker by name words; borderline gold counts neither way)")
        _table(real)
        print(f"  {'per outlet':32}{'d+p e2e':>9}{'ind e2e':>9}")
        for name, f in real["per_source"].items():
            print(f"  {name[:32]:32}{f['marked']['e2e_f1']:>9.3f}{f['indirect']['e2e_f1']:>9.3f}")
        for problem in real["gold_not_in_body"]:
            print(f"  ! {problem}")
        print()
    if "heldout" in result:
        heldout = result["heldout"]
        print(f"HELD OUT: {heldout['texts']} more real articles, annotated blind after the rules were tuned, never tuned on")
        _table(heldout)
        for problem in heldout["gold_not_in_body"]:
            print(f"  ! {problem}")
        print()
    written = result["written"]
    print(f"written texts (self-annotated test set): {written['texts']} texts")
    _table(written)
    if "-v" in argv:
        for section in ("real", "heldout", "written"):
            for e in result.get(section, {}).get("errors", []):
                print(f"  {e['text']:34} {e['why']:18} {e['gold']}")
    return 0


def _table(result: dict) -> None:
    print(f"{'':22}{'gold':>6}{'pred':>6}{'P':>7}{'R':>7}{'spk acc':>9}{'e2e F1':>8}{'exact':>7}")
    rows = [(f"  {k}", v) for k, v in result["per_kind"].items()]
    rows += [("direct+partial", result["marked"]), ("indirect", result["indirect"]),
             ("textacy direct", result["textacy_marked"])]
    for name, f in rows:
        print(f"{name:22}{f['gold']:>6}{f['predicted']:>6}{f['precision']:>7.3f}{f['recall']:>7.3f}"
              f"{f['speaker_accuracy']:>9.3f}{f['e2e_f1']:>8.3f}{f['e2e_f1_exact_speaker']:>7.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
