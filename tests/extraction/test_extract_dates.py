"""Publication dates keep their time of day, also for articles published today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newshound_dev.newsweb.site import render_article_page
from pipeline.extract import extract_article

PARAGRAPHS = [
    "Der Stadtrat hat am Abend nach langer Debatte den neuen Haushalt beschlossen, teilte die Verwaltung mit.",
    "Für Schulen und Kitas sind im kommenden Jahr deutlich mehr Mittel vorgesehen als bisher geplant.",
    "Die Opposition kritisierte die hohe Neuverschuldung und kündigte Widerstand im Landtag an.",
]


@pytest.mark.parametrize("age", [timedelta(minutes=20), timedelta(hours=5), timedelta(days=3)])
def test_published_time_of_day_survives_for_recent_articles(age: timedelta) -> None:
    published = (datetime.now(UTC) - age).replace(microsecond=0)
    page = render_article_page(
        "Stadtanzeiger", "Haushalt beschlossen", PARAGRAPHS, published, language="de", url_path="/stadt/haushalt.html"
    )
    article = extract_article(page.decode("utf-8"), "https://stadtanzeiger.example/stadt/haushalt.html")
    assert article.published == published
