"""Sessions: random ids, idle ones end (and are forgotten), CSRF tokens compared whole."""

from __future__ import annotations

from tms_netsuite.console._session import Sessions, same_token


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_idle_session_ends_and_a_used_one_lives_on() -> None:
    clock = Clock()
    sessions = Sessions(idle=60, clock=clock)
    used, session = sessions.open("key-a")
    idle, _ = sessions.open("key-b")
    assert used != idle
    assert session.csrf != sessions.open("key-a")[1].csrf
    clock.now = 50
    assert sessions.get(used) is session
    clock.now = 100  # 50 s after its last use, 100 s after the other's
    assert sessions.get(used) is session
    assert sessions.get(idle) is None
    clock.now = 1000
    sessions.open("key-c")
    assert len(sessions) == 1  # the idle ones were forgotten
    assert sessions.get(None) is None
    assert sessions.get("made-up") is None


def test_csrf_tokens_match_only_whole_and_never_when_missing() -> None:
    assert same_token("abc", "abc")
    assert not same_token("abc", "ab")
    assert not same_token("abc", None)
    assert not same_token(None, None)
    assert not same_token("", "")
