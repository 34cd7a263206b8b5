"""The emulator's Python API: an account seeded from a scenario, its ASGI app, credentials and audit trail."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from starlette.types import ASGIApp, Scope

from ._app import create_app
from ._async import AsyncSettings
from .auth import claimed_integration, map_certificate
from .governance import GovernanceStats, Governor, PoolOf
from .records._person import Person
from .scenarios import ScenarioError, load_scenario, seed_store
from .store import AccountStore, LoginRecord

Clock = Callable[[], float]
ENV_HEADER = "# test values of the local NetSuite emulator, not real credentials"


def integration_pools(store: AccountStore) -> PoolOf:
    """Each request's concurrency pool: its integration's allocation when the integration record has one, else
    the account's unallocated rest, shared by every integration without one (ORA/bridgehead_156224824287.html)."""

    def pool_of(scope: Scope, limit: int) -> tuple[str, int]:
        allocated = store.allocated_concurrency()
        if allocated == 0:
            return ("unallocated", limit)
        authorization = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
        integration_id = claimed_integration(store, authorization)
        integration = store.integration(integration_id) if integration_id is not None else None
        if integration is not None and integration.concurrency_limit is not None:
            return (f"integration {integration.id}", integration.concurrency_limit)
        return ("unallocated", max(limit - allocated, 0))

    return pool_of


@dataclass(frozen=True)
class AuditEntry:
    """One row of the Login Audit Trail. ``detail`` is NetSuite's Detail code ('' on success); no secrets."""

    time: dt.datetime
    status: str
    detail: str
    auth_method: str | None
    entity: str | None
    role: str | None
    token: str | None
    application: str | None
    request: str

    @classmethod
    def from_record(cls, record: LoginRecord) -> AuditEntry:
        return cls(
            time=dt.datetime.fromtimestamp(record.date, dt.UTC),
            status=record.status,
            detail=record.detail,
            auth_method=record.auth_method,
            entity=record.email,
            role=record.role_name,
            token=record.token_name,
            application=record.application_name,
            request=f"{record.method} {record.uri}",
        )


def _default_new_id() -> str:
    return secrets.token_hex(16)


