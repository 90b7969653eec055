"""Run documents: every run's summary, in the runs index and in a local file as a fallback."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pipeline.index.connection import SearchIndex, find_document
from pipeline.summary import RunSummary

logger = logging.getLogger(__name__)


def record_run(summary: RunSummary, index: SearchIndex | None, run_data_dir: Path) -> Path:
    """Store the summary in Elasticsearch when reachable and always as JSON under ``run_data_dir``."""
    document = summary.to_document()
    run_data_dir.mkdir(parents=True, exist_ok=True)
    path = run_data_dir / f"{summary.kind}-{summary.run_id}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    if index is not None:
        try:
            # A run recorded before (the DAG's poll step) is rewritten where it is, even after a rollover.
            existing = find_document(index.client, index.names.runs, summary.run_id)
            target = existing[0] if existing else index.names.runs
            index.client.index(index=target, id=summary.run_id, document=document, refresh="wait_for")
        except Exception as error:  # the local file keeps the summary; the run's own outcome stands
            logger.warning("could not store run %s in Elasticsearch: %s", summary.run_id, error)
    return path


def recent_runs(index: SearchIndex, *, size: int = 10) -> list[dict[str, object]]:
    response = index.client.search(index=index.names.runs, sort=[{"started_at": "desc"}], size=size)
    return [hit["_source"] for hit in response["hits"]["hits"]]
