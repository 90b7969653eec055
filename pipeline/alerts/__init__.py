"""Alerts on new mentions: rules in config/watches.yaml, matched at ingest, delivered exactly once.

    config.py        rules and notifiers, validated (ConfigError names file, key and fix)
    queries.py       rules as Elasticsearch queries; rules packed into multi-search requests
    percolator.py    the percolator path, for clusters that have it and many rules
    matching.py      a batch of article ids -> AlertCandidates (one per rule and story)
    passages.py      the highlighted passage
    claim_changes.py figures that changed within a claim cluster (3,000 -> 10,000 soldiers)
    schedule.py      immediate, throttled and digest release times
    ledger.py        the alerts index: create-once alert documents with delivery state
    receipts.py      which article versions were matched (catch-up after a crash)
    messages.py      message text, HTML, Slack blocks, webhook JSON
    notifiers.py     webhook, Slack and SMTP sending
    delivery.py      lease, send, record; retries with backoff; parking
    dispatch.py      alert_on_articles (each written batch) and deliver_pending (what is due)

docs/alerts.md describes the rules, the delivery guarantees and their limits.
"""
