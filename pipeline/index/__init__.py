"""The search-engine layer.

connection.py    SearchIndex (client, index names, capabilities), retry_of: client errors -> RetryLater
client.py        the client from the settings; capabilities.py what the cluster can do
templates.py     index templates and aliases, created idempotently
articles.py      articles and claims as documents, upsert rules
bulk.py          bulk writes with per-item outcomes
dead_letters.py  work that failed for good, for a person to see and replay
runs.py          run summaries
"""
