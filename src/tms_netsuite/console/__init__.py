"""The operations console: the accounts' health, their errors with the fix and "Retry these", documents and
their timelines, the doctor and the settings, as server-rendered pages (Jinja2, no JavaScript needed) that the
service mounts at ``/ui``. Signing in exchanges an API key for a session cookie; the pages reach accounts by the
API's rules."""

from __future__ import annotations

from tms_netsuite.console._app import create_console

__all__ = ["create_console"]
