"""Kibana's saved objects (``config/kibana/*.ndjson``).

    saved_objects.py  load and validate them; point their data views at an index prefix
    importer.py       import them over Kibana's HTTP API

Checking the fields they use against the index templates is development tooling
(``newshound_dev.kibana_checks``, run by the tests).
"""
