"""In-process retries: 429s for any request (NetSuite refused it before doing anything), and every retryable
error for reads, which are idempotent. Writes that failed otherwise are retried later, through the ledger.

Whether an error is retryable is decided once, by :func:`decide_retry` when the error is built
(``RequestError.retryable``, ``retry_after``); this module only applies that decision, with full jitter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from tms_netsuite.netsuite._errors import ConcurrencyLimitError, RequestError
from tms_netsuite.netsuite._governor import ConcurrencyGovernor

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

READ_ATTEMPTS = 6
THROTTLE_ATTEMPTS = 8
_jitter = wait_random_exponential(multiplier=0.05, max=5.0)  # full jitter, as NetSuite asks of integrations


def _wait(state: RetryCallState) -> float:
    """Full jitter, but never less than a ``Retry-After`` NetSuite sent."""
    error = state.outcome.exception() if state.outcome is not None else None
    floor = error.retry_after if isinstance(error, RequestError) else None
    return max(floor or 0.0, _jitter(state))


def _retryable(idempotent: bool) -> Callable[[BaseException], bool]:
    def decide(error: BaseException) -> bool:
        if isinstance(error, ConcurrencyLimitError):
            return True
        return idempotent and isinstance(error, RequestError) and error.retryable

    return decide


def retrying(*, idempotent: bool, sleep: Sleep) -> AsyncRetrying:
    """The retry loop for one request (``async for attempt in retrying(...): with attempt: ...``)."""
    return AsyncRetrying(
        sleep=sleep,
        stop=stop_after_attempt(READ_ATTEMPTS if idempotent else THROTTLE_ATTEMPTS),
        wait=_wait,
        retry=retry_if_exception(_retryable(idempotent)),
        reraise=True,
    )


async def call_with_retries(
    request: Callable[[], Awaitable[T]],
    *,
    idempotent: bool,
    governor: ConcurrencyGovernor | None = None,
    sleep: Sleep = asyncio.sleep,
    on_throttled: Callable[[], None] | None = None,
) -> T:
    """One NetSuite request (a call that sends it), retried in place as :func:`retrying` decides.

    Each attempt holds a slot of ``governor`` (when given), which a 429 lowers; ``on_throttled`` is told of
    every 429 as well. The waits between attempts hold no slot. The last error is re-raised.
    """
    async for attempt in retrying(idempotent=idempotent, sleep=sleep):
        with attempt:
            if governor is None:
                return await request()
            async with governor.slot() as slot:
                try:
                    return await request()
                except ConcurrencyLimitError:
                    slot.throttled()
                    if on_throttled is not None:
                        on_throttled()
                    raise
    raise AssertionError("unreachable")  # pragma: no cover - tenacity returns or re-raises
