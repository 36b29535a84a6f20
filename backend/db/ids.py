"""Non-enumerable identifiers for rows and tenants (ULIDs: sortable, unguessable enough for ids,
never used as secrets)."""

from __future__ import annotations

import secrets

from ulid import ULID


def new_id() -> str:
    """Returns a fresh lower-case ULID string for a row's public id."""
    return str(ULID()).lower()


def new_tenant_id() -> str:
    """Returns a fresh tenant id of the form `t_<ulid>` (the root tenant is `root`)."""
    return f"t_{new_id()}"


def new_token(nbytes: int = 32) -> str:
    """Returns a URL-safe random secret token (≥128 bits) for links, sessions and feeds."""
    return secrets.token_urlsafe(max(nbytes, 16))
