"""Development pairs for ``newshound eval dedupe``: labelled article pairs generated from the shared corpus.

    .venv/bin/newshound eval dedupe                     # generates them in memory and scores them
    .venv/bin/python -m newshound_dev.dedupe_pairs --out .cache/dedupe/dev-pairs.jsonl   # to read them

The corpus texts (German Wikinews, CC BY-NC-SA; English US political news, internal use only; the
MIT extraction gold texts; the two seeds) stay in ``../shared``: pairs are generated at run time,
in memory or under ``.cache/``, never committed. The same seed gives the same pairs.

Kinds, by label (format and labels: ``../shared/corpus/dedupe/README.md``):

- duplicate: a republished copy with other URL and title and packaging on one or both sides:
  ``exact_copy``, ``typography`` (soft hyphens, quote styles, no-break spaces), ``reflowed``
  paragraphs, ``dateline`` ("BERLIN (dpa) - " inside the first paragraph), ``agency_tag`` ("(AFP)"
  at a paragraph's end), ``credit_line``, ``byline``, ``share_photo_lines``, ``read_also`` and
  ``agency_packaging`` (several at once; for the few other-language pages, their agencies' credits);
- near_duplicate: the same article updated: ``update_appended``, ``update_replaced`` (one
  paragraph), ``update_lead_rewritten``, ``update_edited`` (figures and words corrected, a
  sentence dropped) and ``update_packaged`` (an update that is also a syndicated copy);
- same_story: ``seed_reports`` (the two seeds: two outlets' reports of one event),
  ``real_other_outlet`` (English reports of one event by two outlets, judged by reading both),
  ``follow_up_background`` (new text from another article, then background paragraphs of a, a day
  or two later) and ``other_outlet_rewrite`` (another outlet's report: a's attributed statements,
  from the corpus annotations, in other words, with a's lead reworded and often one of its figures);
- different: ``unrelated``, ``shared_entities`` (articles about other events naming the same
  people and places, moved a day apart), ``same_topic_other_day`` (real reports of the same topic
  one to three days apart, and German sports reports moved two days apart), template stories
  (``template_match_report``, ``template_market_close``, ``template_weather``,
  ``template_police_report``: the same frame with other names and numbers, a day or a few apart)
  and ``shared_boilerplate`` (the same editor's note appended to two unrelated articles).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from newshound_dev import dedupe_templates as packaging
from newshound_dev.corpus import REPOSITORY, SHARED_DIR_VARIABLE, shared_corpus_dir
from newshound_dev.dedupe_templates import TEMPLATE_KINDS
from newshound_dev.evaluation.dedupe import Label, LabelledPair, PairSide, write_pairs
from pipeline.errors import ConfigError

DEFAULT_SEED = 15
DEFAULT_OUT = REPOSITORY / ".cache" / "dedupe" / "dev-pairs.jsonl"

# Pairs per language and kind. A few hundred in all, every label well represented; the held-out
# set of issue 15 has about a fifth duplicates, and most of its hard cases are copies with packaging.
DUPLICATE_KINDS = {
    "exact_copy": 3,
    "typography": 5,
    "reflowed": 4,
    "dateline": 8,
    "agency_tag": 5,
    "credit_line": 7,
    "byline": 5,
    "share_photo_lines": 6,
    "read_also": 4,
    "agency_packaging": 12,
}
NEAR_DUPLICATE_KINDS = {
    "update_appended": 8,
    "update_replaced": 7,
    "update_lead_rewritten": 10,
    "update_edited": 5,
    "update_packaged": 6,
}
SAME_STORY_KINDS = {"follow_up_background": 16, "other_outlet_rewrite": 16}
DIFFERENT_KINDS = {"unrelated": 6, "shared_entities": 15, "shared_boilerplate": 12}
TEMPLATE_PAIRS = 6
SAME_TOPIC_OTHER_DAY = 12

# English reports of one event by two outlets (PolNeAR document ids), judged by reading both.
REAL_SAME_EVENT = (
    ("huff-post_2016-05-12_george-zimmerman-auctioning-off-", "usa-today_2016-05-13_auction-of-gun-used-to-kill-tray"),
    ("politico_2016-10-31_justice-department-pledges-quick", "usa-today_2016-10-31_feds-in-talks-to-get-emails-from"),
    (
        "huff-post_2016-09-20_hillary-clinton-speaks-directly-",
        "west-journal_2016-09-21_chris-christie-calls-hillary-cli",
    ),
    ("usa-today_2016-10-10_video-surfaces-first-thing-in-de", "wash-post_2016-10-10_scorched-earth-upends-a-usually-"),
    ("huff-post_2016-04-20_hillary-clinton-won-among-wall-s", "nyt_2016-04-21_crucial-wins-for-clinton-and-tru"),
    ("breitbart_2016-03-01_the-latest-sanders-wins-minnesot", "usa-today_2016-03-02_no-clear-path-points-to-white-ho"),
    ("west-journal_2016-07-28_obama-claims-hillary-most-qualif", "nyt_2016-07-29_obama-lays-out-stakes-for-a-divi"),
    ("nyt_2016-06-09_ryan-calls-trump-line-racist-but", "usa-today_2016-06-09_trump-tries-new-chapter-in-campa"),
)
# German sports reports of one competition on other days (Wikinews ids): different events.
REAL_SAME_TOPIC_DE = (("8067", "8814"), ("83753", "83783"))
SEED_FILES = ("000_fa1d1d3df9522426.txt", "004_acf23cb9a31ceae1.txt")
SEED_DATES = (date(2024, 10, 28), date(2024, 10, 29))

OUTLETS = {
    "de": ["nachrichtenblatt", "weltrundschau", "tagesbote-nord", "rheinkurier", "morgenpost-ost", "alpenzeitung"],
    "en": ["dailyledger", "capitolwire", "lakeshoretimes", "thecourier", "metroherald", "pacificpost"],
}
UPDATE_MARKERS = {
    "de": ["Update, {hour}.{minute:02d} Uhr: ", "Aktualisiert: ", "Nachtrag: ", ""],
    "en": ["UPDATE: ", "Update, {hour}:{minute:02d} p.m.: ", "Updated: ", ""],
}
LEAD_OPENERS = {
    "de": [
        "Neue Entwicklung am {weekday}. ",
        "Inzwischen ist mehr bekannt. ",
        "Die Lage hat sich am {weekday} zugespitzt. ",
        "",
    ],
    "en": [
        "Updated on {weekday}. ",
        "More details emerged on {weekday}. ",
        "The situation developed further on {weekday}. ",
        "",
    ],
}
FILLERS = {
    "de": ["nun", "inzwischen", "bereits", "offenbar", "demnach", "zuletzt"],
    "en": ["now", "meanwhile", "already", "apparently", "reportedly", "later"],
}
CLOSERS = {
    "de": [
        "Eine Stellungnahme lag zunächst nicht vor.",
        "Die Hintergründe sind noch unklar.",
        "Weitere Einzelheiten wurden nicht bekannt.",
    ],
    "en": [
        "It was not immediately clear what would happen next.",
        "A spokesperson did not respond to a request for comment.",
        "Further details were not released.",
    ],
}
BACKGROUND_LINES = {
    "de": ["Hintergrund", "Zum Hintergrund:", "Was bisher geschah"],
    "en": ["Background", "What we know so far", "Catch up:"],
}
PRONOUNS = frozenset(
    [
        "er",
        "sie",
        "es",
        "wir",
        "ich",
        "ihr",
        "man",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "this",
        "that",
        "who",
        "which",
        "one",
    ]
)
_SENTENCE_END = re.compile(r"(?<=[.!?…“”\"«»])\s+(?=[„“\"»«(A-ZÄÖÜ0-9])")
_NAME = re.compile(r"\b[A-ZÄÖÜ][\w'’-]+(?:\s+[A-ZÄÖÜ][\w'’-]+)+")
_NAME_STOP = frozenset(
    [
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "im",
        "in",
        "am",
        "an",
        "auf",
        "bei",
        "nach",
        "mit",
        "von",
        "vor",
        "für",
        "über",
        "unter",
        "wie",
        "als",
        "und",
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "of",
        "for",
        "by",
        "with",
        "from",
        "as",
        "and",
        "but",
        "when",
        "after",
        "while",
        "mr",
        "mrs",
        "ms",
    ]
)
_LONG_WORD = re.compile(r"\b\w{9,}\b")
_NUMBER = re.compile(r"\b\d+\b")


@dataclass(frozen=True, slots=True)
class SourceArticle:
    """A corpus article the pairs are made of."""

    key: str
    lang: str
    title: str
    paragraphs: tuple[str, ...]
    published: date | None
    # (speaker, what was said, quoted verbatim) from the corpus annotations
    statements: tuple[tuple[str, str, bool], ...] = ()
    words: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", sum(len(paragraph.split()) for paragraph in self.paragraphs))


# --- reading the corpus --------------------------------------------------------------------------


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p for p in (re.sub(r"\s*\n\s*", " ", block).strip() for block in re.split(r"\n\s*\n", text)) if p)


def _speaker_ok(speaker: str) -> bool:
    words = speaker.split()
    return bool(words) and speaker[:1].isupper() and len(words) <= 8 and words[0].lower() not in PRONOUNS


def _statement_ok(content: str) -> bool:
    return 5 <= len(content.split()) <= 60


def wikinews_articles(corpus: Path) -> list[SourceArticle]:
    """German Wikinews articles with title, date and the annotated statements."""
    articles = []
    path = corpus / "claims" / "germeval2023-spkatt-news-de" / "docs.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        name = re.fullmatch(r"\d+ - (.*) \((\d{4}-\d\d-\d\d)\)", raw["documentName"])
        if name is None:
            continue
        statements = tuple(
            (a["speaker"]["text"], a["quote"]["text"], a["type"] == "Direct")
            for a in raw["annotations"]
            if not a.get("isNested") and _speaker_ok(a["speaker"]["text"]) and _statement_ok(a["quote"]["text"])
        )
        articles.append(
            SourceArticle(
                f"de:{raw['doc_id']}",
                "de",
                name.group(1),
                _paragraphs(raw["originalText"]),
                date.fromisoformat(name.group(2)),
                statements,
            )
        )
    return articles


def polnear_articles(corpus: Path) -> list[SourceArticle]:
    """English political news with title, date and the annotated attributions; the body without
    its first paragraph, which repeats the title."""
    articles = []
    path = corpus / "claims" / "polnear-en" / "docs.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        paragraphs = _paragraphs(raw["text"])
        if paragraphs and paragraphs[0].rstrip(".").startswith(raw["title"].rstrip(".")[:40]):
            paragraphs = paragraphs[1:]
        statements = []
        for attribution in raw.get("attributions", []):
            speaker = " ".join(span["text"] for span in attribution.get("source", []))
            content = " ".join(span["text"] for span in attribution.get("content", []))
            if _speaker_ok(speaker) and _statement_ok(content):
                statements.append((speaker, content.strip('“”"‘’ ,.'), content.lstrip()[:1] in '“"'))
        articles.append(
            SourceArticle(
                f"en:{raw['doc_id']}",
                "en",
                raw["title"].strip(),
                paragraphs,
                date.fromisoformat(raw["publication_date"]),
                tuple(statements),
            )
        )
    return articles


def gold_articles(corpus: Path, detect: Callable[[str], str | None]) -> list[SourceArticle]:
    """The extraction corpus's gold texts (MIT) with the page title; no dates (they get one)."""
    from newshound_dev.newsweb.site import title_and_summary

    folder = corpus / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    articles = []
    for page_id in sorted(truth):
        page = folder / "html" / f"{page_id}.html.gz"
        if not page.is_file():
            continue
        title, _ = title_and_summary(gzip.decompress(page.read_bytes()))
        text = truth[page_id]["articleBody"]
        paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
        articles.append(SourceArticle(f"x:{page_id[:16]}", detect(text) or "en", title, paragraphs, None))
    return articles


