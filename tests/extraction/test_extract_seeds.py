"""The German seed texts, rendered as a news page: the noise goes, every article paragraph stays."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest

from pipeline.clean import CleaningRules, clean_text, default_rules_path, load_cleaning_rules
from pipeline.extract import extract_article

SEED_TITLES = {
    "000": "NATO: Nordkoreanische Soldaten in der Region Kursk",
    "004": "Pentagon: Nordkorea hat 10.000 Soldaten nach Russland geschickt",
}
NOISE = {
    "LESEN SIE MEHR: Steht Nordkorea vor einem Angriff auf den Süden und liefert gleichzeitig Truppen für Russland?": (
        "read-more-de"
    ),
    "Quelle: 902.gr": "source-line-de",
    "rrt-allgemeines": "slug-tag",
}


def render_page(title: str, lines: list[str]) -> str:
    """A plain news page: head, navigation, the article (headline + one <p> per line), footer."""
    paragraphs = "\n".join(f"<p>{escape(line)}</p>" for line in lines)
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>{escape(title)} | Beispiel-Nachrichten</title></head>
<body>
<header><nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li>
<li><a href="/wirtschaft">Wirtschaft</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article><h1>{escape(title)}</h1>
{paragraphs}
</article></main>
<footer><p>© 2024 Beispiel-Nachrichten GmbH</p><a href="/impressum">Impressum</a>
<a href="/datenschutz">Datenschutz</a></footer>
</body></html>"""


@pytest.fixture(scope="module")
def rules() -> CleaningRules:
    return load_cleaning_rules(default_rules_path())


def seed_files(shared_corpus: Path) -> list[Path]:
    return sorted((shared_corpus / "seeds").glob("*.txt"))


@pytest.mark.parametrize("prefix", sorted(SEED_TITLES))
def test_seed_page_loses_noise_and_keeps_paragraphs(prefix: str, shared_corpus: Path, rules: CleaningRules) -> None:
    (seed,) = [path for path in seed_files(shared_corpus) if path.name.startswith(prefix)]
    lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
    title = SEED_TITLES[prefix]

    article = extract_article(render_page(title, lines), "https://news.example.org/politik/1")
    cleaned = clean_text(article.text, rules, language=article.language, title=article.title)

    assert article.language == "de"
    assert article.title == title
    kept = cleaned.text.split("\n")
    noise_in_seed = {line: rule for line, rule in NOISE.items() if line in lines}
    assert noise_in_seed, "each seed carries at least one known noise line"
    assert {(line.text, line.rule) for line in cleaned.removed} >= set(noise_in_seed.items())
    for line in noise_in_seed:
        assert line not in kept
    article_lines = [line for line in lines if line not in NOISE]
    assert kept == article_lines  # every paragraph, in order, and nothing else (no nav, no footer)
    assert ("headline-repeat", title) in {
        (line.rule, line.text) for line in cleaned.removed
    } or title not in article.text


def test_seed_noise_is_removed_also_when_the_language_is_unknown(rules: CleaningRules) -> None:
    text = (
        "Ein Absatz des Artikels mit genug Wörtern.\nLESEN SIE MEHR: Noch ein Artikel\nQuelle: 902.gr\nrrt-allgemeines"
    )
    cleaned = clean_text(text, rules, language=None)
    assert cleaned.text == "Ein Absatz des Artikels mit genug Wörtern."
    assert [line.rule for line in cleaned.removed] == ["read-more-de", "source-line-de", "slug-tag"]
