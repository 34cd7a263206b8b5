"""Secrets show a mask wherever a value could be printed."""

from __future__ import annotations

import logging
import pickle

import pytest

from tms_netsuite.netsuite import Secret


def test_repr_str_and_format_mask_the_value() -> None:
    """repr, str, f-strings and %-formatting show the mask."""
    secret = Secret("hunter2-value")
    percent = "%s" % (secret,)  # noqa: UP031 - %-formatting is one of the paths under test
    method = "{:>20}".format(secret)  # noqa: UP032 - str.format is one of the paths under test
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", percent, method):
        assert "hunter2" not in shown
    assert secret.reveal() == "hunter2-value"


def test_logs_show_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    """A secret passed to a logger is masked in the record."""
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").warning("token %s / %r", Secret("hunter2-value"), Secret("hunter2-value"))
    assert "hunter2" not in caplog.text


def test_secrets_compare_by_value_and_refuse_pickling() -> None:
    """Equal values compare equal; pickling, which would write the value out, is refused."""
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert not Secret("")
    with pytest.raises(TypeError):
        pickle.dumps(Secret("hunter2-value"))
