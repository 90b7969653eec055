"""Run in a subprocess by test_dags.py: load the DagBag and report DAG properties as JSON.

The DAG files are imported once more under an audit hook that records file opens (other than
Python modules) and socket connections: DAG files must do no I/O at import time.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from airflow.dag_processing.dagbag import DagBag

dags_folder = Path(sys.argv[1])
bag = DagBag(dag_folder=str(dags_folder))
report: dict[str, Any] = {"import_errors": {str(k): str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    report["dags"][dag_id] = {
        "tags": sorted(dag.tags),
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "dagrun_timeout": dag.dagrun_timeout.total_seconds() if dag.dagrun_timeout else None,
        "tasks": {
            task.task_id: {
                "retries": task.retries,
                "execution_timeout": task.execution_timeout.total_seconds() if task.execution_timeout else None,
                "outlets": sorted(getattr(outlet, "name", str(outlet)) for outlet in task.outlets),
            }
            for task in dag.tasks
        },
    }

events: list[str] = []
recording = False


def audit(event: str, args: tuple[Any, ...]) -> None:
    if not recording:
        return
    if event == "open" and args and isinstance(args[0], str | bytes):
        name = str(args[0])
        if not name.endswith((".py", ".pyc", ".so", ".pth")) and "__pycache__" not in name:
            events.append(f"open {name}")
    elif event == "socket.connect":
        events.append(f"connect {args[1]!r}")


sys.addaudithook(audit)
for path in sorted(dags_folder.glob("*.py")):
    spec = importlib.util.spec_from_file_location(f"dagcheck_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    recording = True
    spec.loader.exec_module(module)
    recording = False
report["import_time_io"] = events
print("DAGBAG-REPORT " + json.dumps(report))
