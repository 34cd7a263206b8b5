"""Key material: the seeded OAuth 2.0 test key pairs and the emulator's own token-signing key."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

# Order of the P-256 group; a private scalar must lie in [1, n-1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_CERT_DAYS = 730  # NetSuite shortens longer validity to two years.


def test_private_key(label: str) -> ec.EllipticCurvePrivateKey:
    """A deterministic EC P-256 key derived from a label: a test value, never a real credential."""
    digest = hashlib.sha256(f"netsuite-emulator test key: {label}".encode()).digest()
    scalar = int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def private_key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def self_signed_certificate(key: ec.EllipticCurvePrivateKey, common_name: str, now: float) -> str:
    """The X.509 certificate an administrator uploads when mapping the client-credentials key."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime.fromtimestamp(now, dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(common_name.encode()).digest()[:8], "big"))
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=_CERT_DAYS))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def certificate_expiry(certificate_pem: str) -> float:
    """When NetSuite stops accepting a certificate (Unix seconds): its end of validity, but at most two years
    after its start, since NetSuite shortens longer ones to two years ("Certificate Conditions")."""
    cert = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    end = min(cert.not_valid_after_utc, cert.not_valid_before_utc + dt.timedelta(days=_CERT_DAYS))
    return end.timestamp()


def certificate_public_key(certificate_pem: str) -> ec.EllipticCurvePublicKey | rsa.RSAPublicKey:
    key = x509.load_pem_x509_certificate(certificate_pem.encode("ascii")).public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise ValueError("certificate key is neither EC nor RSA")
    return key


@functools.cache
def signing_key() -> rsa.RSAPrivateKey:
    """The emulator's PS256 key for the access tokens it issues; one per process (clients never verify it)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY_ID = "s.SYSTEM.emulator"


def test_certificate(label: str, now: float) -> tuple[str, str]:
    """A seeded integration's certificate and its private key (PEM), both derived from a label."""
    key = test_private_key(label)
    return self_signed_certificate(key, f"netsuite-emulator {label}", now), private_key_pem(key)


def signing_jwks() -> dict[str, Any]:
    """The public key of the emulator's access tokens, as a JWK set."""
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(signing_key().public_key(), as_dict=True)
    return {"keys": [{**jwk, "kid": SIGNING_KEY_ID, "alg": "PS256", "use": "sig"}]}
