"""Tenant plan tiers, statuses and phone modes."""

from backend.enums import StrEnum


class PlanTier(StrEnum):
    STARTER = "starter"
    PRO = "pro"
    ELITE = "elite"
    INTERNAL = "internal"


class TenantStatus(StrEnum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class IvrMode(StrEnum):
    SIMPLE = "simple"
    IVR = "ivr"
    AI_VOICE = "ai-voice"


ROOT_TENANT_ID = "root"
