"""Run by the third-party virtual environment: the PyPI `netsuite` client against a served emulator.

Only its URL builder is patched (it hard-codes NetSuite's host); its signing and headers are its own.
Prints one JSON object with what each call returned or raised.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from netsuite import Config, NetSuite, TokenAuth
from netsuite.exceptions import NetsuiteAPIRequestError


async def main() -> None:
    base_url = os.environ["NETSUITE_BASE_URL"]
    config = Config(
        account=os.environ["NETSUITE_ACCOUNT_ID"],
        auth=TokenAuth(
            consumer_key=os.environ["NETSUITE_CONSUMER_KEY"],
            consumer_secret=os.environ["NETSUITE_CONSUMER_SECRET"],
            token_id=os.environ["NETSUITE_TOKEN_ID"],
            token_secret=os.environ["NETSUITE_TOKEN_SECRET"],
        ),
    )
    rest = NetSuite(config).rest_api
    rest._make_url = lambda subpath: f"{base_url}/services/rest{subpath}"  # the one patch
    results = {}
    for name, call in {
        "serverTime": lambda: rest.get("/system/v1/serverTime"),
        "tokeninfo": lambda: rest.get("ignored", url=f"{base_url}/rest/tokeninfo"),
        "serverTime_query": lambda: rest.get("/system/v1/serverTime", params={"q": "a b+c", "x": "ü"}),
    }.items():
        try:
            results[name] = {"ok": await call()}
        except NetsuiteAPIRequestError as exc:
            results[name] = {"status": exc.status_code, "body": exc.response_text}
    json.dump(results, sys.stdout)


asyncio.run(main())
