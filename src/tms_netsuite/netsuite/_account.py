"""NetSuite account ids: one canonical value from whatever a user pastes."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from tms_netsuite.errors import ConfigurationError

# ASCII only: the id becomes part of a host name, so nothing else may slip through (`\d` would admit
# Arabic-Indic and other Unicode digits).
_ACCOUNT_RE = re.compile(
    r"(?P<base>[0-9]{1,12}|TSTDRV[0-9]{1,12})(?:[_-](?P<suffix>SB[0-9]{1,3}|RP))?", re.ASCII
)
_NETSUITE_DOMAIN = ".netsuite.com"

ACCEPTED_FORMS = (
    "123456, 123456_SB1, 123456-sb1, TSTDRV1234567, 123456_RP, "
    "or a NetSuite URL such as https://123456-sb1.app.netsuite.com/app/center/card.nl"
)


class Environment(enum.Enum):
    """Which kind of NetSuite account an id names."""

    PRODUCTION = "production"
    SANDBOX = "sandbox"
    RELEASE_PREVIEW = "release_preview"


@dataclass(frozen=True, slots=True)
class AccountId:
    """A NetSuite account id in canonical form.

    ``realm`` is what TBA's ``realm`` parameter carries (upper case, underscore: ``123456_SB1``);
    ``host_slug`` is what NetSuite's host names carry (lower case, hyphen: ``123456-sb1``).
    Build one with :meth:`parse`.
    """

    realm: str

    @classmethod
    def parse(cls, text: str) -> AccountId:
        """Parse an account id or a NetSuite URL as users paste them.

        Raises:
            ConfigurationError: the text is neither an account id nor a NetSuite URL.
        """
        candidate = text.strip()
        if "://" in candidate:
            candidate = _host_label(candidate, original=text)
        match = _ACCOUNT_RE.fullmatch(candidate.upper())
        if match is None or not candidate.isascii():
            raise ConfigurationError(
                f"{text!r} is not a NetSuite account id; accepted forms: {ACCEPTED_FORMS}"
            )
        suffix = match["suffix"]
        return cls(realm=match["base"] + (f"_{suffix}" if suffix else ""))

    @property
    def host_slug(self) -> str:
        """The account's label in NetSuite host names, e.g. ``123456-sb1``."""
        return self.realm.lower().replace("_", "-")

    @property
    def environment(self) -> Environment:
        """Production, sandbox or release preview."""
        if "_SB" in self.realm:
            return Environment.SANDBOX
        if self.realm.endswith("_RP"):
            return Environment.RELEASE_PREVIEW
        return Environment.PRODUCTION

    @property
    def suitetalk_url(self) -> str:
        """Root of the account's REST web services host."""
        return f"https://{self.host_slug}.suitetalk.api.netsuite.com"

    @property
    def restlets_url(self) -> str:
        """Root of the account's RESTlets host, where ``/rest/tokeninfo`` lives."""
        return f"https://{self.host_slug}.restlets.api.netsuite.com"

    @property
    def app_url(self) -> str:
        """Root of the account's NetSuite UI, for deep links to records."""
        return f"https://{self.host_slug}.app.netsuite.com"

    def __str__(self) -> str:
        return self.realm


def _host_label(url: str, *, original: str) -> str:
    """The first label of a NetSuite URL's host, which is the account id."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        host = ""
    if not host.endswith(_NETSUITE_DOMAIN) or parts.username or parts.password:
        raise ConfigurationError(
            f"{original!r} is not a NetSuite account URL; accepted forms: {ACCEPTED_FORMS}"
        )
    return host.split(".", 1)[0]
