"""Webhooks to a receiver that verifies them with the `standardwebhooks` package: a receiver down for a while
loses nothing and gets nothing twice; persistent failure disables the endpoint until the user enables it again;
events are redelivered by hand; the signing secret is stored encrypted."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.requests import Request
from starlette.responses import Response

from tests.ledger.conftest import Clock, clock
from tms_netsuite.accounts import Accounts, SecretBox
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.ledger import Ledger, NewEvent, Registry
from tms_netsuite.webhooks import Deliverer, new_secret

pytestmark = pytest.mark.anyio
__all__ = ["clock"]  # the fixture
KEY = b"p3Gf3ZcQd0mZC4yB3nG2xk1v9t0a4eWl8u7sQ1rYb2c="


@dataclass
class Receiver:
    """A TMS's webhook endpoint: verifies every request with `standardwebhooks` and keeps what it accepted."""

    secret: str
    down: bool = False
    accepted: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        body = await request.body()
        if self.down:
            self.refused += 1
            await Response("down for maintenance", status_code=503)(scope, receive, send)
            return
        try:
            payload = Webhook(self.secret).verify(body, dict(request.headers))
        except WebhookVerificationError:
            await Response("bad signature", status_code=400)(scope, receive, send)
            return
        assert payload["id"] == request.headers["webhook-id"]
        self.accepted.append(payload["id"])
        self.bodies.append(payload)
        await Response(status_code=204)(scope, receive, send)


@pytest.fixture
async def ledger(tmp_path: Path, clock: Clock) -> AsyncIterator[Ledger]:
    opened = await Ledger.open(
        f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}", "1234567", "production", clock=clock
    )
    yield opened
    await opened.close()


async def keep(ledger: Ledger, *keys: str) -> None:
    await ledger.readback().commit(
        [], [NewEvent("invoice.paid", key, {"document": {"kind": "invoice", "id": key}}) for key in keys]
    )


async def endpoint(ledger: Ledger, receiver: Receiver) -> int:
    return await ledger.readback().add_endpoint(
        "https://tms.example/hooks/netsuite",
        SecretBox([KEY], source="the test").encrypt(receiver.secret),
        from_start=True,
    )


def deliverer(ledger: Ledger, receiver: Receiver, clock: Clock, **options: Any) -> Deliverer:
    return Deliverer(
        ledger,
        SecretBox([KEY], source="the test"),
        transport=httpx.ASGITransport(app=receiver),
        clock=clock,
        **options,
    )


async def test_a_receiver_down_for_hours_gets_every_event_once_when_back(
    ledger: Ledger, clock: Clock
) -> None:
    receiver = Receiver(new_secret(), down=True)
    await endpoint(ledger, receiver)
    await keep(ledger, "a", "b", "c")
    sender = deliverer(ledger, receiver, clock)
    first = await sender.deliver_due()
    assert (first.attempted, first.delivered) == (1, 0), "a failed endpoint waits for the next round"
    for _ in range(6):  # three hours of rounds every half hour, the receiver still down
        clock.advance(minutes=30)
        await keep(ledger, f"while-down-{_}")
        await sender.deliver_due()
    receiver.down = False
    clock.advance(hours=6)
    await sender.deliver_due()
    clock.advance(hours=11)
    await sender.deliver_due()
    assert receiver.refused > 0
    kept = [e.event_id for e in await ledger.readback().events_after(0)]
    assert sorted(receiver.accepted) == sorted(kept), "every event arrived"
    assert len(set(receiver.accepted)) == len(receiver.accepted), "none twice"
    assert (await sender.deliver_due()).attempted == 0


async def test_persistent_failure_disables_the_endpoint_until_enabled(ledger: Ledger, clock: Clock) -> None:
    receiver = Receiver(new_secret(), down=True)
    endpoint_id = await endpoint(ledger, receiver)
    await keep(ledger, "a")
    schedule = (timedelta(minutes=1), timedelta(minutes=2))
    sender = deliverer(ledger, receiver, clock, schedule=schedule)
    for _ in range(3):
        report = await sender.deliver_due()
        clock.advance(minutes=5)
    assert report.disabled
    assert "failed 3 attempts" in report.disabled[0]
    [state] = await ledger.readback().endpoints()
    assert not state.enabled
    await keep(ledger, "b")  # kept while disabled: delivered once enabled
    receiver.down = False
    assert (await sender.deliver_due()).attempted == 0
    assert await ledger.readback().set_endpoint(endpoint_id, enabled=True)
    report = await sender.deliver_due()
    assert report.delivered == 2
    assert len(receiver.accepted) == 2


async def test_redelivery_by_hand_sends_the_same_id_again(ledger: Ledger, clock: Clock) -> None:
    receiver = Receiver(new_secret())
    endpoint_id = await endpoint(ledger, receiver)
    await keep(ledger, "a", "b")
    sender = deliverer(ledger, receiver, clock)
    assert (await sender.deliver_due()).delivered == 2
    first = receiver.accepted[0]
    assert await ledger.readback().redeliver(endpoint_id, [first]) == 1
    assert (await sender.deliver_due()).delivered == 1
    assert receiver.accepted == [*receiver.accepted[:2], first]


async def test_a_wrong_secret_is_refused_by_the_receiver(ledger: Ledger, clock: Clock) -> None:
    receiver = Receiver(new_secret())
    await ledger.readback().add_endpoint(
        "https://tms.example/hooks",
        SecretBox([KEY], source="the test").encrypt(new_secret()),
        from_start=True,
    )
    await keep(ledger, "a")
    report = await deliverer(ledger, receiver, clock).deliver_due()
    assert (report.delivered, report.failed) == (0, 1)
    assert receiver.accepted == []


async def test_the_secret_is_stored_encrypted_and_never_shown(ledger: Ledger, tmp_path: Path) -> None:
    secret = new_secret()
    box = SecretBox([KEY], source="the test")
    await ledger.readback().add_endpoint("https://tms.example/hooks", box.encrypt(secret), from_start=False)
    with sqlite3.connect(tmp_path / "ledger.db") as db:
        dump = "\n".join(db.iterdump())
    assert secret not in dump
    assert secret[6:] not in dump
    [stored] = await ledger.readback().endpoints()
    assert secret not in repr(stored)
    assert stored.secret not in repr(stored)
    assert box.decrypt(stored.secret) == secret
    assert "key hidden" in repr(box)


def test_the_key_file_is_made_private_and_a_readable_one_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}"
    path = tmp_path / "ledger.db.key"
    box = SecretBox.load(url, {}, create=True)
    assert box is not None
    assert path.stat().st_mode & 0o777 == 0o600
    again = SecretBox.load(url, {}, create=False)
    assert again is not None
    assert again.decrypt(box.encrypt("x")) == "x"
    path.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        SecretBox.load(url, {}, create=False)


async def test_secrets_rotate_keeps_the_signing_secrets_readable(ledger: Ledger, tmp_path: Path) -> None:
    """The signing secrets share the credentials' key, so `secrets rotate` (which drops the old key from the key
    file) re-encrypts them too."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}"
    box = SecretBox.load(url, {}, create=True)
    assert box is not None
    secret = new_secret()
    await ledger.readback().add_endpoint("https://tms.example/hooks", box.encrypt(secret), from_start=False)
    registry = await Registry.open(url)
    try:
        await Accounts(registry, box).rotate()
    finally:
        await registry.close()
    rotated = SecretBox.load(url, {}, create=False)
    assert rotated is not None
    [stored] = await ledger.readback().endpoints()
    assert rotated.decrypt(stored.secret) == secret
