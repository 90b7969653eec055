"""Cleaning rules: what the shipped rules remove and keep, and how rules files are loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.clean import CleaningRules, clean_text, default_rules_path, load_cleaning_rules
from pipeline.errors import ConfigError

ARTICLE = (
    "Die Regierung hat am Montag neue Maßnahmen beschlossen, die ab Januar gelten sollen.\n"
    "Der Minister sagte, man habe lange über die Details verhandelt."
)


@pytest.fixture(scope="module")
def rules() -> CleaningRules:
    return load_cleaning_rules(default_rules_path())


@pytest.mark.parametrize(
    ("line", "language", "rule"),
    [
        ("LESEN SIE MEHR: Steht Nordkorea vor einem Angriff?", "de", "read-more-de"),
        ("Lesen Sie auch", "de", "read-more-de"),
        ("Mehr zum Thema: Die Lage in Kursk", "de", "read-more-de"),
        ("Auch interessant", "de", "read-more-de"),
        ("Quelle: 902.gr", "de", "source-line-de"),
        ("Foto: dpa", "de", "source-line-de"),
        ("(Reuters)", "de", "news-agency-alone"),
        ("dpa/AFP", "de", "news-agency-alone"),
        ("Newsletter abonnieren", "de", "share-prompt-de"),
        ("Diese Website verwendet Cookies, um Ihnen das beste Erlebnis zu bieten.", "de", "cookie-prompt-de"),
        ("Read more: The best phones of the year", "en", "read-more-en"),
        ("Related: Possible Water Plumes on Europa", "en", "read-more-en"),
        ("READ MORE: China plague outbreak confirmed", "en", "read-more-en"),
        ("Plane passengers quarantined after outbreak [NEWS]", "en", "tabloid-related-link-en"),
        ("Sign up for our daily newsletter", "en", "subscribe-prompt-en"),
        ("Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", "en", "follow-prompt-en"),
        ("Reporting by Rodrigo Campos; Editing by Nick Zieminski", "en", "credit-line-en"),
        ("Fox News’ Jessica Napoli contributed to this report.", "en", "credit-line-en"),
        ("- Print Article", "en", "share-prompt-en"),
        ("We use cookies to improve your experience.", "en", "cookie-prompt-en"),
        ("Tags: politics, europe", "en", "tags-line"),
        ("Leggi anche", "it", "read-more-it"),
        ("sexta-feira, 22 de outubro de 2010 às 20:13", "pt", "date-line-pt"),
    ],
)
def test_boilerplate_line_is_removed_with_its_rule(line: str, language: str, rule: str, rules: CleaningRules) -> None:
    cleaned = clean_text(f"{ARTICLE}\n{line}\n{ARTICLE}", rules, language=language)
    assert [(removed.text, removed.rule) for removed in cleaned.removed] == [(line, rule)]
    assert cleaned.text == f"{ARTICLE}\n{ARTICLE}"


@pytest.mark.parametrize(
    ("line", "language"),
    [
        # Article sentences that start like boilerplate but are not.
        ("Related to this, the company said it would cut 300 jobs by the end of the year.", "en"),
        ("More than 100 people died: the authorities said on Monday that the count may rise.", "en"),
        ("Sign up for a Hulu ad-free account for $11.99 a month", "en"),
        ("Die Quelle des Flusses liegt in den Alpen, sagte der Geologe.", "de"),
        ("Foto und Video zeigen, wie die Truppen über die Grenze kommen, berichtete die Zeitung.", "de"),
        (
            "Lesen Sie mehr über die Hintergründe des Konflikts in unserem Dossier, das seit Jahren wächst und "
            "inzwischen mehr als hundert Beiträge von Korrespondenten aus aller Welt umfasst, die vor Ort waren.",
            "de",
        ),
        ("02-751-1500", "en"),
        ("GIRLS BASKETBALL", "en"),
    ],
)
def test_article_lines_that_look_like_boilerplate_are_kept(line: str, language: str, rules: CleaningRules) -> None:
    cleaned = clean_text(f"{ARTICLE}\n{line}\n{ARTICLE}", rules, language=language)
    assert cleaned.removed == ()


def test_language_rules_only_apply_to_their_language(rules: CleaningRules) -> None:
    text = f"{ARTICLE}\nRead more: something else\n{ARTICLE}"
    assert clean_text(text, rules, language="de").removed == ()
    assert [line.rule for line in clean_text(text, rules, language="en").removed] == ["read-more-en"]
    assert [line.rule for line in clean_text(text, rules, language=None).removed] == ["read-more-en"]
    assert [line.rule for line in clean_text(text, rules, language="en-GB").removed] == ["read-more-en"]


def test_headline_repeat_and_fragments(rules: CleaningRules) -> None:
    title = "Nordkorea schickt 10.000 Soldaten nach Russland | Beispiel-Nachrichten"
    text = f"Nordkorea schickt 10.000 Soldaten nach Russland\nNordkorea schickt 10.000 Soldaten\n{ARTICLE}"
    cleaned = clean_text(text, rules, language="de", title=title)
    assert cleaned.text == ARTICLE
    assert [line.rule for line in cleaned.removed] == ["headline-repeat", "headline-fragment"]


def test_reworded_headline_at_the_top_is_removed_but_not_a_lede(rules: CleaningRules) -> None:
    title = "Sweden drops Assange rape investigation"
    lede = "Sweden drops the rape investigation against Julian Assange, prosecutors said."
    cleaned = clean_text(f"Julian Assange: Sweden drops rape investigation\n{lede}", rules, title=title)
    assert cleaned.text == lede
    assert [line.rule for line in cleaned.removed] == ["headline-variant"]


def test_slug_tag_line_only_at_the_edges(rules: CleaningRules) -> None:
    middle = clean_text(f"{ARTICLE}\n{ARTICLE}\nrrt-allgemeines\n{ARTICLE}\n{ARTICLE}", rules)
    assert middle.removed == ()
    end = clean_text(f"{ARTICLE}\n{ARTICLE}\n{ARTICLE}\nQuelle: 902.gr\nrrt-allgemeines", rules, language="de")
    assert [line.rule for line in end.removed] == ["source-line-de", "slug-tag"]


def test_empty_and_blank_text(rules: CleaningRules) -> None:
    assert clean_text("", rules).text == ""
    assert clean_text(" \n\u00a0\n", rules).text == ""


# --- rules files ----------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rules_load(rules: CleaningRules) -> None:
    names = [rule.name for rule in rules.line_rules]
    assert len(names) == len(set(names))
    assert {"read-more-de", "source-line-de", "slug-tag", "read-more-en"} <= set(names)


@pytest.mark.parametrize(
    ("content", "key", "problem"),
    [
        ("rules:\n  de:\n    - name: x\n      match: '('\n", "rules.de[0].match", "not a valid regular expression"),
        ("rules:\n  de:\n    - name: x\n      match: 'a'\n      max_wrds: 3\n", "rules.de[0].max_wrds", "unknown key"),
        (
            "rules:\n  de:\n    - name: x\n      match: 'a'\n      where: middle\n",
            "rules.de[0].where",
            "must be one of",
        ),
        (
            "rules:\n  de:\n    - name: x\n      match: 'a'\n      max_words: 0\n",
            "rules.de[0].max_words",
            "must be at least 1",
        ),
        ("rules:\n  deutsch:\n    - name: x\n      match: 'a'\n", "rules.deutsch", "not a language"),
        ("rules:\n  de:\n    - name: Read More\n      match: 'a'\n", "rules.de[0].name", "invalid name"),
        ("rules:\n  de:\n    - name: x\n", "rules.de[0].match", "missing or empty pattern"),
        ("rules:\n  de:\n    - {name: x, match: a}\n    - {name: x, match: b}\n", "rules.de[1].name", "defined twice"),
        ("settings:\n  edge_lines: many\n", "settings.edge_lines", "must be"),
        ("settings:\n  edgelines: 3\n", "settings.edgelines", "unknown key"),
        ("rule:\n  de: []\n", "rule", "unknown key"),
        ("disable: [no-such-rule]\n", "disable[0]", "no rule named 'no-such-rule'"),
        ("rules: [1, 2]\n", "rules", "must be a mapping"),
        ("rules:\n  de: [\n", "(file)", "not valid YAML"),
        (
            "rules:\n  de:\n    - {name: x, cut: prefix, match: 'berlin \\(dpa\\) - '}\n",
            "rules.de[0].match",
            "a prefix cut must match at the start",
        ),
        ("rules:\n  de:\n    - {name: x, cut: suffix, match: '\\(dpa\\)'}\n", "rules.de[0].match", "a suffix cut"),
        ("rules:\n  de:\n    - {name: x, cut: middle, match: 'a'}\n", "rules.de[0].cut", "must be one of"),
        ("rules:\n  de:\n    - {name: x, match: '^(?P<place>\\w+) -'}\n", "rules.de[0].match", "unknown group name"),
        ("rules:\n  de:\n    - {name: x, match: '^\\({agency}\\)$'}\n", "rules.de[0].match", "no agencies are defined"),
        ("agencies:\n  AP: [AFP]\n  AFP: []\n", "agencies", "listed for both"),
    ],
)
def test_bad_rules_file_names_file_key_and_fix(tmp_path: Path, content: str, key: str, problem: str) -> None:
    path = write(tmp_path / "my-rules.yaml", content)
    with pytest.raises(ConfigError) as raised:
        load_cleaning_rules(path)
    error = raised.value
    assert error.file == str(path)
    assert error.key == key
    assert problem in error.problem
    assert error.fix
    assert str(path) in str(error) and key in str(error)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_cleaning_rules(tmp_path / "nope.yaml")


def test_user_file_extends_disables_and_replaces(tmp_path: Path) -> None:
    base = write(
        tmp_path / "base.yaml",
        "rules:\n  any:\n    - {name: ad, match: '^anzeige$'}\n    - {name: promo, match: '^promo$'}\n",
    )
    user = write(
        tmp_path / "user.yaml",
        f"extends: {base.name}\n"
        "disable: [promo]\n"
        "settings:\n  headline_repeat: false\n"
        "rules:\n"
        "  any:\n    - {name: ad, match: '^werbung$'}\n"
        "  de:\n    - {name: paywall-de, match: '^jetzt abonnieren'}\n",
    )
    rules = load_cleaning_rules(user)
    assert [(rule.name, rule.language) for rule in rules.line_rules] == [("ad", "any"), ("paywall-de", "de")]
    assert rules.settings.headline_repeat is False
    assert rules.sources == (str(base), str(user))
    cleaned = clean_text(f"{ARTICLE}\nWerbung\nAnzeige\npromo\nJetzt abonnieren!", rules, language="de")
    assert [(line.text, line.rule) for line in cleaned.removed] == [
        ("Werbung", "ad"),
        ("Jetzt abonnieren!", "paywall-de"),
    ]


def test_extra_files_are_layered_on_the_shipped_rules(tmp_path: Path) -> None:
    extra = write(tmp_path / "site.yaml", "rules:\n  de:\n    - {name: gewinnspiel-de, match: '^zum gewinnspiel'}\n")
    rules = load_cleaning_rules(default_rules_path(), extra=[extra])
    cleaned = clean_text(f"{ARTICLE}\nZum Gewinnspiel\nLesen Sie auch", rules, language="de")
    assert [line.rule for line in cleaned.removed] == ["gewinnspiel-de", "read-more-de"]


def test_extends_loop_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ConfigError, match="extends"):
        load_cleaning_rules(tmp_path / "a.yaml")
