"""The key pair and self-signed certificate of an OAuth 2.0 client-credentials mapping, and its expiry.

NetSuite's conditions ("Certificate Conditions", Oracle help subsect_162755332391): an X.509 certificate in a
.cer, .pem or .crt file; an RSA key of 3072 or 4096 bits or an EC key of 256, 384 or 521 bits; at most two years
of validity (a longer one is shortened to two years). NetSuite e-mails administrators two months, one month and
14 days before a certificate expires; the doctor warns at 60 days, from the certificate beside the key.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tms_netsuite.errors import ConfigurationError

MAX_VALIDITY = dt.timedelta(days=730)  # NetSuite shortens anything longer to two years
_CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer")
_MAX_CANDIDATES = 50  # a key's folder is scanned for its certificate; a crowded folder is not read whole
_MAX_FILE_BYTES = 64 * 1024


class KeyType(enum.StrEnum):
    """The key types NetSuite accepts for client credentials, and the JWT algorithm each signs with."""

    RSA_3072 = "rsa-3072"  # PS256
    RSA_4096 = "rsa-4096"  # PS256
    EC_P256 = "ec-p256"  # ES256
    EC_P384 = "ec-p384"  # ES384
    EC_P521 = "ec-p521"  # ES512


_CURVES: dict[KeyType, ec.EllipticCurve] = {
    KeyType.EC_P256: ec.SECP256R1(),
    KeyType.EC_P384: ec.SECP384R1(),
    KeyType.EC_P521: ec.SECP521R1(),
}
_PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True, slots=True)
class CertificateFiles:
    """Where :func:`write_key_pair` put the private key (mode 0600) and the certificate to upload."""

    private_key: Path
    certificate: Path
    not_after: dt.datetime


def _new_key(key_type: KeyType) -> _PrivateKey:
    if key_type in _CURVES:
        return ec.generate_private_key(_CURVES[key_type])
    return rsa.generate_private_key(public_exponent=65537, key_size=int(key_type.value.split("-")[1]))


def self_signed_certificate(
    key: _PrivateKey, common_name: str, *, now: dt.datetime, days: int = MAX_VALIDITY.days
) -> x509.Certificate:
    """A self-signed X.509 certificate for ``key``, valid from ``now`` for ``days`` (at most two years)."""
    if not 1 <= days <= MAX_VALIDITY.days:
        raise ConfigurationError(
            f"NetSuite accepts certificates valid for at most two years, not {days} days"
        )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))  # a NetSuite clock slightly behind still accepts it
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def write_key_pair(
    folder: Path,
    *,
    key_type: KeyType = KeyType.RSA_3072,
    common_name: str = "tms-netsuite",
    days: int = MAX_VALIDITY.days,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> CertificateFiles:
    """Make a key pair and its self-signed certificate in ``folder``: the private key readable by its owner
    only (0600), the certificate (public) beside it. Names carry the date, so an older pair (the one still in
    use while a new certificate is being mapped) is never overwritten.

    Raises:
        ConfigurationError: ``days`` is outside 1..730, or the files exist already.
    """
    started = now()
    key = _new_key(key_type)
    certificate = self_signed_certificate(key, common_name, now=started, days=days)
    stem = f"netsuite-oauth2-{started:%Y%m%d}-{secrets.token_hex(3)}"
    key_path, certificate_path = folder / f"{stem}-key.pem", folder / f"{stem}-certificate.pem"
    folder.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_new(key_path, pem, 0o600)
    _write_new(certificate_path, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
    return CertificateFiles(key_path, certificate_path, certificate.not_valid_after_utc)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise ConfigurationError(f"{path} exists already; it is never overwritten") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)  # the umask may have taken bits away from the certificate's 0644


def certificate_beside(private_key_file: Path) -> x509.Certificate | None:
    """The certificate in the key's folder whose public key is the key's (None if there is none): what the
    doctor reads the expiry from. Only .pem/.crt/.cer files of at most 64 KiB are read, at most 50 of them."""
    try:
        key = serialization.load_pem_private_key(_read_small(private_key_file), password=None)
    except (OSError, ValueError, TypeError):
        return None
    wanted = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    candidates = sorted(
        path
        for path in private_key_file.parent.iterdir()
        if path.suffix.lower() in _CERTIFICATE_SUFFIXES and path != private_key_file
    )[:_MAX_CANDIDATES]
    found: list[x509.Certificate] = []
    for path in candidates:
        try:
            certificate = x509.load_pem_x509_certificate(_read_small(path))
        except (OSError, ValueError):
            continue
        public = certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if public == wanted:
            found.append(certificate)
    # Several certificates for one key: the one that lasts longest is the one that was mapped last.
    return max(found, key=lambda c: c.not_valid_after_utc, default=None)


def _read_small(path: Path) -> bytes:
    if not path.is_file():
        raise ValueError("not a regular file")
    with path.open("rb") as handle:
        data = handle.read(_MAX_FILE_BYTES + 1)
    if len(data) > _MAX_FILE_BYTES:
        raise ValueError("too large")
    return data
