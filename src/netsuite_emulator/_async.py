"""Asynchronous requests and batch (collection) operations of REST web services.

What Oracle documents (sources in docs/netsuite-facts.md, "Asynchronous requests and batch operations"):

- Any record request may carry ``Prefer: respond-async``: it answers ``202 Accepted`` with
  ``Preference-Applied: respond-async`` and ``Location: /services/rest/async/v1/job/{id}``
  (ORA/subsect_161278579295.html, ORA/chapter_161251386312.html).
- ``GET …/async/v1/job/{id}`` → ``{links, completed, id, progress, task: {links}}``; ``…/job/{id}/task`` lists the
  tasks; ``…/task/{n}`` → ``{links (related: …/result), completed, endTime, id, progress, startTime}``;
  ``…/task/{n}/result`` is the task's result (ORA/subsect_161252896355.html, ORA/subsect_161252889998.html).
- A batch request adds, updates or upserts up to 100 records of one type: ``Content-Type:
  application/vnd.oracle.resource+json; type=collection``, body ``{"items": […]}``, with ``Prefer: respond-async``
  (ORA/article_0127092747.html). POST creates, PATCH updates (items carry ``id`` or ``externalId``), PUT upserts
  (items carry ``externalId``).
- ``X-NetSuite-idempotency-key``: a key seen before answers 400 IDEMPOTENCY_ERROR (titled "Conflict") with the
  ``Location`` of the earlier job (ORA/subsect_164494900632.html).
- Jobs run in "REST Async Processors", as many as the account's SuiteCloud Plus licences allow.

What Oracle does not say, and the emulator assumes (each one a setting of :class:`AsyncSettings`):

- **Concurrency.** Running tasks do not count against the account's concurrency limit
  (``counts_against_limit=False``); submitting and polling are requests like any other and do.
- **Processors.** ``processors`` (default 5) run tasks; each task takes the account's latency (L plus jitter) in one.
- **Order.** Tasks wait in one first-in, first-out queue across jobs, in item order; a job's tasks may run in
  several processors at once ("executed asynchronously and in parallel").
- **Retention.** Jobs and results are kept for ``retention_s`` seconds after they complete (default: for ever);
  an expired job answers 404 like an unknown one.
- **Results.** The body of a task's result is not documented: a succeeded write's result here is
  ``{"id": …, "links": [{"rel": "self", "href": <the record>}]}``, a failed one's NetSuite's error body.
  A job's ``progress`` once completed is ``succeeded`` if every task succeeded, else ``failed`` (a guess);
  ``processing`` while some task runs (a guess).
- **Faults.** The governor's fault plan hits submission like any record request. Each task also draws once:
  ``5xx``, ``429`` and ``401`` fail the task without running it (UNEXPECTED_ERROR, CONCURRENCY_LIMIT_EXCEEDED,
  INVALID_LOGIN in its result), ``slow`` makes it take five times as long, ``drop`` has no meaning there.
- **Restart.** Tasks still pending when the emulator stops fail when it starts again (the job's login is not
  kept on disk).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ._errors import NetSuiteJSON, error_body, error_response, iso_utc_ms
from .auth import Principal
from .governance import SLOW_FACTOR, Governor
from .store import AccountStore

logger = logging.getLogger("netsuite_emulator")

ASYNC_ROOT = "/services/rest/async/v1/job"
COLLECTION_TYPE = "type=collection"
MAX_BATCH = 100  # ORA/article_0127092747.html: at most 100 records in one batch request

_SQL = """
CREATE TABLE IF NOT EXISTS asyncjob (
    id INTEGER PRIMARY KEY,
    idempotencykey TEXT UNIQUE,
    created REAL NOT NULL,
    completed REAL
);
CREATE TABLE IF NOT EXISTS asynctask (
    job INTEGER NOT NULL,
    n INTEGER NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    body TEXT NOT NULL,
    progress TEXT NOT NULL,
    starttime REAL,
    endtime REAL,
    result TEXT,
    PRIMARY KEY (job, n)
);
"""

# What runs a task: the record service's handler, given a request built for it and the submitter's login.
Handler = Callable[[Request, Principal], Awaitable[Response]]


@dataclass(frozen=True)
class AsyncSettings:
    """The emulator's assumptions about async processing (Oracle is silent on them; see the module doc)."""

    processors: int = 5
    counts_against_limit: bool = False
    retention_s: float | None = None

    def __post_init__(self) -> None:
        if self.processors < 1:
            raise ValueError("there must be at least one REST async processor")


