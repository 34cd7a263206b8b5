"""The command line's exit codes, the same for every command."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    INCOMPLETE = 1  # `export`: documents are left failed, blocked, pending or rejected
    CHECK_FAILED = 1  # `doctor`: a prerequisite check failed
    DISAGREES = 1  # `reconcile`: the TMS and NetSuite disagree
    CANNOT_START = 2  # bad settings or files, NetSuite refused the credentials, or a check stopped the export
