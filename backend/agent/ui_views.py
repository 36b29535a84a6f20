"""Display-ready reads for the AI agent's pages — the Knowledge page, the staff web chat list,
the inbox's smart-schedule form — and the one write those pages need that the agent backend
does not offer as such (booking the smart-schedule draft for the conversation's customer).

Plain Python (no Reflex). Every function takes the tenant from its caller (the verified staff
context or the verified widget token) and reads inside that tenant's session; every id that
came from a browser goes through a tenant-scoped `access_*` lookup, so another tenant's id
fails exactly like a missing one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from backend import timefmt
from backend.agent import actions as agent_actions
from backend.agent import handoff
from backend.agent import webchat
from backend.agent.knowledge import POLICY_KEYS
from backend.agent.models import WebChatMessage, WebChatSession, WebChatStatus
from backend.auth.context import StaffContext
from backend.config import get_settings
from backend.errors import UserError
from backend.messaging import service as messaging_service
from backend.packs import actions as packs_actions
from backend.packs import service as packs_service
from backend.phones import display as display_phone
from backend.scheduling import actions as scheduling_actions
from backend.scheduling import views as scheduling_views
from backend.tenancy.models import Tenant

LAYER_LABELS: Mapping[str, str] = {"tenant": "Your override", "pack": "Industry pack", "base": "Global default"}
FAQ_SOURCE_LABELS: Mapping[str, str] = {
    "tenant": "your FAQ", "pack": "the industry pack's FAQ", "policy": "a policy", "base": "the global answers",
}
STATUS_LABELS: Mapping[str, str] = {
    WebChatStatus.OPEN.value: "AI replying", WebChatStatus.HANDOFF.value: "With staff",
    WebChatStatus.CLOSED.value: "Closed",
}
MAX_KEYWORDS_TEXT = 2000


# ---- web chat link -------------------------------------------------------------------------------


def chat_path(tenant_id: str) -> str:
    """Returns the path of the business's public chat page (its signed widget token inside)."""
    return "/chat/" + webchat.widget_token(tenant_id)


def chat_link(tenant_id: str) -> str:
    """Returns the absolute URL of the business's public chat page (SERVICEPRO_PUBLIC_URL based)."""
    return get_settings().servicepro_public_url.rstrip("/") + chat_path(tenant_id)


def embed_snippet(link: str) -> str:
    """Returns an <iframe> snippet that puts the chat on any web page."""
    return (f'<iframe src="{html.escape(link, quote=True)}" title="Chat with us" '
            'style="width:100%;max-width:420px;height:640px;border:0;border-radius:12px"></iframe>')


# ---- knowledge page ---------------------------------------------------------------------------------


@dataclasses.dataclass
class KnowledgeService:
    name: str = ""
    price: str = ""
    depends_on: str = ""  # "Vehicle size, Condition" or ""


@dataclasses.dataclass
class PolicyRow:
    key: str = ""
    title: str = ""
    text: str = ""
    source: str = ""  # tenant | pack | base
    layer: str = ""  # "Your override" | "Industry pack" | "Global default"
    removable: bool = False  # the tenant's own text, and not the weather policy (booking settings keep one)


@dataclasses.dataclass
class FaqRow:
    id: str = ""
    question: str = ""
    answer: str = ""
    keywords: str = ""  # comma separated
    active: bool = True
    origin: str = ""  # "Industry pack" | "Your own"


@dataclasses.dataclass
class KnowledgeView:
    business_name: str
    industry_pack: str
    agent_enabled: bool
    services: list[KnowledgeService]
    hours: str
    service_area: str
    mobile: bool
    policies: list[PolicyRow]
    policy_choices: list[dict[str, str]]  # {"key", "title"} for the policy form
    faq: list[FaqRow]
    instructions: str


def knowledge_view(db: Session, *, tenant_id: str) -> KnowledgeView:
    """Returns everything the Knowledge page shows, layer by layer."""
    overview = agent_actions.knowledge_overview(db, tenant_id=tenant_id)
    policies = [
        PolicyRow(key=p.key, title=p.title, text=p.text, source=p.source, layer=LAYER_LABELS.get(p.source, p.source),
                  removable=p.source == "tenant" and p.key != "rain")
        for p in agent_actions.list_policies(db, tenant_id=tenant_id)
    ]
    faq = [
        FaqRow(id=f.id, question=f.question, answer=f.answer, keywords=", ".join(f.keywords or []), active=f.active,
               origin="Industry pack" if f.pack_key else "Your own")
        for f in agent_actions.list_faq_entries(db, tenant_id=tenant_id, include_inactive=True)
    ]
    services = [KnowledgeService(s["name"], s["price"], ", ".join(s["price_depends_on"]))
                for s in overview["services"]]
    return KnowledgeView(
        business_name=overview["business_name"], industry_pack=overview["industry_pack"],
        agent_enabled=overview["agent_enabled"], services=services, hours=overview["hours"],
        service_area=overview["service_area"], mobile=overview["mobile"], policies=policies,
        policy_choices=[{"key": key, "title": title} for key, (title, _) in POLICY_KEYS.items()],
        faq=faq, instructions=overview["instructions"],
    )


