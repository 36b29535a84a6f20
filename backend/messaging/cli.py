"""Messaging CLI commands:

- `sms --to TENANT_NUMBER --from CUSTOMER_NUMBER --body TEXT [--media URL]... [--json]` sends
  a signed inbound SMS through the real webhook (in-process) with Huey in immediate mode, so
  every job it causes has run when it returns, and prints the replies.
- `conversation --tenant SLUG --phone NUMBER [--json]` prints a conversation's transcript.
- `messaging-sweep` re-queues due outbox rows and unhandled inbound messages once.
"""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("sms")
    def sms(
        to: str = typer.Option(..., "--to", help="The business number being texted"),
        from_: str = typer.Option(..., "--from", help="The customer's phone number"),
        body: str = typer.Option("", "--body"),
        media: Optional[list[str]] = typer.Option(None, "--media", help="Picture URL (repeatable)"),
        sid: Optional[str] = typer.Option(None, "--sid", help="MessageSid to use (resend to test retries)"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Text a business number as a customer through the real, signed webhook."""
        from backend.cli import emit, fail
        from backend.config import get_settings
        from backend.errors import UserError
        from backend.jobs import worker  # noqa: F401  (registers every task)
        from backend.jobs.queue import huey
        from backend.messaging import simulator

        if get_settings().sms_provider != "simulator":
            fail("the sms command only runs with SMS_PROVIDER=simulator (replies would really be sent)")
        huey.immediate = True  # every job runs inline: replies exist when send_inbound returns
        try:
            result = simulator.send_inbound(to_number=to, from_number=from_, body=body, media=media or (),
                                            message_sid=sid)
        except UserError as exc:
            fail(str(exc))
        data = {
            "status_code": result.status_code,
            "tenant_id": result.tenant_id,
            "message_sid": result.message_sid,
            "message_id": result.message_id,
            "conversation_id": result.conversation_id,
            "duplicate": result.duplicate,
            "handling": result.handling,
            "replies": [
                {"body": r.body, "status": r.status, "kind": r.kind, "from": r.from_number, "to": r.to_number}
                for r in result.replies
            ],
        }
        lines = [f"HTTP {result.status_code}; handled as {result.handling or '-'}"
                 + (" (duplicate: nothing new stored)" if result.duplicate else "")]
        lines += [f"  reply [{r.status}] {r.body}" for r in result.replies] or ["  (no reply)"]
        emit(data, as_json, "\n".join(lines))
        if result.status_code >= 400:
            raise typer.Exit(1)

    @app.command("conversation")
    def conversation(
        tenant: str = typer.Option(..., "--tenant", help="Tenant slug"),
        phone: str = typer.Option(..., "--phone", help="The customer's number"),
        limit: int = typer.Option(100, "--limit"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Print the transcript of a conversation with one customer number."""
        from backend.cli import emit, fail
        from backend.db.session import platform_session, tenant_session
        from backend.errors import UserError
        from backend.messaging import inbox
        from backend.messaging import service as messaging_service
        from backend.phones import InvalidPhoneNumber, to_e164_strict
        from backend.scheduling.timeutil import tenant_zone
        from backend.tenancy import service as tenancy_service

        with platform_session("cli:conversation") as db:
            tenant_row = tenancy_service.get_by_slug(db, slug=tenant)
        if tenant_row is None:
            fail(f"no tenant with slug {tenant!r}")
        try:
            phone_e164 = to_e164_strict(phone)
        except InvalidPhoneNumber as exc:
            fail(str(exc))
        try:
            with tenant_session(tenant_row.id) as db:
                conv = messaging_service.get_conversation_by_phone(db, tenant_id=tenant_row.id, phone_e164=phone_e164)
                if conv is None:
                    fail(f"no conversation with {phone_e164} at {tenant_row.slug}")
                thread = inbox.get_thread(db, tenant_id=tenant_row.id, conversation_id=conv.id, limit=limit)
                zone = tenant_zone(db, tenant_id=tenant_row.id)  # times as the business reads them
        except UserError as exc:
            fail(str(exc))
        c = thread.conversation
        data = {
            "tenant": tenant_row.slug,
            "conversation_id": c.id,
            "customer": c.customer_name,
            "phone": c.phone,
            "mode": c.mode,
            "needs_human": c.needs_human,
            "opted_out": c.opted_out,
            "unread_count": c.unread_count,
            "messages": [
                {
                    "direction": m.direction, "at": m.at.astimezone(zone).isoformat(), "body": m.body, "status": m.status,
                    "kind": m.kind, "sender": m.sender_name, "handling": m.handling,
                    "media": [x.model_dump() for x in m.media],
                    "error_code": m.error_code,
                }
                for m in thread.messages
            ],
        }
        lines = [f"{c.customer_name} {c.phone} at {tenant_row.slug} — mode {c.mode}"
                 + (", OPTED OUT" if c.opted_out else "") + (", needs a human" if c.needs_human else "")]
        for m in thread.messages:
            arrow = "←" if m.direction == "in" else "→"
            lines.append(f"{m.at.astimezone(zone):%Y-%m-%d %H:%M:%S} {arrow} {m.body}  [{m.status_label}]")
        emit(data, as_json, "\n".join(lines))

    @app.command("messaging-sweep")
    def messaging_sweep(as_json: bool = typer.Option(False, "--json")) -> None:
        """Re-queue due outbox rows and inbound messages whose processing never finished."""
        from backend.cli import emit
        from backend.jobs import messaging_tasks

        result = messaging_tasks.sweep_messaging.call_local()
        emit(result, as_json, f"re-queued {result['outbound']} outbound and {result['inbound']} inbound")
