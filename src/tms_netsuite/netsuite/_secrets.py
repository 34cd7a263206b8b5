"""Secret values that never show themselves in reprs, logs or exception texts."""

from __future__ import annotations

import hmac

MASK = "**********"


class Secret:
    """A credential. ``str`` and ``repr`` show a mask; :meth:`reveal` gives the value to the signer.

    Example:
        >>> Secret("s3cr3t")
        Secret('**********')
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself, for the one place that signs with it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, format_spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the value in clear to wherever the pickle goes.
        raise TypeError("Secret values cannot be pickled")
