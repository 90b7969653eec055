"""What Airflow tasks need besides the steps: settings that honour Airflow's connection, run ids.

Imports without Airflow; Airflow is only asked for the connection when it is there.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from pipeline.settings import AirflowSettings, Settings, airflow_settings, load_settings

logger = logging.getLogger(__name__)
ELASTICSEARCH_CONNECTION_ID = "elasticsearch_default"


def airflow_connection_uri(connection_id: str = ELASTICSEARCH_CONNECTION_ID) -> str | None:
    """The URI of an Airflow connection (environment, metadata database or secrets backend), if defined."""
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:
        return None
    try:
        return str(Connection.get(connection_id).get_uri())
    except AirflowNotFoundException:
        return None


def task_settings() -> Settings:
    """Settings for a task: Newshound's files and environment, with Airflow's Elasticsearch connection."""
    return load_settings(connection_uri=airflow_connection_uri())


def short_run_id(airflow_run_id: str | None) -> str:
    """Our run id for an Airflow run id: stable across task retries, short enough to read."""
    return hashlib.sha256((airflow_run_id or "manual").encode("utf-8")).hexdigest()[:16]


def default_task_args(options: AirflowSettings | None = None) -> dict[str, Any]:
    """Task defaults of every DAG: retries with exponential backoff and a timeout (tests lower the retries)."""
    options = options or airflow_settings()
    return {
        "owner": "newshound",
        "retries": options.task_retries,
        "retry_delay": timedelta(seconds=options.task_retry_delay_seconds),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
        "execution_timeout": timedelta(minutes=30),
    }


def airflow_assets() -> tuple[Any, Any]:
    """The Airflow Assets for new articles and claims; downstream DAGs can use them as schedule."""
    from airflow.sdk import Asset

    return (
        Asset(name="newshound_articles", uri="elasticsearch://newshound/articles"),
        Asset(name="newshound_claims", uri="elasticsearch://newshound/claims"),
    )
