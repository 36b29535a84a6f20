"""The messaging spine: inbound Twilio webhooks, consent, the outbound SMS outbox and its
worker, conversations and the staff inbox, the phone simulator and the agent plug point.

Entry points other areas use:
- `backend.messaging.actions.send_sms` — every outbound text (outbox row in the caller's
  transaction, delivered by a Huey worker).
- `backend.messaging.automation.register_responder` — where the AI agent plugs in.
- `backend.messaging.events.subscribe` — live-update hook for the UI layer.
- `backend.messaging.simulator.send_inbound` / `thread` — the offline phone simulator.
"""
