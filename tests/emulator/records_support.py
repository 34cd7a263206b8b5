"""Support for the record-service tests: the project's client against an in-process emulator on the real
clock (the client signs with the time of day), raw signed requests, and the error a refusal carries."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.emulator.helpers import BASE_URL, tba_headers
from tms_netsuite.netsuite import NetSuiteClient, NetSuiteSettings, RequestError, connect

RECORD = "/services/rest/record/v1"


def make(scenario: str = "healthy") -> Emulator:
    """An emulator on the real clock; close it when done (see the ``account`` fixtures)."""
    return Emulator.from_scenario(scenario, clock=time.time)


def today(emulator: Emulator) -> dt.date:
    return dt.datetime.fromtimestamp(emulator.now(), dt.UTC).date()


@asynccontextmanager
async def netsuite(emulator: Emulator, who: str = "integration") -> AsyncIterator[NetSuiteClient]:
    settings = NetSuiteSettings.from_environ(emulator.env(who, base_url=BASE_URL))
    async with connect(settings, transport=httpx.ASGITransport(app=emulator.app)) as client:
        yield client


async def refused(call: Awaitable[Any]) -> tuple[int, str, str, str | None]:
    """(status, o:errorCode, detail, o:errorPath) of a request that must fail."""
    with pytest.raises(RequestError) as raised:
        await call
    error = raised.value
    assert error.status is not None
    return error.status, error.error.code or "", error.error.detail or "", error.error.path


async def raw(
    emulator: Emulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A request signed like the client's, with any body and headers."""
    url = str(httpx.URL(BASE_URL + path))
    if content is None and body is not None:
        content = json.dumps(body).encode()
    signed = tba_headers(emulator.env(), method, url, timestamp=time.time())
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        request = client.build_request(
            method,
            httpx.URL(url),
            content=content,
            headers={**signed, "Content-Type": "application/json", **(headers or {})},
        )
        return await client.send(request)


def invoice_body(entity: str = "101", *amounts: float, **extra: Any) -> dict[str, Any]:
    lines = [{"item": {"id": "1"}, "amount": amount} for amount in (amounts or (1000.0,))]
    return {"entity": {"id": entity}, "item": {"items": lines}, **extra}
