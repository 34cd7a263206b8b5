"""The account store: one SQLite database (in memory unless a path is given) behind a lock.

Requests are served on an event loop while tests read the audit trail from their own thread, so every access
goes through one re-entrant lock; the queries are small and local, far below the cost of an HTTP exchange.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from netsuite_emulator.permissions import FULL

from ._schema import FILES_SQL, READBACK_SQL, SCHEMA_SQL, SCHEMA_VERSION

ADMINISTRATOR_ROLE_ID = 3  # NetSuite's built-in Administrator role has internal id 3 and every permission.

# Tables whose rows are the account's data; the rest are traffic (nonces, audit, issued bearer tokens).
_TRAFFIC_TABLES = frozenset({"loginaudit", "usednonce", "oauth2accesstoken"})
_PROGRESS_EVERY = 10_000  # SQLite VM steps between two looks at a guarded query's budget


class StoreError(Exception):
    """The database is not an emulator account, or a row breaks the schema."""


def to_db(value: object) -> object:
    """Booleans are stored as SuiteQL shows them: 'T' or 'F'."""
    if isinstance(value, bool):
        return "T" if value else "F"
    return value


@dataclass(frozen=True)
class Company:
    account_id: str
    name: str
    kind: str
    oneworld: bool
    base_currency: int
    concurrency_limit: int
    clock_offset: float
    scenario: str
    vendor_bill_approval: bool = False
    journal_approval: bool = False
    date_outside_period: str = "DISALLOW"  # DISALLOW, WARN or ALLOW
    closed_period_default: str = "FIRST_OPEN"  # FIRST_OPEN or CURRENT
    date_format: str = "M/D/YYYY"


@dataclass(frozen=True)
class Integration:
    id: int
    name: str
    consumer_key: str
    consumer_secret: str = field(repr=False)
    client_id: str
    tba_enabled: bool
    client_credentials_enabled: bool
    scopes: frozenset[str]
    blocked: bool
    concurrency_limit: int | None


@dataclass(frozen=True)
class AccessToken:
    id: int
    name: str
    token_id: str
    token_secret: str = field(repr=False)
    integration: int
    entity: int
    role: int
    revoked: bool


@dataclass(frozen=True)
class Certificate:
    certificate_id: str
    integration: int
    entity: int
    role: int
    certificate_pem: str
    private_key_pem: str = field(repr=False)
    revoked: bool


@dataclass(frozen=True)
class Employee:
    id: int
    entity_id: str
    email: str
    subsidiary: int | None
    give_access: bool
    inactive: bool


@dataclass(frozen=True)
class Role:
    id: int
    name: str
    inactive: bool
    web_services_only: bool
    subsidiary_option: str
    cross_subsidiary_viewing: bool

    @property
    def is_administrator(self) -> bool:
        return self.id == ADMINISTRATOR_ROLE_ID


@dataclass(frozen=True)
class IssuedBearer:
    jti: str
    certificate_id: str
    integration: int
    entity: int
    role: int
    scopes: frozenset[str]
    expires: float


@dataclass(frozen=True)
class LoginRecord:
    """One row of the login audit trail, as the store keeps it (no secrets)."""

    date: float
    status: str
    detail: str
    auth_method: str | None
    entity: int | None
    email: str | None
    role: int | None
    role_name: str | None
    token_name: str | None
    application_name: str | None
    method: str
    uri: str


def _flag(value: object) -> bool:
    return value == "T"


# NetSuite's new accounts default to Pacific Time (a guess from demo accounts; each user may choose another).
DEFAULT_TIME_ZONE = "America/Los_Angeles"


class AccountStore:
    """Typed reads and the few writes authentication needs, over the account's SQLite database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self._audit_listeners: list[Callable[[LoginRecord], None]] = []

    @classmethod
    def open(cls, db_path: str | os.PathLike[str] | None) -> AccountStore:
        target = ":memory:" if db_path is None else os.fspath(db_path)
        conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        if db_path is not None:
            conn.execute("PRAGMA journal_mode = WAL")
        return cls(conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- schema and seeding ---------------------------------------------------------------------------------

    def is_seeded(self) -> bool:
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'company'"
            ).fetchone()
            if row is None:
                return False
            return self._conn.execute("SELECT 1 FROM company").fetchone() is not None

    def check_schema(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION - 1:  # 4 → 5 adds the File Cabinet's tables, and nothing else
                self._conn.executescript(
                    f"BEGIN; {FILES_SQL}; PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                )
                version = SCHEMA_VERSION
        if version != SCHEMA_VERSION:
            raise StoreError(f"database schema version {version}, expected {SCHEMA_VERSION}")
        with self._lock:  # account files written before the index existed get it (same schema version)
            self._conn.execute("CREATE INDEX IF NOT EXISTS usednonce_timestamp ON usednonce (timestamp)")
            self._conn.executescript(READBACK_SQL)  # so are the read-back tables

    def seed(self, company: Mapping[str, object], tables: Iterable[tuple[str, list[dict[str, Any]]]]) -> None:
        """Create the schema and insert every row in one transaction."""
        with self._lock:
            try:
                self._conn.executescript(SCHEMA_SQL)
                self._conn.execute("BEGIN")
                self._insert("company", [dict(company)])
                for table, rows in tables:
                    self._insert(table, rows)
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise StoreError(f"seeding failed: {exc}") from None

    def _insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            columns = list(row)
            if not all(col.isidentifier() for col in columns) or not table.isidentifier():
                raise StoreError(f"bad column name in table {table!r}")
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"  # noqa: S608 -- names checked above
            try:
                self._conn.execute(sql, [to_db(row[c]) for c in columns])
            except sqlite3.Error as exc:
                raise StoreError(f"table {table}: {exc} (row {_describe(row)})") from None

    def query(self, sql: str, params: Iterable[object] = ()) -> list[sqlite3.Row]:
        """A read for the emulator's own modules (part 2's SuiteQL and part 3's records build on this)."""
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def guarded_query(self, sql: str, params: Iterable[object] = (), *, max_steps: int) -> list[sqlite3.Row]:
        """A read of untrusted shape (SuiteQL): the connection refuses writes while it runs, and SQLite stops
        it (``sqlite3.OperationalError``) after about ``max_steps`` virtual-machine steps."""
        steps = 0

        def count() -> int:
            nonlocal steps
            steps += _PROGRESS_EVERY
            return 1 if steps > max_steps else 0

        with self._lock:
            self._conn.execute("PRAGMA query_only = ON")
            self._conn.set_progress_handler(count, _PROGRESS_EVERY)
            try:
                return self._conn.execute(sql, tuple(params)).fetchall()
            finally:
                self._conn.set_progress_handler(None, 0)
                self._conn.execute("PRAGMA query_only = OFF")

    def create_function(
        self,
        name: str,
        arguments: int,
        function: Callable[..., str | bytes | int | float | None],
        *,
        deterministic: bool = True,
    ) -> None:
        """An SQL function on the store's connection (SuiteQL's Oracle functions that SQLite lacks)."""
        with self._lock:
            self._conn.create_function(name, arguments, function, deterministic=deterministic)

    def execute(self, sql: str, params: Iterable[object] = ()) -> int:
        """A write for the emulator's own modules; returns the number of rows changed."""
        with self._lock:
            return self._conn.execute(sql, tuple(params)).rowcount

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One store transaction, committed when the block ends and rolled back if it raises; the lock is held
        throughout, so the reads inside it see what the writes will be checked against."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def fingerprint(self) -> str:
        """A digest of the account's data (not its traffic): equal before and after means unchanged."""
        digest = hashlib.sha256()
        with self._lock:
            names = [
                r[0]
                for r in self._conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
                if r[0] not in _TRAFFIC_TABLES and not r[0].startswith("sqlite_")
            ]
            for name in names:
                digest.update(name.encode())
                for row in self._conn.execute(f'SELECT * FROM "{name}" ORDER BY 1'):  # noqa: S608 -- from sqlite_master
                    digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()

    # -- reads ------------------------------------------------------------------------------------------------

    def _one(self, sql: str, *params: object) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def company(self) -> Company:
        row = self._one("SELECT * FROM company")
        if row is None:
            raise StoreError("the database holds no account")
        return Company(
            account_id=row["accountid"],
            name=row["companyname"],
            kind=row["kind"],
            oneworld=_flag(row["oneworld"]),
            base_currency=row["basecurrency"],
            concurrency_limit=row["concurrencylimit"],
            clock_offset=row["clockoffset"],
            scenario=row["scenario"],
            vendor_bill_approval=_flag(row["vendorbillapproval"]),
            journal_approval=_flag(row["journalapproval"]),
            date_outside_period=row["dateoutsideperiod"],
            closed_period_default=row["closedperioddefault"],
            date_format=row["dateformat"],
        )

    def time_zone(self) -> str:
        """The time zone of the account's users, in which SuiteQL shows and reads date-times (IANA name)."""
        row = self._one("SELECT timezone FROM accounttimezone")
        return str(row[0]) if row is not None else DEFAULT_TIME_ZONE

    def set_time_zone(self, name: str) -> None:
        """Set the users' time zone (an IANA name such as ``America/Chicago``)."""
        zoneinfo.ZoneInfo(name)  # raises ZoneInfoNotFoundError (a KeyError) for an unknown name
        with self.write() as conn:
            conn.execute("DELETE FROM accounttimezone")
            conn.execute("INSERT INTO accounttimezone (timezone) VALUES (?)", (name,))

    def feature_enabled(self, feature_id: str) -> bool:
        row = self._one("SELECT isenabled FROM feature WHERE id = ?", feature_id)
        return row is not None and _flag(row["isenabled"])

    def _integration(self, column: str, value: object) -> Integration | None:
        row = self._one(f"SELECT * FROM integration WHERE {column} = ?", value)  # noqa: S608 -- fixed names
        if row is None:
            return None
        return Integration(
            id=row["id"],
            name=row["name"],
            consumer_key=row["consumerkey"],
            consumer_secret=row["consumersecret"],
            client_id=row["clientid"],
            tba_enabled=_flag(row["tokenbasedauth"]),
            client_credentials_enabled=_flag(row["clientcredentials"]),
            scopes=frozenset(s.strip() for s in row["scopes"].split(",") if s.strip()),
            blocked=row["state"] == "BLOCKED",
            concurrency_limit=row["concurrencylimit"],
        )

    def integration(self, integration_id: int) -> Integration | None:
        return self._integration("id", integration_id)

    def integration_by_consumer_key(self, consumer_key: str) -> Integration | None:
        return self._integration("consumerkey", consumer_key)

    def allocated_concurrency(self) -> int:
        row = self._one("SELECT COALESCE(SUM(concurrencylimit), 0) AS n FROM integration")
        return int(row["n"]) if row is not None else 0

    def _token(self, column: str, value: object) -> AccessToken | None:
        row = self._one(f"SELECT * FROM accesstoken WHERE {column} = ?", value)  # noqa: S608 -- fixed names
        if row is None:
            return None
        return AccessToken(
            id=row["id"],
            name=row["name"],
            token_id=row["tokenid"],
            token_secret=row["tokensecret"],
            integration=row["integration"],
            entity=row["entity"],
            role=row["role"],
            revoked=_flag(row["isrevoked"]),
        )

    def access_token(self, token_id: str) -> AccessToken | None:
        return self._token("tokenid", token_id)

    def access_token_by_handle(self, handle: str) -> AccessToken | None:
        return self._token("handle", handle)

    def _certificate(self, column: str, value: object) -> Certificate | None:
        row = self._one(f"SELECT * FROM oauth2certificate WHERE {column} = ?", value)  # noqa: S608 -- fixed
        if row is None:
            return None
        return Certificate(
            certificate_id=row["certificateid"],
            integration=row["integration"],
            entity=row["entity"],
            role=row["role"],
            certificate_pem=row["certificatepem"],
            private_key_pem=row["privatekeypem"],
            revoked=_flag(row["isrevoked"]),
        )

    def certificate(self, certificate_id: str) -> Certificate | None:
        return self._certificate("certificateid", certificate_id)

    def certificate_by_handle(self, handle: str) -> Certificate | None:
        return self._certificate("handle", handle)

    def certificates_to_complete(self) -> list[tuple[str, str]]:
        """(certificate id, key label) of mappings seeded without key material."""
        return [
            (r["certificateid"], r["keylabel"])
            for r in self.query(
                "SELECT certificateid, keylabel FROM oauth2certificate WHERE certificatepem = ''"
            )
        ]

    def set_certificate_material(
        self, certificate_id: str, certificate_pem: str, private_key_pem: str
    ) -> None:
        self.execute(
            "UPDATE oauth2certificate SET certificatepem = ?, privatekeypem = ? WHERE certificateid = ?",
            (certificate_pem, private_key_pem, certificate_id),
        )

    def add_certificate(
        self, certificate_id: str, certificate_pem: str, integration: int, entity: int, role: int
    ) -> None:
        """A new client-credentials mapping (an administrator's upload); no private key: the client keeps it."""
        self.execute(
            "INSERT INTO oauth2certificate (certificateid, keylabel, integration, entity, role, certificatepem) "
            "VALUES (?, '', ?, ?, ?, ?)",
            (certificate_id, integration, entity, role, certificate_pem),
        )

    def certificate_pems(self) -> list[tuple[str, int, int, int]]:
        """(certificate, integration, entity, role) of every mapping: one certificate serves one combination."""
        return [
            (r["certificatepem"], r["integration"], r["entity"], r["role"])
            for r in self.query("SELECT certificatepem, integration, entity, role FROM oauth2certificate")
        ]

    def employee(self, entity: int) -> Employee | None:
        row = self._one("SELECT * FROM employee WHERE id = ?", entity)
        if row is None:
            return None
        return Employee(
            id=row["id"],
            entity_id=row["entityid"],
            email=row["email"],
            subsidiary=row["subsidiary"],
            give_access=_flag(row["giveaccess"]),
            inactive=_flag(row["isinactive"]),
        )

    def role(self, role_id: int) -> Role | None:
        row = self._one("SELECT * FROM role WHERE id = ?", role_id)
        if row is None:
            return None
        return Role(
            id=row["id"],
            name=row["name"],
            inactive=_flag(row["isinactive"]),
            web_services_only=_flag(row["iswebserviceonlyrole"]),
            subsidiary_option=row["subsidiaryoption"],
            cross_subsidiary_viewing=_flag(row["subsidiaryviewingallowed"]),
        )

    def has_role(self, entity: int, role_id: int) -> bool:
        row = self._one("SELECT 1 FROM employeerolesforsearch WHERE entity = ? AND role = ?", entity, role_id)
        return row is not None

    def permission_level(self, role_id: int, permkey: str) -> int:
        """The role's level for a permission: 0 (None) when there is no row; Full for the Administrator."""
        if role_id == ADMINISTRATOR_ROLE_ID:
            return FULL
        row = self._one(
            "SELECT permlevel FROM rolepermissions WHERE role = ? AND permkey = ?", role_id, permkey
        )
        return int(row["permlevel"]) if row is not None else 0

    def subsidiaries(self) -> list[tuple[int, bool]]:
        """(id, active) of every subsidiary."""
        return [
            (r["id"], not _flag(r["isinactive"])) for r in self.query("SELECT id, isinactive FROM subsidiary")
        ]

    def role_subsidiaries(self, role_id: int) -> frozenset[int]:
        rows = self.query("SELECT subsidiary FROM rolesubsidiaries WHERE role = ?", (role_id,))
        return frozenset(r["subsidiary"] for r in rows)

    # -- authentication writes ------------------------------------------------------------------------------

    def use_nonce(self, entity: int, nonce: str, timestamp: int, forget_before: float) -> bool:
        """Record a nonce+timestamp for a user; False if it was used already.

        Nonces older than the timestamp window are forgotten: their requests are refused as stale anyway.
        """
        with self._lock:
            self._conn.execute("DELETE FROM usednonce WHERE timestamp < ?", (int(forget_before),))
            try:
                self._conn.execute(
                    "INSERT INTO usednonce (entity, nonce, timestamp) VALUES (?, ?, ?)",
                    (entity, nonce, timestamp),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def save_bearer(self, bearer: IssuedBearer, issued: float) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM oauth2accesstoken WHERE expires < ?", (issued,))
            self._conn.execute(
                "INSERT INTO oauth2accesstoken VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    bearer.jti,
                    bearer.certificate_id,
                    bearer.integration,
                    bearer.entity,
                    bearer.role,
                    ",".join(sorted(bearer.scopes)),
                    issued,
                    bearer.expires,
                ),
            )

    def bearer(self, jti: str) -> IssuedBearer | None:
        row = self._one("SELECT * FROM oauth2accesstoken WHERE jti = ?", jti)
        if row is None:
            return None
        return IssuedBearer(
            jti=row["jti"],
            certificate_id=row["certificateid"],
            integration=row["integration"],
            entity=row["entity"],
            role=row["role"],
            scopes=frozenset(row["scopes"].split(",")),
            expires=row["expires"],
        )

    # -- the login audit trail ------------------------------------------------------------------------------

    def add_audit_listener(self, listener: Callable[[LoginRecord], None]) -> None:
        self._audit_listeners.append(listener)

    def record_login(self, record: LoginRecord) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO loginaudit (date, status, detail, authmethod, entity, emailaddress, role, rolename,"
                " tokenname, applicationname, requestmethod, requesturi) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.date,
                    record.status,
                    record.detail,
                    record.auth_method,
                    record.entity,
                    record.email,
                    record.role,
                    record.role_name,
                    record.token_name,
                    record.application_name,
                    record.method,
                    record.uri,
                ),
            )
            listeners = list(self._audit_listeners)
        for listener in listeners:
            listener(record)

    def login_audit(self) -> list[LoginRecord]:
        rows = self.query("SELECT * FROM loginaudit ORDER BY id")
        return [
            LoginRecord(
                date=r["date"],
                status=r["status"],
                detail=r["detail"],
                auth_method=r["authmethod"],
                entity=r["entity"],
                email=r["emailaddress"],
                role=r["role"],
                role_name=r["rolename"],
                token_name=r["tokenname"],
                application_name=r["applicationname"],
                method=r["requestmethod"],
                uri=r["requesturi"],
            )
            for r in rows
        ]


def _describe(row: Mapping[str, object]) -> str:
    """A row for an error message, without anything that looks like a secret."""
    hidden = ("secret", "pem", "consumerkey", "tokenid", "clientid")
    shown = {k: v for k, v in row.items() if not any(h in k for h in hidden)}
    return repr(shown)
