"""The emulator's signature code against NetSuite's and RFC 5849's published vectors (netsuite-api.md §1.8-1.9)."""

from __future__ import annotations

import pytest

from netsuite_emulator.auth import (
    base_string_uri,
    hmac_sha256_signature,
    parse_authorization,
    percent_encode,
    signature_base_string,
)

V1_SECRETS = (
    "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
    "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
)
V1_HEADER = (
    'OAuth realm="123456", oauth_token="2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc", '
    'oauth_consumer_key="ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4", '
    'oauth_nonce="fjaLirsIcCGVZWzBX0pg", oauth_timestamp="1508242306", oauth_signature_method="HMAC-SHA256", '
    'oauth_version="1.0", oauth_signature="B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D"'
)


def _sign_header(header: str, method: str, uri: str, query: list[tuple[str, str]], secrets: tuple[str, str]):
    params = [(n, v) for n, v in parse_authorization(header) if n != "realm"] + query
    base = signature_base_string(method, uri, params)
    return base, hmac_sha256_signature(base, *secrets), dict(parse_authorization(header))["oauth_signature"]


def test_v1_oracle_rest_header_verifies() -> None:
    uri = base_string_uri(
        "https", "123456.suitetalk.api.netsuite.com", b"/services/rest/record/v1/employee/40"
    )
    base, expected, sent = _sign_header(V1_HEADER, "GET", uri, [], V1_SECRETS)
    assert base == (
        "GET&https%3A%2F%2F123456.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Femployee%2F40&"
        "oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4%26oauth_nonce%3D"
        "fjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1508242306%26"
        "oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc%26oauth_version%3D1.0"
    )
    assert expected == sent == "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY="


def test_v5_sandbox_host_with_query_parameter_verifies() -> None:
    header = (
        'OAuth realm="9876543_SB1",oauth_consumer_key="CONSUMER_KEY_VALUE",oauth_token="TOKEN_ID_VALUE",'
        'oauth_signature_method="HMAC-SHA256",oauth_timestamp="1234567890",oauth_nonce="asdfasdf",'
        'oauth_version="1.0",oauth_signature="cId0B3hP0sFVQw%2FgjQ%2FP6YiOSx76u0WfyO8umOlq3gg%3D"'
    )
    uri = base_string_uri(
        "https", "9876543-sb1.suitetalk.api.netsuite.com:443", b"/services/rest/record/v1/customer/123"
    )
    base, expected, sent = _sign_header(
        header, "GET", uri, [("expandSubResources", "true")], ("CONSUMER_SECRET_VALUE", "TOKEN_SECRET_VALUE")
    )
    assert base.startswith("GET&https%3A%2F%2F9876543-sb1.suitetalk.api.netsuite.com%2Fservices")
    assert "&expandSubResources%3Dtrue%26oauth_consumer_key" in base
    assert expected == sent == "cId0B3hP0sFVQw/gjQ/P6YiOSx76u0WfyO8umOlq3gg="


def test_a_changed_input_breaks_the_v1_signature() -> None:
    uri = base_string_uri(
        "https", "123456.suitetalk.api.netsuite.com", b"/services/rest/record/v1/employee/41"
    )
    _, expected, sent = _sign_header(V1_HEADER, "GET", uri, [], V1_SECRETS)
    assert expected != sent


def test_rfc5849_base_string_example() -> None:
    params = [
        ("b5", "=%3D"),
        ("a3", "a"),
        ("c@", ""),
        ("a2", "r b"),
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
        ("c2", ""),
        ("a3", "2 q"),
    ]
    base = signature_base_string("POST", base_string_uri("http", "example.com", b"/request"), params)
    assert base == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26"
        "c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26"
        "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )
    # The sheet's own HMAC-SHA256 over these inputs with the RFC's §3.1 secrets.
    assert (
        hmac_sha256_signature(base, "j49sk3j29djd", "dh893hdasih9")
        == "lIfydhbOitvsm4DvUwgM0NdR1Mzd08HnXI+q+EG0QKo="
    )


@pytest.mark.parametrize(
    ("scheme", "host", "path", "uri"),
    [
        ("HTTP", "Emulator.Test:80", b"/a", "http://emulator.test/a"),
        ("https", "h:443", b"/a", "https://h/a"),
        ("http", "127.0.0.1:8765", b"/services/rest/x", "http://127.0.0.1:8765/services/rest/x"),
        ("http", "h", b"/record/v1/customer/eid:A-1", "http://h/record/v1/customer/eid:A-1"),
        ("http", "h", "/caf\u00e9".encode(), "http://h/caf%C3%A9"),
    ],
)
def test_base_string_uri(scheme: str, host: str, path: bytes, uri: str) -> None:
    assert base_string_uri(scheme, host, path) == uri


def test_percent_encoding_is_rfc3986() -> None:
    assert percent_encode("a b+c~-._/*\u00e9") == "a%20b%2Bc~-._%2F%2A%C3%A9"
