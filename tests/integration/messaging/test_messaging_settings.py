"""Messaging settings, quick replies and the A2P registration actions (validation, audit,
permissions)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from backend.audit.models import AuditLog
from backend.db.session import tenant_session
from backend.errors import NotFound, PermissionDenied, UserError
from backend.messaging import actions
from backend.messaging import service as messaging_service


def test_settings_need_an_admin_and_are_validated(world, staff):
    with pytest.raises(PermissionDenied):
        with tenant_session(world.a.id) as db:
            actions.do_update_messaging_settings(db, tenant_id=world.a.id, acting_user=staff.dana,
                                                 settings_in={"default_mode": "manual"})
    with pytest.raises(UserError, match="between 1 minute and 7 days"):
        with tenant_session(world.a.id) as db:
            actions.do_update_messaging_settings(db, tenant_id=world.a.id, acting_user=staff.alice,
                                                 settings_in={"missed_call_window_minutes": 0})
    with tenant_session(world.a.id) as db:
        row = actions.do_update_messaging_settings(db, tenant_id=world.a.id, acting_user=staff.alice,
                                                   settings_in={"default_mode": "manual"})
        assert row.default_mode == "manual"


def test_default_mode_applies_to_new_conversations(world, q, staff):
    from tests.integration.messaging.conftest import A_MAIN

    with tenant_session(world.a.id) as db:
        actions.do_update_messaging_settings(db, tenant_id=world.a.id, acting_user=staff.alice,
                                             settings_in={"default_mode": "manual"})
    world.twilio.text(to=A_MAIN, body="hello")
    assert q.conversations(world.a.id)[0].mode == "manual"
    assert q.inbound(world.a.id)[0].handling == "staff"


def test_quick_replies_crud(world, staff):
    with tenant_session(world.a.id) as db:
        row = actions.do_create_quick_reply(db, tenant_id=world.a.id, acting_user=staff.alice,
                                            quick_reply_in={"title": " On   our way ", "body": "Be there in 20!"})
        assert row.title == "On our way"
    with tenant_session(world.a.id) as db:
        actions.do_update_quick_reply(db, tenant_id=world.a.id, quick_reply_id=row.id, acting_user=staff.alice,
                                      quick_reply_in={"title": "On our way", "body": "Be there in 10!", "position": 2})
        assert [r.body for r in messaging_service.get_quick_replies(db, tenant_id=world.a.id)] == ["Be there in 10!"]
    with pytest.raises(NotFound):
        with tenant_session(world.b.id) as db:
            actions.do_delete_quick_reply(db, tenant_id=world.b.id, quick_reply_id=row.id, acting_user=staff.bob)
    with tenant_session(world.a.id) as db:
        actions.do_delete_quick_reply(db, tenant_id=world.a.id, quick_reply_id=row.id, acting_user=staff.alice)
        assert messaging_service.get_quick_replies(db, tenant_id=world.a.id) == []
        logged = db.exec(select(AuditLog.action).where(AuditLog.target_type == "quick_reply")).all()
    assert sorted(logged) == ["quick_reply.created", "quick_reply.deleted", "quick_reply.updated"]


def test_quick_reply_validation(world, staff):
    with pytest.raises(UserError, match="title"):
        with tenant_session(world.a.id) as db:
            actions.do_create_quick_reply(db, tenant_id=world.a.id, acting_user=staff.alice,
                                          quick_reply_in={"title": "", "body": "x"})


A2P_FORM = {
    "legal_name": "Acme Detailing LLC", "ein": "12-3456789", "business_type": "Limited Liability Corporation",
    "website": "https://acme.example",
    "address": {"street": "1 Main St", "city": "Tulsa", "region": "OK", "postal_code": "74103"},
    "representative": {"first_name": "Alice", "last_name": "Admin", "email": "alice@acme.example",
                       "phone": "+19185550100", "business_title": "Owner", "job_position": "CEO"},
    "use_case": "CUSTOMER_CARE",
    "description": "Replies to customer questions and appointment confirmations for our detailing business.",
    "message_flow": "Customers text our number first, or opt in on the booking form with a consent checkbox.",
    "samples": ["Acme: your appointment is confirmed for 9 AM. Reply STOP to opt out.",
                "Acme: thanks for your message, we will reply shortly."],
    "opt_in_message": "Acme: you are subscribed. Reply HELP for help, STOP to opt out.",
    "opt_out_message": "Acme: you are unsubscribed and will get no more messages.",
    "help_message": "Acme: call 918-555-0100 for help. Reply STOP to opt out.",
}


def test_a2p_draft_save_and_submit(world, staff):
    with tenant_session(world.a.id) as db:
        draft = actions.do_save_a2p_registration(db, tenant_id=world.a.id, acting_user=staff.alice,
                                                 registration_in={"legal_name": "Acme Detailing LLC"})
        assert draft.status == "draft"
    with pytest.raises(UserError, match="description"):
        with tenant_session(world.a.id) as db:
            actions.do_submit_a2p_registration(db, tenant_id=world.a.id, acting_user=staff.alice)
    with tenant_session(world.a.id) as db:
        actions.do_save_a2p_registration(db, tenant_id=world.a.id, acting_user=staff.alice, registration_in=A2P_FORM)
    with tenant_session(world.a.id) as db:
        row = actions.do_submit_a2p_registration(db, tenant_id=world.a.id, acting_user=staff.alice)
        assert (row.status, row.data["address"]["region"]) == ("submitted", "OK")
        assert row.submitted_at is not None
    with pytest.raises(UserError, match="already submitted"):
        with tenant_session(world.a.id) as db:
            actions.do_submit_a2p_registration(db, tenant_id=world.a.id, acting_user=staff.alice)


def test_a2p_only_admins_and_platform_owner_decides(world, staff):
    with pytest.raises(PermissionDenied):
        with tenant_session(world.a.id) as db:
            actions.do_save_a2p_registration(db, tenant_id=world.a.id, acting_user=staff.dana, registration_in={})
    with tenant_session(world.a.id) as db:
        actions.do_save_a2p_registration(db, tenant_id=world.a.id, acting_user=staff.alice, registration_in=A2P_FORM)
        actions.do_submit_a2p_registration(db, tenant_id=world.a.id, acting_user=staff.alice)
    with pytest.raises(PermissionDenied):
        with tenant_session(world.a.id) as db:
            actions.do_decide_a2p_registration(db, tenant_id=world.a.id, approved=True, acting_user=staff.alice)
    with tenant_session(world.a.id) as db:
        row = actions.do_decide_a2p_registration(db, tenant_id=world.a.id, approved=False,
                                                 reason="Samples lack the brand name", acting_user=None)
        assert (row.status, row.rejection_reason) == ("rejected", "Samples lack the brand name")
