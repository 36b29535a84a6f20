"""Email providers: the offline outbox (keeps the message for viewing, sends nothing) and SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from backend.config import get_settings
from backend.email.models import OutboundEmail


def deliver(row: OutboundEmail) -> str:
    """Delivers one email and returns its new status ("stored" offline, "sent" over SMTP)."""
    settings = get_settings()
    if settings.email_provider == "outbox":
        return "stored"
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message.set_content(row.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        smtp.starttls()
        if settings.smtp_username:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_username, password)
        smtp.send_message(message)
    return "sent"
