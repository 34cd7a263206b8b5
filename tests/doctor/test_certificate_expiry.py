"""The doctor reads the OAuth 2.0 certificate's expiry from the certificate beside the key: warn within 60
days, with how to rotate it; fail once expired; confirm when no certificate lies beside the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from netsuite_emulator import Emulator
from tms_netsuite.doctor import Status, run_doctor
from tms_netsuite.netsuite import KeyType, write_key_pair

pytestmark = pytest.mark.anyio
MADE = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


async def _no_sleep(seconds: float) -> None:
    return None


async def _certificate_check(
    tmp_path: Path, now: dt.datetime, *, keep_certificate: bool = True
) -> tuple[Status, str, str | None]:
    files = write_key_pair(tmp_path, key_type=KeyType.EC_P256, now=lambda: MADE)
    with Emulator.from_scenario("healthy") as emulator:
        environ = emulator.env(auth="oauth2", key_dir=tmp_path / "emulator") | {
            "NETSUITE_CERTIFICATE_ID": emulator.map_certificate(files.certificate.read_text()),
            "NETSUITE_PRIVATE_KEY_FILE": str(files.private_key),
        }
        if not keep_certificate:
            files.certificate.unlink()
        report = await run_doctor(
            environ, transport=httpx.ASGITransport(app=emulator.app), sleep=_no_sleep, now=lambda: now
        )
    assert report.get("connection").status is Status.PASS  # the new mapping works
    check = report.get("certificate")
    return check.status, check.detail, check.fix


@pytest.mark.parametrize(
    ("days_after", "status"),
    [(1, Status.PASS), (730 - 61, Status.PASS), (730 - 59, Status.WARN), (731, Status.FAIL)],
)
async def test_expiry_is_warned_60_days_ahead(tmp_path: Path, days_after: int, status: Status) -> None:
    """A certificate made by init and mapped in the emulator: pass, warn at 59 days left, fail once expired;
    the fix says how to rotate (init, the M2M Setup page)."""
    found, detail, fix = await _certificate_check(tmp_path, MADE + dt.timedelta(days=days_after))
    assert found is status, detail
    assert "valid until 2028-12-02" in detail
    if status is not Status.PASS:
        assert fix is not None
        assert "OAuth 2.0 Client Credentials (M2M) Setup" in fix
        assert "tms-netsuite init" in fix


async def test_no_certificate_beside_the_key_says_where_to_look(tmp_path: Path) -> None:
    """Without the certificate file the expiry cannot be read here: confirm, and look at Valid Until."""
    found, detail, fix = await _certificate_check(tmp_path, MADE, keep_certificate=False)
    assert found is Status.CONFIRM
    assert "no certificate of this key" in detail
    assert fix is not None
    assert "Valid Until" in fix


async def test_tba_has_no_certificate_to_check() -> None:
    """TBA: skipped, with the reason."""
    with Emulator.from_scenario("healthy") as emulator:
        report = await run_doctor(
            emulator.env(), transport=httpx.ASGITransport(app=emulator.app), sleep=_no_sleep
        )
    assert report.get("certificate").status is Status.SKIP
