"""The ``newshound`` command line.

app.py         the application object, exit statuses, the one translation of errors for people
main.py        the console entry point (``newshound``): registers every command module
common.py      settings, entity names, output shared by the commands
ingest.py      ingest, retry-dead-letters, newsweb
operations.py  setup, backfill, maintenance
search.py      search, status
claims.py      claims
watch.py       watch list/add/remove/test
feeds.py       check-feed
evaluate.py    eval extraction/claims/entities/ner
"""
