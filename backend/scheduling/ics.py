"""Per-technician calendar feeds (iCalendar, `icalendar` library) at an unguessable URL.

The token is "<tenant_id>.<secret>" (256-bit secret); only its SHA-256 is stored. Resolving a
token opens a session of the tenant named in the token and looks the hash up there, so no read
crosses tenants; a revoked feed (or any unknown token) answers None, which the route turns
into 404.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from backend.audit import actions as audit
from backend.auth.context import StaffContext
from backend.config import get_settings
from backend.customers.models import Customer
from backend.db.session import tenant_session
from backend.db.types import utcnow
from backend.errors import Conflict, NotFound
from backend.scheduling import service as scheduling_service
from backend.scheduling.enums import AppointmentStatus
from backend.scheduling.models import Appointment, IcsFeed, Service, Technician
from backend.scheduling.tokens import new_public_token, parse_public_token
from backend.tenancy import service as tenancy_service

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 180


def feed_url(token: str) -> str:
    """Returns the public URL of a feed token."""
    return f"{get_settings().servicepro_api_url.rstrip('/')}/ics/{token}.ics"


def create_ics_feed(
    db: Session, *, tenant_id: str, technician_id: str, acting_user: StaffContext | None
) -> tuple[IcsFeed, str]:
    """Creates a feed for a technician; returns (row, token). The token is shown once only."""
    tech = scheduling_service.access_technician_by_id(db, tenant_id=tenant_id, technician_id=technician_id)
    token, token_hash = new_public_token(tenant_id)
    feed = IcsFeed(tenant_id=tenant_id, technician_id=tech.id, token_hash=token_hash)
    db.add(feed)
    db.flush()
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="ics_feed.created",
                 target_type="ics_feeds", target_id=feed.id, summary=f"Calendar feed for {tech.name}")
    return feed, token


def revoke_ics_feed(db: Session, *, tenant_id: str, feed_id: str, acting_user: StaffContext | None) -> IcsFeed:
    """Revokes a feed: its URL stops working immediately."""
    feed = db.get(IcsFeed, (tenant_id, feed_id)) if isinstance(feed_id, str) else None
    if feed is None:
        raise NotFound("No such calendar feed.")
    if feed.revoked_at is not None:
        raise Conflict("This calendar feed is already revoked.")
    feed.revoked_at = utcnow()
    db.add(feed)
    audit.record(db, tenant_id=tenant_id, acting_user=acting_user, action="ics_feed.revoked",
                 target_type="ics_feeds", target_id=feed.id, summary="Revoked a calendar feed")
    return feed


def list_ics_feeds(db: Session, *, tenant_id: str, technician_id: str | None = None) -> list[IcsFeed]:
    query = select(IcsFeed).where(IcsFeed.tenant_id == tenant_id)
    if technician_id is not None:
        query = query.where(IcsFeed.technician_id == technician_id)
    return list(db.exec(query.order_by(IcsFeed.created_at)).all())


def build_calendar(db: Session, *, tenant_id: str, technician_id: str, now: dt.datetime | None = None) -> bytes:
    """Returns the .ics body with the technician's appointments (30 days back, 180 ahead)."""
    now = now or utcnow()
    tech = scheduling_service.access_technician_by_id(db, tenant_id=tenant_id, technician_id=technician_id)
    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    business = config.business_name if config else "ServicePro"
    rows = db.exec(
        select(Appointment, Service.name, Customer.name, Customer.phone)
        .join(Service, (Service.tenant_id == Appointment.tenant_id) & (Service.id == Appointment.service_id))
        .join(Customer, (Customer.tenant_id == Appointment.tenant_id) & (Customer.id == Appointment.customer_id))
        .where(
            Appointment.tenant_id == tenant_id,
            Appointment.technician_id == tech.id,
            Appointment.start_at >= now - dt.timedelta(days=FEED_PAST_DAYS),
            Appointment.start_at < now + dt.timedelta(days=FEED_FUTURE_DAYS),
            col(Appointment.status).not_in([AppointmentStatus.CANCELLED.value, AppointmentStatus.NO_SHOW.value]),
        )
        .order_by(Appointment.start_at)
    ).all()
    cal = Calendar()
    cal.add("prodid", "-//ServicePro//Technician calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{business} — {tech.name}")
    cal.add("x-published-ttl", "PT1H")
    for appointment, service_name, customer_name, customer_phone in rows:
        event = Event()
        event.add("uid", f"{appointment.id}@servicepro")
        event.add("dtstamp", now)
        event.add("dtstart", appointment.start_at)
        event.add("dtend", appointment.end_at)
        event.add("summary", f"{service_name} — {customer_name or customer_phone or 'Customer'}")
        if appointment.address:
            event.add("location", appointment.address)
        lines = [f"Customer: {customer_name or ''} {customer_phone or ''}".strip()]
        if appointment.notes:
            lines.append(appointment.notes)
        event.add("description", "\n".join(lines))
        event.add("status", "TENTATIVE" if appointment.status == AppointmentStatus.REQUESTED.value else "CONFIRMED")
        event.add("last-modified", appointment.updated_at)
        cal.add_component(event)
    return cal.to_ical()


def render_feed_for_token(token: str, *, now: dt.datetime | None = None) -> bytes | None:
    """Returns the calendar for a feed token, or None for an unknown, malformed or revoked one."""
    parsed = parse_public_token(token)
    if parsed is None:
        return None
    tenant_id, token_hash = parsed
    with tenant_session(tenant_id) as db:
        feed = db.exec(
            select(IcsFeed).where(IcsFeed.tenant_id == tenant_id, IcsFeed.token_hash == token_hash)
        ).first()
        if feed is None or feed.revoked_at is not None:
            return None
        tech = db.get(Technician, (tenant_id, feed.technician_id))
        if tech is None or not tech.active:
            return None
        body = build_calendar(db, tenant_id=tenant_id, technician_id=feed.technician_id, now=now)
        current = utcnow()
        if feed.last_used_at is None or current - feed.last_used_at > dt.timedelta(minutes=5):
            feed.last_used_at = current
            db.add(feed)
        return body