def faq_form(db: Session, *, tenant_id: str, faq_entry_id: str) -> dict[str, str]:
    """Returns one FAQ entry as form values (NotFound for another tenant's id)."""
    row = packs_service.access_faq_entry_by_id(db, tenant_id=tenant_id, faq_entry_id=faq_entry_id)
    return {"id": row.id, "question": row.question, "answer": row.answer, "keywords": ", ".join(row.keywords or []),
            "active": "on" if row.active else ""}


def split_keywords(text: str) -> list[str]:
    """Returns the keywords typed as "a, b; c" (or one per line) as a list."""
    return [k.strip() for k in re.split(r"[,;\n]", (text or "")[:MAX_KEYWORDS_TEXT]) if k.strip()]


def field_errors(model: type[BaseModel], data: Mapping) -> dict[str, str]:
    """Returns {field: message} for what `model` refuses in `data` ({} when it is valid), so a
    form can show each message next to its field."""
    try:
        model.model_validate(dict(data))
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            loc = err.get("loc") or ("",)
            field = str(loc[0]) if loc else ""
            message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
            errors.setdefault(field or "form", message)
        return errors
    return {}


def faq_entry_in(data: Mapping[str, str]) -> dict:
    """Returns FAQ form values as the payload of packs' FaqEntryIn."""
    return {"question": data.get("question", ""), "answer": data.get("answer", ""),
            "keywords": split_keywords(data.get("keywords", "")), "active": bool(data.get("active"))}


def faq_errors(data: Mapping[str, str]) -> dict[str, str]:
    return field_errors(packs_actions.FaqEntryIn, faq_entry_in(data))


def policy_errors(data: Mapping[str, str]) -> dict[str, str]:
    return field_errors(agent_actions.PolicyIn, {"key": data.get("key", ""), "text": data.get("text", "")})


@dataclasses.dataclass
class PreviewView:
    answered: bool
    answer: str
    source: str  # "your FAQ", "a policy", ...
    matched_question: str
    score: str


def preview_view(db: Session, *, tenant_id: str, question: str) -> PreviewView:
    """Returns what the agent would answer from its FAQ and policies (UserError for a bad question)."""
    result = agent_actions.preview_answer(db, tenant_id=tenant_id, question=question)
    if not result.get("answer"):
        return PreviewView(False, "", "", "", "")
    return PreviewView(True, str(result["answer"]), FAQ_SOURCE_LABELS.get(result.get("source") or "", "its knowledge"),
                       str(result.get("question") or ""), f"{float(result.get('score') or 0):.0f}")


# ---- web chats (staff) ---------------------------------------------------------------------------


@dataclasses.dataclass
class WebChatRow:
    id: str = ""
    name: str = ""
    phone: str = ""
    status: str = ""
    status_label: str = ""
    needs_human: bool = False
    time: str = ""
    preview: str = ""
    page: str = ""


@dataclasses.dataclass(frozen=True)
class WebChatLine:
    id: str
    direction: str  # in: the visitor; out: assistant or staff
    sender: str  # customer | agent | staff
    body: str
    time: str


def _chat_name(visitor_name: str, phone: str) -> str:
    return visitor_name or (display_phone(phone) if phone else "") or "Web visitor"


def web_chat_rows(db: Session, *, tenant_id: str, tz: str, needs_human_only: bool = False,
                  limit: int = 50) -> list[WebChatRow]:
    """Returns the tenant's web chats that have a visitor message — those waiting for a person
    first, then by latest activity — with the last message as preview."""
    chats = webchat.list_web_chats(db, tenant_id=tenant_id, needs_human_only=needs_human_only,
                                   limit=min(max(limit, 1), 200))
    ids = [c["id"] for c in chats]
    last: dict[str, WebChatMessage] = {}
    visited: set[str] = set()
    if ids:
        rows = db.exec(select(WebChatMessage).where(WebChatMessage.tenant_id == tenant_id,
                                                    WebChatMessage.session_id.in_(ids))
                       .order_by(WebChatMessage.created_at.desc(), WebChatMessage.id.desc())).all()
        for row in rows:
            last.setdefault(row.session_id, row)
            if row.direction == "in":
                visited.add(row.session_id)
    out = []
    for c in chats:
        if c["id"] not in visited:
            continue  # opened but never written in: nothing for staff to see
        message = last.get(c["id"])
        preview = ""
        if message is not None:
            prefix = {"customer": "", "agent": "AI: ", "staff": "You: "}.get(message.sender, "")
            preview = prefix + " ".join(message.body.split())[:120]
        out.append(WebChatRow(
            id=c["id"], name=_chat_name(c["visitor_name"], c["phone"]),
            phone=display_phone(c["phone"]) if c["phone"] else "", status=c["status"],
            status_label=STATUS_LABELS.get(c["status"], c["status"]), needs_human=bool(c["needs_human"]),
            time=timefmt.short(c["last_activity_at"], tz), preview=preview, page=c["page"] or "",
        ))
    out.sort(key=lambda r: not r.needs_human)  # stable: activity order within each group
    return out


