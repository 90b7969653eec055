"""Importing the saved objects into Kibana: ``/api/saved_objects/_import?overwrite=true``, waiting
while Kibana is still starting (502-504) and reporting errors per object."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from pipeline.errors import ConfigError, Fatal, Reason, RetryLater
from pipeline.kibana.saved_objects import to_ndjson

logger = logging.getLogger(__name__)

_NOT_READY_STATUSES = {502, 503, 504}


@dataclass(frozen=True, slots=True)
class ObjectError:
    """Why Kibana did not import one saved object."""

    type: str
    id: str
    title: str
    error_type: str  # "conflict", "missing_references", "unsupported_type", "unknown"...
    message: str
    missing_references: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        text = f"{self.type}:{self.id}"
        if self.title:
            text += f" ({self.title})"
        text += f": {self.error_type}"
        if self.missing_references:
            text += " " + ", ".join(f"{kind}:{ident}" for kind, ident in self.missing_references)
        if self.message:
            text += f": {self.message}"
        return text


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What Kibana's import API answered."""

    success: bool
    success_count: int
    total: int
    errors: tuple[ObjectError, ...]
    warnings: tuple[str, ...]
    attempts: int

    @property
    def ok(self) -> bool:
        return self.success and not self.errors

    def __str__(self) -> str:
        text = f"imported {self.success_count} of {self.total} saved objects"
        if self.errors:
            text += "; failed: " + "; ".join(str(error) for error in self.errors)
        if self.warnings:
            text += "; warnings: " + "; ".join(self.warnings)
        return text


def import_saved_objects(
    kibana_url: str,
    objects: Sequence[Mapping[str, Any]],
    *,
    username: str | None,
    password: str | None,
    client: httpx.Client | None = None,
    wait_seconds: float = 300.0,
    retry_interval_seconds: float = 5.0,
) -> ImportResult:
    """Import (overwriting) the objects into Kibana; wait up to ``wait_seconds`` while it is not ready."""
    if (username is None) != (password is None):
        raise ConfigError(
            "settings",
            "kibana.username/kibana.password",
            "only one of them is set",
            "set both (KIBANA_USERNAME, KIBANA_PASSWORD), or neither",
        )
    auth = httpx.BasicAuth(username, password) if username is not None and password is not None else None
    url = kibana_url.rstrip("/") + "/api/saved_objects/_import"
    body = to_ndjson(objects)
    own_client = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0))
    deadline = time.monotonic() + wait_seconds
    attempts = 0
    try:
        while True:
            attempts += 1
            try:
                response = http.post(
                    url,
                    params={"overwrite": "true"},
                    headers={"kbn-xsrf": "newshound"},
                    files={"file": ("newshound.ndjson", body, "application/ndjson")},
                    auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TransportError as error:
                problem, retry_after = f"{type(error).__name__}: {error}", None
            else:
                if response.status_code not in _NOT_READY_STATUSES:
                    return _import_result(response, len(objects), attempts)
                problem = f"HTTP {response.status_code}: {response.text[:200].strip()}"
                retry_after = _retry_after(response)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RetryLater(Reason.KIBANA_UNAVAILABLE, f"{url} not ready after {attempts} attempts: {problem}")
            pause = min(retry_after if retry_after is not None else retry_interval_seconds, remaining)
            logger.info("Kibana not ready (%s); trying again in %.1f s", problem, pause)
            time.sleep(pause)
    finally:
        if own_client:
            http.close()


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _import_result(response: httpx.Response, total: int, attempts: int) -> ImportResult:
    status = response.status_code
    if status in (401, 403):
        raise Fatal(
            f"Kibana refused the import (HTTP {status}: {_message(response)}); "
            "check KIBANA_USERNAME and KIBANA_PASSWORD (the user needs the saved-objects privileges)"
        )
    if status != 200:
        raise Fatal(f"Kibana's import answered HTTP {status}: {_message(response)}")
    try:
        answer = response.json()
    except ValueError:
        raise Fatal(f"Kibana's import answered 200 without JSON: {response.text[:200]!r}") from None
    errors = tuple(_object_error(entry) for entry in answer.get("errors") or [])
    warnings = tuple(str(warning.get("message", warning)) for warning in answer.get("warnings") or [])
    return ImportResult(
        success=bool(answer.get("success")),
        success_count=int(answer.get("successCount") or 0),
        total=total,
        errors=errors,
        warnings=warnings,
        attempts=attempts,
    )


def _object_error(entry: Mapping[str, Any]) -> ObjectError:
    error = entry.get("error") or {}
    title = entry.get("title") or (entry.get("meta") or {}).get("title") or ""
    return ObjectError(
        type=str(entry.get("type", "")),
        id=str(entry.get("id", "")),
        title=str(title),
        error_type=str(error.get("type", "unknown")),
        message=str(error.get("message") or ""),
        missing_references=tuple((str(ref.get("type")), str(ref.get("id"))) for ref in error.get("references") or []),
    )


def _message(response: httpx.Response) -> str:
    try:
        answer = response.json()
    except ValueError:
        return response.text[:200].strip()
    if isinstance(answer, dict) and answer.get("message"):
        return str(answer["message"])
    return response.text[:200].strip()
