"""Near duplicates that tell a new version of an article from a new article reusing its text
(pipeline/dedupe/versions.py), alone and through the dedupe rule (decide_pair)."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime

import pytest
from helpers import fingerprinted_article

from pipeline.dedupe.fingerprints import estimated_similarity
from pipeline.dedupe.lookup import decide_pair
from pipeline.dedupe.versions import (
    VersionEvidence,
    is_new_version,
    shared_shingles,
    shingle_count,
    version_evidence,
)
from pipeline.models import Article
from pipeline.settings import DedupeSettings

SETTINGS = DedupeSettings()
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
_VOCABULARY = [f"wort{n}" for n in range(5000)]


def words(count: int, seed: int) -> str:
    """``count`` words no other call's words repeat (seeded), so shingles overlap only where text is shared."""
    return " ".join(random.Random(seed).sample(_VOCABULARY[seed * 400 : seed * 400 + 400], count))


def article(article_id: str, text: str) -> Article:
    return fingerprinted_article(article_id, text, NOW)


def evidence(earlier: Article, later: Article) -> VersionEvidence:
    return version_evidence(
        later.text,
        later.minhash_signature,
        later.shingle_count,
        earlier.minhash_signature,
        earlier.shingle_count,
        shingle_words=SETTINGS.shingle_words,
        num_permutations=SETTINGS.num_permutations,
    )


FIRST_REPORT = words(200, 1)


def test_shared_shingles_follow_from_jaccard_and_the_sizes() -> None:
    assert shared_shingles(0.5, 100, 100) == pytest.approx(200 / 3)  # |A n B| = J(|A|+|B|)/(1+J)
    assert shared_shingles(1.0, 100, 100) == 100
    assert shared_shingles(0.6, 50, 1000) == 50  # never more than the smaller set
    assert shared_shingles(0.0, 100, 100) == 0
    assert shingle_count("a b c d e f", 5) == 2


def test_a_follow_up_reusing_the_first_report_is_not_a_near_duplicate() -> None:
    # A lead of its own and 100 more new words, then the whole first report as background:
    # similarity about 0.57, above the threshold, but the new text is a new article.
    first = article("first", FIRST_REPORT)
    follow_up = article("follow-up", f"{words(50, 2)} {words(100, 3)} {FIRST_REPORT}")
    assert estimated_similarity(first.minhash_signature, follow_up.minhash_signature) >= 0.5
    found = evidence(first, follow_up)
    assert found.lead_kept < 0.2 and found.new_text_after_lead > 0.2
    assert found.earlier_contained > 0.9
    decision = decide_pair(first, follow_up, SETTINGS, NOW)
    assert decision.near_duplicate_of is None and decision.duplicate_of is None


def test_an_update_with_a_rewritten_lead_stays_a_near_duplicate() -> None:
    # The same lead change as the follow-up, but the rest of the text is the first report's.
    first = article("first", FIRST_REPORT)
    update = article("update", f"{words(50, 2)} {' '.join(FIRST_REPORT.split()[40:])}")
    found = evidence(first, update)
    assert found.lead_kept < 0.5 and found.new_text_after_lead < 0.1
    assert decide_pair(first, update, SETTINGS, NOW).near_duplicate_of == "first"


def test_a_short_article_with_a_long_paragraph_appended_is_an_update_below_the_threshold() -> None:
    short = words(100, 4)
    first = article("first", short)
    update = article("update", f"{short}\n\n{words(150, 5)}")
    similarity = estimated_similarity(first.minhash_signature, update.minhash_signature)
    assert 0.35 <= similarity < SETTINGS.near_duplicate_threshold
    assert decide_pair(first, update, SETTINGS, NOW).near_duplicate_of == "first"
    # The same overlap with the lead replaced is a new article reusing the text: same story at most.
    rewritten = article("rewritten", f"{words(50, 6)} {' '.join(short.split()[50:])}\n\n{words(150, 5)}")
    assert decide_pair(first, rewritten, SETTINGS, NOW).near_duplicate_of is None


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (VersionEvidence(0.6, 0.9, 0.3, 0.1, 0.25), False),  # new lead and new text after it
        (VersionEvidence(0.6, 0.9, 0.3, 0.1, 0.05), True),  # new lead only: a rewritten lead
        (VersionEvidence(0.6, 1.0, 0.4, 0.9, 0.4), True),  # lead kept, text appended
        (VersionEvidence(0.4, 0.95, 0.6, 0.9, 0.6), True),  # below 0.5: lead kept, all contained
        (VersionEvidence(0.4, 0.7, 0.4, 0.9, 0.3), False),  # below 0.5: too little contained
        (VersionEvidence(0.4, 0.95, 0.6, 0.5, 0.6), False),  # below 0.5: lead changed
        (VersionEvidence(0.3, 1.0, 0.7, 1.0, 0.7), False),  # below the update floor
    ],
)
def test_the_version_rule(found: VersionEvidence, expected: bool) -> None:
    assert is_new_version(found, SETTINGS.near_duplicate_threshold) is expected


def test_without_shingle_counts_the_similarity_alone_decides() -> None:
    # Articles indexed before shingle_count (and with no word_count): the old rule.
    first = article("first", FIRST_REPORT)
    follow_up = article("follow-up", f"{words(50, 2)} {words(100, 3)} {FIRST_REPORT}")
    unknown = dataclasses.replace(first, shingle_count=0)
    assert decide_pair(unknown, follow_up, SETTINGS, NOW).near_duplicate_of == "first"
