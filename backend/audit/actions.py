"""Writing audit rows: explicit actions call `record`, and every write made in an impersonating
session is audited automatically by a flush listener (so no code path can forget it)."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlmodel import Session

from backend.audit.models import AuditLog
from backend.auth.context import StaffContext
from backend.db.base import TenantScoped
from backend.db.session import ACTOR_KEY, ScopedSession


def record(
    db: Session,
    *,
    tenant_id: str,
    acting_user: StaffContext | None,
    action: str,
    target_type: str = "",
    target_id: str = "",
    summary: str = "",
    detail: dict | None = None,
) -> AuditLog:
    """Adds an audit row to the caller's transaction."""
    row = AuditLog(
        tenant_id=tenant_id,
        actor_user_id=acting_user.user_id if acting_user else None,
        actor_name=acting_user.user_name if acting_user else "system",
        impersonating=bool(acting_user and acting_user.impersonating),
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:80],
        summary=summary[:500],
        detail=detail or {},
    )
    db.add(row)
    return row


def _row_id(obj: TenantScoped) -> str:
    identity = inspect(obj).identity
    if identity:
        return ":".join(str(part) for part in identity[1:]) or str(identity)
    return str(getattr(obj, "id", "") or "")


@event.listens_for(ScopedSession, "before_flush")
def _audit_impersonated_writes(session: Session, flush_context, instances) -> None:
    actor: StaffContext | None = session.info.get(ACTOR_KEY)
    if actor is None or not actor.impersonating:
        return
    changes = (
        [("insert", o) for o in session.new]
        + [("update", o) for o in session.dirty if session.is_modified(o)]
        + [("delete", o) for o in session.deleted]
    )
    for verb, obj in changes:
        if not isinstance(obj, TenantScoped) or isinstance(obj, AuditLog):
            continue
        fields = sorted(
            attr.key for attr in inspect(obj).attrs if attr.history.has_changes()
        ) if verb == "update" else []
        record(
            session,
            tenant_id=obj.tenant_id,
            acting_user=actor,
            action=f"impersonation.{verb}",
            target_type=obj.__tablename__,
            target_id=_row_id(obj),
            summary=f"{verb} {obj.__tablename__} while viewing as this business",
            detail={"fields": fields, "reason": actor.impersonation_reason},
        )
