"""Governance: the account's concurrency limit, NetSuite's processing time (latency) and injected faults.

One ASGI layer wraps the application, inside the guard that dates answers and turns errors into 500s:

- **Concurrency.** Every request to REST web services or the RESTlet domain holds one of the account's slots
  while it is served. A request that finds every slot taken answers 429 at once, with NetSuite's body
  (netsuite-api.md §4). The OAuth 2.0 endpoints (token, keys) take no slot: NetSuite's limit governs web services
  *calls* — SOAP, REST and RESTlets — and a client that must refresh its token while its calls fill the account
  would otherwise be locked out by its own traffic (the emulator's reading; Oracle does not say).
- **Allocations.** An integration record with a concurrency allocation is capped at it; integrations without one
  share the unallocated rest of the account's limit (ORA/bridgehead_156224824287.html). A request counts against
  its integration's pool: ``pool_of`` names it from the request (the emulator passes one that reads the
  Authorization header), and a full pool answers the same 429 as a full account.
- **Latency.** A request takes ``latency_ms`` plus a uniform ``0..jitter_ms`` (seeded) in all, *inside* the slot,
  like NetSuite's own processing time: the emulator handles it, then holds the answer until that time has passed
  (its own work counts towards it; work that takes longer is not held further). Slow answers keep slots busy,
  as in production, and a benchmark's ideal time N·L/C is what the emulator allows.
- **Faults** hit record, document (File Cabinet) and SuiteQL requests only (not the token endpoint, serverTime or tokeninfo). One seeded
  draw per eligible request decides, before the handler runs, whether it fails and how:

  ``5xx``   500 UNEXPECTED_ERROR; the handler does not run, nothing is written.
  ``drop``  the handler runs (a write is committed), then the answer is lost. Over a socket the client receives a
            status line and headers announcing a body that never comes, and the connection closes: httpx raises
            ``RemoteProtocolError`` (an incomplete response, the outcome-unknown case). In-process, through
            ``httpx.ASGITransport``, :class:`ConnectionDropped` (an ``httpx.RemoteProtocolError``) propagates out
            of the client call, the closest equivalent.
  ``429``   a spurious 429 CONCURRENCY_LIMIT_EXCEEDED; the handler does not run.
  ``401``   a spurious 401 INVALID_LOGIN, as NetSuite answers under overload; the handler does not run and the
            Login Audit Trail records nothing.
  ``slow``  the handler runs, then the answer is held back until it has taken five times as long as it would
            have (latency included); the slot stays taken meanwhile.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import anyio
import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from netsuite_emulator._errors import ERROR_MEDIA_TYPE, INVALID_LOGIN_DETAIL, error_body

FAULT_KINDS: tuple[str, ...] = ("5xx", "drop", "429", "401", "slow")
SLOW_FACTOR = 5

CONCURRENCY_DETAIL = "Concurrent request limit exceeded. Request blocked."
_NO_BODY_STATUSES = frozenset({204, 304})


class ConnectionDropped(httpx.RemoteProtocolError):
    """The emulator dropped the connection after handling the request (the ``drop`` fault)."""

    def __init__(self) -> None:
        super().__init__("The server closed the connection without sending a complete response (drop fault).")


def parse_faults(text: str) -> dict[str, float]:
    """``"5xx=0.01,drop=0.02"`` → ``{"5xx": 0.01, "drop": 0.02}``; ValueError on anything else."""
    rates: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        kind, sep, value = part.partition("=")
        kind = kind.strip()
        if not sep or kind not in FAULT_KINDS:
            raise ValueError(
                f"fault {part.strip()!r}: expected KIND=RATE with KIND one of {', '.join(FAULT_KINDS)}"
            )
        if kind in rates:
            raise ValueError(f"fault {kind!r} given twice")
        rates[kind] = float(value)
    return check_faults(rates)


def check_faults(rates: Mapping[str, float]) -> dict[str, float]:
    checked = {kind: float(rate) for kind, rate in rates.items()}
    for kind, rate in checked.items():
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate {kind}={rate} is not between 0 and 1")
    if sum(checked.values()) > 1.0 + 1e-9:
        raise ValueError("fault rates add up to more than 1")
    return checked


def split_fault_rate(rate: float) -> dict[str, float]:
    """``--fault-rate R``: R split evenly over the five kinds."""
    return check_faults(dict.fromkeys(FAULT_KINDS, rate / len(FAULT_KINDS)))


# The pool a request draws from, given the request and the account's effective limit: (its name, its size).
PoolOf = Callable[[Scope, int], tuple[str, int]]


def _one_pool(scope: Scope, limit: int) -> tuple[str, int]:
    return ("account", limit)


@dataclass(frozen=True)
class GovernanceStats:
    """Counters since the emulator started (or since :meth:`Governor.reset`)."""

    limit: int
    served: int  # governed requests that got a slot (whatever their answer)
    refused: int  # 429s for the concurrency limit (not the injected ones)
    in_flight: int
    peak_in_flight: int
    faults: Mapping[str, int] = field(default_factory=dict)  # injected faults per kind


class Governor:
    """The account's slots, latency and fault plan; :meth:`wrap` puts them in front of an ASGI app."""

    def __init__(
        self,
        account_limit: Callable[[], int],
        *,
        limit: int | None = None,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        faults: Mapping[str, float] | None = None,
        seed: int | None = None,
        pool_of: PoolOf = _one_pool,
    ) -> None:
        if limit is not None and limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        if latency_ms < 0 or jitter_ms < 0:
            raise ValueError("latency and jitter cannot be negative")
        self._account_limit = account_limit
        self._override = limit
        self.latency = latency_ms / 1000.0
        self.jitter = jitter_ms / 1000.0
        self.faults = check_faults(faults or {})
        self._fault_random = random.Random(seed)
        # A separate stream, so that enabling jitter does not change which requests fail.
        self._jitter_random = random.Random(None if seed is None else f"jitter-{seed}")
        self._pool_of = pool_of
        self._in_flight = 0
        self._pools: dict[str, int] = {}  # requests in flight per pool
        self.reset()

    @property
    def limit(self) -> int:
        """The effective limit: the override, else the account's (read live, so a test may change it)."""
        return self._override if self._override is not None else self._account_limit()

    def reset(self) -> None:
        """Zero the counters (the slots in use stay as they are)."""
        self._served = 0
        self._refused = 0
        self._peak = self._in_flight
        self._injected = dict.fromkeys(FAULT_KINDS, 0)

    def stats(self) -> GovernanceStats:
        return GovernanceStats(
            limit=self.limit,
            served=self._served,
            refused=self._refused,
            in_flight=self._in_flight,
            peak_in_flight=self._peak,
            faults=dict(self._injected),
        )

    # The app runs on one event loop; nothing below awaits between a check and its update.
    def try_enter(self, scope: Scope | None = None) -> str | None:
        """The pool a slot was taken in, or None when the request's pool (or the account) is full."""
        limit = self._override or self._account_limit()
        pool, size = self._pool_of(scope, limit) if scope is not None else ("account", limit)
        if self._in_flight >= limit or self._pools.get(pool, 0) >= size:
            self._refused += 1
            return None
        self._pools[pool] = self._pools.get(pool, 0) + 1
        self._in_flight += 1
        self._served += 1
        self._peak = max(self._peak, self._in_flight)
        return pool

    def leave(self, pool: str = "account") -> None:
        self._pools[pool] -= 1
        self._in_flight -= 1

    def delay(self) -> float:
        extra = self._jitter_random.uniform(0.0, self.jitter) if self.jitter else 0.0
        return self.latency + extra

    def draw_fault(self) -> str | None:
        if not self.faults:
            return None
        roll = self._fault_random.random()
        for kind in FAULT_KINDS:
            rate = self.faults.get(kind, 0.0)
            if roll < rate:
                self._injected[kind] += 1
                return kind
            roll -= rate
        return None

    def wrap(self, app: ASGIApp, new_id: Callable[[], str]) -> ASGIApp:
        return _GovernedApp(app, self, new_id)


