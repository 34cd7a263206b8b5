"""Account ids: what users paste becomes one canonical realm and host label, and nothing else gets through."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tms_netsuite.netsuite import AccountId, ConfigurationError, Environment


@pytest.mark.parametrize(
    ("pasted", "realm", "host_slug", "environment"),
    [
        ("123456", "123456", "123456", Environment.PRODUCTION),
        ("123456_SB1", "123456_SB1", "123456-sb1", Environment.SANDBOX),
        ("123456-sb1", "123456_SB1", "123456-sb1", Environment.SANDBOX),
        ("123456_sb1", "123456_SB1", "123456-sb1", Environment.SANDBOX),
        ("123456-SB12", "123456_SB12", "123456-sb12", Environment.SANDBOX),
        ("TSTDRV1234567", "TSTDRV1234567", "tstdrv1234567", Environment.PRODUCTION),
        ("tstdrv1234567", "TSTDRV1234567", "tstdrv1234567", Environment.PRODUCTION),
        ("123456_RP", "123456_RP", "123456-rp", Environment.RELEASE_PREVIEW),
        ("  123456_SB2\n", "123456_SB2", "123456-sb2", Environment.SANDBOX),
        (
            "https://123456-sb1.app.netsuite.com/app/center/card.nl",
            "123456_SB1",
            "123456-sb1",
            Environment.SANDBOX,
        ),
        (
            "https://123456.suitetalk.api.netsuite.com/services/rest/",
            "123456",
            "123456",
            Environment.PRODUCTION,
        ),
        ("https://tstdrv99.restlets.api.netsuite.com", "TSTDRV99", "tstdrv99", Environment.PRODUCTION),
    ],
)
def test_accepted_forms_parse_to_one_canonical_value(
    pasted: str, realm: str, host_slug: str, environment: Environment
) -> None:
    """Every accepted spelling gives the upper-case realm and the lower-case hyphenated host label."""
    account = AccountId.parse(pasted)
    assert account.realm == realm
    assert account.host_slug == host_slug
    assert account.environment is environment
    assert str(account) == realm


def test_hosts_are_built_from_the_host_label() -> None:
    """The suitetalk, restlets and app hosts use the lower-case hyphenated label."""
    account = AccountId.parse("123456_SB1")
    assert account.suitetalk_url == "https://123456-sb1.suitetalk.api.netsuite.com"
    assert account.restlets_url == "https://123456-sb1.restlets.api.netsuite.com"
    assert account.app_url == "https://123456-sb1.app.netsuite.com"


@pytest.mark.parametrize(
    "pasted",
    [
        "",
        "abc",
        "123456_SB",
        "123456_XX1",
        "123456.evil.com",
        "123456/../x",
        "123456@evil",
        "123456:443",
        "123456%2e",
        "123 456",
        "١٢٣٤٥٦",  # Arabic-Indic digits are digits to `\d`, not to a host name
        "１２３４５６",  # full-width digits
        "123456_SB1_SB2",
        "https://123456.evil.com/app",
        "https://123456.netsuite.com.evil.com/",
        "https://user@123456.app.netsuite.com/",
        "ftp://",
    ],
)
def test_anything_else_is_rejected_with_the_accepted_forms(pasted: str) -> None:
    """A bad id names itself and shows what a valid one looks like."""
    with pytest.raises(ConfigurationError, match="accepted forms: 123456, 123456_SB1"):
        AccountId.parse(pasted)


_SAFE_REALM = re.compile(r"(?:[0-9]+|TSTDRV[0-9]+)(?:_SB[0-9]+|_RP)?")


@given(st.text(max_size=40))
def test_no_input_smuggles_host_characters(text: str) -> None:
    """Whatever is pasted, a parsed id is ASCII letters, digits and underscore only, or an error."""
    try:
        account = AccountId.parse(text)
    except ConfigurationError:
        return
    assert _SAFE_REALM.fullmatch(account.realm)
    assert re.fullmatch(r"[a-z0-9-]+", account.host_slug)
