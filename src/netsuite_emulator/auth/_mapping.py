"""The OAuth 2.0 Client Credentials (M2M) Setup page: an administrator maps an uploaded certificate to an
entity, a role and an integration record, and NetSuite shows the Certificate ID the client then sends as ``kid``.

Sources: "OAuth 2.0 Client Credentials Setup" (Oracle help section_162686838198: Setup > Integration > Manage
Authentication > OAuth 2.0 Client Credentials (M2M) Setup > Create New; the application is offered only when its
integration record has the Client Credentials (Machine to Machine) Grant box checked) and "Certificate Conditions"
(subsect_162755332391: an X.509 public certificate; RSA keys of 3072 or 4096 bits, EC keys of 256, 384 or 521
bits; validity above two years is shortened to two years, which the emulator does not model; one certificate
serves one combination of integration record, role and entity). The page's error wording is not documented: the
messages below are guesses. The Certificate ID's form follows Oracle's rotation-endpoint example (43 URL-safe
characters).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from netsuite_emulator.store import AccountStore

_RSA_BITS = frozenset({3072, 4096})
_EC_BITS = frozenset({256, 384, 521})


class CertificateRejected(ValueError):
    """The upload was refused; the message is what the page would say (wording guessed)."""


def _new_certificate_id() -> str:
    return secrets.token_urlsafe(32)


def map_certificate(
    store: AccountStore,
    certificate_pem: str,
    *,
    integration: int,
    entity: int,
    role: int,
    new_id: Callable[[], str] = _new_certificate_id,
) -> str:
    """Map a certificate as the setup page does; returns its Certificate ID.

    Raises:
        CertificateRejected: not an X.509 certificate, a key NetSuite does not accept, an integration record
            without the client-credentials grant, or a certificate mapped already for another combination.
    """
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise CertificateRejected("The file is not a valid X.509 certificate (.cer, .pem or .crt).") from None
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size not in _RSA_BITS:
            raise CertificateRejected(f"RSA keys must be 3072 or 4096 bits long, not {key.key_size}.")
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.key_size not in _EC_BITS:
            raise CertificateRejected(f"EC keys must be 256, 384 or 521 bits long, not {key.curve.key_size}.")
    else:
        raise CertificateRejected("Only RSA and EC certificates are accepted.")
    record = store.integration(integration)
    if record is None or not record.client_credentials_enabled:
        raise CertificateRejected(
            "The application is not available: check Client Credentials (Machine to Machine) Grant on its "
            "integration record."
        )
    fingerprint = certificate.fingerprint(hashes.SHA256())
    for pem, *combination in store.certificate_pems():
        if not pem:
            continue
        other = x509.load_pem_x509_certificate(pem.encode("ascii"))
        same = other.fingerprint(hashes.SHA256()) == fingerprint
        if same and combination != [integration, entity, role]:
            raise CertificateRejected(
                "This certificate is already mapped to another entity, role or application; use a new one."
            )
    certificate_id = new_id()
    store.add_certificate(certificate_id, certificate_pem, integration, entity, role)
    return certificate_id
