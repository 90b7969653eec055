"""The run summary: counts per fixed reason and the failures behind them.

Every run (CLI or DAG) ends with one of these: printed as a table by the CLI, returned by the
DAG's last task and stored as a document in the runs index.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from pipeline.errors import ItemFailure, Reason, Stage

# A run document keeps this many failure records; the counts stay exact beyond it.
MAX_FAILURE_RECORDS = 500


@dataclass
class RunSummary:
    """Counts per reason for one run, plus the failure records."""

    kind: str = "ingest"
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    status: str = "running"
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[ItemFailure] = field(default_factory=list)
    # Seconds spent per stage (CPU stages summed over worker processes), for the breakdown in runs.
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, reason: Reason, amount: int = 1) -> None:
        """Add to the count of ``reason``."""
        if amount:
            self.counts[str(reason)] += amount

    def fail(self, failure: ItemFailure) -> None:
        """Record a failure and count it under its reason."""
        self.count(failure.reason)
        if len(self.failures) < MAX_FAILURE_RECORDS:
            self.failures.append(replace(failure, detail=failure.detail[:1000]))

    def time(self, stage: str, seconds: float) -> None:
        """Add to the time spent in ``stage``."""
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def merge(self, other: RunSummary) -> None:
        """Fold the counts and failures of a part of this run (e.g. one mapped DAG task) into this one."""
        self.counts.update(other.counts)
        for stage, seconds in other.timings.items():
            self.time(stage, seconds)
        room = MAX_FAILURE_RECORDS - len(self.failures)
        self.failures.extend(other.failures[: max(room, 0)])

    def finish(self, status: str = "success") -> RunSummary:
        self.finished_at = datetime.now(UTC)
        self.status = status
        return self

    @property
    def duration_seconds(self) -> float:
        end = self.finished_at or datetime.now(UTC)
        return (end - self.started_at).total_seconds()

    def to_document(self) -> dict[str, Any]:
        """The JSON form: stored in the runs index and passed between DAG tasks."""
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "ingested_at": (self.finished_at or self.started_at).isoformat(),
            "duration_seconds": round(self.duration_seconds, 3),
            "counts": dict(sorted(self.counts.items())),
            "timings_seconds": {stage: round(seconds, 3) for stage, seconds in sorted(self.timings.items())},
            "failures": [asdict(failure) for failure in self.failures],
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> RunSummary:
        finished = document.get("finished_at")
        return cls(
            kind=document.get("kind", "ingest"),
            run_id=document["run_id"],
            started_at=datetime.fromisoformat(document["started_at"]),
            finished_at=datetime.fromisoformat(finished) if finished else None,
            status=document.get("status", "running"),
            counts=Counter(document.get("counts") or {}),
            timings={stage: float(seconds) for stage, seconds in (document.get("timings_seconds") or {}).items()},
            failures=[_failure_of(failure) for failure in document.get("failures") or []],
        )


def _failure_of(document: dict[str, Any]) -> ItemFailure:
    return ItemFailure(
        stage=Stage(document["stage"]),
        reason=Reason(document["reason"]),
        detail=document.get("detail", ""),
        retryable=bool(document.get("retryable")),
        url=document.get("url"),
        feed_id=document.get("feed_id"),
    )
