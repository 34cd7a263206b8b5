"""In-process retries: 429s for any request (NetSuite refused it before doing anything), and every retryable
error for reads, which are idempotent. Writes that failed otherwise are retried later, through the ledger.

Whether an error is retryable is decided once, by :func:`decide_retry` when the error is built
(``RequestError.retryable``, ``retry_after``); this module only applies that decision, with full jitter.
"""

from __future__ import annotations

import asyncio
import random
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


def retrying(*, idempotent: bool, sleep: Sleep, after_first: bool = False) -> AsyncRetrying:
    """The retry loop for one request (``async for attempt in retrying(...): with attempt: ...``). With
    ``after_first``, the loop of attempts 2, 3, … after a first attempt made outside it: one attempt fewer, and
    waits drawn as they would have been for those attempts."""
    return AsyncRetrying(
        sleep=sleep,
        stop=stop_after_attempt((READ_ATTEMPTS if idempotent else THROTTLE_ATTEMPTS) - after_first),
        wait=_wait_after_first if after_first else _wait,
        retry=retry_if_exception(_retryable(idempotent)),
        reraise=True,
    )


_jitter_after_first = wait_random_exponential(multiplier=0.1, max=5.0)  # attempt k here is attempt k + 1


def _wait_after_first(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome is not None else None
    floor = error.retry_after if isinstance(error, RequestError) else None
    return max(floor or 0.0, _jitter_after_first(state))


def _first_wait(error: BaseException) -> float:
    """The wait after a failed first attempt, as the retry loop draws it (full jitter up to 0.05 s)."""
    floor = error.retry_after if isinstance(error, RequestError) else None
    return max(floor or 0.0, random.uniform(0, 0.05))


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

    async def attempt_once() -> T:
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

    # The first attempt outside tenacity: nearly every request succeeds at once, and building a retry loop for
    # each one cost about 5 % of the exporter's CPU (py-spy, issue 22).
    try:
        return await attempt_once()
    except Exception as error:
        if not _retryable(idempotent)(error):
            raise
        await sleep(_first_wait(error))
    async for attempt in retrying(idempotent=idempotent, sleep=sleep, after_first=True):
        with attempt:
            return await attempt_once()
    raise AssertionError("unreachable")  # pragma: no cover - tenacity returns or re-raises
