"""Staff authentication flows: login with lockout, logout, tenant choice, impersonation,
password reset and change. Each returns the raw session token the caller must set as the
HttpOnly cookie; only its hash is stored."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session, select

from backend.audit import actions as audit
from backend.auth import passwords
from backend.auth import service as auth_service
from backend.auth.context import StaffContext
from backend.auth.enums import Role, SessionKind
from backend.auth.models import LoginAttempt, Membership, PasswordResetToken, StaffSession, User
from backend.config import get_settings
from backend.db.ids import new_token
from backend.db.session import platform_session, tenant_session
from backend.db.types import utcnow
from backend.email import service as email_service
from backend.errors import Conflict, NotFound, PermissionDenied, UserError
from backend.jobs.email_tasks import deliver_emails_now
from backend.jobs.queue import enqueue_after_commit
from backend.tenancy import service as tenancy_service

MAX_FAILED_LOGINS = 10
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)
RESET_TOKEN_LIFETIME = dt.timedelta(hours=1)
BAD_CREDENTIALS = "That email and password don't match an account."


class AccountLocked(UserError):
    def __init__(self, until: dt.datetime):
        minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
        self.minutes = minutes
        super().__init__(
            f"Too many failed sign-in attempts. This account is locked for {minutes} more "
            f"minute{'s' if minutes != 1 else ''}; try again later or reset your password."
        )
        self.until = until


@dataclasses.dataclass(frozen=True)
class LoginResult:
    token: str
    user_id: str
    needs_tenant_choice: bool


def _locked_until(db: Session, email: str, now: dt.datetime) -> dt.datetime | None:
    last_success = db.exec(
        select(LoginAttempt.at)
        .where(LoginAttempt.email == email, LoginAttempt.success)
        .order_by(LoginAttempt.at.desc())
    ).first()
    since = max(now - FAILURE_WINDOW, last_success) if last_success else now - FAILURE_WINDOW
    failures = db.exec(
        select(LoginAttempt.at)
        .where(LoginAttempt.email == email, ~LoginAttempt.success, LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc())
    ).all()
    if len(failures) >= MAX_FAILED_LOGINS:
        until = failures[0] + LOCKOUT
        if until > now:
            return until
    return None


def _new_session(
    db: Session,
    *,
    user_id: str,
    tenant_id: str | None,
    kind: str = SessionKind.NORMAL.value,
    lifetime: dt.timedelta = auth_service.SESSION_ABSOLUTE,
    reason: str = "",
    parent: StaffSession | None = None,
    ip: str = "",
    user_agent: str = "",
) -> str:
    token = new_token(32)
    now = utcnow()
    db.add(
        StaffSession(
            id_hash=auth_service.hash_token(token),
            user_id=user_id,
            active_tenant_id=tenant_id,
            kind=kind,
            impersonation_reason=reason,
            parent_id_hash=parent.id_hash if parent else None,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    return token


def _revoke(db: Session, row: StaffSession | None) -> None:
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.add(row)


def login(
    *, email: str, password: str, ip: str = "", user_agent: str = "", previous_token: str | None = None
) -> LoginResult:
    """Checks credentials and opens a fresh session (the previous one, if any, is revoked)."""
    email = auth_service.normalize_email(email)
    if not email or not password:
        raise UserError("Enter your email and password.")
    now = utcnow()
    with platform_session("auth:login") as db:
        until = _locked_until(db, email, now)
        if until:
            raise AccountLocked(until)
        user = auth_service.get_user_by_email(db, email=email)
        ok = passwords.verify_password(user.password_hash if user else None, password)
        if not ok or user is None or not user.active:
            db.add(LoginAttempt(email=email, success=False, ip=ip[:64], at=now))
            db.commit()
            until = _locked_until(db, email, now)
            if until:
                raise AccountLocked(until)
            raise UserError(BAD_CREDENTIALS)
        db.add(LoginAttempt(email=email, success=True, ip=ip[:64], at=now))
        if previous_token:
            _revoke(db, db.get(StaffSession, auth_service.hash_token(previous_token)))
        memberships = auth_service.get_memberships(db, user_id=user.id)
        if not memberships and not user.is_super_admin:
            raise UserError("Your account is not linked to any business yet; ask your admin.")
        tenant_id = memberships[0][1].id if len(memberships) == 1 else None
        token = _new_session(db, user_id=user.id, tenant_id=tenant_id, ip=ip, user_agent=user_agent)
        return LoginResult(token=token, user_id=user.id, needs_tenant_choice=tenant_id is None)


def logout(*, token: str | None) -> None:
    """Revokes the session (and the one an impersonation started from)."""
    if not token:
        return
    with platform_session("auth:logout") as db:
        row = db.get(StaffSession, auth_service.hash_token(token))
        if row is None:
            return
        if row.kind == SessionKind.IMPERSONATION.value and row.revoked_at is None:
            _record_impersonation_end(db, row, "impersonation.stopped", "Signed out while viewing")
        _revoke(db, row)
        if row.parent_id_hash:
            _revoke(db, db.get(StaffSession, row.parent_id_hash))


def select_tenant(*, token: str, tenant_slug: str) -> str:
    """Switches the active tenant; the session id rotates because privileges change."""
    with platform_session("auth:select-tenant") as db:
        state = auth_service.resolve_session(db, token=token)
        if state.context is None or state.session is None:
            raise PermissionDenied("Your session has ended; sign in again.")
        if state.context.impersonating:
            raise PermissionDenied("Exit the business you are viewing first.")
        tenant = tenancy_service.get_by_slug(db, slug=tenant_slug or "")
        if tenant is None or auth_service.get_membership(
            db, user_id=state.context.user_id, tenant_id=tenant.id
        ) is None:
            raise NotFound("No such business.")
        _revoke(db, state.session)
        return _new_session(
            db, user_id=state.context.user_id, tenant_id=tenant.id,
            lifetime=max(state.session.expires_at - utcnow(), dt.timedelta(0)),
            ip=state.session.ip, user_agent=state.session.user_agent,
        )


def start_impersonation(*, token: str, tenant_slug: str, reason: str) -> str:
    """Opens a 60-minute session as `tenant_id` for a super_admin, audited in that tenant."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise UserError("Say why you are viewing this business (at least 5 characters).")
    with platform_session("auth:impersonate") as db:
        state = auth_service.resolve_session(db, token=token)
        ctx = state.context
        if ctx is None or state.session is None:
            raise PermissionDenied("Your session has ended; sign in again.")
        if not ctx.is_platform_admin:
            raise PermissionDenied("Only the platform owner can view as a business.")
        tenant = tenancy_service.get_by_slug(db, slug=tenant_slug or "")
        if tenant is None:
            raise NotFound("No such business.")
        lifetime = min(auth_service.IMPERSONATION_LIFETIME, state.session.expires_at - utcnow())
        new = _new_session(
            db, user_id=ctx.user_id, tenant_id=tenant.id, kind=SessionKind.IMPERSONATION.value,
            lifetime=lifetime, reason=reason, parent=state.session,
            ip=state.session.ip, user_agent=state.session.user_agent,
        )
    acting = dataclasses.replace(ctx, tenant_id=tenant.id, role=Role.OWNER.value, impersonating=True,
                                 impersonation_reason=reason)
    with tenant_session(tenant.id) as db:
        audit.record(
            db, tenant_id=tenant.id, acting_user=acting, action="impersonation.started",
            target_type="tenant", target_id=tenant.id,
            summary=f"{ctx.user_name} started viewing as {tenant.name}: {reason}",
            detail={"reason": reason},
        )
    return new


