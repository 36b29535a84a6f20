"""Read models for the messaging pages (backend/messaging/views.py) and the HELP-reply action:
staff options per tenant, the settings view, the flat A2P form and its per-field errors."""

from __future__ import annotations

import pytest
from sqlmodel import select

from backend.audit.models import AuditLog
from backend.db.session import tenant_session
from backend.errors import PermissionDenied, UserError
from backend.messaging import actions, views
from tests.integration.messaging.conftest import A_MAIN, CUSTOMER
from tests.integration.messaging.test_messaging_settings import A2P_FORM


def test_staff_options_are_the_tenants_members_only(world, staff):
    with tenant_session(world.a.id) as db:
        options = views.staff_options(db, tenant_id=world.a.id)
    assert [(o.name, o.role) for o in options] == [("Alice Admin", "admin"), ("Dana Staff", "staff")]
    assert staff.bob.user_id not in {o.user_id for o in options}


def test_settings_view_and_help_text(world, staff, q):
    with tenant_session(world.a.id) as db:
        view = views.settings_view(db, tenant_id=world.a.id)
    assert (view.default_mode, view.missed_call_window_minutes) == ("ai", 30)
    assert view.help_text.startswith("Acme Detailing: reply STOP")  # written when the tenant was created
    assert view.default_help_text.startswith("Acme Detailing: reply STOP")
    assert view.reminder_hours_before == 24
    with tenant_session(world.a.id) as db:
        actions.do_update_help_text(db, tenant_id=world.a.id, text="  Acme: call us at 918-555-0100. STOP to end. ",
                                    acting_user=staff.alice)
    world.twilio.text(to=A_MAIN, frm=CUSTOMER, body="HELP")
    assert q.outbound(world.a.id, to=CUSTOMER)[-1].body == "Acme: call us at 918-555-0100. STOP to end."
    with tenant_session(world.a.id) as db:
        assert "messaging_settings.help_text_updated" in db.exec(select(AuditLog.action)).all()


def test_help_text_needs_an_admin_of_the_tenant_and_a_sane_length(world, staff):
    with pytest.raises(PermissionDenied):
        with tenant_session(world.a.id) as db:
            actions.do_update_help_text(db, tenant_id=world.a.id, text="x", acting_user=staff.dana)
    with pytest.raises(PermissionDenied):
        with tenant_session(world.a.id) as db:
            actions.do_update_help_text(db, tenant_id=world.a.id, text="x", acting_user=staff.bob)
    with pytest.raises(UserError, match="320"):
        with tenant_session(world.a.id) as db:
            actions.do_update_help_text(db, tenant_id=world.a.id, text="x" * 321, acting_user=staff.alice)


def test_help_text_must_say_how_to_opt_out(world, staff, q):
    """A HELP reply without opt-out instructions (a carrier requirement) is refused; nothing changes."""
    with pytest.raises(UserError, match="how to opt out"):
        with tenant_session(world.a.id) as db:
            actions.do_update_help_text(db, tenant_id=world.a.id, text="Acme: call us at 918-555-0100.",
                                        acting_user=staff.alice)
    world.twilio.text(to=A_MAIN, frm=CUSTOMER, body="HELP")
    assert q.outbound(world.a.id, to=CUSTOMER)[-1].body.startswith("Acme Detailing: reply STOP")


def _flat(form: dict) -> dict:
    flat = {k: v for k, v in form.items() if isinstance(v, str)}
    flat.update({f"address_{k}": v for k, v in form["address"].items()})
    flat.update({f"rep_{k}": v for k, v in form["representative"].items()})
    flat.update({f"sample_{i}": v for i, v in enumerate(form["samples"], 1)})
    return flat


def test_a2p_form_round_trip():
    data = views.draft_from_form({**_flat(A2P_FORM), "opt_out_keywords": "stop, end ;quit", "has_embedded_links": "on"})
    assert data["address"]["city"] == "Tulsa" and data["representative"]["job_position"] == "CEO"
    assert data["samples"] == A2P_FORM["samples"]
    assert data["opt_out_keywords"] == ["STOP", "END", "QUIT"] and data["has_embedded_links"] is True
    assert views.field_errors(data) == {}
    values = views.form_values(data)
    assert values["address_city"] == "Tulsa" and values["sample_2"] == A2P_FORM["samples"][1]
    assert values["sample_3"] == "" and values["opt_out_keywords"] == "STOP, END, QUIT"
    assert values["has_embedded_links"] is True and values["age_gated"] is False
    assert set(views.form_field_names()) >= set(k for k in values)


def test_a2p_form_ignores_junk_types_and_unknown_keys():
    data = views.draft_from_form({"legal_name": ["x"], "ein": {"a": 1}, "samples": "x", "is_admin": True,
                                  "sample_1": "y" * 10_000, "has_embedded_links": "yes please"})
    assert data["legal_name"] == "" and data["ein"] == "" and "is_admin" not in data
    assert len(data["samples"][0]) == views.MAX_FORM_VALUE and data["has_embedded_links"] is False
    assert views.draft_from_form("not a dict")["legal_name"] == ""


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"description": "Too short"}, "description", "40"),
        ({"message_flow": ""}, "message_flow", "40"),
        ({"sample_2": ""}, "samples", "2–5"),
        ({"address_postal_code": "ABC"}, "address_postal_code", "ZIP"),
        ({"address_region": "Oklahoma"}, "address_region", "two-letter"),
        ({"rep_email": "nope"}, "rep_email", "email"),
        ({"rep_job_position": ""}, "rep_job_position", "Choose one"),
        ({"business_type": ""}, "business_type", "Choose one"),
        ({"website": "acme.example"}, "website", "https://"),
        ({"ein": ""}, "ein", "EIN is required"),
        ({"sample_1": "Acme: your appointment is confirmed for 9 AM today.",
          "sample_2": "Acme: thanks for your message, we will reply shortly."}, "samples", "opt out"),
        ({"help_message": "Call us"}, "help_message", "20–320"),
    ],
)
def test_a2p_field_errors_point_at_the_field(change, field, says):
    errors = views.field_errors(views.draft_from_form({**_flat(A2P_FORM), **change}))
    assert field in errors, errors
    assert says in errors[field]


def test_a2p_view(world, staff):
    with tenant_session(world.a.id) as db:
        assert views.a2p_view(db, tenant_id=world.a.id).status == ""
        actions.do_save_a2p_registration(db, tenant_id=world.a.id, acting_user=staff.alice,
                                         registration_in={"legal_name": "Acme Detailing LLC"})
    with tenant_session(world.a.id) as db:
        view = views.a2p_view(db, tenant_id=world.a.id)
    assert view.status == "draft" and view.values["legal_name"] == "Acme Detailing LLC"
    assert "description" in view.errors and view.updated_at is not None
    with tenant_session(world.b.id) as db:
        assert views.a2p_view(db, tenant_id=world.b.id).status == ""
