"""No secret value appears in any repr, log record, exception text or error attribute."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from tests.unit.netsuite.keys import ec_key
from tms_netsuite.netsuite import NetSuiteSettings, NetworkError, RequestError, build_auth, connect

SECRETS = {
    "NETSUITE_CONSUMER_KEY": "CK-d3adb33f-leak-canary",
    "NETSUITE_CONSUMER_SECRET": "CS-d3adb33f-leak-canary",
    "NETSUITE_TOKEN_ID": "TK-d3adb33f-leak-canary",
    "NETSUITE_TOKEN_SECRET": "TS-d3adb33f-leak-canary",
}


def assert_clean(text: str) -> None:
    assert "d3adb33f" not in text, text
    assert "PRIVATE KEY" not in text, text


def respond(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/token"):
        return httpx.Response(200, json={"access_token": "BEARER-d3adb33f-leak-canary", "expires_in": 3600})
    if request.url.path.endswith("/1"):
        raise httpx.ReadTimeout("timed out", request=request)
    return httpx.Response(
        401, json={"o:errorDetails": [{"detail": "Invalid login attempt.", "o:errorCode": "INVALID_LOGIN"}]}
    )


@pytest.mark.anyio
@pytest.mark.parametrize("method", ["tba", "oauth2"])
async def test_secrets_never_leak(method: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Settings, auth and client reprs, DEBUG logs and the errors of failed requests hold no secret."""
    environ = {"NETSUITE_ACCOUNT_ID": "123456", "NETSUITE_BASE_URL": "http://emulator.test"}
    if method == "tba":
        environ |= SECRETS
    else:
        key = tmp_path / "k.pem"
        key.write_text(ec_key())
        environ |= {
            "NETSUITE_CLIENT_ID": "client",
            "NETSUITE_CERTIFICATE_ID": "cert",
            "NETSUITE_PRIVATE_KEY_FILE": str(key),
        }
    settings = NetSuiteSettings.from_environ(environ)
    caught: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):
        async with connect(settings, transport=httpx.MockTransport(respond)) as client:
            for call in (
                client.get("customer", 2),
                client.create("customer", {"companyName": "x"}),
                client.get("invoice", 1),
            ):
                try:
                    await call
                except (RequestError, NetworkError) as exc:
                    caught.append(exc)
            texts = [
                repr(settings),
                str(settings),
                repr(build_auth(settings)),
                repr(settings.credentials),
                repr(client),
            ]
    assert len(caught) == 3
    for exc in caught:
        texts += [str(exc), repr(exc), repr(getattr(exc, "request", None)), repr(getattr(exc, "error", None))]
    texts += [record.getMessage() for record in caplog.records]
    texts += [str(record.args) for record in caplog.records]
    for text in texts:
        assert_clean(text)
