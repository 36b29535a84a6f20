"""The one StrEnum base every domain enum subclasses."""

from __future__ import annotations

import enum


class StrEnum(str, enum.Enum):
    """String enum whose values are stored as plain text and compare equal to strings."""

    def __str__(self) -> str:
        return self.value

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]
