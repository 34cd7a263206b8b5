"""``POST /services/rest/query/v1/suiteql``: the REST query service (netsuite-api.md §3).

Checks in NetSuite's order as far as it is known: login (401), SuiteAnalytics Workbook (400 USER_ERROR), the
``Prefer: transient`` header, paging parameters, the body, then the query itself (400 INVALID_PARAMETER with
``o:errorQueryParam: "q"``). A page is ``{links, count, hasMore, items, offset, totalResults}``; every value a
string, column names in lower case, empty (NULL) values left out of an item as in NetSuite's recorded answers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from netsuite_emulator._errors import ERROR_MEDIA_TYPE, NetSuiteJSON, error_body, error_response
from netsuite_emulator.auth import REST, Principal
from netsuite_emulator.permissions import ANALYTICS_PERMISSION, EDIT, accessible_subsidiaries
from netsuite_emulator.store import AccountStore

from ._service import SuiteQLService
from ._translate import MAX_PARAMS, SubsidiaryScope, SuiteQLError, unsupported

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000
MAX_RESULTS = 100_000  # SuiteQL over REST returns at most this many results of one query
COLLECTION_MEDIA_TYPE = "application/vnd.oracle.resource+json; type=collection"
NO_ANALYTICS_DETAIL = "Your current role does not have permission to perform this action. Please contact your account administrator."

Login = Callable[[Request, str], Awaitable[Principal | Response]]
BodyReader = Callable[[Request], Awaitable[bytes | None]]  # None: over the REST size limit


class SuiteQLEndpoint:
    def __init__(
        self,
        store: AccountStore,
        clock: Callable[[], float],
        login: Login,
        read_body: BodyReader,
        too_large: Callable[[], Response],
    ) -> None:
        self.store = store
        self.service = SuiteQLService(store, clock)
        self._login, self._read_body, self._too_large = login, read_body, too_large

    async def handle(self, request: Request) -> Response:
        principal = await self._login(request, REST)
        if isinstance(principal, Response):
            return principal
        if self.store.permission_level(principal.role.id, ANALYTICS_PERMISSION) < EDIT:
            return error_response(400, "USER_ERROR", NO_ANALYTICS_DETAIL)
        prefer = {p.strip().lower() for p in request.headers.get("prefer", "").split(",")}
        if "transient" not in prefer:
            # Oracle documents the header as required; what NetSuite answers without it is not documented.
            # The emulator refuses, so a client that forgets it fails here first (code and wording are guesses).
            return _error(
                "INVALID_REQUEST",
                "The SuiteQL query service requires the header 'Prefer: transient'.",
                "o:errorHeader",
                "Prefer",
            )
        paging = _paging(request)
        if isinstance(paging, Response):
            return paging
        limit, offset = paging
        body = await self._read_body(request)
        if body is None:
            return self._too_large()
        parsed = _query_and_params(body)
        if isinstance(parsed, Response):
            return parsed
        query, params = parsed
        visibility = self.service.visibility(
            principal.role.id, principal.role.is_administrator, self._subsidiary_scope(principal)
        )
        take = min(limit, MAX_RESULTS - offset)
        try:
            page = self.service.run(query, params, visibility, limit=take, offset=offset)
        except SuiteQLError as error:
            return _query_error(error.detail)
        reachable = min(page.total, MAX_RESULTS)
        has_more = offset + len(page.items) < reachable
        body_out: dict[str, Any] = {
            "links": _links(request, limit, offset, reachable, has_more),
            "count": len(page.items),
            "hasMore": has_more,
            "items": [{"links": [], **item} for item in page.items],
            "offset": offset,
            "totalResults": page.total,
        }
        return NetSuiteJSON(body_out, media_type=COLLECTION_MEDIA_TYPE)

    def _subsidiary_scope(self, principal: Principal) -> SubsidiaryScope | None:
        role = principal.role
        if role.is_administrator or role.cross_subsidiary_viewing or role.subsidiary_option == "ALL":
            return None  # cross-subsidiary viewing lets a role see, not edit, every subsidiary's records
        accessible = accessible_subsidiaries(self.store, role.id, principal.entity.id)
        parents = {int(r[0]): r[1] for r in self.store.query("SELECT id, parent FROM subsidiary")}
        if accessible >= set(parents):
            return None
        ancestors: set[int] = set()
        for subsidiary in accessible:
            parent = parents.get(subsidiary)
            while parent is not None and parent not in ancestors:
                ancestors.add(int(parent))
                parent = parents.get(int(parent))
        return SubsidiaryScope(frozenset(accessible), frozenset(ancestors))


def _error(code: str, detail: str, field: str, value: str) -> Response:
    """A 400 whose error detail names the header or query parameter at fault."""
    return NetSuiteJSON(error_body(400, code, detail, **{field: value}), 400, None, ERROR_MEDIA_TYPE)


def _query_error(detail: str) -> Response:
    return _error("INVALID_PARAMETER", detail, "o:errorQueryParam", "q")


def _parameter_error(name: str, detail: str) -> Response:
    # NetSuite's wording for bad paging parameters is not documented; the shape follows its other
    # INVALID_PARAMETER answers.
    return _error("INVALID_PARAMETER", detail, "o:errorQueryParam", name)


def _integer(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _paging(request: Request) -> tuple[int, int] | Response:
    query = request.query_params
    limit, offset = DEFAULT_LIMIT, 0
    if "limit" in query:
        value = _integer(query["limit"])
        if value is None or not 1 <= value <= MAX_LIMIT:
            return _parameter_error(
                "limit", f"The value of 'limit' must be an integer from 1 to {MAX_LIMIT}."
            )
        limit = value
    if "offset" in query:
        value = _integer(query["offset"])
        if value is None:
            return _parameter_error("offset", "The value of 'offset' must be a non-negative integer.")
        offset = value
    if offset % limit:
        return _parameter_error("offset", "The value of 'offset' must be a multiple of the value of 'limit'.")
    if offset >= MAX_RESULTS:
        return _parameter_error(
            "offset", f"A SuiteQL query returns at most {MAX_RESULTS} results; 'offset' is beyond them."
        )
    return limit, offset


def _query_and_params(body: bytes) -> tuple[str, list[object]] | Response:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # As the record service answers an unreadable body (part 1); the code is a guess.
        return error_response(400, "INVALID_CONTENT", "Invalid content in the request body.")
    if not isinstance(document, dict) or not isinstance(document.get("q"), str) or not document["q"].strip():
        return _query_error(unsupported().detail)
    params = document.get("params", [])
    if not isinstance(params, list) or len(params) > MAX_PARAMS:
        return _query_error(unsupported().detail)
    bound: list[object] = []
    for value in params:
        # The documentation shows parameters as strings; numbers are accepted as they are.
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return _query_error(unsupported().detail)
        bound.append(value)
    return document["q"], bound


def _links(request: Request, limit: int, offset: int, reachable: int, has_more: bool) -> list[dict[str, str]]:
    """self always; previous/first/next/last when the answer has more than one page (rel names as in the SuiteQL
    pages of the documentation, which say ``previous`` where the paging page says ``prev``)."""
    base = str(request.url.replace(query=""))

    def at(position: int) -> str:
        return f"{base}?limit={limit}&offset={position}"

    links: list[dict[str, str]] = []
    last = max(reachable - 1, 0) // limit * limit
    several = reachable > limit
    if offset > 0:
        links.append({"rel": "previous", "href": at(max(offset - limit, 0))})
    if several:
        links.append({"rel": "first", "href": at(0)})
    if has_more:
        links.append({"rel": "next", "href": at(offset + limit)})
    if several:
        links.append({"rel": "last", "href": at(last)})
    links.append({"rel": "self", "href": str(request.url)})
    return links
