"""Roles a staff member can hold in a tenant."""

from backend.enums import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    STAFF = "staff"
    TECHNICIAN = "technician"


ADMIN_ROLES = frozenset({Role.OWNER.value, Role.ADMIN.value})


class SessionKind(StrEnum):
    NORMAL = "normal"
    IMPERSONATION = "impersonation"
