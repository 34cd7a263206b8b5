"""Sign-in sessions: an API key exchanged for a random session id in a cookie, with a CSRF token per session.

Sessions live in this process's memory (a restart signs everyone out). The key itself is never kept: only its
public id, looked up again on every request so a revoked key ends its sessions at once.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

COOKIE = "tms_console"
PRE_COOKIE = "tms_console_signin"  # the sign-in form's own CSRF token (no session yet)
IDLE_SECONDS = 8 * 3600


@dataclass
class Session:
    key_id: str
    csrf: str
    last_seen: float
    flashes: list[str] = field(default_factory=list)


class Sessions:
    """Session id → session, idle ones forgotten after ``idle`` seconds."""

    def __init__(self, *, idle: float = IDLE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._sessions: dict[str, Session] = {}
        self._idle = idle
        self._clock = clock

    def open(self, key_id: str) -> tuple[str, Session]:
        now = self._clock()
        # Forget the idle ones as new ones open, so abandoned sessions do not pile up.
        for stale in [sid for sid, s in self._sessions.items() if now - s.last_seen > self._idle]:
            del self._sessions[stale]
        sid = secrets.token_urlsafe(32)
        session = Session(key_id, secrets.token_urlsafe(32), now)
        self._sessions[sid] = session
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        session = self._sessions.get(sid)
        now = self._clock()
        if session is None or now - session.last_seen > self._idle:
            self._sessions.pop(sid, None)
            return None
        session.last_seen = now
        return session

    def __len__(self) -> int:
        return len(self._sessions)

    def close(self, sid: str | None) -> None:
        if sid:
            self._sessions.pop(sid, None)


def same_token(expected: str | None, given: str | None) -> bool:
    """A CSRF token matches (constant time; a missing one never does)."""
    return bool(expected) and bool(given) and secrets.compare_digest(str(expected), str(given))
