"""Async requests and batch (collection) requests: 202 + Location, the job API, idempotency keys, the processors
as a pool of their own, faults on tasks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from netsuite_emulator import Emulator
from tests.emulator.records_support import RECORD, invoice_body, raw

pytestmark = pytest.mark.anyio
COLLECTION = "application/vnd.oracle.resource+json; type=collection"
BATCH = {"Content-Type": COLLECTION, "Prefer": "respond-async"}


@pytest.fixture
def emulators() -> Iterator[list[Emulator]]:
    made: list[Emulator] = []
    yield made
    for emulator in made:
        emulator.close()


def emulator_with(made: list[Emulator], **kwargs: Any) -> Emulator:
    emulator = Emulator.from_scenario("healthy", clock=time.time, **kwargs)
    made.append(emulator)
    return emulator


def invoices(count: int, prefix: str = "INV") -> dict[str, Any]:
    return {"items": [invoice_body(externalId=f"{prefix}-{n}") for n in range(count)]}


async def finished(emulator: Emulator, location: str) -> dict[str, Any]:
    path = httpx.URL(location).path
    for _ in range(500):
        job = (await raw(emulator, "GET", path)).json()
        if job["completed"]:
            return dict(job)
        await asyncio.sleep(0.02)
    raise AssertionError("the job never completed")


async def test_a_batch_request_is_a_job_whose_tasks_create_the_records(emulators: list[Emulator]) -> None:
    emulator = emulator_with(emulators)
    answer = await raw(emulator, "POST", f"{RECORD}/invoice", invoices(3), headers=BATCH)
    assert answer.status_code == 202
    assert answer.headers["preference-applied"] == "respond-async"
    location = answer.headers["location"]
    assert location.startswith("/services/rest/async/v1/job/")
    job = await finished(emulator, location)
    assert (job["progress"], job["id"]) == ("succeeded", location.rsplit("/", 1)[1])
    tasks = (await raw(emulator, "GET", f"{location}/task")).json()
    assert [t["id"] for t in tasks["items"]] == ["1", "2", "3"]
    for n in ("1", "2", "3"):
        task = (await raw(emulator, "GET", f"{location}/task/{n}")).json()
        assert (task["completed"], task["progress"]) == (True, "succeeded")
        assert task["links"][0]["href"].endswith(f"/task/{n}/result")
        result = (await raw(emulator, "GET", f"{location}/task/{n}/result")).json()
        record = await raw(emulator, "GET", f"{RECORD}/invoice/{result['id']}")
        assert record.json()["externalId"] == f"INV-{int(n) - 1}"


async def test_a_repeated_idempotency_key_points_at_the_first_job(emulators: list[Emulator]) -> None:
    emulator = emulator_with(emulators)
    key = {"X-NetSuite-idempotency-key": "cac827ea-3543-4cda-add2-bae634326c27"}
    first = await raw(emulator, "POST", f"{RECORD}/invoice", invoices(2), headers=BATCH | key)
    again = await raw(emulator, "POST", f"{RECORD}/invoice", invoices(2), headers=BATCH | key)
    assert first.status_code == 202
    assert again.status_code == 400
    assert again.json()["o:errorDetails"][0]["o:errorCode"] == "IDEMPOTENCY_ERROR"
    assert again.headers["location"] == first.headers["location"]
    await finished(emulator, first.headers["location"])
    found = await raw(emulator, "GET", f"{RECORD}/invoice?q=externalId IS INV-0")
    assert found.json()["count"] == 1  # the repeated request wrote nothing


async def test_a_batch_holds_at_most_100_records_and_a_failed_item_fails_alone(
    emulators: list[Emulator],
) -> None:
    emulator = emulator_with(emulators)
    too_many = await raw(emulator, "POST", f"{RECORD}/invoice", invoices(101), headers=BATCH)
    assert too_many.status_code == 400
    body = invoices(3)
    body["items"][1]["entity"] = {"id": "999999"}  # no such customer
    answer = await raw(emulator, "POST", f"{RECORD}/invoice", body, headers=BATCH)
    location = answer.headers["location"]
    job = await finished(emulator, location)
    assert job["progress"] == "failed"
    progress = [(await raw(emulator, "GET", f"{location}/task/{n}")).json()["progress"] for n in (1, 2, 3)]
    assert progress == ["succeeded", "failed", "succeeded"]
    error = (await raw(emulator, "GET", f"{location}/task/2/result")).json()
    assert error["status"] == 400
    assert error["o:errorDetails"][0]["o:errorCode"]


async def test_tasks_run_in_the_processors_and_take_no_concurrency_slot(emulators: list[Emulator]) -> None:
    emulator = emulator_with(emulators, concurrency_limit=1, latency_ms=100, async_processors=2)
    started = time.monotonic()
    answer = await raw(emulator, "POST", f"{RECORD}/invoice", invoices(6), headers=BATCH)
    # While the job runs, the account's single slot is free for synchronous requests.
    during = await raw(emulator, "GET", f"{RECORD}/invoice?limit=5")
    assert during.status_code == 200
    await finished(emulator, answer.headers["location"])
    # Six tasks of 100 ms in two processors: at least 300 ms.
    assert time.monotonic() - started >= 0.3
    assert emulator.stats().refused == 0


async def test_faults_hit_submission_and_tasks(emulators: list[Emulator]) -> None:
    emulator = emulator_with(emulators, faults={"5xx": 0.5}, seed=3)
    statuses = []
    for _ in range(20):  # the submission is a record request: some attempts fail before a job exists
        answer = await raw(emulator, "POST", f"{RECORD}/invoice", invoices(20), headers=BATCH)
        statuses.append(answer.status_code)
        if answer.status_code == 202:
            break
    assert statuses[-1] == 202
    location = answer.headers["location"]
    await finished(emulator, location)
    codes = []
    for n in range(1, 21):
        result = (await raw(emulator, "GET", f"{location}/task/{n}/result")).json()
        codes.append(result["o:errorDetails"][0]["o:errorCode"] if "o:errorDetails" in result else "ok")
    assert "UNEXPECTED_ERROR" in codes
    assert "ok" in codes
