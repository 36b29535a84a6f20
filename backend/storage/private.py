"""Private tenant files on local disk. Keys are generated here (never taken from a client) and
resolved strictly inside the tenant's own directory."""

from __future__ import annotations

import os
import re
from pathlib import Path

from backend.config import get_settings
from backend.db.ids import new_id

_TENANT = re.compile(r"root|t_[0-9a-z]{26}|[a-z0-9_-]{1,40}")
_KEY = re.compile(r"[a-z0-9_-]{1,40}(?:/[a-z0-9_-]{1,40}){0,3}\.[a-z0-9]{1,5}")


class StorageError(RuntimeError):
    """A key or tenant id that does not resolve to a file inside the tenant's directory."""


def tenant_root(tenant_id: str) -> Path:
    """Returns the tenant's private directory (not created)."""
    if not isinstance(tenant_id, str) or not _TENANT.fullmatch(tenant_id):
        raise StorageError("invalid tenant id for storage")
    return get_settings().data_dir / "private" / tenant_id


def path_for(tenant_id: str, key: str) -> Path:
    """Returns the file path of a key, refusing anything that could leave the tenant's directory."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise StorageError("invalid storage key")
    root = tenant_root(tenant_id).resolve()
    path = (root / key).resolve()
    if root not in path.parents:
        raise StorageError("storage key escapes the tenant directory")
    return path


def save(tenant_id: str, folder: str, data: bytes, extension: str) -> str:
    """Writes bytes under <tenant>/<folder>/<new id>.<extension>; returns the key."""
    key = f"{folder}/{new_id()}.{extension.lower().lstrip('.')}"
    path = path_for(tenant_id, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return key


def read(tenant_id: str, key: str) -> bytes:
    return path_for(tenant_id, key).read_bytes()


def delete(tenant_id: str, key: str) -> None:
    try:
        path_for(tenant_id, key).unlink()
    except FileNotFoundError:
        pass
