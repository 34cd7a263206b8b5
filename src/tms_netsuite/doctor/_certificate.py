"""The OAuth 2.0 certificate's expiry, read from the certificate beside the private key.

NetSuite refuses a client-credentials login once the mapped certificate expires, and a new mapping is needed
("OAuth 2.0 Client Credentials Setup", Oracle help section_162686838198); it e-mails administrators two months,
one month and 14 days before (subsect_162755332391). The doctor warns from 60 days on, so whoever runs the
connector hears it too.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tms_netsuite.doctor._context import Context, skipped
from tms_netsuite.doctor._model import CheckResult, Status, title_of
from tms_netsuite.netsuite import certificate_beside

WARN_BEFORE = timedelta(days=60)
M2M_SETUP = "Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup"
ROTATE = (
    "Rotate it before it expires: `tms-netsuite init --auth oauth2 --account-id … --client-id …` makes a new key "
    f"pair and certificate beside the old ones; upload the new certificate at {M2M_SETUP} > Create New (the "
    "same entity, role and application), finish init with --private-key-file and the new --certificate-id "
    "(it writes the env file anew), run the doctor, then revoke the old mapping on that page. (NetSuite 2026.1 "
    "can also upload it by REST: POST /services/rest/auth/oauth2/v1/clients/<client id>/certificates, with the "
    "'Manage own OAuth 2.0 Client Credentials certificates' permission; the connector does not use it.)"
)


def check_certificate(ctx: Context) -> CheckResult:
    """Pass while the certificate of NETSUITE_PRIVATE_KEY_FILE has more than 60 days left; warn within 60 days;
    fail once expired; confirm (look in NetSuite) when no certificate lies beside the key."""
    check_id, title = "certificate", title_of("certificate")
    if ctx.settings is None:
        return skipped(check_id, "the credentials check failed")
    if ctx.settings.auth_method != "oauth2":
        return skipped(check_id, "Token-Based Authentication uses no certificate")
    key_file = Path(ctx.environ.get("NETSUITE_PRIVATE_KEY_FILE", "").strip()).expanduser()
    certificate = certificate_beside(key_file)
    if certificate is None:
        return CheckResult(
            check_id,
            title,
            Status.CONFIRM,
            f"no certificate of this key lies beside it in {key_file.parent}, so its expiry cannot be read here",
            f"See the Valid Until column at {M2M_SETUP}; keep the certificate file (.pem, .crt or .cer) beside its "
            "key to have it checked.",
        )
    until = certificate.not_valid_after_utc
    left = until - ctx.now()
    detail = f"the certificate of {key_file.name} is valid until {until:%Y-%m-%d}"
    facts = {"not_after": until.isoformat()}
    if left <= timedelta(0):
        return CheckResult(
            check_id,
            title,
            Status.FAIL,
            f"{detail}: it has expired, NetSuite refuses it",
            ROTATE,
            facts=facts,
        )
    if left <= WARN_BEFORE:
        return CheckResult(
            check_id, title, Status.WARN, f"{detail}: {left.days} days left", ROTATE, facts=facts
        )
    return CheckResult(check_id, title, Status.PASS, f"{detail} ({left.days} days left)", facts=facts)
