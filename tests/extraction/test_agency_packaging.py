"""Agency packaging: a syndicated copy cleans to the original's text and content hash, and what the
packaging named (agencies, the byline) is kept as metadata; article sentences that look like
packaging stay."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from pipeline.build import BuildJob, BuiltArticle, Toolkit, build_articles
from pipeline.clean import CleaningRules, clean_text, default_rules_path, load_cleaning_rules
from pipeline.dedupe.fingerprints import content_hash
from pipeline.models import CleanedText, FeedEntry, FetchedPage
from pipeline.settings import load_settings

# The article as its author wrote it, one paragraph a line, without any packaging.
GERMAN = [
    "Die Bundesregierung hat am Mittwoch ein Gesetz zur Förderung von Wärmepumpen beschlossen.",
    "„Wir machen das Heizen bezahlbar“, sagte Wirtschaftsminister Robert Habeck nach der Kabinettssitzung.",
    "Die Opposition kritisierte den Entwurf als zu teuer. Der Bundestag soll im Herbst darüber abstimmen.",
]
ENGLISH = [
    "The Senate voted on Tuesday to extend the government's borrowing limit until March.",
    "“This is not the end of the fight,” Majority Leader Chuck Schumer told reporters after the vote.",
    "The House is expected to take up the measure later this week, aides said.",
]


def packaged(
    paragraphs: list[str],
    *,
    dateline: str = "",
    tag: str = "",
    before: tuple[str, ...] = (),
    after: tuple[str, ...] = (),
) -> str:
    """The article as a syndicated copy carries it: lines before and after, a dateline at the start
    of the first paragraph, a tag at the end of the last."""
    body = list(paragraphs)
    body[0] = f"{dateline}{body[0]}"
    body[-1] = f"{body[-1]}{tag}"
    return "\n".join([*before, *body, *after])


# (case, packaged text, agencies, byline)
GERMAN_COPIES = [
    ("dateline-caps", packaged(GERMAN, dateline="BERLIN (dpa) - "), ("dpa",), None),
    ("dateline-en-dash", packaged(GERMAN, dateline="Berlin (dpa) – "), ("dpa",), None),
    ("dateline-agency-only", packaged(GERMAN, dateline="(KNA) – "), ("KNA",), None),
    ("dateline-two-places", packaged(GERMAN, dateline="Kiew/Moskau (AFP) - "), ("AFP",), None),
    ("dateline-own-line", packaged(GERMAN, before=("BERLIN (dpa)",)), ("dpa",), None),
    ("tag-bracket", packaged(GERMAN, tag=" (dpa)"), ("dpa",), None),
    ("tag-slash", packaged(GERMAN, tag=" /dpa"), ("dpa",), None),
    ("tag-regional", packaged(GERMAN, tag=" (dpa/lnw)"), ("dpa",), None),
    ("credit-two-agencies", packaged(GERMAN, after=("Mit Material von dpa und AFP.",)), ("dpa", "AFP"), None),
    ("credit-der", packaged(GERMAN, after=("Mit Material der dpa",)), ("dpa",), None),
    ("credit-run-in", packaged(GERMAN, tag=" Mit Material von dpa und AFP."), ("dpa", "AFP"), None),
    ("credit-source", packaged(GERMAN, after=("Quelle: dpa",)), ("dpa",), None),
    ("credit-dpa-id", packaged(GERMAN, after=("© dpa-infocom, dpa:241028-99-123456/2",)), ("dpa",), None),
    ("byline", packaged(GERMAN, before=("Von Anna Muster, dpa",)), ("dpa",), "Anna Muster"),
    (
        "byline-two-authors",
        packaged(GERMAN, before=("Von Anna Muster und Jan Beispiel",)),
        (),
        "Anna Muster und Jan Beispiel",
    ),
    ("share-bar", packaged(GERMAN, before=("Teilen: Facebook Twitter E-Mail",)), (), None),
    ("photo-credit", packaged(GERMAN, before=("Foto: dpa",), after=("Bild: picture alliance / dpa",)), (), None),
    ("read-also", packaged(GERMAN, after=("Lesen Sie auch: Habeck verteidigt das Heizungsgesetz",)), (), None),
    (
        "everything",
        packaged(
            GERMAN,
            dateline="BERLIN (dpa) - ",
            tag=" (dpa)",
            before=("Von Anna Muster, dpa", "Teilen: Facebook Twitter E-Mail", "Foto: dpa"),
            after=("Mit Material von dpa und AFP.", "Lesen Sie auch:"),
        ),
        ("dpa", "AFP"),
        "Anna Muster",
    ),
]
ENGLISH_COPIES = [
    ("dateline-ap", packaged(ENGLISH, dateline="WASHINGTON (AP) — "), ("AP",), None),
    ("dateline-reuters", packaged(ENGLISH, dateline="LONDON (Reuters) - "), ("Reuters",), None),
    ("dateline-with-date", packaged(ENGLISH, dateline="WASHINGTON, March 3 (Reuters) - "), ("Reuters",), None),
    ("dateline-state", packaged(ENGLISH, dateline="ST. JOSEPH, Mich. (AP) — "), ("AP",), None),
    ("tag-afp", packaged(ENGLISH, tag=" (AFP)"), ("AFP",), None),
    ("tag-reuters", packaged(ENGLISH, tag=" (Reuters)"), ("Reuters",), None),
    ("credit-ap", packaged(ENGLISH, after=("— The Associated Press",)), ("AP",), None),
    ("credit-reuters", packaged(ENGLISH, after=("— Reuters",)), ("Reuters",), None),
    ("credit-run-in", packaged(ENGLISH, tag=" — Reuters"), ("Reuters",), None),
    (
        "credit-contributors",
        packaged(ENGLISH, after=("Associated Press writer Mary Clare Jalonick contributed to this report.",)),
        ("AP",),
        None,
    ),
    (
        "credit-contributors-run-in",
        packaged(ENGLISH, tag=" Associated Press writer Mary Clare Jalonick contributed to this report."),
        ("AP",),
        None,
    ),
    (
        "credit-copyright",
        packaged(ENGLISH, after=("Copyright 2024 The Associated Press. All rights reserved.",)),
        ("AP",),
        None,
    ),
    ("credit-source", packaged(ENGLISH, after=("Source: AFP",)), ("AFP",), None),
    ("byline-agency", packaged(ENGLISH, before=("By LISA LERER, Associated Press",)), ("AP",), "Lisa Lerer"),
    ("byline-plain", packaged(ENGLISH, before=("By Jane Doe",)), (), "Jane Doe"),
    (
        "byline-two",
        packaged(ENGLISH, before=("By Jane Doe and John Roe | Reuters",)),
        ("Reuters",),
        "Jane Doe and John Roe",
    ),
    ("share-bar", packaged(ENGLISH, after=("Share this: Facebook Twitter Email",)), (), None),
    ("share-on", packaged(ENGLISH, after=("Share on Facebook",)), (), None),
    ("photo-credit", packaged(ENGLISH, before=("Photo: AP/Jane Doe",)), (), None),
    (
        "everything",
        packaged(
            ENGLISH,
            dateline="WASHINGTON (AP) — ",
            before=("By LISA LERER, Associated Press", "Photo: AP/Jane Doe"),
            after=(
                "Associated Press writer Mary Clare Jalonick contributed to this report.",
                "Share this: Facebook Twitter Email",
            ),
        ),
        ("AP",),
        "Lisa Lerer",
    ),
]


@pytest.fixture(scope="module")
def rules() -> CleaningRules:
    return load_cleaning_rules(default_rules_path())


def clean(text: str, rules: CleaningRules, language: str) -> CleanedText:
    return clean_text(text, rules, language=language, title="Ein Titel, der im Text nicht vorkommt")


@pytest.mark.parametrize(
    ("language", "paragraphs", "text", "agencies", "byline"),
    [pytest.param("de", GERMAN, *case[1:], id=f"de-{case[0]}") for case in GERMAN_COPIES]
    + [pytest.param("en", ENGLISH, *case[1:], id=f"en-{case[0]}") for case in ENGLISH_COPIES],
)
def test_syndicated_copy_cleans_to_the_original(
    language: str,
    paragraphs: list[str],
    text: str,
    agencies: tuple[str, ...],
    byline: str | None,
    rules: CleaningRules,
) -> None:
    original = clean(packaged(paragraphs), rules, language)
    copy = clean(text, rules, language)

    assert original.text == "\n".join(paragraphs)
    assert copy.text == original.text
    assert content_hash(copy.text) == content_hash(original.text)
    assert copy.agency == agencies
    assert copy.byline == byline
    # Every removal is recorded with its rule: each word of the copy is kept or in a removal.
    assert copy.removed and all(line.rule for line in copy.removed)
    assert sorted(copy.text.split() + [word for line in copy.removed for word in line.text.split()]) == sorted(
        text.split()
    )


def test_dateline_is_recorded_as_a_cut_prefix(rules: CleaningRules) -> None:
    copy = clean(packaged(GERMAN, dateline="BERLIN (dpa) - ", tag=" (dpa)"), rules, "de")
    assert [(line.text, line.rule, line.part) for line in copy.removed] == [
        ("BERLIN (dpa) -", "agency-dateline", "prefix"),
        ("(dpa)", "agency-tag-end", "suffix"),
    ]


@pytest.mark.parametrize(("language", "paragraphs"), [("de", GERMAN), ("en", ENGLISH)])
def test_copies_differing_in_quotes_soft_hyphens_and_reflow_have_one_hash(
    language: str, paragraphs: list[str], rules: CleaningRules
) -> None:
    original = clean("\n".join(paragraphs), rules, language)
    restyled = "\n".join(paragraphs)
    for curly, straight in (("„", '"'), ("“", '"'), ("”", '"'), ("’", "'")):
        restyled = restyled.replace(curly, straight)
    restyled = restyled.replace("Bundesregierung", "Bundes\u00adregierung").replace(
        "government", "gov\u00adern\u00adment"
    )
    reflowed = restyled.replace(". ", ".\n\n")  # every sentence a paragraph, blank lines between

    copy = clean(reflowed, rules, language)

    assert copy.text != original.text
    assert content_hash(copy.text) == content_hash(original.text)
    assert "\u00ad" not in copy.text


def test_different_texts_keep_different_hashes(rules: CleaningRules) -> None:
    """Packaging goes, article words do not: a copy with one changed sentence is not the same text."""
    changed = [*GERMAN[:-1], "Die Opposition lobte den Entwurf. Der Bundestag soll im Herbst darüber abstimmen."]
    first = clean(packaged(GERMAN, dateline="BERLIN (dpa) - "), rules, "de")
    second = clean(packaged(changed, dateline="BERLIN (dpa) - "), rules, "de")
    assert content_hash(first.text) != content_hash(second.text)


# Article sentences that look like packaging: at the start of the first paragraph, where a
# dateline or byline would be, and at the end of the last, where a tag or credit would be.
TRAPS = [
    ("de", "Berlin – die Hauptstadt ist pleite, sagte der Finanzsenator am Montag."),
    ("de", "Berlin - Kreuzberg ist der Bezirk mit den meisten Späti-Läden."),
    ("de", "Von Beginn an war klar, dass die Verhandlungen schwierig werden würden."),
    ("de", "Von Anfang An"),
    ("de", "Mit Material wie Holz und Stroh bauten die Siedler ihre Häuser."),
    ("de", "Facebook und Twitter haben ihre Regeln geändert."),
    ("de", "Die Polizei ermittelt nach dpa-Informationen weiter."),
    ("de", "Das berichtete die Deutsche Presse-Agentur (dpa) am Abend."),
    ("en", "The Associated Press (AP) reported on Monday that the talks had failed."),
    ("en", "The talks failed, the news agency (AP) reported on Monday."),
    ("en", "The deal was worth $2 billion, Reuters reported."),
    ("en", "The talks failed — Reuters said so on Monday."),
    ("en", "The figures were first published by the Associated Press (AP)."),
    ("en", "By the end of the year, the company expects to hire 300 people."),
    ("en", "By The Numbers"),
    ("en", "By Monday Night Football standards, the game was a dud."),
    ("en", "WASHINGTON — The Senate voted on Tuesday."),  # a dateline, but the outlet's own: no agency
    ("en", "Sharing on Facebook and Twitter is how most readers found the story."),
    ("en", "The talks failed, he said. Jane Doe contributed to this report."),
]


@pytest.mark.parametrize(("language", "line"), TRAPS, ids=[line[:40] for _, line in TRAPS])
@pytest.mark.parametrize("position", ["first", "last"])
def test_article_sentences_that_look_like_packaging_stay(
    language: str, line: str, position: str, rules: CleaningRules
) -> None:
    paragraphs = GERMAN if language == "de" else ENGLISH
    lines = [line, *paragraphs] if position == "first" else [*paragraphs, line]

    cleaned = clean("\n".join(lines), rules, language)

    assert cleaned.removed == ()
    assert cleaned.text == "\n".join(lines)
    assert cleaned.agency == ()
    assert cleaned.byline is None


def test_seeds_keep_their_text_and_stay_two_articles(shared_corpus: Path, rules: CleaningRules) -> None:
    seeds = sorted((shared_corpus / "seeds").glob("*.txt"))
    assert len(seeds) >= 2
    hashes = set()
    for seed in seeds:
        lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
        cleaned = clean("\n".join(lines), rules, "de")
        removed = {line.text: line.rule for line in cleaned.removed}
        # Only the known noise goes ("Quelle: 902.gr" is a source line, not an agency credit).
        assert set(removed.values()) <= {"read-more-de", "source-line-de", "slug-tag"}
        assert all(line.part == "line" for line in cleaned.removed)
        assert cleaned.text == "\n".join(line for line in lines if line not in removed)
        assert cleaned.agency == () and cleaned.byline is None
        hashes.add(content_hash(cleaned.text))
    assert len(hashes) == len(seeds)


def test_an_extending_file_adds_an_agency_to_the_shipped_rules(tmp_path: Path) -> None:
    local = tmp_path / "local.yaml"
    local.write_text(f"extends: {default_rules_path()}\nagencies:\n  ANP: [Algemeen Nederlands Persbureau]\n")
    rules = load_cleaning_rules(local)

    cleaned = clean(packaged(GERMAN, dateline="DEN HAAG (ANP) - "), rules, "de")

    assert cleaned.text == "\n".join(GERMAN)
    assert cleaned.agency == ("ANP",)


def render_page(title: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body><main><article><h1>{escape(title)}</h1>\n{body}\n</article></main></body></html>"
    )


def test_the_built_article_carries_agency_and_byline_and_the_original_hash() -> None:
    """The build stage fills the article from the cleaning result: a dpa copy with a dateline, a
    byline and a credit line is an exact duplicate of the bare original."""
    title = "Kabinett beschließt Förderung von Wärmepumpen"
    now = datetime(2026, 12, 1, tzinfo=UTC)
    pages = {
        "https://a.example/original": GERMAN,
        "https://b.example/copy": [
            "Von Anna Muster, dpa",
            f"BERLIN (dpa) - {GERMAN[0]}",
            *GERMAN[1:],
            "Mit Material von dpa und AFP.",
        ],
    }
    jobs = [
        BuildJob(
            FeedEntry("x", "X", url, url, title, "", None, "de"),
            FetchedPage(url, url, 200, "text/html", render_page(title, paragraphs), "utf-8", now),
        )
        for url, paragraphs in pages.items()
    ]

    results = build_articles(jobs, Toolkit.load(load_settings()))

    original, copy = (result.article for result in results if isinstance(result, BuiltArticle))
    assert copy.text == original.text == "\n".join(GERMAN)
    assert copy.content_hash == original.content_hash
    assert (original.agency, original.byline) == ((), None)
    assert (copy.agency, copy.byline) == (("dpa", "AFP"), "Anna Muster")
    assert {line.rule for line in copy.removed_lines} == {
        "headline-repeat",
        "byline-de",
        "agency-dateline",
        "agency-material-de",
    }