def web_chat_thread(db: Session, *, tenant_id: str, session_id: str, tz: str) -> tuple[WebChatRow, list[WebChatLine]]:
    """Returns one chat (NotFound for another tenant's id) and its transcript."""
    session = webchat.access_web_chat_by_id(db, tenant_id=tenant_id, session_id=session_id)
    lines = [WebChatLine(m.id, m.direction, m.sender, m.body, timefmt.short(m.at, tz))
             for m in webchat.get_web_chat(db, tenant_id=tenant_id, session_id=session.id)]
    row = WebChatRow(
        id=session.id, name=_chat_name(session.visitor_name, session.phone_e164),
        phone=display_phone(session.phone_e164) if session.phone_e164 else "", status=session.status,
        status_label=STATUS_LABELS.get(session.status, session.status), needs_human=session.needs_human,
        time=timefmt.short(session.last_activity_at, tz), preview="", page=session.page or "",
    )
    return row, lines


def visitor_transcript(messages: Sequence[webchat.WebChatMessageRead], tz: str) -> list[WebChatLine]:
    """Returns the visitor's transcript as display lines."""
    return [WebChatLine(m.id, m.direction, m.sender, m.body, timefmt.short(m.at, tz)) for m in messages]


def web_chat_needs_human_count(db: Session, *, tenant_id: str) -> int:
    """Returns how many web chats wait for a person."""
    return len(db.exec(select(WebChatSession.id).where(WebChatSession.tenant_id == tenant_id,
                                                       WebChatSession.needs_human)).all())


# ---- smart schedule ---------------------------------------------------------------------------------


@dataclasses.dataclass
class SmartScheduleView:
    """The smart-schedule draft of one conversation, ready for the prefilled booking form."""

    customer_name: str
    phone: str
    service_id: str
    service_name: str
    addon_ids: list[str]
    attributes: dict[str, str]
    date: str  # ISO local date or ""
    start: str  # ISO start of the agreed slot or ""
    suggested: list[dict[str, str]]  # {"key", "label"}
    address: str
    in_area: str  # "yes" | "no" | ""
    price: str
    evidence: list[str]
    missing: list[str]


def smart_schedule_view(db: Session, *, tenant_id: str, conversation_id: str,
                        now: dt.datetime | None = None) -> SmartScheduleView:
    """Runs smart_schedule on the conversation (NotFound for another tenant's id)."""
    draft = handoff.smart_schedule(db, tenant_id=tenant_id, conversation_id=conversation_id, now=now)
    date = ""
    if draft.start is not None:
        tenant = db.get(Tenant, tenant_id)
        date = timefmt.local(draft.start, tenant.timezone if tenant else "UTC").date().isoformat()
    elif draft.dates:
        date = min(draft.dates).isoformat()
    elif draft.suggested_slots:
        date = str(draft.suggested_slots[0]["start"])[:10]
    return SmartScheduleView(
        customer_name=draft.customer_name, phone=display_phone(draft.phone) if draft.phone else "",
        service_id=draft.service_id or "", service_name=draft.service_name, addon_ids=list(draft.addon_ids),
        attributes={str(k): str(v) for k, v in draft.attributes.items()}, date=date,
        start=draft.start.isoformat() if draft.start else "",
        suggested=[{"key": str(s["start"]), "label": str(s["label"])} for s in draft.suggested_slots],
        address=draft.address, in_area="" if draft.in_area is None else ("yes" if draft.in_area else "no"),
        price=draft.price, evidence=list(draft.evidence), missing=list(draft.missing),
    )


def book_for_conversation(
    db: Session, *, tenant_id: str, conversation_id: str, service_id: str, start: dt.datetime,
    addon_ids: Sequence[str] = (), attributes: Mapping[str, str] | None = None, address: str = "",
    acting_user: StaffContext,
) -> scheduling_views.AppointmentDetail:
    """Books the smart-schedule form for the customer of the conversation (the customer comes from
    the tenant's conversation row, never from the form) through book_appointment, as staff."""
    conversation = messaging_service.access_conversation_by_id(db, tenant_id=tenant_id,
                                                               conversation_id=conversation_id)
    if not conversation.customer_id:
        raise UserError("This conversation has no customer record yet.")
    address = " ".join((address or "").split())[:300]
    appointment = scheduling_actions.book_appointment(
        db, tenant_id=tenant_id, customer_id=conversation.customer_id, service_id=service_id, start=start,
        addon_ids=list(addon_ids), attributes=dict(attributes or {}), source="staff",
        notes="Booked from the inbox (smart schedule).", acting_user=acting_user, address=address or None,
    )
    return scheduling_views.appointment_detail(db, tenant_id=tenant_id, appointment_id=appointment.id)


@dataclasses.dataclass
class HandbackView:
    safe: bool
    summary: str
    reasons: list[str]


def handback_view(db: Session, *, tenant_id: str, conversation_id: str) -> HandbackView:
    """Returns whether handing the conversation back to the AI is safe, and why."""
    analysis = handoff.handback_analysis(db, tenant_id=tenant_id, conversation_id=conversation_id)
    return HandbackView(analysis.safe, analysis.summary, list(analysis.reasons))
