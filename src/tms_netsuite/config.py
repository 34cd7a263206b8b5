"""Where settings come from: the process environment, overridden by an ``--env-file``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

from tms_netsuite.errors import ConfigurationError


def read_environment(
    env_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The process environment with the env file's values on top (the file takes precedence).

    Raises:
        ConfigurationError: the env file does not exist or cannot be read.
    """
    merged = dict(os.environ if environ is None else environ)
    if env_file is None:
        return merged
    if not env_file.is_file():
        raise ConfigurationError(f"env file {env_file} does not exist")
    try:
        values = dotenv_values(env_file, interpolate=False)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"env file {env_file} cannot be read: {exc}") from exc
    merged.update({key: value for key, value in values.items() if value is not None})
    return merged


__all__ = ["read_environment"]
