"""Events to the TMS as webhooks signed as Standard Webhooks defines (standardwebhooks.com): headers
``webhook-id`` (the event's stable id), ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``
(``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body`` under the ``whsec_`` secret), signed by the
``standardwebhooks`` package, so any TMS verifies them with an off-the-shelf library.

Delivery is at least once (receivers drop a repeat by its ``webhook-id``): an answer in 2xx is delivered; anything else (an error
status, no answer in 15 s) is tried again on a schedule of growing waits that spans more than a day (Svix's, the
Standard Webhooks authors': 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). A delivery that fails its last attempt
stays failed and its endpoint is disabled; the user enables it again once the receiver is fixed (every failed
delivery is then due again) or redelivers events by hand. Within one round, an endpoint that failed is not tried
again: its other due events wait for the next round.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from standardwebhooks import Webhook

from tms_netsuite.accounts import SecretBox
from tms_netsuite.ledger import Delivery, Ledger

RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
TIMEOUT = httpx.Timeout(15.0)
_ERROR_TEXT = 300  # characters of an error kept


def new_secret() -> str:
    """A new signing secret: ``whsec_`` and 32 random bytes in base64, as Standard Webhooks writes them."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def signed_request(secret: str, event_id: str, body: str, at: datetime) -> dict[str, str]:
    """The headers of one delivery of ``body`` (the event's JSON) signed at ``at``."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
        "content-type": "application/json",
        "user-agent": "tms-netsuite-webhooks",
    }


@dataclass
class DeliveryReport:
    """One round of deliveries."""

    attempted: int = 0
    delivered: int = 0
    failed: int = 0  # attempts that failed (tried again later unless the schedule is spent)
    disabled: list[str] = field(default_factory=list)  # endpoints disabled in this round, with the reason


class Deliverer:
    """Delivers the outbox's due events to the account's enabled endpoints.

    ``clock`` schedules attempts (the ledger's); ``wall_clock`` (Unix seconds) dates the signatures, which
    receivers check against their own clock.
    """

    def __init__(
        self,
        ledger: Ledger,
        box: SecretBox,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        wall_clock: Callable[[], float] = time.time,
        schedule: Sequence[timedelta] = RETRY_SCHEDULE,
    ) -> None:
        self._store = ledger.readback()
        self._box = box
        self._transport = transport
        self._clock = clock
        self._wall_clock = wall_clock
        self._schedule = tuple(schedule)

    async def deliver_due(self) -> DeliveryReport:
        """Give new events to the endpoints, then try every delivery that is due, oldest first."""
        report = DeliveryReport()
        await self._store.enqueue_deliveries()
        blocked: set[int] = set()  # endpoints that failed in this round
        async with httpx.AsyncClient(transport=self._transport, timeout=TIMEOUT) as http:
            while due := await self._store.due_deliveries():
                progressed = False
                for delivery in due:
                    if delivery.endpoint.id in blocked:
                        continue
                    ok = await self._attempt(http, delivery, report)
                    progressed = progressed or ok
                    if not ok:
                        blocked.add(delivery.endpoint.id)
                if not progressed:
                    return report
        return report

    async def _attempt(self, http: httpx.AsyncClient, delivery: Delivery, report: DeliveryReport) -> bool:
        report.attempted += 1
        secret = self._box.decrypt(delivery.endpoint.secret)
        body = json.dumps(delivery.event.payload, sort_keys=True, separators=(",", ":"))
        signed_at = datetime.fromtimestamp(self._wall_clock(), UTC)
        headers = signed_request(secret, delivery.event.event_id, body, signed_at)
        status: int | None = None
        try:
            response = await http.post(delivery.endpoint.url, content=body.encode("utf-8"), headers=headers)
            status = response.status_code
            error = None if response.is_success else f"HTTP {status}: {response.text[:_ERROR_TEXT]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {str(exc)[:_ERROR_TEXT] or 'no answer'}"
        if error is None:
            report.delivered += 1
            await self._store.settle_delivery(
                delivery, delivered=True, status=status, error=None, next_attempt_at=None
            )
            return True
        report.failed += 1
        attempt = delivery.attempts  # 0 for the first try
        next_at = self._clock() + self._schedule[attempt] if attempt < len(self._schedule) else None
        reason = None
        if next_at is None:
            reason = (
                f"event {delivery.event.event_id} failed {attempt + 1} attempts over more than a day "
                f"(last: {error}); enable the endpoint again once the receiver is fixed"
            )
            report.disabled.append(f"{delivery.endpoint.url}: {reason}")
        await self._store.settle_delivery(
            delivery,
            delivered=False,
            status=status,
            error=error,
            next_attempt_at=next_at,
            disable_reason=reason,
        )
        return False