def seed_articles(corpus: Path) -> list[SourceArticle]:
    """The two seeds: two German outlets' reports of one event."""
    from newshound_dev.newsweb.site import SEED_TITLES

    seeds = []
    for name, day in zip(SEED_FILES, SEED_DATES, strict=True):
        lines = [line.strip() for line in (corpus / "seeds" / name).read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if line]
        title, body = (SEED_TITLES[name], lines) if name in SEED_TITLES else (lines[0], lines[1:])
        seeds.append(SourceArticle(f"seed:{name}", "de", title, tuple(body), day))
    return seeds


# --- text operations -------------------------------------------------------------------------------


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph) if s.strip()]


def names(article: SourceArticle) -> set[str]:
    """Multi-word capitalised names ("Hillary Clinton", "Vereinten Nationen"), leading articles dropped."""
    found = set()
    for match in _NAME.finditer(" ".join(article.paragraphs)):
        words = match.group(0).split()
        while words and words[0].lower() in _NAME_STOP:
            words = words[1:]
        if len(words) >= 2:
            found.add(" ".join(words))
    return found


def slug(title: str) -> str:
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60] or "article"


def soft_hyphens(text: str, rng: random.Random, share: float = 0.3) -> str:
    """Soft hyphens inside some long words, as hyphenating CMS exports leave them."""

    def hyphenate(match: re.Match[str]) -> str:
        word = match.group(0)
        if rng.random() > share:
            return word
        cut = rng.randint(3, len(word) - 3)
        return word[:cut] + "\u00ad" + word[cut:]

    return _LONG_WORD.sub(hyphenate, text)