async def _until(deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining > 0:
        await anyio.sleep(remaining)


def _governed(path: str) -> bool:
    if path.startswith("/services/rest/auth/"):
        return False
    return path.startswith(("/services/rest/", "/rest/"))


def _faultable(path: str) -> bool:
    return path.startswith(("/services/rest/record/", "/services/rest/document/")) or (
        path.rstrip("/") == "/services/rest/query/v1/suiteql"
    )


def concurrency_body() -> dict[str, object]:
    """NetSuite's documented 429: oddly titled Bad Request, with a top-level USER_ERROR code (§4)."""
    body = error_body(400, "CONCURRENCY_LIMIT_EXCEEDED", CONCURRENCY_DETAIL)
    return {**body, "status": 429, "o:errorCode": "USER_ERROR"}


class _GovernedApp:
    def __init__(self, app: ASGIApp, governor: Governor, new_id: Callable[[], str]) -> None:
        self.app, self.governor, self.new_id = app, governor, new_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not _governed(path):
            await self.app(scope, receive, send)
            return
        governor = self.governor
        pool = governor.try_enter(scope)
        if pool is None:
            await self._answer(send, 429, concurrency_body())
            return
        held = True

        def done() -> None:
            # The slot is free once the request is processed, before its answer travels back: in NetSuite the
            # answer's way back is network time outside the account's count, so a client never sees a 429 while
            # fewer than C of its own requests are in flight. (The emulator's reading; Oracle does not say when a
            # request stops counting. Freeing it after the send let a client that answers quickly meet 429s
            # below C, and learn too low a limit.)
            nonlocal held
            if held:
                held = False
                governor.leave(pool)

        try:
            started = time.monotonic()
            delay = governor.delay()
            fault = governor.draw_fault() if _faultable(path) else None
            if fault is None and delay <= 0:
                await self.app(scope, receive, send)
                return
            if fault in (None, "drop", "slow"):
                messages = await self._capture(scope, receive)
                await _until(started + delay)
                if fault == "drop":
                    done()
                    await self._break(send, messages)
                    raise ConnectionDropped
                if fault == "slow":
                    elapsed = time.monotonic() - started
                    await anyio.sleep(elapsed * (SLOW_FACTOR - 1))
                done()
                for message in messages:
                    await send(message)
                return
            await _until(started + delay)
            done()
            if fault == "5xx":
                detail = f"An unexpected error occurred. Error ID: {self.new_id()[:20]}"
                await self._answer(send, 500, error_body(500, "UNEXPECTED_ERROR", detail))
            elif fault == "429":
                await self._answer(send, 429, concurrency_body())
            elif fault == "401":
                await self._answer(send, 401, error_body(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL))
        finally:
            done()

    async def _capture(self, scope: Scope, receive: Receive) -> list[Message]:
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        return messages

    @staticmethod
    async def _break(send: Send, messages: list[Message]) -> None:
        """Announce the answer's body, then send none of it."""
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        status = int(start["status"]) if start is not None else 200
        length = sum(len(m.get("body", b"")) for m in messages if m["type"] == "http.response.body")
        await send(
            {
                "type": "http.response.start",
                "status": 200 if status in _NO_BODY_STATUSES else status,
                "headers": [
                    (b"content-type", ERROR_MEDIA_TYPE.encode() if status >= 400 else b"application/json"),
                    (b"content-length", str(max(length, 1)).encode()),
                ],
            }
        )

    async def _answer(self, send: Send, status: int, body: Mapping[str, object]) -> None:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", ERROR_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
