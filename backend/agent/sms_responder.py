"""The agent's SMS responder, registered with messaging's automation plug point on import.

Messaging calls `respond` for every inbound text in an `ai`-mode conversation whose number has
not opted out (consent keywords are handled before). The reply text is returned for messaging
to send; None is returned when nothing more must be sent: spam (messaging then flags the
conversation), or a reply the agent already queued itself (a hand-off switches the conversation
to staff, an opt-out phrase gets messaging's single opt-out confirmation).

Imported by `backend.jobs.worker` (every Huey consumer) and by the web app, so inline
(immediate) job runs answer too.
"""

from __future__ import annotations

import logging

from backend.agent.interface import AgentRequest, handle_agent_message
from backend.messaging import automation
from backend.messaging.automation import InboundContext

log = logging.getLogger(__name__)


def respond(context: InboundContext) -> str | None:
    """Answers one inbound SMS with the agent; returns the text messaging should send, or None."""
    response = handle_agent_message(AgentRequest(
        tenant_id=context.tenant_id, channel="sms", text=context.body or "", conversation_id=context.conversation_id,
        phone=context.phone, message_id=context.message_id, customer_id=context.customer_id,
    ))
    if response.reply_sent or response.silent or not response.reply:
        return None
    return response.reply


def register() -> None:
    """Makes the agent the SMS responder (idempotent)."""
    automation.register_responder(respond)


register()
