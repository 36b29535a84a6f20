"""Public link tokens (ICS feeds, quote approval): "<tenant_id>.<secret>".

The secret is 256 random bits; only the SHA-256 of the whole token is stored. The tenant id in
front lets a route open `tenant_session(tenant_id)` and look the hash up inside that tenant, so
resolving a token never reads across tenants. A forged tenant prefix finds nothing: the hash
covers it too.
"""

from __future__ import annotations

import hashlib
import re

from backend.db.ids import new_token

_TOKEN = re.compile(r"([a-z0-9_-]{1,40})\.([A-Za-z0-9_-]{43,86})")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_public_token(tenant_id: str) -> tuple[str, str]:
    """Returns (token, sha256 hex) for a new public link of the tenant."""
    token = f"{tenant_id}.{new_token(32)}"
    return token, hash_token(token)


def parse_public_token(token: str | None) -> tuple[str, str] | None:
    """Returns (tenant_id, token hash) for a well-formed token, else None."""
    if not isinstance(token, str) or len(token) > 140:
        return None
    match = _TOKEN.fullmatch(token.strip())
    if not match:
        return None
    return match.group(1), hash_token(match.group(0))
