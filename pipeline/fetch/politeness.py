"""Per-host politeness: a cap on requests in flight per host and overall, and spacing of starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from pipeline.settings import FetchSettings


@dataclass
class _HostState:
    in_flight: asyncio.Semaphore
    next_start: float = field(default=float("-inf"))


class Politeness:
    """Hands out request slots: ``async with politeness.slot(host): ...`` around one HTTP exchange.

    Order of waiting: the host's own slot, then its start spacing, then a global slot, so a
    request queued behind a busy host never holds one of the global slots while it waits.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        sleep: Callable[[float], Awaitable[None]],
        clock: Callable[[], float],
    ) -> None:
        self._per_host_concurrency = settings.per_host_concurrency
        self._per_host_delay = settings.per_host_delay_seconds
        self._global = asyncio.Semaphore(settings.concurrency)
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _HostState] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait until a request to ``host`` may start, and hold its slot while the block runs."""
        host = host.lower()
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(asyncio.Semaphore(self._per_host_concurrency))
        async with state.in_flight:
            # Reserve the start time before sleeping, so requests queued together are spaced out
            # one after the other instead of all waking at the same moment.
            now = self._clock()
            start = max(now, state.next_start)
            state.next_start = start + self._per_host_delay
            if start > now:
                await self._sleep(start - now)
            async with self._global:
                yield
