"""Bad input gets NetSuite-shaped errors, never a 500 or a traceback, and leaves the account unchanged."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.emulator.helpers import BASE_URL, FakeClock, client_for, tba_headers

MakeEmulator = Callable[..., Emulator]


def _netsuite_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"type", "title", "status", "o:errorDetails"}
    assert body["status"] == status
    assert body["type"].startswith("https://www.rfc-editor.org/rfc/rfc9110.html#section-")
    assert "Traceback" not in response.text
    return str(body["o:errorDetails"][0]["o:errorCode"])


def _signed(emulator: Emulator, clock: FakeClock, method: str, path: str, nonce: str) -> dict[str, str]:
    return tba_headers(emulator.env(), method, BASE_URL + path, timestamp=clock.now, nonce=nonce)


@pytest.mark.anyio
async def test_bad_bodies_and_paths(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    before = emulator.store.fingerprint()
    invoice = "/services/rest/record/v1/invoice"
    cases: list[tuple[str, str, dict[str, object], int, str]] = [
        ("POST", invoice, {"content": b"{not json"}, 400, "INVALID_CONTENT"),
        ("POST", invoice, {"content": b"\xff\xfe\x00"}, 400, "INVALID_CONTENT"),
        ("PATCH", invoice + "/1", {"content": b"[" * 100_000 + b"]" * 100_000}, 400, "INVALID_CONTENT"),
        (
            "POST",
            invoice,
            {"content": b"{}", "headers": {"Content-Length": "200000000"}},
            413,
            "INVALID_REQUEST",
        ),
        (
            "POST",
            invoice,
            {
                "content": b"a=b",
                "headers": {
                    "Content-Length": "200000000",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            },
            413,
            "INVALID_REQUEST",
        ),
        ("GET", "/services/rest/record/v1/caf\u00e9%00/1", {}, 404, "NONEXISTENT_ID"),
        ("GET", "/services/rest/record/v1/" + "x" * 5000, {}, 404, "NONEXISTENT_ID"),
        ("GET", "/services/rest/record/v1/invoice/..%2F..%2Fetc%2Fpasswd", {}, 404, "NONEXISTENT_ID"),
        ("GET", "/services/rest/../rest/tokeninfo/../../x", {}, 404, "INVALID_REQUEST"),
        ("DELETE", "/services/rest/nonexistent/service", {}, 404, "INVALID_REQUEST"),
    ]
    async with client_for(emulator) as client:
        for number, (method, path, kwargs, status, code) in enumerate(cases):
            url = httpx.URL(BASE_URL + path)
            headers = tba_headers(
                emulator.env(), method, str(url), timestamp=clock.now, nonce=f"badinput{number:04d}"
            )
            extra = kwargs.pop("headers", {})
            request = client.build_request(method, url, headers={**headers, **extra}, **kwargs)  # type: ignore[arg-type]
            response = await client.send(request)
            assert _netsuite_error(response, status) == code, (method, path)
    assert emulator.store.fingerprint() == before


@pytest.mark.anyio
async def test_unknown_paths_and_methods(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator()
    async with client_for(emulator) as client:
        assert _netsuite_error(await client.get("/"), 404) == "INVALID_REQUEST"
        assert _netsuite_error(await client.get("/app/center/card.nl"), 404) == "INVALID_REQUEST"
        assert _netsuite_error(await client.put("/rest/tokeninfo"), 405) == "INVALID_REQUEST"
        assert (await client.get("/services/rest/auth/oauth2/v1/token")).status_code == 401


@pytest.mark.anyio
async def test_hostile_oauth_headers(make_emulator: MakeEmulator, clock: FakeClock) -> None:
    emulator = make_emulator()
    before = emulator.store.fingerprint()
    good = _signed(emulator, clock, "GET", "/services/rest/system/v1/serverTime", "hostile001")[
        "Authorization"
    ]
    hostile = [
        good + ", " + good.removeprefix("OAuth "),  # every parameter twice
        good.replace('oauth_nonce="hostile001"', 'oauth_nonce="' + "\u00e9" * 40 + '"'),
        good.replace("OAuth ", "OAuth  , , "),
        "OAuth " + 'realm="1234567",' * 300,
        'OAuth realm="\u202e\u0000"',
        "Bearer " + "x" * 100_000,
    ]
    async with client_for(emulator) as client:
        for authorization in hostile:
            response = await client.get(
                "/services/rest/system/v1/serverTime",
                headers={"Authorization": authorization.encode("utf-8")},
            )
            assert _netsuite_error(response, 401) == "INVALID_LOGIN"
    assert {e.status for e in emulator.audit_trail()} == {"Failure"}
    assert emulator.store.fingerprint() == before


@pytest.mark.anyio
async def test_an_internal_error_is_a_netsuite_500_without_traceback(
    make_emulator: MakeEmulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = make_emulator()

    def broken() -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(emulator.store, "company", broken)
    transport = httpx.ASGITransport(app=emulator.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        response = await client.get(
            "/services/rest/system/v1/serverTime", headers={"Authorization": "Bearer x"}
        )
    assert _netsuite_error(response, 500) == "UNEXPECTED_ERROR"
    assert "boom" not in response.text
    assert "unexpected error" in caplog.text