def restyle_quotes(text: str, lang: str, rng: random.Random) -> str:
    """Another house style for quotation marks, apostrophes and dashes."""
    if lang == "de":
        opening, closing = rng.choice([('"', '"'), ("»", "«"), ("“", "”")])
        text = text.replace("„", opening).replace("“", closing)
    else:
        text = text.replace("“", '"').replace("”", '"') if rng.random() < 0.7 else text.replace('"', "“")
    text = text.replace("’", "'") if rng.random() < 0.5 else text.replace("'", "’")
    if rng.random() < 0.5:
        text = text.replace(" – ", " - ").replace(" — ", " -- ")
    if rng.random() < 0.5:  # no-break spaces before units and after numbers
        text = re.sub(r"(\d) (?=(?:Prozent|Euro|Jahre|percent|million|dollars|years))", "\\1\u00a0", text)
    return text


def reflow(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Paragraphs merged and split elsewhere, as another CMS breaks them."""
    result = list(paragraphs)
    for _ in range(rng.randint(1, 3)):
        if len(result) >= 2 and rng.random() < 0.5:
            i = rng.randrange(len(result) - 1)
            result[i : i + 2] = [result[i] + " " + result[i + 1]]
        else:
            i = rng.randrange(len(result))
            parts = sentences(result[i])
            if len(parts) >= 2:
                cut = rng.randint(1, len(parts) - 1)
                result[i : i + 1] = [" ".join(parts[:cut]), " ".join(parts[cut:])]
    return result


def _plain(word: str) -> bool:
    """A lowercase word of letters only: names, numbers, quotes and punctuation stay in place."""
    return word.isalpha() and word[:1].islower()


def reword(sentence: str, lang: str, rng: random.Random, share: float = 0.2) -> str:
    """A sentence with some plain words dropped, swapped or added: another writer's or an editor's
    version (crude, but it breaks word shingles as rewording does and keeps names, numbers and quotes)."""
    words = sentence.split()
    result: list[str] = []
    i = 0
    while i < len(words):
        roll, word = rng.random(), words[i]
        if roll < share * 0.4 and len(words) > 6 and _plain(word):
            i += 1  # dropped
            continue
        if roll < share * 0.7 and i + 1 < len(words) and _plain(word) and _plain(words[i + 1]):
            result += [words[i + 1], word]
            i += 2
            continue
        if roll < share and _plain(word):
            result.append(rng.choice(FILLERS[lang]))
        result.append(word)
        i += 1
    return " ".join(result)


def change_numbers(text: str, rng: random.Random, limit: int = 2) -> str:
    """Some figures corrected (a toll rises, a count is revised)."""
    matches = list(_NUMBER.finditer(text))
    chosen = {m.start() for m in rng.sample(matches, min(limit, len(matches)))}

    def bump(match: re.Match[str]) -> str:
        if match.start() not in chosen or len(match.group(0)) == 4:  # years stay
            return match.group(0)
        return str(int(match.group(0)) + rng.randint(1, 9))

    return _NUMBER.sub(bump, text)


def text_of(paragraphs: Sequence[str], rng: random.Random) -> str:
    """Paragraphs as an extractor returns them: blank lines between them, sometimes single newlines."""
    return ("\n\n" if rng.random() < 0.8 else "\n").join(paragraphs)


def retitle(title: str, lang: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return title
    if roll < 0.55:
        return f"{title} | {rng.choice(OUTLETS[lang] if lang in OUTLETS else OUTLETS['en']).title()}"
    if roll < 0.75 and ":" in title:
        return title.split(":", 1)[1].strip() or title
    words = title.split()
    return " ".join(words[: max(3, len(words) * 2 // 3)])


# --- the generator -------------------------------------------------------------------------------


@dataclass
class _Generator:
    rng: random.Random
    by_lang: dict[str, list[SourceArticle]]
    others: list[SourceArticle]  # gold pages in neither German nor English
    pairs: list[LabelledPair] = field(default_factory=list)
    names: dict[str, set[str]] = field(default_factory=dict)  # multi-word names by article key, made when needed

    def pick(self, lang: str, *, min_paragraphs: int = 3, min_words: int = 80, max_words: int = 1600) -> SourceArticle:
        pool = [
            a for a in self.by_lang[lang] if len(a.paragraphs) >= min_paragraphs and min_words <= a.words <= max_words
        ]
        return self.rng.choice(pool)

    def day_of(self, article: SourceArticle) -> date:
        if article.published is not None:
            return article.published
        return date(2019, 1, 1) + timedelta(days=self.rng.randrange(365))

    def side(
        self, lang: str, title: str, paragraphs: Sequence[str], day: date | None, *, text: str | None = None
    ) -> PairSide:
        outlets = OUTLETS.get(lang) or [f"wire-{lang}"]
        when = datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
        path = f"{day:%Y/%m/%d}" if day else "archive"
        serial = len(self.pairs) * 2 + self.rng.randrange(2)
        url = f"https://www.{self.rng.choice(outlets)}.example/{path}/{slug(title)}-{serial}.html"
        return PairSide(title, text if text is not None else text_of(paragraphs, self.rng), url, when)

    def add(self, label: Label, kind: str, lang: str, a: PairSide, b: PairSide) -> None:
        if a.url == b.url:
            b = replace(b, url=b.url.replace(".html", "-copy.html"))
        self.pairs.append(LabelledPair(f"dev-{len(self.pairs) + 1:04d}", a, b, label, kind, lang))

    # --- duplicates ---

    def packaged(
        self, paragraphs: list[str], lang: str, day: date | None, elements: Sequence[str], other_title: str
    ) -> list[str]:
        """The paragraphs with the packaging ``elements`` a syndicating outlet adds."""
        rng, result = self.rng, list(paragraphs)
        if lang not in packaging.REPORTERS:  # the few other-language pages: their agencies' credit
            return [*result, packaging.credit_line(lang, rng, day)]
        for element in elements:
            if element == "dateline":
                result[0] = packaging.dateline(lang, rng, day, " ".join(paragraphs)) + result[0]
            elif element == "agency_tag":
                tagged = {*rng.sample(range(len(result)), min(len(result), rng.randint(1, 2))), len(result) - 1}
                for i in sorted(tagged):
                    result[i] = result[i].rstrip() + packaging.agency_tag(lang, rng)
            elif element == "credit_line":
                result.append(packaging.credit_line(lang, rng, day))
            elif element == "byline":
                result.insert(0, packaging.byline(lang, rng))
            elif element == "share_photo_lines":
                result.insert(1 if rng.random() < 0.5 else 0, packaging.photo_credit(lang, rng))
                result.insert(rng.choice([0, len(result)]), packaging.share_line(lang, rng))
            elif element == "read_also":
                result.insert(rng.randint(1, max(1, len(result) - 1)), packaging.read_also(lang, rng, other_title))
            elif element == "typography":
                result = [restyle_quotes(soft_hyphens(p, rng), lang, rng) for p in result]
            elif element == "reflowed":
                result = reflow(result, rng)
        return result

    def duplicate(self, lang: str, kind: str) -> None:
        rng = self.rng
        source = self.pick(lang) if lang in self.by_lang else rng.choice(self.others)
        day, other = self.day_of(source), self.pick(source.lang if source.lang in self.by_lang else "en")
        body = list(source.paragraphs)
        if kind == "exact_copy":
            elements: list[str] = []
        elif kind == "agency_packaging":
            extras = ["agency_tag", "credit_line", "byline", "share_photo_lines", "read_also", "typography", "reflowed"]
            elements = ["dateline", *rng.sample(extras, rng.randint(2, 4))]
        else:
            elements = [kind]
            if kind == "dateline" and rng.random() < 0.5:
                elements.append("credit_line")
        a_body = body
        if kind == "agency_packaging" and rng.random() < 0.5:  # the agency's own version is packaged too
            a_body = self.packaged(body, source.lang, day, ["dateline", "credit_line"], other.title)
        b_body = self.packaged(body, source.lang, day, elements, other.title)
        for _ in range(5):  # a reflow can put the breaks back where they were, two credits can agree
            if kind == "exact_copy" or b_body != a_body:
                break
            b_body = self.packaged(body, source.lang, day, elements, other.title)
        if rng.random() < 0.1:
            b_body = [source.title, *b_body]  # the headline repeated above the text
        b_day = day + timedelta(days=rng.choice([0, 0, 0, 1])) if day else None
        a = self.side(source.lang, source.title, a_body, day)
        b = self.side(source.lang, retitle(source.title, source.lang, rng), b_body, b_day)
        self.add("duplicate", kind, source.lang, a, b)

    # --- near duplicates ---

    def related(self, source: SourceArticle) -> SourceArticle:
        """Another article naming one of the source's multi-word names (any other when none does)."""
        if not self.names:
            self.names = {a.key: names(a) for lang in sorted(self.by_lang) for a in self.by_lang[lang]}
        own = self.names.get(source.key, set())
        pool = [
            a
            for a in self.by_lang[source.lang]
            if a.key != source.key and len(a.paragraphs) >= 2 and a.words >= 60 and own & self.names[a.key]
        ]
        if pool:
            return self.rng.choice(pool)
        other = self.pick(source.lang, min_paragraphs=2, min_words=60)
        return other if other.key != source.key else self.related(source)

    def new_paragraphs(self, source: SourceArticle, words: int, other: SourceArticle | None = None) -> list[str]:
        """Paragraphs of a related article (or of ``other``), about ``words`` words in all."""
        other = other or self.related(source)
        found: list[str] = []
        for paragraph in other.paragraphs:
            if sum(len(p.split()) for p in found) >= words:
                break
            if len(paragraph.split()) >= 8:
                found.append(paragraph)
        return found or [other.paragraphs[0]]

    def rewritten_lead(self, source: SourceArticle, day: date) -> str:
        """The lead of an update: a new opening (sometimes a new fact, from a related article), then
        the old lead's sentences reordered and reworded, a figure revised."""
        rng, lang = self.rng, source.lang
        parts = sentences(source.paragraphs[0])
        if len(parts) >= 2 and rng.random() < 0.6:
            parts = [parts[1], parts[0], *parts[2:]]
        if rng.random() < 0.5:
            opener = sentences(self.new_paragraphs(source, 10)[0])[0] + " "
        else:
            opener = rng.choice(LEAD_OPENERS[lang]).format(weekday=packaging.WEEKDAYS[lang][day.weekday()])
        return opener + " ".join(reword(change_numbers(s, rng, 1), lang, rng, 0.3) for s in parts)

    def updated(self, source: SourceArticle, kind: str, day: date) -> list[str]:
        rng, lang, body = self.rng, source.lang, list(source.paragraphs)
        if kind == "update_appended":
            budget = int(source.words * rng.uniform(0.15, 0.5))
            added = self.new_paragraphs(source, budget)
            marker = rng.choice(UPDATE_MARKERS[lang]).format(hour=rng.randint(9, 11), minute=rng.randrange(0, 60, 5))
            return [*body, marker + added[0], *added[1:]]
        if kind == "update_replaced":
            i = rng.randrange(1, len(body))
            body[i] = self.new_paragraphs(source, len(body[i].split()))[0]
            return body
        if kind == "update_lead_rewritten":
            body[0] = self.rewritten_lead(source, day)
            return body
        # update_edited: figures corrected, words changed, one sentence dropped, sometimes a correction note
        body = [change_numbers(p, rng, 1) if rng.random() < 0.5 else p for p in body]
        i = rng.randrange(1, len(body))
        parts = sentences(body[i])
        if len(parts) >= 2:
            parts.pop(rng.randrange(len(parts)))
            body[i] = " ".join(parts)
        j = rng.randrange(len(body))
        body[j] = reword(body[j], lang, rng, 0.15)
        return body

    def near_duplicate(self, lang: str, kind: str) -> None:
        rng = self.rng
        short = kind == "update_lead_rewritten" and rng.random() < 0.4
        source = self.pick(lang, min_words=60, max_words=160 if short else 1600)
        day = self.day_of(source)
        if kind == "update_packaged":
            body = self.updated(source, rng.choice(["update_appended", "update_lead_rewritten"]), day)
            elements = ["dateline", *rng.sample(["credit_line", "byline", "agency_tag", "share_photo_lines"], 2)]
            body = self.packaged(body, lang, day, elements, self.pick(lang).title)
        else:
            body = self.updated(source, kind, day)
        title = source.title if rng.random() < 0.5 else retitle(source.title, lang, rng)
        a = self.side(lang, source.title, source.paragraphs, day)
        b = self.side(lang, title, body, day + timedelta(days=rng.choice([0, 0, 1])))
        self.add("near_duplicate", kind, lang, a, b)

    # --- same story ---

    def follow_up(self, lang: str) -> None:
        """New text from another article, then a block of a's background paragraphs."""
        rng = self.rng
        source = self.pick(lang, min_paragraphs=3, min_words=100)
        day = self.day_of(source)
        share = rng.uniform(0.3, 0.85)
        sizes = [len(p.split()) for p in source.paragraphs]
        starts = [i for i in range(1, len(sizes)) if sum(sizes[i:]) >= share * source.words] or [1]
        start = rng.choice(starts)
        background: list[str] = []
        for paragraph in source.paragraphs[start:]:
            background.append(paragraph)
            if sum(len(p.split()) for p in background) >= share * source.words:
                break
        background_words = sum(len(p.split()) for p in background)
        other = self.related(source)
        fresh = self.new_paragraphs(source, int(background_words * rng.uniform(0.5, 1.3)), other)
        lines = [*fresh]
        if rng.random() < 0.3:
            lines.append(rng.choice(BACKGROUND_LINES[lang]))
        lines += background
        a = self.side(lang, source.title, source.paragraphs, day)
        b = self.side(lang, other.title, lines, day + timedelta(days=rng.choice([1, 1, 2])))
        self.add("same_story", "follow_up_background", lang, a, b)

    def statement_sentence(self, speaker: str, content: str, direct: bool, lang: str) -> str:
        """A statement in another outlet's words: quotes stay verbatim, reported speech is reworded."""
        content = content.strip(' „“”"»«,.')
        if direct:
            frames = {
                "de": [f"„{content}“ – so {speaker}.", f"{speaker}: „{content}“"],
                "en": [f"“{content},” {speaker} said.", f"“{content},” said {speaker}."],
            }
        else:
            content = reword(content, lang, self.rng, 0.35)
            frames = {
                "de": [f"Laut {speaker} {content}.", f"{speaker} zufolge {content}."],
                "en": [f"{speaker} said {content}.", f"According to {speaker}, {content}."],
            }
        return self.rng.choice(frames[lang])

    def other_outlet(self, lang: str) -> None:
        """Another outlet's report of a's event: its statements in other frames, its lead reworded."""
        rng = self.rng
        pool = [a for a in self.by_lang[lang] if len(a.statements) >= 3 and len(a.paragraphs) >= 2 and a.words >= 80]
        source = rng.choice(pool)
        day = self.day_of(source)
        lead = reword(sentences(source.paragraphs[0])[0], lang, rng, 0.35)
        chosen = rng.sample(source.statements, min(len(source.statements), rng.randint(2, 5)))
        said = [self.statement_sentence(speaker, content, direct, lang) for speaker, content, direct in chosen]
        rest = [s for p in source.paragraphs[1:] for s in sentences(p)]
        with_figures = [s for s in rest if re.search(r"\d{3}", s)] or rest
        body = [lead, " ".join(said[:2]), " ".join(said[2:])]
        if with_figures and rng.random() < 0.6:
            body.insert(2, reword(rng.choice(with_figures), lang, rng, 0.2))
        body.append(rng.choice(CLOSERS[lang]))
        a = self.side(lang, source.title, source.paragraphs, day)
        b = self.side(
            lang, retitle(source.title, lang, rng), [p for p in body if p], day + timedelta(days=rng.choice([0, 1]))
        )
        self.add("same_story", "other_outlet_rewrite", lang, a, b)

    # --- different ---

    def two(self, lang: str, *, max_words: int = 1600) -> tuple[SourceArticle, SourceArticle]:
        """Two different articles."""
        first = self.pick(lang, min_paragraphs=2, min_words=50, max_words=max_words)
        second = self.pick(lang, min_paragraphs=2, min_words=50, max_words=max_words)
        return (first, second) if first.key != second.key else self.two(lang, max_words=max_words)

    def unrelated(self, lang: str) -> None:
        first, second = self.two(lang)
        day = self.day_of(first)
        a = self.side(lang, first.title, first.paragraphs, day)
        b = self.side(lang, second.title, second.paragraphs, day + timedelta(days=self.rng.randint(0, 2)))
        self.add("different", "unrelated", lang, a, b)

    def shared_entities(self, lang: str, first: SourceArticle, second: SourceArticle) -> None:
        """Two articles about other events that name the same people and places, moved a day apart."""
        day = self.day_of(first)
        a = self.side(lang, first.title, first.paragraphs, day)
        b = self.side(lang, second.title, second.paragraphs, day + timedelta(days=self.rng.choice([0, 1, 1, 2])))
        self.add("different", "shared_entities", lang, a, b)

    def template(self, lang: str, kind: str) -> None:
        rng = self.rng
        write = TEMPLATE_KINDS[kind]
        day = date(2016, 1, 4) + timedelta(days=rng.randrange(2000))
        if day.weekday() >= 5 and kind == "template_market_close":
            day -= timedelta(days=day.weekday() - 4)
        later = day + timedelta(days=rng.choice([1, 2, 3]) if kind == "template_match_report" else 1)
        if kind == "template_market_close" and later.weekday() >= 5:
            later += timedelta(days=7 - later.weekday())
        subject = rng.randrange(8)
        other_subject = subject if rng.random() < 0.7 else rng.randrange(8)
        first, second = write(lang, rng, day, subject), write(lang, rng, later, other_subject)
        a = self.side(lang, first.title, first.paragraphs, day)
        b = self.side(lang, second.title, second.paragraphs, later)
        self.add("different", kind, lang, a, b)

    def shared_boilerplate(self, lang: str) -> None:
        rng = self.rng
        short = rng.random() < 0.6
        first, second = self.two(lang, max_words=220 if short else 1600)
        note = rng.choice(packaging.EDITOR_NOTES[lang])
        share = [packaging.share_line(lang, rng)] if rng.random() < 0.3 else []
        day = self.day_of(first)
        a = self.side(lang, first.title, [*first.paragraphs, note, *share], day)
        b = self.side(lang, second.title, [*second.paragraphs, note, *share], day + timedelta(days=rng.randint(0, 1)))
        self.add("different", "shared_boilerplate", lang, a, b)


def _shared_entity_candidates(articles: list[SourceArticle]) -> list[tuple[SourceArticle, SourceArticle]]:
    """Pairs naming at least three (German: two) of the same multi-word names, published a month
    or more apart (so about other events), sharing no run of eight words (no copied background)."""
    found = {a.key: names(a) for a in articles}
    grams = {a.key: _grams(a, 8) for a in articles}
    least = 2 if articles and articles[0].lang == "de" else 3
    pairs = []
    dated = sorted((a for a in articles if a.published and a.words >= 80), key=lambda a: a.key)
    for i, first in enumerate(dated):
        for second in dated[i + 1 :]:
            assert first.published and second.published
            if abs((first.published - second.published).days) < 30:
                continue
            if len(found[first.key] & found[second.key]) >= least and not grams[first.key] & grams[second.key]:
                pairs.append((first, second))
    return pairs


def _grams(article: SourceArticle, size: int) -> set[str]:
    words = re.findall(r"\w+", " ".join(article.paragraphs).lower())
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _same_topic_other_day(
    articles: list[SourceArticle], limit: int, rng: random.Random
) -> list[tuple[SourceArticle, SourceArticle]]:
    """English reports one to three days apart that name three or more of the same widely named
    people (no rare name in common) and share no run of six words: the same campaign, other events."""
    found = {a.key: names(a) for a in articles}
    frequency = Counter(name for key in sorted(found) for name in found[key])
    grams = {a.key: _grams(a, 6) for a in articles}
    dated = sorted((a for a in articles if a.published and a.words >= 150), key=lambda a: a.key)
    pairs = []
    for i, first in enumerate(dated):
        for second in dated[i + 1 :]:
            assert first.published and second.published
            if not 1 <= abs((first.published - second.published).days) <= 3:
                continue
            shared = found[first.key] & found[second.key]
            if len(shared) >= 3 and min(frequency[n] for n in shared) > 15 and not grams[first.key] & grams[second.key]:
                pairs.append((first, second) if first.published <= second.published else (second, first))
    return rng.sample(pairs, min(limit, len(pairs)))


def development_pairs(corpus: Path | None = None, *, seed: int = DEFAULT_SEED) -> list[LabelledPair]:
    """The labelled development pairs generated from the shared corpus (deterministic for a seed)."""
    from pipeline.extract import detect_language

    corpus = corpus or shared_corpus_dir()
    if not (corpus / "claims").is_dir():
        raise ConfigError(
            str(corpus),
            "corpus",
            "the shared corpus is not there",
            f"set {SHARED_DIR_VARIABLE} to the folder holding corpus/",
        )
    german, english = wikinews_articles(corpus), polnear_articles(corpus)
    gold = gold_articles(corpus, detect_language)
    rng = random.Random(seed)
    by_lang = {"de": german, "en": english + [a for a in gold if a.lang == "en"]}
    others = [a for a in gold if a.lang not in by_lang and a.words >= 80]
    generator = _Generator(rng, by_lang, others)
    for lang in ("de", "en"):
        for kind, count in DUPLICATE_KINDS.items():
            for _ in range(count):
                generator.duplicate(lang, kind)
    for _ in range(min(4, len(others))):
        generator.duplicate("other", "agency_packaging")
    for lang in ("de", "en"):
        for kind, count in NEAR_DUPLICATE_KINDS.items():
            for _ in range(count):
                generator.near_duplicate(lang, kind)
    first_seed, second_seed = seed_articles(corpus)
    generator.add(
        "same_story",
        "seed_reports",
        "de",
        generator.side("de", first_seed.title, first_seed.paragraphs, first_seed.published),
        generator.side("de", second_seed.title, second_seed.paragraphs, second_seed.published),
    )
    english_by_id = {a.key.removeprefix("en:"): a for a in english}
    for first_id, second_id in REAL_SAME_EVENT:
        first, second = english_by_id[first_id], english_by_id[second_id]
        a = generator.side("en", first.title, first.paragraphs, first.published)
        generator.add(
            "same_story",
            "real_other_outlet",
            "en",
            a,
            generator.side("en", second.title, second.paragraphs, second.published),
        )
    for lang in ("de", "en"):
        for _ in range(SAME_STORY_KINDS["follow_up_background"]):
            generator.follow_up(lang)
        for _ in range(SAME_STORY_KINDS["other_outlet_rewrite"]):
            generator.other_outlet(lang)
    for lang, articles in (("de", german), ("en", english)):
        for _ in range(DIFFERENT_KINDS["unrelated"]):
            generator.unrelated(lang)
        candidates = _shared_entity_candidates(articles)
        for first, second in rng.sample(candidates, min(DIFFERENT_KINDS["shared_entities"], len(candidates))):
            generator.shared_entities(lang, first, second)
        for kind in TEMPLATE_KINDS:
            for _ in range(TEMPLATE_PAIRS):
                generator.template(lang, kind)
        for _ in range(DIFFERENT_KINDS["shared_boilerplate"]):
            generator.shared_boilerplate(lang)
    for first, second in _same_topic_other_day(english, SAME_TOPIC_OTHER_DAY, rng):
        a = generator.side("en", first.title, first.paragraphs, first.published)
        generator.add(
            "different",
            "same_topic_other_day",
            "en",
            a,
            generator.side("en", second.title, second.paragraphs, second.published),
        )
    german_by_id = {a.key.removeprefix("de:"): a for a in german}
    for first_id, second_id in REAL_SAME_TOPIC_DE:
        first, second = german_by_id[first_id], german_by_id[second_id]
        day = generator.day_of(first)
        a = generator.side("de", first.title, first.paragraphs, day)
        generator.add(
            "different",
            "same_topic_other_day",
            "de",
            a,
            generator.side("de", second.title, second.paragraphs, day + timedelta(days=2)),
        )
    return generator.pairs


def pair_counts(pairs: Sequence[LabelledPair]) -> Iterator[str]:
    """Lines "label kind lang count", for a look at what was generated."""
    counts = Counter((p.label, p.kind or "-", p.lang or "-") for p in pairs)
    for (label, kind, lang), count in sorted(counts.items()):
        yield f"{label:<15} {kind:<24} {lang:<5} {count:>4}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the development dedupe pairs (JSON Lines).")
    parser.add_argument("--corpus", type=Path, default=None, help="the shared corpus folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    pairs = development_pairs(args.corpus, seed=args.seed)
    write_pairs(pairs, args.out)
    for line in pair_counts(pairs):
        print(line)
    print(f"{len(pairs)} pairs written to {args.out}")


if __name__ == "__main__":
    main()
