"""The ingest cycle: work items, polling, fetching and building, writing, and the steps DAG tasks call."""
