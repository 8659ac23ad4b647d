"""Running analyses off the event loop, with admission control and a time limit.

At most ``capacity`` jobs are admitted at once (running on one of ``workers`` threads, or
waiting for one). A job beyond that is refused at once with 503 and ``Retry-After`` rather than
queued: under overload, clients learn quickly that they should back off, and the latency of
admitted jobs stays bounded. A job that runs past ``timeout`` is answered 504; if it had not
started yet it is cancelled, otherwise its thread finishes in the background and keeps its
slot until then (so the admission bound is real).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from unspin.api.errors import ApiError

T = TypeVar("T")


class Runner:
    def __init__(self, *, workers: int, capacity: int, timeout: float) -> None:
        self.workers = workers
        self.capacity = max(capacity, 1)
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unspin-analyze")
        self._lock = threading.Lock()
        self._inflight = 0
        self.refused = 0  # jobs answered 503 since start
        self.timed_out = 0

    @property
    def inflight(self) -> int:
        return self._inflight

    def _release(self, _fut: Future[Any]) -> None:
        with self._lock:
            self._inflight -= 1

    async def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn()`` on a worker thread and return its result (its exceptions propagate)."""
        with self._lock:
            if self._inflight >= self.capacity:
                self.refused += 1
                raise ApiError(
                    503,
                    "overloaded",
                    f"the server is busy ({self.capacity} analyses in progress); retry shortly",
                    headers={"Retry-After": "1"},
                )
            self._inflight += 1
        try:
            fut = self._pool.submit(fn)
        except BaseException:
            with self._lock:
                self._inflight -= 1
            raise
        fut.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout)
        except TimeoutError:
            fut.cancel()  # a job still waiting for a thread never starts
            self.timed_out += 1
            raise ApiError(
                504,
                "timeout",
                f"the analysis took longer than the server's limit of "
                f"{self.timeout:g} s; try a shorter text",
            ) from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
