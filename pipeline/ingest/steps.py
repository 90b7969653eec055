"""The steps of an ingest run, each on a ``RunContext``: the CLI's cycle (``cycle.py``), the
backfill and the Airflow DAGs call the same ones, only cut differently.

    poll(run, sources)                -> ids of the work items due now (new entries staged first)
    build(run, items, builder)        -> built articles (pages fetched, articles built, failures parked)
    store_built / load_built          -> built articles kept in their work items between Airflow tasks
    write_and_alert(run, built, ...)  -> ids written; each written batch matched against the watch rules
    deliver(run, watches)             -> due deliveries and digests sent, missed articles caught up

Every step is idempotent: re-running it after a crash or retry finds the items in the state the
last successful write left them in.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.alerts.config import WatchConfig
from pipeline.alerts.dispatch import alert_on_articles, deliver_pending, mark_seen
from pipeline.build import BuiltArticle
from pipeline.errors import Reason
from pipeline.ingest.batches import ArticleBuilder, PendingBatch, finish_batch, start_batch
from pipeline.ingest.poll import poll_feeds
from pipeline.ingest.workitems import PROCESSED, WorkItem, due_item_ids, load_items, processed_fields, update_items
from pipeline.ingest.write import park_build_failures, write_articles
from pipeline.run import RunContext
from pipeline.settings import FeedSource, load_feed_registry

Built = list[tuple[WorkItem, BuiltArticle]]


def poll(run: RunContext, sources: Sequence[FeedSource] | None = None, *, force: bool = False) -> list[str]:
    """Poll the due feeds of the registry (or ``sources``; all of them with ``force``) and stage their
    new entries; return the ids of every work item due now, new or left over."""
    sources = sources if sources is not None else load_feed_registry(run.settings).feeds
    polled = poll_feeds(run, sources, force=force)
    item_ids = list(dict.fromkeys([*polled.item_ids, *due_item_ids(run.index, run.now())]))
    run.summary.count(Reason.WORK_ITEMS, len(item_ids))
    return item_ids


def batches_of(run: RunContext, item_ids: Sequence[str]) -> list[list[str]]:
    """The ids cut into batches of ``ingest.batch_size`` (what one build call or DAG task takes)."""
    size = run.settings.ingest.batch_size
    return [list(item_ids[start : start + size]) for start in range(0, len(item_ids), size)]


def start_building(run: RunContext, item_ids: Sequence[str], builder: ArticleBuilder) -> PendingBatch:
    """Fetch a batch's pages and start building its articles (in the workers, while the caller goes on)."""
    return start_batch(run, [item for item in load_items(run.index, item_ids) if item.status != "done"], builder)


def finish_building(run: RunContext, pending: PendingBatch) -> Built:
    """Wait for a batch's articles; park the items whose build failed."""
    built, failures = finish_batch(run, pending)
    park_build_failures(run, failures)
    return built


def build(run: RunContext, item_ids: Sequence[str], builder: ArticleBuilder) -> Built:
    """Fetch and build one batch and wait for it."""
    return finish_building(run, start_building(run, item_ids, builder))


def store_built(run: RunContext, built: Built) -> None:
    """Keep each built article in its work item (status processed), for the task that writes them."""
    fresh = {
        item.item_id: processed_fields(result.article, result.outcome)
        for item, result in built
        if item.status != PROCESSED
    }
    if fresh:
        update_items(run.index, fresh)


def load_built(run: RunContext, item_ids: Sequence[str]) -> Built:
    """The built articles kept in these work items (items not built or already written are skipped)."""
    items = load_items(run.index, item_ids)
    return [
        (item, BuiltArticle(item.article, item.outcome or Reason.FETCHED))
        for item in items
        if item.status == PROCESSED and item.article is not None
    ]


def write_and_alert(
    run: RunContext, built: Built, *, alerts: bool = True, watches: WatchConfig | None = None
) -> list[str]:
    """Dedupe and index a batch; match the articles written against the watch rules, or, for a
    backfill of history, mark them seen so that they never alert. Return the ids written."""
    written = write_articles(run, built).written_ids
    if alerts:
        alert_on_articles(run.index, run.settings, written, run.summary, now=run.now(), config=watches)
    else:
        mark_seen(run.index, written, run.now())
    return written


def deliver(run: RunContext, watches: WatchConfig | None = None) -> None:
    """Send what is due (held alerts, digests, retries) and match articles no run matched."""
    deliver_pending(run.index, run.settings, run.summary, now=run.now(), config=watches)
