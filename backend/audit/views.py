"""Audit rows as people read them: times in the tenant's zone, who, what, on what."""

from __future__ import annotations

from backend import timefmt


def audit_rows(rows, tz_by_tenant: dict[str, str], names: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Returns display rows; `names` maps tenant ids to names for the cross-tenant view."""
    out = []
    for row in rows:
        tz = tz_by_tenant.get(row.tenant_id, "UTC")
        out.append({
            "at": timefmt.with_zone(row.at, tz), "who": row.actor_name,
            "tenant": (names or {}).get(row.tenant_id, ""), "action": row.action,
            "target": f"{row.target_type} {row.target_id}".strip(), "summary": row.summary,
            "impersonating": "yes" if row.impersonating else "",
        })
    return out
