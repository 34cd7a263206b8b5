"""In-process retries: 429s for any request (NetSuite refused it before doing anything), and every retryable
error for reads, which are idempotent. Writes that failed otherwise are retried later, through the ledger."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from tms_netsuite.netsuite._errors import ConcurrencyLimitError, RequestError

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


def retrying(*, idempotent: bool, sleep: Callable[[float], Awaitable[None]]) -> AsyncRetrying:
    """The retry loop for one request (``async for attempt in retrying(...): with attempt: ...``)."""
    return AsyncRetrying(
        sleep=sleep,
        stop=stop_after_attempt(READ_ATTEMPTS if idempotent else THROTTLE_ATTEMPTS),
        wait=_wait,
        retry=retry_if_exception(_retryable(idempotent)),
        reraise=True,
    )
