"""The HTTP layer: fetch pages and feeds safely and politely (see docs/fetch.md).

client.py      Fetcher, fetch_pages: the public entry points and the retry loop
transfer.py    one attempt: redirects hop by hop, deadline, peer check, capped body
guard.py       the SSRF guard: schemes, host names, resolved and connected addresses
politeness.py  per-host and global concurrency, spacing of requests to one host
robots.py      robots.txt parsing, matching and caching (RFC 9309)
retry.py       backoff with jitter, Retry-After
decoding.py    Content-Encoding with a cap on the decoded size
charset.py     HTML detection and character encoding
results.py     FeedResponse (a failure is a pipeline.errors.ItemFailure)
"""