class AsyncService:
    """Accepts async record requests, runs their tasks in the processors, answers the job API."""

    def __init__(
        self,
        store: AccountStore,
        clock: Callable[[], float],
        handler: Handler,
        governor: Governor | None,
        settings: AsyncSettings,
    ) -> None:
        self.store, self.clock, self.handler = store, clock, handler
        self.governor, self.settings = governor, settings
        self._queue: deque[tuple[int, int]] = deque()
        self._principals: dict[int, Principal] = {}
        self._running = 0  # processors busy
        self._wake: asyncio.Event | None = None
        with store.write() as conn:
            for statement in _SQL.split(";"):
                if statement.strip():
                    conn.execute(statement)
            # Tasks left pending by an emulator that stopped: their login is gone (the module doc's assumption).
            detail = "The emulator stopped before this task ran."
            failed = json.dumps(error_body(500, "UNEXPECTED_ERROR", detail))
            now = clock()
            conn.execute(
                "UPDATE asynctask SET progress = 'failed', endtime = ?, result = ? WHERE progress IN "
                "('pending', 'processing')",
                (now, failed),
            )
            conn.execute("UPDATE asyncjob SET completed = ? WHERE completed IS NULL", (now,))

    # -- submission -------------------------------------------------------------------------------------

    @staticmethod
    def wanted(request: Request) -> bool:
        return "respond-async" in request.headers.get("prefer", "").lower()

    async def submit(self, request: Request, principal: Principal, body: bytes) -> Response:
        """Queue a record request (or a batch of them) as a job; 202 and its Location."""
        key = request.headers.get("x-netsuite-idempotency-key")
        if key is not None:
            found = self.store.query("SELECT id FROM asyncjob WHERE idempotencykey = ?", (key,))
            if found:
                return _idempotency_error(found[0]["id"])
        path = request.url.path
        query = request.url.query
        collection = COLLECTION_TYPE in request.headers.get("content-type", "").replace(" ", "").lower()
        if collection:
            tasks = _batch_tasks(request.method, path, query, body)
            if isinstance(tasks, Response):
                return tasks
        else:
            tasks = [(request.method, path, query, body.decode("utf-8", errors="replace"))]
        with self.store.write() as conn:
            job = conn.execute(
                "INSERT INTO asyncjob (idempotencykey, created) VALUES (?, ?)", (key, self.clock())
            ).lastrowid
            assert job is not None
            conn.executemany(
                "INSERT INTO asynctask (job, n, method, path, query, body, progress) "
                "VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                [(job, n, *task) for n, task in enumerate(tasks, start=1)],
            )
        self._principals[job] = principal
        self._queue.extend((job, n) for n in range(1, len(tasks) + 1))
        self._start_processors()
        return Response(
            status_code=202,
            headers={
                "Preference-Applied": "respond-async",
                "Location": f"{ASYNC_ROOT}/{job}",
                "Content-Type": "application/json",
            },
        )

    # -- processors -------------------------------------------------------------------------------------

    def _start_processors(self) -> None:
        while self._running < self.settings.processors and self._running < len(self._queue):
            self._running += 1
            asyncio.get_running_loop().create_task(self._processor())

    async def _processor(self) -> None:
        try:
            while self._queue:
                job, n = self._queue.popleft()
                await self._run(job, n)
        finally:
            self._running -= 1

    async def _run(self, job: int, n: int) -> None:
        pool = None
        governor = self.governor
        if governor is not None and self.settings.counts_against_limit:
            while (pool := governor.try_enter()) is None:  # noqa: ASYNC110 - the assumption turned on: a task polls for a slot
                await asyncio.sleep(0.01)
        try:
            started = time.monotonic()
            self.store.execute(
                "UPDATE asynctask SET progress = 'processing', starttime = ? WHERE job = ? AND n = ?",
                (self.clock(), job, n),
            )
            delay = governor.delay() if governor is not None else 0.0
            fault = governor.draw_fault() if governor is not None else None
            principal = self._principals.get(job)
            result: dict[str, Any]
            if fault in ("5xx", "429", "401") or principal is None:
                codes = {"429": (429, "CONCURRENCY_LIMIT_EXCEEDED"), "401": (401, "INVALID_LOGIN")}
                status, code = codes.get(fault or "", (500, "UNEXPECTED_ERROR"))
                result, succeeded = error_body(status, code, "The task could not be processed."), False
            else:
                try:
                    result, succeeded = await self._execute(job, n, principal)
                except Exception:  # a defect of the emulator: the task fails, as a request would answer 500
                    logger.exception("async task %d/%d failed", job, n)
                    detail = "An unexpected error occurred."
                    result, succeeded = error_body(500, "UNEXPECTED_ERROR", detail), False
            if fault == "slow":
                delay *= SLOW_FACTOR
            remaining = started + delay - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)
            self._finish(job, n, result, succeeded)
        finally:
            if pool is not None and governor is not None:
                governor.leave(pool)

    async def _execute(self, job: int, n: int, principal: Principal) -> tuple[dict[str, Any], bool]:
        row = self.store.query(
            "SELECT method, path, query, body FROM asynctask WHERE job = ? AND n = ?", (job, n)
        )[0]
        response = await self.handler(_task_request(row), principal)
        if response.status_code >= 400:
            try:
                return json.loads(bytes(response.body)), False
            except ValueError:
                return error_body(response.status_code, "UNEXPECTED_ERROR", "The task failed."), False
        location = response.headers.get("location", "")
        record_id = location.rstrip("/").rsplit("/", 1)[-1] if location else None
        return {"id": record_id, "links": [{"rel": "self", "href": location}]}, True

    def _finish(self, job: int, n: int, result: dict[str, Any], succeeded: bool) -> None:
        with self.store.write() as conn:
            conn.execute(
                "UPDATE asynctask SET progress = ?, endtime = ?, result = ? WHERE job = ? AND n = ?",
                ("succeeded" if succeeded else "failed", self.clock(), json.dumps(result), job, n),
            )
            left = conn.execute(
                "SELECT COUNT(*) FROM asynctask WHERE job = ? AND progress IN ('pending', 'processing')",
                (job,),
            ).fetchone()[0]
            if left == 0:
                conn.execute("UPDATE asyncjob SET completed = ? WHERE id = ?", (self.clock(), job))
                self._principals.pop(job, None)

    # -- the job API ------------------------------------------------------------------------------------

    async def handle(self, request: Request, principal: Principal) -> Response:
        if request.method not in ("GET", "HEAD"):
            return error_response(
                405, "INVALID_REQUEST", f"The {request.method[:10]} method is not supported here."
            )
        parts = [p for p in request.path_params["path"].split("/") if p]
        if not parts or not parts[0].isdigit():
            return _not_found()
        job = self._job(int(parts[0]))
        if job is None:
            return _not_found()
        base = f"{_root(request)}{ASYNC_ROOT}/{job['id']}"
        if len(parts) == 1:
            return NetSuiteJSON(self._job_body(job, base))
        if parts[1] != "task":
            return _not_found()
        if len(parts) == 2:
            rows = self.store.query("SELECT n FROM asynctask WHERE job = ? ORDER BY n", (job["id"],))
            items = [
                {"links": [{"rel": "self", "href": f"{base}/task/{r['n']}"}], "id": str(r["n"])} for r in rows
            ]
            return NetSuiteJSON(
                {
                    "links": [{"rel": "self", "href": f"{base}/task"}],
                    "count": len(items),
                    "hasMore": False,
                    "items": items,
                    "offset": 0,
                    "totalResults": len(items),
                }
            )
        if not parts[2].isdigit():
            return _not_found()
        found = self.store.query(
            "SELECT * FROM asynctask WHERE job = ? AND n = ?", (job["id"], int(parts[2]))
        )
        if not found:
            return _not_found()
        task = found[0]
        href = f"{base}/task/{task['n']}"
        if len(parts) == 3:
            body: dict[str, Any] = {
                "links": [{"rel": "related", "href": f"{href}/result"}, {"rel": "self", "href": href}],
                "completed": task["progress"] in ("succeeded", "failed"),
                "id": str(task["n"]),
                "progress": task["progress"],
            }
            if task["starttime"] is not None:
                body["startTime"] = iso_utc_ms(task["starttime"])
            if task["endtime"] is not None:
                body["endTime"] = iso_utc_ms(task["endtime"])
            return NetSuiteJSON(body)
        if len(parts) == 4 and parts[3] == "result":
            if task["result"] is None:
                # Not documented: the result of a task that has not ended; 404 is a guess.
                return error_response(404, "INVALID_REQUEST", "The task has no result yet.")
            return NetSuiteJSON(json.loads(task["result"]))
        return _not_found()

    def _job(self, job_id: int) -> dict[str, Any] | None:
        rows = self.store.query("SELECT * FROM asyncjob WHERE id = ?", (job_id,))
        if not rows:
            return None
        job = dict(rows[0])
        retention = self.settings.retention_s
        if (
            retention is not None
            and job["completed"] is not None
            and self.clock() - job["completed"] > retention
        ):
            return None
        return job

    def _job_body(self, job: dict[str, Any], base: str) -> dict[str, Any]:
        counts = {
            r["progress"]: r["c"]
            for r in self.store.query(
                "SELECT progress, COUNT(*) AS c FROM asynctask WHERE job = ? GROUP BY progress", (job["id"],)
            )
        }
        completed = job["completed"] is not None
        if completed:
            progress = "failed" if counts.get("failed") else "succeeded"
        elif counts.get("processing") or counts.get("succeeded") or counts.get("failed"):
            progress = "processing"
        else:
            progress = "pending"
        return {
            "links": [{"rel": "self", "href": base}],
            "completed": completed,
            "id": str(job["id"]),
            "progress": progress,
            "task": {"links": [{"rel": "self", "href": f"{base}/task"}]},
        }