def _record_impersonation_end(db: Session, row: StaffSession, action: str, summary: str) -> None:
    user = db.get(User, row.user_id)
    actor = StaffContext(
        user_id=row.user_id, user_name=user.name if user else "platform owner",
        email=user.email if user else "", is_super_admin=True, tenant_id=row.active_tenant_id,
        role=Role.OWNER.value, impersonating=True, impersonation_reason=row.impersonation_reason,
    )
    with tenant_session(row.active_tenant_id) as tdb:
        audit.record(
            tdb, tenant_id=row.active_tenant_id, acting_user=actor, action=action,
            target_type="tenant", target_id=row.active_tenant_id, summary=summary,
        )


def end_expired_impersonation(db: Session, row: StaffSession) -> None:
    """Records the end of an impersonation that ran out, once (called when it is noticed)."""
    if row.kind != SessionKind.IMPERSONATION.value or row.revoked_at is not None:
        return
    _record_impersonation_end(db, row, "impersonation.expired", "Viewing session ran out after 60 minutes")
    _revoke(db, row)


def exit_impersonation(*, token: str) -> str | None:
    """Ends an impersonation (also after it expired) and returns a fresh normal session for the
    platform owner, or None when the original session is no longer valid."""
    with platform_session("auth:exit-impersonation") as db:
        row = db.get(StaffSession, auth_service.hash_token(token or ""))
        if row is None or row.kind != SessionKind.IMPERSONATION.value:
            raise PermissionDenied("You are not viewing as a business.")
        if row.revoked_at is None:
            _record_impersonation_end(db, row, "impersonation.stopped", "Stopped viewing as this business")
            _revoke(db, row)
        parent = db.get(StaffSession, row.parent_id_hash) if row.parent_id_hash else None
        if parent is None or parent.revoked_at is not None or utcnow() >= auth_service.session_deadline(parent):
            return None
        _revoke(db, parent)
        return _new_session(
            db, user_id=parent.user_id, tenant_id=parent.active_tenant_id,
            lifetime=parent.expires_at - utcnow(), ip=parent.ip, user_agent=parent.user_agent,
        )


