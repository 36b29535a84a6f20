"""Messaging enums: conversation modes, message kinds and statuses, consent and A2P states."""

from __future__ import annotations

from backend.enums import StrEnum


class ConversationMode(StrEnum):
    AI = "ai"  # the registered responder answers
    MANUAL = "manual"  # a staff member answers; no automated replies
    PAUSED = "paused"  # nobody answers automatically; consent keywords are still honoured


class Channel(StrEnum):
    SMS = "sms"
    WEB = "web"
    VOICE = "voice"


class MessageKind(StrEnum):
    """Why an outbound text is sent; decides quiet hours and how it is shown."""

    TRANSACTIONAL = "transactional"
    REPLY = "reply"  # agent or staff reply in a conversation
    REMINDER = "reminder"
    CONFIRMATION = "confirmation"
    OTP = "otp"
    MARKETING = "marketing"
    CAMPAIGN = "campaign"
    SYSTEM = "system"  # HELP replies and other platform texts
    CONSENT = "consent"  # opt-out / opt-in confirmations
    MISSED_CALL = "missed_call"


# Promotional kinds: only sent between 08:00 and 21:00 in the recipient's local time.
QUIET_HOURS_KINDS = frozenset({MessageKind.MARKETING.value, MessageKind.CAMPAIGN.value})


class OutboundStatus(StrEnum):
    """Outbox state, then the provider's delivery state from status callbacks.

    pending → sending (claimed with a lease) → queued/sent → delivered | undelivered | failed.
    `simulated`: the simulator stored it and sent nothing. `suppressed`: never sent because
    the recipient opted out.
    """

    PENDING = "pending"
    SENDING = "sending"
    ACCEPTED = "accepted"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    READ = "read"
    SIMULATED = "simulated"
    SUPPRESSED = "suppressed"


# Order of provider statuses; a status callback only moves a message forward, so callbacks
# arriving out of order never regress "delivered" to "sent".
STATUS_RANK: dict[str, int] = {
    OutboundStatus.PENDING.value: 0,
    OutboundStatus.SENDING.value: 1,
    OutboundStatus.ACCEPTED.value: 2,
    OutboundStatus.QUEUED.value: 3,
    OutboundStatus.SENT.value: 4,
    OutboundStatus.DELIVERED.value: 5,
    OutboundStatus.UNDELIVERED.value: 5,
    OutboundStatus.FAILED.value: 5,
    OutboundStatus.READ.value: 6,
    OutboundStatus.SIMULATED.value: 6,
    OutboundStatus.SUPPRESSED.value: 6,
}

FINAL_STATUSES = frozenset(
    {
        OutboundStatus.DELIVERED.value,
        OutboundStatus.UNDELIVERED.value,
        OutboundStatus.FAILED.value,
        OutboundStatus.READ.value,
        OutboundStatus.SIMULATED.value,
        OutboundStatus.SUPPRESSED.value,
    }
)


class InboundHandling(StrEnum):
    """What automation did with an inbound message (shown in the inbox)."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    IGNORED_OPTED_OUT = "ignored_opted_out"
    AI_REPLY = "ai_reply"
    NEEDS_HUMAN = "needs_human"
    STAFF = "staff"  # conversation in manual mode
    PAUSED = "paused"
    NO_CONVERSATION = "no_conversation"  # sender is not a phone number (short code, alphanumeric)


class ConsentState(StrEnum):
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"


class ConsentSource(StrEnum):
    KEYWORD = "keyword"  # the person texted STOP/START/...
    CARRIER = "carrier"  # provider error 21610: the carrier blocks sends to this number
    STAFF = "staff"  # recorded by a staff member (e.g. asked in person)
    WEB = "web"  # a web form with a consent checkbox


class A2PStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