def _batch_tasks(
    method: str, path: str, query: str, body: bytes
) -> list[tuple[str, str, str, str]] | Response:
    """One task per item of a collection request, as the single-record request it stands for."""
    try:
        parsed = json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        parsed = None
    items = parsed.get("items") if isinstance(parsed, dict) else None
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        # Wording: a guess.
        return error_response(400, "INVALID_CONTENT", 'A batch request\'s body is {"items": [records]}.')
    if len(items) > MAX_BATCH:
        # Documented limit; the answer's wording is a guess.
        return error_response(
            400, "INVALID_REQUEST", f"A batch request may hold at most {MAX_BATCH} records, not {len(items)}."
        )
    if method not in ("POST", "PUT", "PATCH") or path.rstrip("/").count("/") != 5:
        return error_response(
            405, "INVALID_REQUEST", "Batch requests are POST, PUT or PATCH on a record type's URL."
        )
    root = path.rstrip("/")
    tasks = []
    for item in items:
        item = dict(item)
        if method == "POST":
            tasks.append(("POST", root, query, json.dumps(item)))
            continue
        internal, external = item.pop("id", None), item.get("externalId")
        if (method == "PUT" and external is None) or (
            method == "PATCH" and internal is None and external is None
        ):
            # ORA/article_0127092747.html: PUT items carry an external id; PATCH items an id or an external id.
            return error_response(
                400,
                "INVALID_REQUEST",
                "Each item of a batch PUT needs externalId; of a PATCH, id or externalId.",
            )
        ref = str(internal) if (method == "PATCH" and internal is not None) else f"eid:{external}"
        if method == "PUT":
            item.pop("externalId", None)
        tasks.append((method, f"{root}/{ref}", query, json.dumps(item)))
    return tasks