def request_password_reset(*, email: str) -> None:
    """Emails a single-use reset link if the account exists; says nothing either way."""
    email = auth_service.normalize_email(email)
    with platform_session("auth:reset-request") as db:
        user = auth_service.get_user_by_email(db, email=email)
        if user is None or not user.active:
            return
        token = new_token(32)
        db.add(
            PasswordResetToken(
                token_hash=auth_service.hash_token(token), user_id=user.id,
                expires_at=utcnow() + RESET_TOKEN_LIFETIME,
            )
        )
        link = f"{get_settings().servicepro_public_url.rstrip('/')}/reset-password?token={token}"
        email_service.queue_email(
            db, to_address=user.email, subject="Reset your ServicePro password", kind="password_reset",
            body=(
                f"Hi {user.name},\n\nSomeone asked to reset the password for this account. "
                f"Open this link within an hour to choose a new one:\n\n{link}\n\n"
                "If it wasn't you, ignore this email; your password stays the same."
            ),
        )
        enqueue_after_commit(db, deliver_emails_now)


def reset_password(*, token: str, new_password: str) -> None:
    """Sets a new password from a reset token (single use) and signs out every session."""
    passwords.check_policy(new_password)
    with platform_session("auth:reset") as db:
        row = db.get(PasswordResetToken, auth_service.hash_token(token or ""))
        if row is None or row.used_at is not None or utcnow() >= row.expires_at:
            raise UserError("This reset link is invalid or has expired; request a new one.")
        user = db.get(User, row.user_id)
        row.used_at = utcnow()
        db.add(row)
        _set_password(db, user, new_password)


def change_password(*, acting_user: StaffContext, current_password: str, new_password: str) -> None:
    """Changes the signed-in user's own password; refused while impersonating."""
    if acting_user.impersonating:
        raise PermissionDenied("Passwords cannot be changed while viewing as a business.")
    with platform_session("auth:change-password") as db:
        user = db.get(User, acting_user.user_id)
        if user is None or not passwords.verify_password(user.password_hash, current_password or ""):
            raise UserError("Your current password is not right.")
        passwords.check_policy(new_password)
        _set_password(db, user, new_password)


def _set_password(db: Session, user: User, new_password: str) -> None:
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    db.add(user)
    for session in db.exec(select(StaffSession).where(StaffSession.user_id == user.id)).all():
        _revoke(db, session)


def create_user(
    *, email: str, name: str, password: str, is_super_admin: bool = False
) -> User:
    """Creates a staff user (operators and the seed use this)."""
    email = auth_service.normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise UserError("Enter a valid email address.")
    name = " ".join((name or "").split())
    if not name:
        raise UserError("Enter the person's name.")
    passwords.check_policy(password)
    with platform_session("auth:create-user") as db:
        if auth_service.get_user_by_email(db, email=email):
            raise Conflict(f"An account with {email} already exists.")
        user = User(email=email, name=name, password_hash=passwords.hash_password(password),
                    is_super_admin=is_super_admin)
        db.add(user)
        return user


def do_add_membership(
    db: Session, *, tenant_id: str, user_id: str, role: str, acting_user: StaffContext | None
) -> Membership:
    """Gives a user a role in the session's tenant."""
    if role not in Role.values():
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(Role.values())}.")
    if acting_user is not None and not (acting_user.is_tenant_admin or acting_user.is_platform_admin):
        raise PermissionDenied("Only owners and admins can add team members.")
    existing = db.exec(select(Membership).where(Membership.user_id == user_id)).first()
    if existing is not None:
        raise Conflict("That person is already on this team.")
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    row = Membership(tenant_id=tenant_id, user_id=user_id, role=role)
    db.add(row)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="membership.added",
                 target_type="user", target_id=user_id, summary=f"Added {user.name} as {role}")
    return row


def authenticate(*, token: str | None) -> auth_service.SessionState:
    """Resolves a cookie token to a StaffContext, closing out an impersonation that ran out."""
    with platform_session("auth:resolve") as db:
        state = auth_service.resolve_session(db, token=token)
        if state.problem == "impersonation_ended" and state.session is not None:
            end_expired_impersonation(db, state.session)
        return state
