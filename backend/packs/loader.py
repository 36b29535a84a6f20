"""Loads and validates the pack data files in `backend/packs/data/` (one YAML file per
industry key). Packs are read once per process and are immutable."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import ValidationError

from backend.errors import NotFound, pydantic_message
from backend.packs.schema import INDUSTRY_KEYS, Pack

DATA_DIR = Path(__file__).resolve().parent / "data"


class PackFileError(RuntimeError):
    """A pack data file is missing or does not validate (a bug in the data, not user input)."""


def load_pack_file(path: Path) -> Pack:
    """Returns the validated pack in a YAML file, or raises PackFileError naming the file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PackFileError(f"{path.name}: {exc}") from exc
    try:
        pack = Pack.model_validate(raw)
    except ValidationError as exc:
        raise PackFileError(f"{path.name}: {pydantic_message(exc)}") from exc
    if pack.key != path.stem:
        raise PackFileError(f"{path.name}: key {pack.key!r} must match the file name")
    return pack


@functools.lru_cache(maxsize=None)
def _all_packs() -> dict[str, Pack]:
    packs = {}
    for key in INDUSTRY_KEYS:
        path = DATA_DIR / f"{key}.yaml"
        if not path.exists():
            raise PackFileError(f"missing pack file {path.name}")
        packs[key] = load_pack_file(path)
    return packs


def list_packs() -> list[Pack]:
    """Returns every industry pack, in INDUSTRY_KEYS order."""
    return list(_all_packs().values())


def get_pack(key: str) -> Pack:
    """Returns the pack for an industry key, or raises NotFound listing the valid keys."""
    pack = _all_packs().get((key or "").strip().lower())
    if pack is None:
        raise NotFound(f"No industry pack {key!r}; choose one of {', '.join(INDUSTRY_KEYS)}.")
    return pack


def pack_for_industry(industry: str | None) -> Pack:
    """Returns the tenant industry's pack, falling back to the generic other_services pack."""
    return _all_packs().get((industry or "").strip().lower()) or _all_packs()["other_services"]
