"""The OAuth 2.0 key pair and certificate `init` makes: what NetSuite accepts, kept private, found beside the key."""

from __future__ import annotations

import asyncio
import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from netsuite_emulator import Emulator
from netsuite_emulator.auth import CertificateRejected, map_certificate
from tests.emulator.helpers import FakeClock, assertion, client_for, token_form
from tms_netsuite.errors import ConfigurationError
from tms_netsuite.netsuite import KeyType, Secret, certificate_beside, write_key_pair
from tms_netsuite.netsuite._certificates import self_signed_certificate
from tms_netsuite.netsuite._oauth2 import signing_algorithm

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
ALGORITHMS = {
    KeyType.RSA_3072: "PS256",
    KeyType.RSA_4096: "PS256",
    KeyType.EC_P256: "ES256",
    KeyType.EC_P384: "ES384",
    KeyType.EC_P521: "ES512",
}


@pytest.mark.parametrize("key_type", list(KeyType))
def test_each_key_type_makes_a_pair_netsuite_accepts(tmp_path: Path, key_type: KeyType) -> None:
    """Every offered key type signs with a NetSuite algorithm, its certificate lasts at most two years, the
    private key is readable by its owner only, and the emulator's M2M Setup page takes the certificate."""
    files = write_key_pair(tmp_path, key_type=key_type, now=lambda: NOW)
    assert stat.S_IMODE(files.private_key.stat().st_mode) == 0o600
    assert signing_algorithm(Secret(files.private_key.read_text())) == ALGORITHMS[key_type]
    certificate = x509.load_pem_x509_certificate(files.certificate.read_bytes())
    assert certificate.not_valid_after_utc - certificate.not_valid_before_utc <= dt.timedelta(
        days=730, minutes=5
    )
    assert certificate.not_valid_after_utc == files.not_after
    with Emulator.from_scenario("healthy") as emulator:
        assert len(emulator.map_certificate(files.certificate.read_text())) == 43


def test_validity_over_two_years_is_refused(tmp_path: Path) -> None:
    """NetSuite would cut a longer certificate short; init refuses to make one."""
    with pytest.raises(ConfigurationError, match="two years"):
        write_key_pair(tmp_path, key_type=KeyType.EC_P256, days=731)
    assert list(tmp_path.iterdir()) == []


def test_the_certificate_beside_the_key_is_the_one_of_that_key(tmp_path: Path) -> None:
    """Of several certificates in the folder, the one whose public key is the key's is found; none for a
    key without one."""
    first = write_key_pair(tmp_path, key_type=KeyType.EC_P256, now=lambda: NOW)
    second = write_key_pair(tmp_path, key_type=KeyType.EC_P256, now=lambda: NOW + dt.timedelta(days=1))
    (tmp_path / "notes.pem").write_text("not a certificate")
    found = certificate_beside(first.private_key)
    assert found is not None
    assert found.not_valid_after_utc == first.not_after
    second.certificate.unlink()
    assert certificate_beside(second.private_key) is None


def test_the_emulator_refuses_what_netsuite_refuses(tmp_path: Path) -> None:
    """An RSA 2048 key, a file that is no certificate, an application without the client-credentials grant,
    and one certificate for two combinations are refused, as the setup page does."""
    weak = self_signed_certificate(rsa.generate_private_key(65537, 2048), "weak", now=NOW)
    weak_pem = weak.public_bytes(serialization.Encoding.PEM).decode()
    files = write_key_pair(tmp_path, key_type=KeyType.EC_P256, now=lambda: NOW)
    good = files.certificate.read_text()
    with Emulator.from_scenario("healthy") as emulator:
        with pytest.raises(CertificateRejected, match="3072 or 4096"):
            emulator.map_certificate(weak_pem)
        with pytest.raises(CertificateRejected, match=r"X\.509"):
            emulator.map_certificate("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
        with pytest.raises(CertificateRejected, match="Client Credentials"):
            map_certificate(emulator.store, good, integration=2, entity=11, role=1001)
        emulator.map_certificate(good)
        with pytest.raises(CertificateRejected, match="already mapped"):
            emulator.map_certificate(good, who="admin")


def test_the_emulator_refuses_an_expired_certificate(tmp_path: Path) -> None:
    """A mapping whose certificate has expired no longer gives tokens (Login Audit Trail: MissingKey); a day
    before, it does."""
    files = write_key_pair(tmp_path, key_type=KeyType.EC_P256, days=1, now=lambda: NOW)
    clock = FakeClock(NOW.timestamp())
    with Emulator.from_scenario("healthy", clock=clock) as emulator:
        env = emulator.env(auth="oauth2", key_dir=tmp_path / "seeded") | {
            "NETSUITE_CERTIFICATE_ID": emulator.map_certificate(files.certificate.read_text()),
            "NETSUITE_PRIVATE_KEY_FILE": str(files.private_key),
        }
        codes = []
        for _ in range(2):
            codes.append(asyncio.run(_token_status(emulator, assertion(env, now=clock()))))
            clock.advance(2 * 86400)
        assert codes == [200, 400]
        assert emulator.audit_trail()[-1].detail == "MissingKey"


async def _token_status(emulator: Emulator, client_assertion: str) -> int:
    async with client_for(emulator) as client:
        response = await client.post(TOKEN_PATH, data=token_form(client_assertion))
    return response.status_code
