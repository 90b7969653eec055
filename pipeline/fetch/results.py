"""What a fetch returns: a page or feed response, or an ``ItemFailure`` (stage fetch) with a fixed reason."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import ItemFailure, Reason, Stage


@dataclass(frozen=True, slots=True)
class FeedResponse:
    """A feed document as served: ``body`` has Content-Encoding undone but is not charset-decoded.

    On a conditional GET answered 304, ``not_modified`` is True and ``body`` is empty.
    """

    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str | None
    content_language: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool


class FetchAborted(Exception):
    """Internal: stops a fetch at any depth and carries the failure to return.

    ``retry_now`` says whether the retry loop may try again within this run; it is False for
    retryable failures that another attempt right away would only repeat. ``retry_after_seconds``
    is the server's wish (Retry-After) when it gave one; ``status`` the HTTP status, if any.
    """

    def __init__(
        self,
        failure: ItemFailure,
        *,
        status: int | None = None,
        retry_after_seconds: float | None = None,
        retry_now: bool | None = None,
    ) -> None:
        super().__init__(f"{failure.reason}: {failure.detail}")
        self.failure = failure
        self.status = status
        self.retry_after_seconds = retry_after_seconds
        self.retry_now = failure.retryable if retry_now is None else retry_now


def failure(
    url: str,
    reason: Reason,
    detail: str,
    *,
    retryable: bool = False,
    status: int | None = None,
    retry_after_seconds: float | None = None,
    retry_now: bool | None = None,
) -> FetchAborted:
    """Build the exception that aborts a fetch with this failure (``raise failure(...)``)."""
    return FetchAborted(
        ItemFailure(Stage.FETCH, reason, detail, retryable, url=url),
        status=status,
        retry_after_seconds=retry_after_seconds,
        retry_now=retry_now,
    )
