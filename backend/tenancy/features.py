"""Plan features: which capabilities each tier includes, checked in backend guards and used to
hide UI. A suspended or cancelled tenant keeps all its data; only its features switch off."""

from __future__ import annotations

from backend.tenancy.enums import PlanTier, TenantStatus


class FeatureNotAvailable(PermissionError):
    """Raised by backend guards when the tenant's plan or status does not include a feature."""


FEATURE_KEYS: dict[str, str] = {
    "scheduling": "Calendar, services and appointments",
    "crm": "Customers, households and assets",
    "quotes_invoices": "Quotes and invoices",
    "sms_inbox": "Two-way SMS inbox",
    "customer_portal": "Customer portal with SMS codes",
    "website": "Branded website and booking widget",
    "ai_agent": "AI agent for SMS and web chat",
    "ivr": "Phone menu (IVR)",
    "recurring": "Recurring services",
    "multi_technician": "Several technicians",
    "loyalty": "Loyalty points and promos",
    "campaigns": "SMS campaigns",
    "ai_voice": "AI voice receptionist",
    "custom_domain": "Custom domain",
    "advanced_analytics": "Advanced analytics and exports",
    "white_label": "Remove ServicePro branding",
}

_STARTER = frozenset(
    {"scheduling", "crm", "quotes_invoices", "sms_inbox", "customer_portal", "website"}
)
_PRO = _STARTER | {"ai_agent", "ivr", "recurring", "multi_technician", "loyalty", "campaigns"}
_ELITE = _PRO | {"ai_voice", "custom_domain", "advanced_analytics", "white_label"}

TIER_FEATURES: dict[str, frozenset[str]] = {
    PlanTier.STARTER.value: _STARTER,
    PlanTier.PRO.value: frozenset(_PRO),
    PlanTier.ELITE.value: frozenset(_ELITE),
    PlanTier.INTERNAL.value: frozenset(FEATURE_KEYS),
}

GATED_STATUSES = frozenset({TenantStatus.SUSPENDED.value, TenantStatus.CANCELLED.value})


def has_feature(tenant, key: str) -> bool:
    """True when the tenant's tier includes `key` and its status does not gate features.

    `tenant` is anything with `plan_tier` and `status` (a Tenant row or a display model).
    """
    if key not in FEATURE_KEYS:
        raise KeyError(f"unknown feature key {key!r}")
    if tenant.status in GATED_STATUSES:
        return False
    return key in TIER_FEATURES.get(tenant.plan_tier, frozenset())


def require_feature(tenant, key: str) -> None:
    """Raises FeatureNotAvailable with a message naming the feature and the reason."""
    if has_feature(tenant, key):
        return
    if tenant.status in GATED_STATUSES:
        raise FeatureNotAvailable(
            f"{FEATURE_KEYS[key]} is unavailable while the account is {tenant.status}."
        )
    raise FeatureNotAvailable(f"{FEATURE_KEYS[key]} is not included in the {tenant.plan_tier} plan.")


def features_of(tenant) -> list[str]:
    """Returns the enabled feature keys, in FEATURE_KEYS order."""
    return [k for k in FEATURE_KEYS if has_feature(tenant, k)]
