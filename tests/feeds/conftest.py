"""Fixtures for the feed tests (helpers live in each test module: with --import-mode=importlib a
test module cannot import a sibling)."""

from __future__ import annotations

import pytest

from pipeline.settings import FeedSource

FEED_URL = "https://news.example.com/feed.xml"


@pytest.fixture
def source() -> FeedSource:
    """A registry entry with a language hint, as in config/feeds.yaml."""
    return FeedSource(id="example", url=FEED_URL, outlet="Example News", language="de")
