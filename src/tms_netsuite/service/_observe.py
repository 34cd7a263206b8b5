"""Metrics (Prometheus, one registry per app) and structured logs carrying a request id and the account slug."""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
account_slug: contextvars.ContextVar[str | None] = contextvars.ContextVar("account_slug", default=None)


class RequestTags:
    """What the request's log line names. Mutable and shared: the route runs in a copy of the middleware's
    context, so a value it sets there would not reach the middleware's line."""

    __slots__ = ("account",)

    def __init__(self) -> None:
        self.account: str | None = None


request_tags: contextvars.ContextVar[RequestTags | None] = contextvars.ContextVar(
    "request_tags", default=None
)


def tag_account(slug: str) -> None:
    """Name the account in this request's (or task's) log lines."""
    account_slug.set(slug)
    tags = request_tags.get()
    if tags is not None:
        tags.account = slug


logger = logging.getLogger("tms_netsuite.service")


class Metrics:
    """The service's metrics, in a registry of its own (two apps in one process never clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.documents = Gauge(
            "tms_netsuite_documents",
            "Document versions by account and state.",
            ["account", "state"],
            registry=self.registry,
        )
        self.oldest_pending = Gauge(
            "tms_netsuite_oldest_pending_seconds",
            "Age of the oldest document version still to export, per account.",
            ["account"],
            registry=self.registry,
        )
        self.records_written = Counter(
            "tms_netsuite_records_written", "NetSuite records written.", ["account"], registry=self.registry
        )
        self.errors = Counter(
            "tms_netsuite_export_errors",
            "Document versions left failed by an export, by error category.",
            ["account", "category"],
            registry=self.registry,
        )
        self.throttled = Counter(
            "tms_netsuite_http_429", "NetSuite's 429 answers.", ["account"], registry=self.registry
        )
        self.events = Counter(
            "tms_netsuite_events",
            "Events kept by read-back, by type.",
            ["account", "type"],
            registry=self.registry,
        )
        self.webhooks = Counter(
            "tms_netsuite_webhook_attempts",
            "Webhook delivery attempts, by outcome (delivered or failed).",
            ["account", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tms_netsuite_request_seconds",
            "API request latency.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "tms_netsuite_requests_in_flight", "API requests in flight.", registry=self.registry
        )


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the request id and account slug in scope.
    Messages are the project's own texts, which never carry a secret (credentials are `Secret`s)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "account"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        tags = request_tags.get()
        rid = getattr(record, "request_id", None) or request_id.get()
        slug = getattr(record, "account", None) or (tags.account if tags else None) or account_slug.get()
        record.request_id, record.account = rid, slug
        record.scope = f"[{rid or '-'} {slug or '-'}]"
        return True


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """Logs to stderr, as text or as JSON lines, for the project's loggers and uvicorn's."""
    handler = logging.StreamHandler()
    handler.addFilter(_ContextFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(scope)s %(message)s"))
    for name in ("tms_netsuite", "uvicorn", "uvicorn.error"):
        target = logging.getLogger(name)
        target.handlers = [handler]
        target.setLevel(level)
        target.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # the service logs each request itself, with its id
