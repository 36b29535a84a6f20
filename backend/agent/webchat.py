"""The web chat behind the widget on a tenant's pages: signed widget tokens, chat sessions with
a persisted transcript, and the one function the UI calls per message.

Security:
- The tenant comes only from the widget token, `wc1.<tenant_id>.<HMAC-SHA256>` keyed with the
  app secret over a purpose string and the tenant id. A client-sent tenant id is never read; a
  forged or edited token (or one for another tenant) is refused with the same error.
- A chat session is named by a session token `<session_id>.<secret>` (≥128-bit secret); only
  the SHA-256 of the secret is stored, and the session is looked up inside the widget token's
  tenant, so another tenant's session token is simply "not found".
- Web visitors are anonymous: the number they type is used to book and text the confirmation,
  but nothing about an existing customer with that number (name, address, appointments) is
  shown; changing existing bookings needs a text from that phone (see tools.py).

Staff side (for the inbox's web chat view): `list_web_chats`, `get_web_chat`, `do_reply_web_chat`
(staff answer; the session stays with staff) and `do_hand_back_web_chat`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets

from sqlmodel import Session, select

from backend.agent import clock
from backend.agent.interface import AgentRequest, AgentResponse, handle_agent_message
from backend.agent.models import WebChatMessage, WebChatSession, WebChatStatus
from backend.agent.state import load_state, save_state
from backend.auth.context import StaffContext
from backend.config import get_settings
from backend.db.session import platform_session, tenant_session
from backend.errors import NotFound, PermissionDenied, UserError
from backend.tenancy.models import Tenant

TOKEN_VERSION = "wc1"
_PURPOSE = b"servicepro:webchat-widget:v1:"
MAX_MESSAGE = 1000
MAX_MESSAGES_PER_SESSION = 300


class InvalidWidgetToken(PermissionDenied):
    """The widget token is missing, malformed, forged or for a business that no longer exists."""


@dataclasses.dataclass(frozen=True)
class WebChatMessageRead:
    id: str
    direction: str  # "in" (visitor) | "out" (assistant or staff)
    sender: str  # "customer" | "agent" | "staff"
    body: str
    at: dt.datetime


@dataclasses.dataclass(frozen=True)
class WebChatStart:
    session_token: str  # keep it (server side); it identifies the visitor's chat
    greeting: str
    business_name: str


@dataclasses.dataclass(frozen=True)
class WebChatReply:
    reply: str  # "" when a person will answer instead
    status: str  # open | handoff | closed
    messages: list[WebChatMessageRead]
    actions: list[dict]


# ---- widget tokens ------------------------------------------------------------------------------


def _mac(tenant_id: str) -> str:
    key = get_settings().secret().encode()
    digest = hmac.new(key, _PURPOSE + tenant_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def widget_token(tenant_id: str) -> str:
    """Returns the widget token for a tenant (embed it in the tenant's pages)."""
    if not tenant_id or "." in tenant_id:
        raise ValueError("invalid tenant id")
    return f"{TOKEN_VERSION}.{tenant_id}.{_mac(tenant_id)}"


def verify_widget_token(token: str) -> str:
    """Returns the tenant id a genuine widget token names; raises InvalidWidgetToken otherwise.

    Guarantee: only a token minted with this deployment's secret for exactly that tenant id
    passes (constant-time comparison); the tenant must still exist.
    """
    parts = token.split(".") if isinstance(token, str) and len(token) <= 200 else []
    if len(parts) != 3 or parts[0] != TOKEN_VERSION or not parts[1]:
        raise InvalidWidgetToken("This chat link is not valid.")
    tenant_id, mac = parts[1], parts[2]
    if not hmac.compare_digest(mac.encode(), _mac(tenant_id).encode()):
        raise InvalidWidgetToken("This chat link is not valid.")
    with platform_session("webchat:widget-token") as db:
        if db.get(Tenant, tenant_id) is None:
            raise InvalidWidgetToken("This chat link is not valid.")
    return tenant_id


# ---- sessions -----------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _session(db: Session, tenant_id: str, session_token: str) -> WebChatSession:
    parts = session_token.split(".", 1) if isinstance(session_token, str) and len(session_token) <= 200 else []
    if len(parts) != 2:
        raise NotFound("This chat has ended; please start a new one.")
    session_id, secret = parts
    row = db.get(WebChatSession, (tenant_id, session_id)) if 0 < len(session_id) <= 40 else None
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
        raise NotFound("This chat has ended; please start a new one.")
    return row


def start_web_chat(*, widget_token_value: str, page: str = "") -> WebChatStart:
    """Opens a chat session for the widget's tenant and returns its session token."""
    tenant_id = verify_widget_token(widget_token_value)
    secret = secrets.token_urlsafe(24)
    with tenant_session(tenant_id) as db:
        from backend.agent.knowledge import build_knowledge

        row = WebChatSession(tenant_id=tenant_id, secret_hash=_hash(secret), page=(page or "")[:300])
        db.add(row)
        db.flush()
        name = build_knowledge(db, tenant_id=tenant_id).business_name
        greeting = f"Hi! I'm the assistant for {name}. Ask me about prices, openings or booking a visit."
        db.add(WebChatMessage(tenant_id=tenant_id, session_id=row.id, direction="out", sender="agent", body=greeting))
        return WebChatStart(session_token=f"{row.id}.{secret}", greeting=greeting, business_name=name)


def send_web_message(*, widget_token_value: str, session_token: str, text: str,
                     now: dt.datetime | None = None) -> WebChatReply:
    """Stores the visitor's message, lets the agent answer (channel "web") unless a person has
    the chat, stores the reply and returns it with the transcript."""
    tenant_id = verify_widget_token(widget_token_value)
    text = " ".join((text or "").split())
    if not text:
        raise UserError("Type a message first.")
    if len(text) > MAX_MESSAGE:
        raise UserError(f"Messages can be at most {MAX_MESSAGE} characters.")
    with tenant_session(tenant_id) as db:
        session = _session(db, tenant_id, session_token)
        count = len(db.exec(select(WebChatMessage.id).where(WebChatMessage.session_id == session.id)).all())
        if count >= MAX_MESSAGES_PER_SESSION:
            raise UserError("This chat is too long; please start a new one or call us.")
        if session.status == WebChatStatus.CLOSED.value:
            raise UserError("This chat has ended; please start a new one.")
        inbound = WebChatMessage(tenant_id=tenant_id, session_id=session.id, direction="in", sender="customer",
                                 body=text)
        db.add(inbound)
        session.last_activity_at = clock.now()
        db.add(session)
        db.flush()
        session_id, status, phone, inbound_id = session.id, session.status, session.phone_e164, inbound.id
    response: AgentResponse | None = None
    if status == WebChatStatus.OPEN.value:
        context = {"now": now} if now else {}
        response = handle_agent_message(AgentRequest(
            tenant_id=tenant_id, channel="web", text=text, conversation_id=session_id, phone=phone or None,
            message_id=inbound_id, context=context,
        ))
    with tenant_session(tenant_id) as db:
        session = db.get(WebChatSession, (tenant_id, session_id))
        _, state = load_state(db, tenant_id=tenant_id, channel="web", conversation_key=session_id)
        if state.phone and not session.phone_e164:
            session.phone_e164 = state.phone
        if state.name and not session.visitor_name:
            session.visitor_name = state.name[:200]
        reply = response.reply if response is not None and not response.silent else ""
        if reply:
            db.add(WebChatMessage(tenant_id=tenant_id, session_id=session_id, direction="out", sender="agent",
                                  body=reply))
        db.add(session)
        db.flush()
        return WebChatReply(reply=reply, status=session.status, messages=_transcript(db, tenant_id, session_id),
                            actions=[dataclasses.asdict(a) for a in (response.actions if response else ())])


def get_transcript(*, widget_token_value: str, session_token: str) -> list[WebChatMessageRead]:
    """Returns the visitor's transcript, oldest first (for reloading the widget)."""
    tenant_id = verify_widget_token(widget_token_value)
    with tenant_session(tenant_id) as db:
        session = _session(db, tenant_id, session_token)
        return _transcript(db, tenant_id, session.id)


def _transcript(db: Session, tenant_id: str, session_id: str, limit: int = 200) -> list[WebChatMessageRead]:
    rows = db.exec(select(WebChatMessage).where(WebChatMessage.tenant_id == tenant_id,
                                                WebChatMessage.session_id == session_id)
                   .order_by(WebChatMessage.created_at, WebChatMessage.id)).all()
    return [WebChatMessageRead(r.id, r.direction, r.sender, r.body, r.created_at) for r in rows[-limit:]]


# ---- staff side ---------------------------------------------------------------------------------


def _require_staff(acting_user: StaffContext | None, tenant_id: str) -> StaffContext:
    if acting_user is None or acting_user.tenant_id != tenant_id or not acting_user.role:
        raise PermissionDenied("Sign in to this business to do that.")
    return acting_user


def list_web_chats(db: Session, *, tenant_id: str, needs_human_only: bool = False, limit: int = 50) -> list[dict]:
    """Returns recent web chats (newest activity first) for the staff inbox."""
    query = select(WebChatSession).where(WebChatSession.tenant_id == tenant_id)
    if needs_human_only:
        query = query.where(WebChatSession.needs_human)
    rows = db.exec(query.order_by(WebChatSession.last_activity_at.desc()).limit(max(1, min(limit, 200)))).all()
    return [{"id": r.id, "visitor_name": r.visitor_name, "phone": r.phone_e164, "status": r.status,
             "needs_human": r.needs_human, "last_activity_at": r.last_activity_at, "page": r.page} for r in rows]


def access_web_chat_by_id(db: Session, *, tenant_id: str, session_id: str) -> WebChatSession:
    """Returns the tenant's chat session or raises NotFound (also for another tenant's id)."""
    row = db.get(WebChatSession, (tenant_id, session_id)) if isinstance(session_id, str) and session_id else None
    if row is None:
        raise NotFound("No such chat.")
    return row


def get_web_chat(db: Session, *, tenant_id: str, session_id: str) -> list[WebChatMessageRead]:
    access_web_chat_by_id(db, tenant_id=tenant_id, session_id=session_id)
    return _transcript(db, tenant_id, session_id)


def do_reply_web_chat(db: Session, *, tenant_id: str, session_id: str, text: str,
                      acting_user: StaffContext | None) -> WebChatMessageRead:
    """A staff member answers in the chat; the chat stays with staff until handed back."""
    _require_staff(acting_user, tenant_id)
    session = access_web_chat_by_id(db, tenant_id=tenant_id, session_id=session_id)
    text = (text or "").strip()
    if not text or len(text) > MAX_MESSAGE:
        raise UserError(f"Write a reply of 1-{MAX_MESSAGE} characters.")
    row = WebChatMessage(tenant_id=tenant_id, session_id=session.id, direction="out", sender="staff", body=text)
    session.status, session.needs_human = WebChatStatus.HANDOFF.value, False
    session.last_activity_at = clock.now()
    db.add_all([row, session])
    db.flush()
    return WebChatMessageRead(row.id, row.direction, row.sender, row.body, row.created_at)


def do_hand_back_web_chat(db: Session, *, tenant_id: str, session_id: str,
                          acting_user: StaffContext | None) -> WebChatSession:
    """Returns the chat to the AI assistant."""
    _require_staff(acting_user, tenant_id)
    session = access_web_chat_by_id(db, tenant_id=tenant_id, session_id=session_id)
    session.status, session.needs_human = WebChatStatus.OPEN.value, False
    db.add(session)
    row, state = load_state(db, tenant_id=tenant_id, channel="web", conversation_key=session.id)
    state.handed_off = False
    state.pending, state.awaiting, state.prompt = {}, "", ""
    save_state(db, row, state, engine="staff", count_turn=False)
    return session

