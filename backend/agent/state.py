"""The dialogue state of one conversation and its persistence.

The state (which flow is running, the filled slots, the slots offered, the confirmation waiting
for a YES, clarification counts, recent history) lives in `agent_conversation_states` as JSON,
never in process memory: a fresh worker continues any conversation where the last one stopped.
Saving checks the row's version, so two workers answering the same conversation at once can't
silently overwrite each other (the loser retries its turn on the new state).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from backend.agent.models import AgentConversationState
from backend.db.types import utcnow

HISTORY_TURNS = 12


class StateConflict(RuntimeError):
    """Another turn of the same conversation saved first; the caller retries on fresh state."""


@dataclasses.dataclass
class DialogueState:
    """Everything the agent remembers about a conversation between two messages."""

    flow: str = ""  # "" | "book" | "reschedule" | "cancel"
    # What the last reply asked: "service", "attr:<key>", "when", "choice", "address", "zip",
    # "name", "phone", "confirm", "handoff", "appointment", "change", "" (nothing).
    awaiting: str = ""
    service_id: str = ""
    candidates: list[str] = dataclasses.field(default_factory=list)  # service ids of a "which one?"
    addon_ids: list[str] = dataclasses.field(default_factory=list)
    attributes: dict[str, str] = dataclasses.field(default_factory=dict)
    # {"dates": [iso], "earliest": iso|"", "latest": iso|"", "times": ["HH:MM"],
    #  "window": ["HH:MM", "HH:MM"] | [], "asap": bool, "approx": bool, "weekday_named": bool}
    when: dict[str, Any] = dataclasses.field(default_factory=dict)
    offered: list[dict[str, str]] = dataclasses.field(default_factory=list)  # [{"start": iso, "label": ...}]
    start: str = ""  # the chosen start (aware ISO)
    address: dict[str, str] = dataclasses.field(default_factory=dict)  # line1, city, region, postal_code, text
    address_ok: bool = False
    name: str = ""
    phone: str = ""  # web chat: the number the customer gave (E.164)
    quoted: list[str] = dataclasses.field(default_factory=list)  # quote keys already stated
    pending: dict[str, Any] = dataclasses.field(default_factory=dict)  # the action a YES confirms
    clarifications: dict[str, int] = dataclasses.field(default_factory=dict)
    appointment_id: str = ""  # reschedule/cancel target
    appointments: list[dict[str, str]] = dataclasses.field(default_factory=list)  # [{"id","label"}]
    last_booking: dict[str, Any] = dataclasses.field(default_factory=dict)
    handed_off: bool = False
    opted_out: bool = False
    campaign_seen: str = ""  # the campaign already explained in this conversation
    prompt: str = ""  # the last question asked, repeated after answering a side question
    history: list[dict[str, str]] = dataclasses.field(default_factory=list)

    @classmethod
    def from_dict(cls, raw: dict | None) -> DialogueState:
        """Builds a state from stored JSON, ignoring unknown keys and wrongly typed values."""
        state = cls()
        for field in dataclasses.fields(cls):
            if raw and field.name in raw:
                value = raw[field.name]
                default = getattr(state, field.name)
                if isinstance(default, bool):
                    ok = isinstance(value, bool)
                else:
                    ok = isinstance(value, type(default))
                if ok:
                    setattr(state, field.name, value)
        return state

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def remember(self, role: str, text: str) -> None:
        self.history.append({"role": role, "text": (text or "")[:600]})
        del self.history[:-HISTORY_TURNS]

    def reset_booking(self) -> None:
        """Forgets a booking in progress (keeps name, phone and address, which stay true)."""
        keep = {"name": self.name, "phone": self.phone, "address": self.address, "address_ok": self.address_ok,
                "history": self.history, "last_booking": self.last_booking, "handed_off": self.handed_off,
                "opted_out": self.opted_out, "campaign_seen": self.campaign_seen}
        fresh = DialogueState(**keep)
        self.__dict__.update(fresh.__dict__)


def get_or_create_row(
    db: Session, *, tenant_id: str, channel: str, conversation_key: str, customer_id: str | None = None,
) -> AgentConversationState:
    """Returns the conversation's state row, creating an empty one the first time."""
    row = _find(db, tenant_id, channel, conversation_key)
    if row is None:
        try:
            with db.begin_nested():
                row = AgentConversationState(tenant_id=tenant_id, channel=channel, conversation_key=conversation_key,
                                             customer_id=customer_id, state={})
                db.add(row)
                db.flush()
        except IntegrityError:  # a concurrent first message created it
            row = _find(db, tenant_id, channel, conversation_key)
    if customer_id and row.customer_id != customer_id:
        row.customer_id = customer_id
    return row


def _find(db: Session, tenant_id: str, channel: str, key: str) -> AgentConversationState | None:
    return db.exec(
        select(AgentConversationState).where(
            AgentConversationState.tenant_id == tenant_id,
            AgentConversationState.channel == channel,
            AgentConversationState.conversation_key == key,
        ).execution_options(populate_existing=True)
    ).first()


def load_state(
    db: Session, *, tenant_id: str, channel: str, conversation_key: str, customer_id: str | None = None,
) -> tuple[AgentConversationState, DialogueState]:
    """Returns (row, state) for a conversation; the row's `version` is what `save_state` checks."""
    row = get_or_create_row(db, tenant_id=tenant_id, channel=channel, conversation_key=conversation_key,
                            customer_id=customer_id)
    return row, DialogueState.from_dict(row.state)


def save_state(db: Session, row: AgentConversationState, state: DialogueState, *, engine: str,
               count_turn: bool = True) -> None:
    """Stores the state if nobody saved since it was loaded; raises StateConflict otherwise."""
    turns = row.turns + (1 if count_turn else 0)
    result = db.execute(
        update(AgentConversationState)
        .where(AgentConversationState.tenant_id == row.tenant_id, AgentConversationState.id == row.id,
               AgentConversationState.version == row.version)
        .values(state=state.to_dict(), version=row.version + 1, turns=turns, last_engine=engine,
                customer_id=row.customer_id, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise StateConflict(f"conversation {row.conversation_key} changed while this turn ran")
    set_committed_value(row, "version", row.version + 1)
    set_committed_value(row, "turns", turns)
