"""The root of every error tms-netsuite raises on purpose, and the one every layer shares.

A leaf: it imports nothing from the project, so any package may raise these. The tree::

    TmsNetSuiteError                  catch this once, at the edge (the command line, a service)
    ├── ConfigurationError            settings, arguments or files are wrong; nothing was sent (a ValueError)
    ├── NetSuiteError                 tms_netsuite.netsuite: NetSuite or the way to it failed
    │   ├── ResultLimitError, RequestError and its subclasses
    │   └── RunStopped                tms_netsuite.export: the credentials were refused mid-run
    ├── LedgerUnavailable             tms_netsuite.ledger: the ledger's database cannot be opened
    ├── MappingError                  tms_netsuite.mapping: the mapping file is wrong (a ValueError)
    └── InvalidDocument               tms_netsuite.documents: a TMS document is invalid (a ValueError)
"""

from __future__ import annotations


class TmsNetSuiteError(Exception):
    """Root of every error tms-netsuite raises on purpose; anything else is a bug."""


class ConfigurationError(TmsNetSuiteError, ValueError):
    """Settings, arguments or files are wrong; nothing was sent to NetSuite."""


__all__ = ["ConfigurationError", "TmsNetSuiteError"]
