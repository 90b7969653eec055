"""The shell around every run: the ingest cycle, a backfill, maintenance, and each Airflow task.

    with RunShell(settings, "ingest") as run:      # run: RunContext(settings, summary, index)
        item_ids = poll(run, sources)               # the step functions of pipeline.ingest.steps
        ...
    summary = run.summary                           # finished and recorded

Written once, here: opening the run's summary, connecting to the search engine (on first use of
``run.index``), turning the engine's client errors into ``RetryLater`` (``retry_of``, around the
whole body), what a transient failure does, finishing and recording the summary. What varies is
how the run ends:

- ``Ending.FINISH`` (the CLI cycle, a backfill, in-process maintenance, the DAG's last task): the
  summary is finished and recorded; a transient failure (the cluster went away) is recorded as a
  failed run and does not raise, since whatever was not written stays staged for the next run;
- ``Ending.START`` (the DAG's first task): the run is recorded as running; a transient failure raises;
- ``Ending.PART`` (the DAG's other tasks): nothing is recorded, the task returns its summary
  document to the last task; a transient failure raises, so that Airflow retries the task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from types import TracebackType

from pipeline.errors import ItemFailure, RetryLater, Stage
from pipeline.index.connection import SearchIndex, retry_of
from pipeline.index.runs import record_run
from pipeline.settings import Settings, redact_url
from pipeline.summary import RunSummary

logger = logging.getLogger(__name__)


class Ending(Enum):
    """How a shell ends its run (see the module docstring)."""

    FINISH = "finish"
    START = "start"
    PART = "part"


@dataclass
class RunContext:
    """What every step of a run works with: the settings, the summary it counts into, the index."""

    settings: Settings
    summary: RunSummary
    ensure_indices: bool = True
    _index: SearchIndex | None = field(default=None, repr=False)

    @property
    def index(self) -> SearchIndex:
        """The connected search index (connected, with templates and indices in place, on first use)."""
        if self._index is None:
            self._index = SearchIndex.connect(self.settings, ensure=self.ensure_indices)
        return self._index

    @property
    def connected(self) -> SearchIndex | None:
        """The index if this run has connected to it, without connecting."""
        return self._index

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)


class RunShell:
    """The context manager around a run; ``with RunShell(...) as run`` gives the ``RunContext``."""

    def __init__(
        self,
        settings: Settings,
        kind: str,
        *,
        run_id: str | None = None,
        ending: Ending = Ending.FINISH,
        ensure_indices: bool = True,
    ) -> None:
        summary = RunSummary(kind=kind, run_id=run_id) if run_id else RunSummary(kind=kind)
        self.context = RunContext(settings, summary, ensure_indices)
        self.ending = ending

    @property
    def summary(self) -> RunSummary:
        return self.context.summary

    def __enter__(self) -> RunContext:
        return self.context

    def __exit__(
        self, exc_type: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> bool:
        settings, summary = self.context.settings, self.context.summary
        retry = error if isinstance(error, RetryLater) else None
        if error is not None and retry is None:
            retry = retry_of(error, f"talking to {redact_url(settings.elasticsearch.url)}")
        if error is not None and retry is None:
            return False  # a bug or a Fatal error: not ours to handle
        if retry is not None:
            summary.fail(ItemFailure.of(retry, Stage.RUN))
            if self.ending is not Ending.FINISH:
                raise retry from error  # an Airflow task: Airflow retries it
            # The cluster went away: whatever was not written stays staged (or unpolled) for the next run.
            logger.warning("%s run %s failed: %s", summary.kind, summary.run_id, retry)
            summary.finish("failed")
            self._record(_reachable(self.context.connected))
            return True
        if self.ending is Ending.FINISH:
            summary.finish("success")
            self._record(self._index_for_record())
        elif self.ending is Ending.START:
            self._record(self._index_for_record())  # status "running" until the last task finishes it
        return False

    def _index_for_record(self) -> SearchIndex | None:
        """The run's index, connecting now if the run never needed it (a run that only merged parts)."""
        try:
            return self.context.index
        except Exception as error:  # the summary still goes to the local file
            logger.warning("cannot record run %s in Elasticsearch: %s", self.context.summary.run_id, error)
            return None

    def _record(self, index: SearchIndex | None) -> None:
        record_run(self.context.summary, index, Path(self.context.settings.ingest.run_data_dir))


def _reachable(index: SearchIndex | None) -> SearchIndex | None:
    """The index if the cluster answers now (a failed run is still recorded there when it can be)."""
    if index is None:
        return None
    try:
        index.client.cluster.health(timeout="2s")
        return index
    except Exception:  # unreachable: the run is recorded in the local file only
        return None
