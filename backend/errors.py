"""Errors that carry a message meant for the person who caused them.

Entry points (state handlers, routes, CLI) show `str(error)` for these and change nothing;
anything else is a bug and is logged.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused operation, with a clear, specific message."""


class NotFound(UserError, LookupError):
    """The same error for "does not exist" and "not yours", so ids cannot be probed."""


class PermissionDenied(UserError, PermissionError):
    """The acting user may not do this."""


class Conflict(UserError):
    """The change collides with existing data (duplicate number, slot taken, ...)."""


def pydantic_message(exc) -> str:
    """Turns a pydantic ValidationError into one readable sentence per problem."""
    parts = []
    for err in exc.errors():
        msg = str(err.get("msg", "invalid value"))
        msg = msg.removeprefix("Value error, ")
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        parts.append(f"{loc.replace('_', ' ')}: {msg}" if loc else msg)
    return " ".join(parts)
