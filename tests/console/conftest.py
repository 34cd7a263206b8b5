"""The console in process: the service's harness (SQLite ledger, emulated accounts over ASGI) with a browser-like
client that keeps cookies and sends the forms' CSRF tokens."""

from __future__ import annotations

import re

import httpx

from tests.service.conftest import harness, healthy, sandbox  # noqa: F401 - fixtures used by the tests here

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token a page's forms carry."""
    found = _CSRF.search(page.text)
    assert found is not None, page.text[:2000]
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """Sign in through the form as a person does: its page, then the post with the page's token."""
    page = await client.get("/ui/sign-in")
    return await client.post("/ui/sign-in", data={"api_key": key, "csrf": csrf_of(page)})
