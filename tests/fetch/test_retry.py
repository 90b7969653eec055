"""Retries: which failures are retried, the backoff sequence, Retry-After, and giving up."""

from __future__ import annotations

import httpx
import pytest

from pipeline.fetch.retry import Backoff, is_retryable_status, parse_retry_after

URL = "https://news.example/story"


def sequence(web, key, *responses):
    """Route ``key`` to answer with ``responses`` in turn (the last one repeats)."""
    remaining = list(responses)

    def handler(request):
        item = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(item, Exception):
            raise item
        return httpx.Response(item[0], headers=item[1] if len(item) > 1 else {}, text="<html>ok</html>")

    web.route(key, handler)


def test_server_errors_are_retried_with_exponential_backoff_and_jitter(web, fake_time, fetch_page):
    sequence(web, "news.example/story", (503,), (500,), (502,), (200, {"content-type": "text/html"}))

    result = fetch_page(URL, retries=3, backoff_base_seconds=2.0)

    assert result.status == 200
    assert len(web.requests) == 4
    # Equal jitter with random_fraction 0.5: 3/4 of 2, 4, 8 seconds.
    assert fake_time.sleeps == [1.5, 3.0, 6.0]


def test_backoff_is_capped_at_backoff_max(web, fake_time, fetch_page):
    sequence(web, "news.example/story", (503,))

    result = fetch_page(URL, retries=4, backoff_base_seconds=10.0, backoff_max_seconds=25.0)

    assert result.reason == "fetch-http-error"
    assert result.detail.endswith("HTTP 503")
    assert result.retryable is True
    assert fake_time.sleeps == [7.5, 15.0, 18.75, 18.75]  # steps 10, 20, then 25 (the cap)


def test_jitter_spreads_between_half_and_all_of_the_step():
    low = Backoff(1.0, 60.0, lambda: 0.0)
    high = Backoff(1.0, 60.0, lambda: 1.0)

    assert [low.delay(n) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert [high.delay(n) for n in range(4)] == [1.0, 2.0, 4.0, 8.0]


def test_retry_after_seconds_is_honoured(web, fake_time, fetch_page):
    sequence(web, "news.example/story", (429, {"retry-after": "7"}), (200, {"content-type": "text/html"}))

    result = fetch_page(URL)

    assert result.status == 200
    assert fake_time.sleeps == [7.0]


def test_retry_after_http_date_is_measured_against_the_response_date(web, fake_time, fetch_page):
    headers = {"date": "Wed, 21 Oct 2015 07:28:00 GMT", "retry-after": "Wed, 21 Oct 2015 07:28:42 GMT"}
    sequence(web, "news.example/story", (503, headers), (200, {"content-type": "text/html"}))

    result = fetch_page(URL)

    assert result.status == 200
    assert fake_time.sleeps == [42.0]


def test_retry_after_longer_than_backoff_max_gives_up_at_once(web, fake_time, fetch_page):
    sequence(web, "news.example/story", (503, {"retry-after": "3600"}))

    result = fetch_page(URL, retries=5, backoff_max_seconds=60.0)

    assert result.reason == "fetch-http-error"
    assert result.retryable is True
    assert result.detail.endswith("HTTP 503 (Retry-After 3600 s)")
    assert len(web.requests) == 1
    assert fake_time.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451, 501])
def test_permanent_errors_are_not_retried(web, fake_time, fetch_page, status):
    sequence(web, "news.example/story", (status,))

    result = fetch_page(URL)

    assert result.reason == "fetch-http-error"
    assert result.detail.endswith(f"HTTP {status}")
    assert result.retryable is False
    assert len(web.requests) == 1
    assert fake_time.sleeps == []


def test_timeouts_and_connection_errors_are_retried(web, fake_time, fetch_page):
    sequence(
        web,
        "news.example/story",
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("connection refused"),
        (200, {"content-type": "text/html"}),
    )

    result = fetch_page(URL)

    assert result.status == 200
    assert fake_time.sleeps == [0.75, 1.5]


def test_exhausted_retries_report_the_last_failure(web, fake_time, fetch_page):
    sequence(web, "news.example/story", httpx.ConnectError("connection refused"))

    result = fetch_page(URL, retries=1)

    assert result.reason == "fetch-connection-error"
    assert result.retryable is True
    assert len(web.requests) == 2


def test_read_timeout_is_a_timeout_failure(web, fetch_page):
    sequence(web, "news.example/story", httpx.ReadTimeout("read timed out"))

    result = fetch_page(URL, retries=0)

    assert result.reason == "fetch-timeout"
    assert result.retryable is True


def test_parse_retry_after():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert parse_retry_after(date, now=1445412470.0) == 10.0  # no Date header: local clock
    assert parse_retry_after(date, "Wed, 21 Oct 2015 07:30:00 GMT") == 0.0  # in the past


def test_retryable_statuses():
    assert [s for s in (200, 404, 408, 429, 500, 501, 502, 503, 504, 505) if is_retryable_status(s)] == [
        408,
        429,
        500,
        502,
        503,
        504,
    ]
