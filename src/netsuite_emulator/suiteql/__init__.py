"""SuiteQL over REST: ``POST /services/rest/query/v1/suiteql``, translated to SQLite and run on the store."""

from __future__ import annotations

from ._endpoint import SuiteQLEndpoint

__all__ = ["SuiteQLEndpoint"]
