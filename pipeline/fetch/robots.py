"""robots.txt (RFC 9309): parsing, matching for our product token, and a per-origin cache.

Rules: the groups naming our product token (case-insensitive) apply, else the ``*`` groups; the
longest matching Allow/Disallow pattern wins and Allow wins a tie; ``*`` matches any run of
characters and a final ``$`` anchors the end. Fetch outcomes (RFC 9309 section 2.3.1):

    2xx                          parse the file (the first 512 KiB)
    4xx except 429               "unavailable": everything allowed
    too many redirects, or a     "unavailable": everything allowed
      redirect the guard refuses
    429, 5xx, timeout, network   "unreachable": everything disallowed until the entry expires
"""

from __future__ import annotations

import asyncio
import logging
import re
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from pipeline.errors import Reason
from pipeline.fetch.results import FetchAborted

logger = logging.getLogger(__name__)

# RFC 9309 asks crawlers to parse at least 500 KiB; the rest of a bigger file is ignored.
ROBOTS_MAX_BYTES = 512 * 1024
# Paths longer than this are compared by their prefix only; it bounds the matching work.
_MAX_PATH_CHARS = 4096
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_USER_AGENT_KEYS = frozenset({"user-agent", "useragent", "user agent"})

RobotsFetch = Callable[[str], Awaitable[tuple[int, bytes] | FetchAborted]]


def product_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against: "Newshound/0.1 (...)" -> "newshound"."""
    match = re.match(r"[A-Za-z_-]+", user_agent.strip())
    return match.group(0).lower() if match else "*"


@dataclass(frozen=True)
class RobotsRules:
    """The Allow/Disallow rules of the groups that apply to us, as (allowed, normalised pattern)."""

    rules: tuple[tuple[bool, str], ...]

    def allows(self, path: str) -> bool:
        """Whether ``path`` (path and query, as sent on the wire) may be fetched."""
        path = _normalize(path or "/")[:_MAX_PATH_CHARS]
        if path == "/robots.txt":
            return True
        best_length, best_allowed = -1, True
        for allowed, pattern in self.rules:
            if len(pattern) < best_length or (len(pattern) == best_length and best_allowed):
                continue
            if _glob_match(pattern, path):
                best_length, best_allowed = len(pattern), allowed
        return best_allowed


def parse_robots(text: str, token: str) -> RobotsRules:
    """The rules that apply to ``token`` (a lowercase product token) in a robots.txt file."""
    groups: list[tuple[list[str], list[tuple[bool, str]]]] = []
    agents: list[str] = []
    rules: list[tuple[bool, str]] = []
    in_rules = False
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        key, separator, value = line.partition(":")
        if not separator:
            continue
        key, value = key.strip().lower(), value.strip()
        if key in _USER_AGENT_KEYS:
            if in_rules:  # a user-agent line after rules starts the next group
                groups.append((agents, rules))
                agents, rules, in_rules = [], [], False
            agents.append(product_token(value) if value != "*" else "*")
        elif key in ("allow", "disallow") and agents:
            in_rules = True
            if value:  # "Disallow:" with no path allows everything: no rule
                rules.append((key == "allow", _normalize(value)))
    if agents:
        groups.append((agents, rules))
    chosen = [rule for names, group in groups if token in names for rule in group]
    if not any(token in names for names, _ in groups):
        chosen = [rule for names, group in groups if "*" in names for rule in group]
    return RobotsRules(tuple(chosen))


@dataclass(frozen=True)
class RobotsPolicy:
    """What robots.txt of one origin says for us; ``unreachable`` explains a disallow-all."""

    rules: RobotsRules | None = None
    unreachable: str | None = None

    def allows(self, path: str) -> bool:
        if self.unreachable is not None:
            return False
        return self.rules is None or self.rules.allows(path)


def policy_from_fetch(outcome: tuple[int, bytes] | FetchAborted, token: str) -> RobotsPolicy:
    """Turn the outcome of fetching robots.txt into a policy (see the module docstring)."""
    if isinstance(outcome, FetchAborted):
        failure = outcome.failure
        if failure.reason in (Reason.FETCH_TOO_MANY_REDIRECTS, Reason.UNSAFE_URL):
            return RobotsPolicy()
        if outcome.status is not None and 400 <= outcome.status < 500 and outcome.status != 429:
            return RobotsPolicy()
        return RobotsPolicy(unreachable=f"robots.txt unreachable ({failure.reason}: {failure.detail})")
    status, body = outcome
    if 200 <= status < 300:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
        return RobotsPolicy(rules=parse_robots(text, token))
    if 400 <= status < 500 and status != 429:
        return RobotsPolicy()
    return RobotsPolicy(unreachable=f"robots.txt unreachable (HTTP {status})")


@dataclass
class _Entry:
    policy: RobotsPolicy
    expires: float


class RobotsCache:
    """robots.txt policies per origin (scheme, host, port), fetched once, kept ``cache_seconds``."""

    def __init__(self, token: str, cache_seconds: float, clock: Callable[[], float], fetch: RobotsFetch) -> None:
        self._token = token
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._fetch = fetch
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def policy(self, robots_url: str) -> RobotsPolicy:
        """The policy of one origin, by its robots.txt URL; concurrent callers share one fetch."""
        entry = self._fresh(robots_url)
        if entry is not None:
            return entry.policy
        lock = self._locks.setdefault(robots_url, asyncio.Lock())
        async with lock:
            entry = self._fresh(robots_url)
            if entry is None:
                policy = policy_from_fetch(await self._fetch(robots_url), self._token)
                if policy.unreachable:
                    logger.info("%s: %s; disallowing the host", robots_url, policy.unreachable)
                entry = _Entry(policy, self._clock() + self._cache_seconds)
                self._entries[robots_url] = entry
        return entry.policy

    def _fresh(self, robots_url: str) -> _Entry | None:
        entry = self._entries.get(robots_url)
        return entry if entry is not None and entry.expires > self._clock() else None


def _normalize(path: str) -> str:
    """Percent-encode non-ASCII, upper-case escapes and decode escaped unreserved characters."""
    path = quote(path, safe="!#$&'()*+,/:;=?@[]~%")
    return _ESCAPE.sub(_unescape_unreserved, path)


def _unescape_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _glob_match(pattern: str, path: str) -> bool:
    """Robots pattern match at the start of ``path``: ``*`` any run, final ``$`` the end.

    A two-pointer wildcard match (O(len(pattern) * len(path)) at worst): no regular expression, so
    a hostile pattern cannot cause catastrophic backtracking.
    """
    if pattern.endswith("$"):
        pattern = pattern[:-1]
    else:
        pattern += "*"  # a pattern is a prefix match unless anchored
    p = s = 0
    star, mark = -1, 0
    while s < len(path):
        if p < len(pattern) and pattern[p] == "*":
            star, mark = p, s
            p += 1
        elif p < len(pattern) and pattern[p] == path[s]:
            p += 1
            s += 1
        elif star != -1:
            p, mark = star + 1, mark + 1
            s = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)
