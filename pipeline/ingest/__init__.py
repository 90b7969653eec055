"""The ingest run; docs/airflow.md shows how its steps become DAG tasks.

workitems.py  feed entries staged in the search engine between polling and indexing
poll.py       fetch the due feeds, stage their new entries, record each feed's state
batches.py    fetch pages and build articles, batch by batch, on all cores
write.py      write built articles: plan (pure), execute, account
steps.py      the steps of a run on a RunContext: poll, build, store, write and alert, deliver
cycle.py      one run in process (``newshound ingest``), composed of the steps
tasks.py      the same steps cut into Airflow tasks (plain JSON in and out)
backfill.py   (re)ingest whole feeds or URL lists with bounded memory
"""
