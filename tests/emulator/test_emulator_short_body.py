"""A request body shorter than its Content-Length, over a real socket (issue 16 §8): a client that stops sending
(half-closes) is answered 400, one that goes away leaves no traceback in the log, and the emulator serves on."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from netsuite_emulator.testing import served_emulator
from tests.emulator.helpers import tba_headers

PATH = "/services/rest/record/v1/customer"


def short_request(env: dict[str, str]) -> tuple[socket.socket, bytes]:
    """A signed POST announcing 100 bytes of body and sending 20, on a fresh connection."""
    base = env["NETSUITE_BASE_URL"]
    host, port = base.split("//")[1].split(":")
    headers = tba_headers(env, "POST", base + PATH, timestamp=time.time())
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n{head}"
        "Content-Length: 100\r\n\r\n"
    ).encode() + b'{"companyName": "x"}'
    return socket.create_connection((host, int(port)), timeout=10), request


def read_all(sock: socket.socket) -> bytes:
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    return answer


def test_a_body_shorter_than_its_content_length_is_answered_400(tmp_path: Path) -> None:
    with served_emulator(tmp_path, "--scenario", "healthy") as emulator:
        sock, request = short_request(emulator.env)
        with sock:
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)  # nothing more will come
            answer = read_all(sock)  # and the emulator closes the connection once it has answered
        gone, request = short_request(emulator.env)
        with gone:
            gone.sendall(request)
            time.sleep(0.3)
        time.sleep(0.3)
        base = emulator.env["NETSUITE_BASE_URL"]
        served_on = httpx.get(base + "/services/rest/system/v1/serverTime").status_code
        log = emulator.log.read_text()
    status_line, _, body = answer.partition(b"\r\n\r\n")
    assert status_line.startswith(b"HTTP/1.1 400 Bad Request"), answer
    assert b'"o:errorCode":"INVALID_REQUEST"' in body
    assert b"shorter than its Content-Length" in body
    assert served_on == 401  # unsigned, but served
    assert "Traceback" not in log
    assert "Error" not in log
