"""HTTP: the technician ICS feed (tokenised, revocable, text/calendar) and the authenticated,
tenant-checked appointment photo download."""

from __future__ import annotations

import icalendar
import pytest
from starlette.testclient import TestClient

from backend.api import app
from backend.auth import actions as auth_actions
from backend.scheduling import ics
from backend.scheduling.actions import add_appointment_photo, book_appointment
from tests import factories
from tests.scheduling_helpers import NOW, TUESDAY, at, make_business

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


@pytest.fixture()
def client():
    return TestClient(app)


def _booked(biz):
    with biz.session() as s:
        return book_appointment(s, tenant_id=biz.tenant_id, customer_id=biz.customer_id, service_id=biz.service_id,
                                start=at(TUESDAY, "10:00"), now=NOW)


def _feed(biz):
    with biz.session() as s:
        return ics.create_ics_feed(s, tenant_id=biz.tenant_id, technician_id=biz.tech_id, acting_user=None)


def test_ics_feed_serves_the_technicians_calendar(db, client):
    biz = make_business()
    appointment = _booked(biz)
    feed, token = _feed(biz)
    assert ics.feed_url(token).endswith(f"/ics/{token}.ics")
    with biz.session() as s:
        body = ics.build_calendar(s, tenant_id=biz.tenant_id, technician_id=biz.tech_id, now=NOW)
    calendar = icalendar.Calendar.from_ical(body)
    events = [c for c in calendar.walk("VEVENT")]
    assert [str(e["uid"]) for e in events] == [f"{appointment.id}@servicepro"]
    assert events[0].decoded("dtstart") == at(TUESDAY, "10:00")
    assert str(events[0]["summary"]) == "Wash — Casey Customer"
    response = client.get(f"/ics/{token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.content


def test_ics_feed_revoked_or_forged_tokens_are_404(db, client):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    feed, token = _feed(a)
    secret = token.split(".", 1)[1]
    for bad in (f"{b.tenant_id}.{secret}", f"{a.tenant_id}.{'x' * 43}", "root.short", "nonsense"):
        assert client.get(f"/ics/{bad}.ics").status_code == 404
    with a.session() as s:
        ics.revoke_ics_feed(s, tenant_id=a.tenant_id, feed_id=feed.id, acting_user=None)
    assert client.get(f"/ics/{token}.ics").status_code == 404
    assert ics.render_feed_for_token(token) is None


def _login(client, tenant_id, email):
    factories.make_member(tenant_id, email=email, role="staff")
    result = auth_actions.login(email=email, password=factories.PASSWORD)
    client.cookies.set("sp_session", result.token)
    return result


def test_photo_download_needs_a_session_of_the_same_tenant(db, client):
    a = make_business(slug="tenant-a")
    b = make_business(slug="tenant-b")
    appointment = _booked(a)
    with a.session() as s:
        photo = add_appointment_photo(s, tenant_id=a.tenant_id, appointment_id=appointment.id, data=PNG,
                                      acting_user=None)
    url = f"/files/appointment-photos/{photo.id}"
    assert client.get(url).status_code == 401
    _login(client, b.tenant_id, "bob@b.example")
    assert client.get(url).status_code == 404
    _login(client, a.tenant_id, "amy@a.example")
    response = client.get(url)
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert "no-store" in response.headers["cache-control"]