class Emulator:
    """A local NetSuite account's REST web services. Build one with :meth:`from_scenario`."""

    def __init__(
        self,
        store: AccountStore,
        *,
        clock: Clock,
        new_id: Callable[[], str] = _default_new_id,
        governor: Governor | None = None,
        async_settings: AsyncSettings | None = None,
    ) -> None:
        company = store.company()
        offset = company.clock_offset
        self._store = store
        self._clock = clock
        self._offset = offset
        self.account_id = company.account_id
        self.scenario = company.scenario
        self.governor = governor or Governor(
            lambda: store.company().concurrency_limit, pool_of=integration_pools(store)
        )
        self.async_settings = async_settings or AsyncSettings()
        self.app: ASGIApp = create_app(store, self.now, new_id, self.governor, self.async_settings)
        self._key_dir: Path | None = None

    @classmethod
    def from_scenario(
        cls,
        scenario: str = "healthy",
        *,
        clock: Clock | None = None,
        db_path: str | os.PathLike[str] | None = None,
        new_id: Callable[[], str] | None = None,
        concurrency_limit: int | None = None,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        faults: Mapping[str, float] | None = None,
        seed: int | None = None,
        time_zone: str | None = None,
        async_processors: int = 5,
        async_counts_against_limit: bool = False,
        async_retention_s: float | None = None,
    ) -> Emulator:
        """Seed a fresh account from a scenario (in memory, or in ``db_path``).

        ``clock`` returns Unix seconds (default ``time.time``); a scenario's clock offset is added to it.
        A ``db_path`` that already holds an account of the same scenario is reused as it is.

        Governance: ``concurrency_limit`` overrides the scenario's account limit; every governed request takes
        ``latency_ms`` plus a uniform ``0..jitter_ms`` inside its slot, its own handling included; ``faults`` maps a fault kind
        (``5xx``, ``drop``, ``429``, ``401``, ``slow``) to the share of record and SuiteQL requests it hits;
        ``seed`` makes jitter and faults repeatable. See :mod:`netsuite_emulator._governance`.

        ``time_zone`` (an IANA name) is the users' time zone, in which SuiteQL shows and compares date-times
        (default: the account's, America/Los_Angeles for a new one).

        Async jobs (``Prefer: respond-async``, batch requests): ``async_processors`` REST async processors run their
        tasks; whether running tasks hold a concurrency slot and how long results are kept are assumptions Oracle
        leaves open (see :mod:`netsuite_emulator._async`).
        """
        base_clock = clock or time.time
        store = AccountStore.open(db_path)
        try:
            if store.is_seeded():
                store.check_schema()
                found = store.company().scenario
                if found != scenario:
                    raise ScenarioError(f"{db_path} holds scenario {found!r}, not {scenario!r}")
            else:
                resolved = load_scenario(scenario)
                seed_store(store, resolved, base_clock() + resolved.clock_offset)
            if time_zone is not None:
                store.set_time_zone(time_zone)
        except BaseException:
            store.close()
            raise
        try:
            governor = Governor(
                lambda: store.company().concurrency_limit,
                limit=concurrency_limit,
                latency_ms=latency_ms,
                jitter_ms=jitter_ms,
                faults=faults,
                seed=seed,
                pool_of=integration_pools(store),
            )
        except ValueError:
            store.close()
            raise
        try:
            settings = AsyncSettings(
                processors=async_processors,
                counts_against_limit=async_counts_against_limit,
                retention_s=async_retention_s,
            )
        except ValueError:
            store.close()
            raise
        return cls(
            store,
            clock=base_clock,
            new_id=new_id or _default_new_id,
            governor=governor,
            async_settings=settings,
        )

    def now(self) -> float:
        """The account's clock: the injected clock plus the scenario's skew."""
        return self._clock() + self._offset

    @property
    def store(self) -> AccountStore:
        """The account's store, for the emulator's own tests and later parts; not a client API."""
        return self._store

    def person(self) -> Person:
        """The account's administrator acting in NetSuite's pages: pays, edits, deletes (for read-back tests)."""
        return Person(self._store, self.now)

    def stats(self) -> GovernanceStats:
        """Requests served, 429s for the concurrency limit, slots in use and at peak, faults injected per kind."""
        return self.governor.stats()

    def audit_trail(self) -> list[AuditEntry]:
        """The Login Audit Trail, oldest first."""
        return [AuditEntry.from_record(r) for r in self._store.login_audit()]

    def env(
        self,
        who: str = "integration",
        auth: str = "tba",
        base_url: str = "http://emulator.test",
        key_dir: str | os.PathLike[str] | None = None,
    ) -> dict[str, str]:
        """The NETSUITE_* variables a client needs: ``who`` is 'integration' or 'admin', ``auth`` 'tba' or
        'oauth2' (the private key, and its certificate beside it, are written into ``key_dir``, or a directory
        the emulator removes on close).
        """
        values = {"NETSUITE_ACCOUNT_ID": self.account_id, "NETSUITE_BASE_URL": base_url.rstrip("/")}
        if auth == "tba":
            token = self._store.access_token_by_handle(who)
            integration = self._store.integration(token.integration) if token else None
            if token is None or integration is None:
                raise ValueError(f"scenario {self.scenario} has no access token for {who!r}")
            values["NETSUITE_CONSUMER_KEY"] = integration.consumer_key
            values["NETSUITE_CONSUMER_SECRET"] = integration.consumer_secret
            values["NETSUITE_TOKEN_ID"] = token.token_id
            values["NETSUITE_TOKEN_SECRET"] = token.token_secret
            return values
        if auth != "oauth2":
            raise ValueError(f"auth must be 'tba' or 'oauth2', not {auth!r}")
        certificate = self._store.certificate_by_handle(who)
        integration = self._store.integration(certificate.integration) if certificate else None
        if certificate is None or integration is None:
            raise ValueError(f"scenario {self.scenario} has no OAuth 2.0 certificate mapping for {who!r}")
        key_file = self._key_folder(key_dir) / f"netsuite-emulator-{who}-key.pem"
        _write_private(key_file, certificate.private_key_pem)
        # The certificate beside its key, as an administrator keeps it (a client may read its expiry there).
        key_file.with_name(f"netsuite-emulator-{who}-certificate.pem").write_text(
            certificate.certificate_pem, encoding="ascii"
        )
        values["NETSUITE_AUTH"] = "oauth2"
        values["NETSUITE_CLIENT_ID"] = integration.client_id
        values["NETSUITE_CERTIFICATE_ID"] = certificate.certificate_id
        values["NETSUITE_PRIVATE_KEY_FILE"] = str(key_file)
        return values

    def map_certificate(self, certificate_pem: str, who: str = "integration") -> str:
        """Upload a certificate as an administrator does at Setup > Integration > Manage Authentication > OAuth
        2.0 Client Credentials (M2M) Setup > Create New, for the entity, role and application of the scenario's
        ``who`` mapping ('integration' or 'admin'); returns the new Certificate ID.

        Raises:
            CertificateRejected: the page would refuse it (see :func:`netsuite_emulator.auth.map_certificate`).
            ValueError: the scenario has no mapping for ``who``.
        """
        template = self._store.certificate_by_handle(who)
        if template is None:
            raise ValueError(f"scenario {self.scenario} has no OAuth 2.0 certificate mapping for {who!r}")
        return map_certificate(
            self._store,
            certificate_pem,
            integration=template.integration,
            entity=template.entity,
            role=template.role,
        )

    def _key_folder(self, key_dir: str | os.PathLike[str] | None) -> Path:
        if key_dir is not None:
            return Path(key_dir).resolve()
        if self._key_dir is None:
            self._key_dir = Path(tempfile.mkdtemp(prefix="netsuite-emulator-keys-"))
        return self._key_dir

    def close(self) -> None:
        self._store.close()
        if self._key_dir is not None:
            shutil.rmtree(self._key_dir, ignore_errors=True)
            self._key_dir = None

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Emulator(scenario={self.scenario!r}, account_id={self.account_id!r})"


def _write_private(path: Path, text: str) -> None:
    """Write a key readable by its owner only, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    os.replace(temporary, path)


def dotenv_text(values: dict[str, str]) -> str:
    """The variables in dotenv format, under the test-values header."""
    lines = [ENV_HEADER, *(f"{name}={_quote(value)}" for name, value in values.items())]
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    if value and all(c.isalnum() or c in "-_./:@" for c in value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
