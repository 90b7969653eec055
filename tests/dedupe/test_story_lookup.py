"""The story lookup asks only for candidates the story rule could accept (pure: no search engine)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from pipeline.dedupe.fingerprints import LEAST_SHARED_FACTS, same_story, story_match
from pipeline.dedupe.lookup import QUOTE_RANKING_CLAUSES, DuplicateFinder
from pipeline.models import Article
from pipeline.settings import DedupeSettings

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_no_pair_with_fewer_shared_facts_than_the_bound_is_the_same_story() -> None:
    """The bound the lookup's minimum_should_match uses holds for any keys and thresholds."""
    randomness = random.Random(7)
    accepted_at_bound = 0
    for _ in range(4000):
        facts = [f"e:Q{n}" for n in range(randomness.randint(0, 6))] + [
            f"n:{n}" for n in range(randomness.randint(0, 3))
        ]
        quotes = [f"q:{n:04x}" for n in range(randomness.randint(0, 30))]
        shared = randomness.sample(facts, min(len(facts), randomness.randint(0, LEAST_SHARED_FACTS)))
        first = tuple(sorted([*facts, *quotes]))
        second = tuple(sorted({*shared, *quotes[: randomness.randint(0, len(quotes))], "e:other", "n:99999"}))
        match = story_match(first, second)
        threshold, quote_threshold = randomness.uniform(0.01, 1), randomness.uniform(0.01, 1)
        verdict = same_story(match, threshold=threshold, quote_threshold=quote_threshold)
        if len(shared) < LEAST_SHARED_FACTS:
            assert not verdict, (first, second)
        else:
            accepted_at_bound += verdict
    assert accepted_at_bound > 0  # the bound is tight: pairs sharing exactly that many can pass


def story_search(story_keys: tuple[str, ...]) -> dict[str, Any]:
    index: Any = SimpleNamespace(names=SimpleNamespace(articles="articles"))
    article = Article("a1", "http://x/1", "http://x/1", "X", "T", "text", "page", "h", story_keys=story_keys)
    searches = DuplicateFinder(index, DedupeSettings())._searches(article, NOW)
    return searches[5]


def test_the_story_search_requires_shared_facts_and_ranks_by_a_sample_of_quotes() -> None:
    quotes = tuple(f"q:{n:012x}" for n in range(100))
    search = story_search(("e:Q1", "e:Q2", "n:3000", *quotes))
    query = search["query"]["bool"]
    (required,) = query["must"]
    assert required["bool"]["minimum_should_match"] == LEAST_SHARED_FACTS
    assert [clause["term"]["story_keys"] for clause in required["bool"]["should"]] == ["e:Q1", "e:Q2", "n:3000"]
    assert [clause["term"]["story_keys"] for clause in query["should"]] == list(quotes[:QUOTE_RANKING_CLAUSES])


def test_an_article_with_too_few_facts_asks_for_no_story_candidates() -> None:
    assert story_search(("e:Q1", "n:3000", "q:00000000abcd")) == {"query": {"match_none": {}}, "size": 0}