def _task_request(row: Any) -> Request:
    body = str(row["body"]).encode("utf-8")
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    path = str(row["path"])
    scope = {
        "type": "http",
        "method": row["method"],
        "path": path,
        "raw_path": path.encode(),
        "query_string": str(row["query"]).encode(),
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "scheme": "https",
        "server": ("localhost", 443),
        "path_params": {"path": path.split("/services/rest/record/v1/", 1)[1]},
    }
    return Request(scope, receive)


def _root(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _idempotency_error(job: int) -> Response:
    # ORA/subsect_164494900632.html: "HTTP 400 Conflict" with the earlier job's Location (RFC 2616 §10.4.10
    # would be 409; the emulator answers the 400 Oracle's example shows).
    body = {
        "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10",
        "title": "Conflict",
        "status": 400,
        "o:errorDetails": [
            {
                "detail": "A request with the same idempotency key is already submitted. "
                'See the "Location" header for a link to the previously submitted job',
                "o:errorCode": "IDEMPOTENCY_ERROR",
            }
        ],
    }
    response = NetSuiteJSON(body, 400)
    response.headers["Location"] = f"{ASYNC_ROOT}/{job}"
    response.headers["Preference-Applied"] = "respond-async"
    return response


def _not_found() -> Response:
    return error_response(404, "INVALID_REQUEST", "The requested resource does not exist.")
