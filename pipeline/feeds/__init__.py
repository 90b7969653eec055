"""The feed stage: parse polled feed documents safely and decide when each feed is polled next.

    parse.py    parse_feed -> ParsedFeed (FeedEntry items, refused links, error), guarded_parse
    prepare.py  the input guards run before feedparser (entities, DOCTYPE, nesting, HTML in text, encodings)
    dates.py    which of feedparser's dates are believable (bounds, the year written, CJK dates)
    patches.py  a fix to feedparser 6.0.14's sanitiser that input checks cannot make
    text.py     plain text from the sanitised HTML of titles and summaries
    state.py    FeedState and the scheduling rules: is_due, new_entries, after_success/failure
    check.py    check_feed_file(s): the core of ``newshound check-feed``

See docs/feeds.md for the guards and the scheduling rules.
"""
