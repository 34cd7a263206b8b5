"""One request, retried in place: 429s always, other retryable errors only for reads, each attempt in a slot
of the run's governor, which learns from the 429s."""

from __future__ import annotations

import pytest

from tms_netsuite.netsuite import (
    ConcurrencyGovernor,
    ConcurrencyLimitError,
    RequestError,
    RequestInfo,
    RetryDecision,
    ServerError,
    call_with_retries,
)

pytestmark = pytest.mark.anyio
REQUEST = RequestInfo("GET", "https://123456.suitetalk.api.netsuite.com/services/rest/system/v1/serverTime")


async def _no_sleep(seconds: float) -> None:
    return None


class Flaky:
    """Fails with the given errors in turn, then answers."""

    def __init__(self, *errors: RequestError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "answer"


def _throttled() -> ConcurrencyLimitError:
    return ConcurrencyLimitError("HTTP 429", request=REQUEST, status=429)


def _server_error() -> ServerError:
    decision = RetryDecision(retry=True, reason="NetSuite server error 503")
    return ServerError("HTTP 503", request=REQUEST, status=503, decision=decision)


async def test_a_429_is_retried_and_taught_to_the_governor() -> None:
    governor, seen = ConcurrencyGovernor(), []
    request = Flaky(_throttled(), _throttled())
    answer = await call_with_retries(
        request, idempotent=False, governor=governor, sleep=_no_sleep, on_throttled=lambda: seen.append(1)
    )
    assert answer == "answer"
    assert request.calls == 3
    assert governor.stats.throttled == 2 == len(seen)


async def test_a_server_error_is_retried_for_a_read_only() -> None:
    read = Flaky(_server_error())
    assert await call_with_retries(read, idempotent=True, sleep=_no_sleep) == "answer"
    write = Flaky(_server_error())
    with pytest.raises(ServerError):
        await call_with_retries(write, idempotent=False, sleep=_no_sleep)
    assert write.calls == 1


async def test_a_persistent_refusal_is_raised_after_the_last_attempt() -> None:
    request = Flaky(*(_throttled() for _ in range(20)))
    with pytest.raises(ConcurrencyLimitError):
        await call_with_retries(request, idempotent=True, sleep=_no_sleep)
    assert request.calls == 6  # a read's attempts
