"""The service in-process: a ledger on SQLite, emulated NetSuite accounts over ASGI, the API over ASGI."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.requests import Request
from starlette.responses import Response

from netsuite_emulator import Emulator
from tms_netsuite.accounts import Accounts, SecretBox, create_key
from tms_netsuite.documents import dump_document
from tms_netsuite.generate import generate
from tms_netsuite.ledger import AccountRecord, Registry
from tms_netsuite.mapping import demo_mapping_path
from tms_netsuite.service import Service, create_app

MAPPING = demo_mapping_path().read_text(encoding="utf-8")
BASE_URL = "http://emulator.test"


# `tms-netsuite` as a subprocess of this interpreter, without the caller's NetSuite settings.
CLI = [sys.executable, "-c", "from tms_netsuite.cli import main; main()"]


def cli_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "TMS_NETSUITE_"))}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and package
        [*CLI, *args], capture_output=True, text=True, timeout=120, env=cli_environ(), check=False
    )


def start_serve(ledger: str, folder: Path, *options: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    """`tms-netsuite serve` on a free port, its output in ``folder/serve.log``: the process, its URL and the log,
    once it listens (the process is killed if it does not within a minute)."""
    ready, log = folder / "ready", folder / "serve.log"
    with log.open("wb") as stream:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
            [*CLI, "serve", "--port", "0", "--ledger", ledger, "--ready-file", str(ready), *options],
            stdout=stream,
            stderr=subprocess.STDOUT,
            env=cli_environ(),
        )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
    except AssertionError:
        process.kill()
        process.wait()
        raise
    host, port = ready.read_text().strip().split(":")
    return process, f"http://{host}:{port}", log


def documents(loads: int = 2, seed: int = 3) -> list[dict[str, Any]]:
    """A generated freight month as JSON values (what a TMS would post)."""
    return [json.loads(dump_document(document)) for document in generate(loads, seed=seed)]


def with_parts(
    loads: int = 2, seed: int = 5, month: str = "2026-10"
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, bytes]]]:
    """A generated month with its paperwork as a multipart request carries it: each attachment's ``path`` names
    a part, and the parts by name (file name, bytes)."""
    made = generate(loads, seed=seed, month=month, attachments=True)
    values = [json.loads(dump_document(d)) for d in made]
    parts: dict[str, tuple[str, bytes]] = {}
    for value in values:
        for attachment in value.get("attachments") or ():
            data = base64.b64decode(attachment.pop("content_base64"))
            name = f"{value['id']}-v{value['version']}-{attachment['kind']}"
            attachment["path"] = name
            parts[name] = (attachment["file_name"], data)
    return values, parts


def multipart(
    values: list[dict[str, Any]], parts: dict[str, tuple[str, bytes]]
) -> list[tuple[str, tuple[str | None, bytes, str]]]:
    """httpx's ``files=``: the documents part first, then the files, in that order."""
    return [
        ("documents", (None, json.dumps(values).encode(), "application/json")),
        *((name, (file_name, data, "application/pdf")) for name, (file_name, data) in parts.items()),
    ]


@dataclass
class Receiver:
    """A TMS's webhook endpoint (ASGI): verifies each request with `standardwebhooks` under the secrets it was
    given, keeps what it accepted; while ``down`` it answers 503."""

    secrets: list[str] = field(default_factory=list)
    down: bool = False
    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        body = await request.body()
        if self.down:
            self.refused += 1
            await Response("down for maintenance", status_code=503)(scope, receive, send)
            return
        for secret in self.secrets:
            try:
                payload = Webhook(secret).verify(body, dict(request.headers))
            except WebhookVerificationError:
                continue
            assert payload["id"] == request.headers["webhook-id"]
            self.accepted.append(payload)
            await Response(status_code=204)(scope, receive, send)
            return
        await Response("bad signature", status_code=400)(scope, receive, send)

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [event for event in self.accepted if event["type"] == event_type]


@dataclass
class Harness:
    """The service under test, its emulated accounts, a client for its API and a webhook receiver."""

    service: Service
    client: httpx.AsyncClient
    emulators: dict[str, Emulator]
    admin_key: str
    receiver: Receiver
    responses: list[httpx.Response] = field(default_factory=list)

    async def add_account(self, slug: str, emulator: Emulator, **changes: str) -> dict[str, Any]:
        self.emulators[emulator.account_id] = emulator
        credentials = {**emulator.env(base_url=BASE_URL), **changes}
        answer = await self.call(
            "POST",
            "/v1/accounts",
            self.admin_key,
            json={"slug": slug, "credentials": credentials, "mapping": MAPPING},
        )
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        return body

    async def key(self, slug: str | None, *, read_only: bool = False) -> str:
        return (await create_key(self.service.registry, account_slug=slug, read_only=read_only)).key

    async def call(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        answer = await self.client.request(method, path, headers=headers, **kwargs)
        self.responses.append(answer)
        return answer

    async def wait_until(
        self, slug: str, key: str, done: Callable[[dict[str, Any]], bool], within: float = 60
    ) -> dict[str, Any]:
        """Poll the summary until ``done`` says so."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            summary: dict[str, Any] = (await self.call("GET", f"/v1/accounts/{slug}/summary", key)).json()
            if done(summary):
                return summary
            if loop.time() > deadline:
                raise AssertionError(f"not done after {within} s: {summary}")
            await asyncio.sleep(0.1)


def all_synced(count: int) -> Callable[[dict[str, Any]], bool]:
    def done(summary: dict[str, Any]) -> bool:
        totals = summary["totals"]
        waiting = sum(totals.get(state, 0) for state in ("pending", "exporting", "blocked"))
        # The run records itself on the account once it ends, after its documents are settled.
        return sum(totals.values()) >= count and waiting == 0 and summary["last_run"] is not None

    return done


@pytest.fixture
def healthy() -> Iterator[Emulator]:
    with Emulator.from_scenario("healthy") as emulator:
        yield emulator


@pytest.fixture
def sandbox() -> Iterator[Emulator]:
    with Emulator.from_scenario("sandbox-account") as emulator:
        yield emulator


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with _harness(
        tmp_path, readback_every=None
    ) as made:  # read back when a test asks (POST .../sync-back)
        yield made


@pytest.fixture
async def hourly_harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """The service reading each account back on its own, hourly (and when its exports settle documents)."""
    async with _harness(tmp_path, readback_every=timedelta(hours=1)) as made:
        yield made


@asynccontextmanager
async def _harness(tmp_path: Path, readback_every: timedelta | None) -> AsyncIterator[Harness]:
    registry = await Registry.open(f"sqlite+aiosqlite:///{tmp_path / 'service.db'}")
    emulators: dict[str, Emulator] = {}

    def transport_for(record: AccountRecord) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=emulators[record.account_id].app)

    box = SecretBox([Fernet.generate_key()], source="the test")
    receiver = Receiver()
    service = Service(
        Accounts(registry, box),
        transport_for=transport_for,
        debounce=0.05,
        files_dir=tmp_path / "files",
        readback_every=readback_every,
        deliver_every=0.2,
        webhook_transport=httpx.ASGITransport(app=receiver),
    )
    app = create_app(service, grace=5)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://service.test"
            ) as client,
        ):
            admin = (await create_key(registry, account_slug=None, read_only=False)).key
            yield Harness(service, client, emulators, admin, receiver)
    finally:
        await registry.close()
