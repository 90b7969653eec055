"""Newshound's development tooling, beside the product package ``pipeline``.

- ``newsweb``: the local news web (feeds and pages from ``../shared/corpus``) for demos, tests and
  benchmarks;
- ``evaluation``: the gold-data evaluations behind ``newshound eval``;
- ``kibana_checks``: the saved objects' fields checked against the index templates.

Nothing in ``pipeline`` imports it at module level: the CLI commands that need it (``eval``,
``newsweb``, ``ingest --demo``) import it when they run.
"""
