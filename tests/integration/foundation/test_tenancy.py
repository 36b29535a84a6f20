"""Tenant registry: creation, plan/status actions, phone configuration rules, inbound
resolution, fail-closed sessions and the demo seed."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func
from sqlmodel import select

from backend.audit.models import AuditLog
from backend.auth.models import Membership, User
from backend.customers.models import Customer
from backend.db.session import ScopedSession, TenancyError, platform_session, tenant_session
from backend.errors import Conflict, NotFound, PermissionDenied
from backend.tenancy import actions as tenancy_actions
from backend.tenancy import service as tenancy_service
from backend.tenancy.models import PhoneConfigIn, Tenant, TenantConfig, TenantCreate, TenantPhoneConfig
from backend.tenancy.resolution import resolve_tenant_from_inbound
from backend.vault import crypto
from tests.factories import context_for, make_platform_owner, make_tenant


def _add_phone(tenant_id: str, number: str, **kwargs) -> TenantPhoneConfig:
    with tenant_session(tenant_id) as db:
        return tenancy_actions.do_create_phone_config(
            db, tenant_id=tenant_id, acting_user=None, config_in=PhoneConfigIn(phone_number=number, **kwargs)
        )


def test_create_tenant_makes_config_and_audit_row(db):
    tenant = make_tenant("fresh-biz", name="Fresh Biz")
    with tenant_session(tenant.id) as s:
        config = tenancy_service.get_config(s, tenant_id=tenant.id)
        assert config.business_name == "Fresh Biz"
        assert "STOP" in config.sms_help_text
        assert [a.action for a in s.exec(select(AuditLog)).all()] == ["tenant.created"]


def test_duplicate_slug_is_refused_and_creates_nothing(db):
    make_tenant("taken")
    with pytest.raises(Conflict, match="already taken"):
        make_tenant("taken")
    with platform_session("test") as s:
        assert s.exec(select(func.count()).select_from(Tenant)).one() == 1


def test_tenant_create_validation_messages():
    with pytest.raises(ValueError, match="Slug must be lowercase"):
        TenantCreate(name="Ok Name", slug="Bad Slug!", industry="x")
    with pytest.raises(ValueError, match="Unknown time zone"):
        TenantCreate(name="Ok Name", slug="ok", industry="x", timezone="Mars/Base")
    with pytest.raises(ValueError, match="Brand colour"):
        TenantCreate(name="Ok Name", slug="ok", industry="x", brand_color="red")


def test_plan_and_status_change_only_by_platform_owner(db):
    root, owner = make_platform_owner()
    tenant = make_tenant("growing")
    with tenant_session(tenant.id) as s:
        with pytest.raises(PermissionDenied):
            tenancy_actions.do_change_plan(s, tenant_id=tenant.id, plan_tier="elite",
                                           acting_user=context_for(owner, tenant.id, impersonating=True))
    owner_ctx = context_for(owner, root.id, role="owner")
    with tenant_session(tenant.id, acting_user=owner_ctx) as s:
        tenancy_actions.do_change_plan(s, tenant_id=tenant.id, plan_tier="elite", acting_user=owner_ctx)
        tenancy_actions.do_change_status(s, tenant_id=tenant.id, status="suspended", acting_user=owner_ctx)
    with tenant_session(tenant.id) as s:
        row = s.get(Tenant, tenant.id)
        assert (row.plan_tier, row.status) == ("elite", "suspended")
        actions = {a.action for a in s.exec(select(AuditLog)).all()}
        assert {"tenant.plan_changed", "tenant.status_changed"} <= actions


def test_root_tenant_stays_active(db):
    root, owner = make_platform_owner()
    ctx = context_for(owner, root.id, role="owner")
    with pytest.raises(Conflict, match="must stay active"):
        with tenant_session(root.id) as s:
            tenancy_actions.do_change_status(s, tenant_id=root.id, status="suspended", acting_user=ctx)


def test_suspending_keeps_all_data(db):
    root, owner = make_platform_owner()
    tenant = make_tenant("paused")
    with tenant_session(tenant.id) as s:
        s.add(Customer(name="Kept", phone="+19185550111"))
    ctx = context_for(owner, root.id, role="owner")
    with tenant_session(tenant.id) as s:
        tenancy_actions.do_change_status(s, tenant_id=tenant.id, status="suspended", acting_user=ctx)
    with tenant_session(tenant.id) as s:
        assert s.exec(select(Customer)).one().name == "Kept"


def test_phone_config_is_normalised_trimmed_and_encrypted(db):
    tenant = make_tenant("phones")
    row = _add_phone(tenant.id, " (918) 555-0123 ", label="  Front   desk ", sip_password="s3cret",
                     forward_number="918 555 0199", ivr_mode="ai-voice")
    assert row.phone_number == "+19185550123"
    assert row.label == "Front desk"
    assert row.forward_number == "+19185550199"
    assert row.sip_password_encrypted != "s3cret" and crypto.decrypt(row.sip_password_encrypted) == "s3cret"


def test_invalid_numbers_and_sids_are_refused_with_reasons():
    with pytest.raises(ValueError, match="not a valid phone number"):
        PhoneConfigIn(phone_number="555-12")
    with pytest.raises(ValueError, match="Messaging Service SID"):
        PhoneConfigIn(phone_number="+19185550123", messaging_service_sid="XX123")


def test_a_number_belongs_to_only_one_tenant(db):
    a, b = make_tenant("first"), make_tenant("second")
    _add_phone(a.id, "+19185550123")
    with pytest.raises(Conflict, match="already assigned"):
        _add_phone(b.id, "918-555-0123")
    with platform_session("test") as s:
        assert len(tenancy_service.get_phone_configs(s)) == 1


def test_root_phone_config_cannot_be_deleted_but_others_can(db):
    root, owner = make_platform_owner()
    ctx = context_for(owner, root.id, role="owner")
    root_row = _add_phone(root.id, "+19185550100")
    other = make_tenant("other")
    other_row = _add_phone(other.id, "+15125550142")
    with pytest.raises(Conflict, match="cannot be deleted"):
        with tenant_session(root.id) as s:
            tenancy_actions.do_delete_phone_config(s, tenant_id=root.id, phone_config_id=root_row.id, acting_user=ctx)
    with tenant_session(other.id) as s:
        tenancy_actions.do_delete_phone_config(s, tenant_id=other.id, phone_config_id=other_row.id, acting_user=ctx)
    with pytest.raises(NotFound):
        with tenant_session(other.id) as s:
            tenancy_service.access_phone_config_by_id(s, tenant_id=other.id, phone_config_id=root_row.id)


def test_sip_password_cannot_change_while_impersonating(db):
    root, owner = make_platform_owner()
    tenant = make_tenant("secure")
    row = _add_phone(tenant.id, "+19185550140")
    viewing = context_for(owner, tenant.id, role="owner", impersonating=True)
    with pytest.raises(PermissionDenied):
        with tenant_session(tenant.id, acting_user=viewing) as s:
            tenancy_actions.do_update_phone_config(
                s, tenant_id=tenant.id, phone_config_id=row.id, acting_user=viewing,
                config_in=PhoneConfigIn(phone_number=row.phone_number, sip_password="new"),
            )


# ---- inbound resolution (real Twilio parameter shapes) --------------------------------------

SMS_PARAMS = {
    "ToCountry": "US", "ToState": "OK", "SmsMessageSid": "SM" + "a" * 32, "NumMedia": "0", "ToCity": "TULSA",
    "FromZip": "74103", "SmsSid": "SM" + "a" * 32, "FromState": "OK", "SmsStatus": "received",
    "FromCity": "TULSA", "Body": "Hi", "FromCountry": "US", "To": "+15125550142", "ToZip": "",
    "NumSegments": "1", "MessageSid": "SM" + "a" * 32, "AccountSid": "AC" + "b" * 32, "From": "+19185551234",
    "ApiVersion": "2010-04-01",
}


def test_resolution_by_messaging_service_sid_wins(db):
    a, b = make_tenant("by-msid"), make_tenant("by-number")
    _add_phone(a.id, "+19185550177", messaging_service_sid="MG" + "1" * 32)
    _add_phone(b.id, "+15125550142")
    result = resolve_tenant_from_inbound({**SMS_PARAMS, "MessagingServiceSid": "MG" + "1" * 32})
    assert (result.tenant_id, result.via, result.fallback) == (a.id, "messaging_service", False)


def test_resolution_by_to_number(db):
    b = make_tenant("by-number")
    _add_phone(b.id, "+15125550142")
    result = resolve_tenant_from_inbound(SMS_PARAMS)
    assert (result.tenant_id, result.via, result.phone_number) == (b.id, "to_number", "+15125550142")


def test_resolution_of_a_voice_call_uses_called(db):
    b = make_tenant("voice")
    _add_phone(b.id, "+15125550142")
    voice = {"CallSid": "CA" + "c" * 32, "AccountSid": "AC" + "b" * 32, "From": "+19185551234",
             "Called": "+15125550142", "Caller": "+19185551234", "CallStatus": "ringing", "Direction": "inbound"}
    assert resolve_tenant_from_inbound(voice).tenant_id == b.id


def test_unknown_number_falls_back_to_root_and_is_logged(db, caplog):
    make_platform_owner()
    with caplog.at_level(logging.WARNING, logger="backend.tenancy.resolution"):
        result = resolve_tenant_from_inbound({**SMS_PARAMS, "To": "+12125550100"})
    assert (result.tenant_id, result.fallback) == ("root", True)
    assert "resolution.fallback=True" in caplog.text


def test_inactive_number_does_not_route(db):
    make_platform_owner()
    b = make_tenant("inactive")
    _add_phone(b.id, "+15125550142", active=False)
    assert resolve_tenant_from_inbound(SMS_PARAMS).fallback is True


# ---- fail closed ----------------------------------------------------------------------------


def test_session_without_tenant_refuses_everything(db):
    from backend.db.engine import get_engine

    with ScopedSession(bind=get_engine()) as s:
        with pytest.raises(TenancyError):
            s.exec(select(Customer)).all()
        with pytest.raises(TenancyError):
            s.exec(select(Tenant)).all()


def test_platform_session_refuses_private_tenant_tables(db):
    make_tenant("private")
    with platform_session("test") as s:
        with pytest.raises(TenancyError, match="customers is tenant-owned"):
            s.exec(select(Customer)).all()
        s.exec(select(TenantPhoneConfig)).all()  # platform-readable routing table is allowed
    with pytest.raises(TenancyError):
        with platform_session("test") as s:
            s.add(Customer(tenant_id="x", name="nope"))
            s.flush()


def test_bulk_update_cannot_move_rows_between_tenants(db):
    from sqlalchemy import update

    a, b = make_tenant("mover-a"), make_tenant("mover-b")
    with tenant_session(a.id) as s:
        s.add(Customer(name="Stay", phone="+19185550112"))
    with pytest.raises(TenancyError):
        with tenant_session(a.id) as s:
            s.execute(update(Customer).values(tenant_id=b.id))


# ---- demo seed ------------------------------------------------------------------------------


def _counts() -> dict[str, int]:
    with platform_session("test") as s:
        return {
            "tenants": s.exec(select(func.count()).select_from(Tenant)).one(),
            "users": s.exec(select(func.count()).select_from(User)).one(),
            "memberships": s.exec(select(func.count()).select_from(Membership)).one(),
            "phones": s.exec(select(func.count()).select_from(TenantPhoneConfig)).one(),
            "configs": s.exec(select(func.count()).select_from(TenantConfig)).one(),
        }


def test_demo_seed_is_idempotent(db):
    from backend.demo.seed import seed_demo

    ids = seed_demo()
    first = _counts()
    assert ids["clean-machine"] == "root"
    assert first["tenants"] == 3 and first["users"] == 6 and first["phones"] == 3
    seed_demo()
    assert _counts() == first
    with platform_session("test") as s:
        root = s.get(Tenant, "root")
        assert (root.name, root.plan_tier, root.timezone) == ("Clean Machine Auto Detail", "elite", "America/Chicago")


# ---- the ORM layer covers every statement shape ---------------------------------------------


@pytest.fixture()
def leaky(db):
    """Tenant A has a customer with a phone; tenant B has one customer without phones."""
    from backend.customers.models import CustomerPhone

    a, b = make_tenant("shape-a"), make_tenant("shape-b")
    with tenant_session(a.id) as s:
        c = Customer(name="A person", phone="+19185550161")
        s.add(c)
        s.flush()
        s.add(CustomerPhone(customer_id=c.id, phone_e164="+19185550161"))
    with tenant_session(b.id) as s:
        s.add(Customer(name="B person", phone="+19185550162"))
    return a, b


def test_joins_subqueries_ctes_aliases_and_unions_are_scoped(leaky):
    from sqlalchemy import exists, union_all
    from sqlalchemy.orm import aliased

    from backend.customers.models import CustomerPhone

    a, b = leaky
    with tenant_session(b.id) as s:
        assert s.exec(select(Customer).join(CustomerPhone, CustomerPhone.customer_id == Customer.id)).all() == []
        assert s.exec(select(CustomerPhone)).all() == []
        assert s.exec(select(Customer.name).where(Customer.id.in_(select(CustomerPhone.customer_id)))).all() == []
        assert s.exec(select(Customer.name).where(exists().where(CustomerPhone.customer_id == Customer.id))).all() == []
        cte = select(CustomerPhone.customer_id).cte("phones")
        assert s.exec(select(cte.c.customer_id)).all() == []
        other = aliased(Customer)
        assert s.exec(select(other.name).where(other.name == "A person")).all() == []
        names = union_all(select(Customer.name), select(CustomerPhone.phone_e164))
        assert s.exec(select(names.subquery())).all() == ["B person"]
        assert s.exec(select(func.count()).select_from(Customer)).one() == 1
        assert s.exec(select(func.count(CustomerPhone.id))).one() == 0


@pytest.mark.postgres
def test_startup_refuses_superuser_or_owner_roles(db, monkeypatch):
    from backend.config import ConfigurationError, Settings
    from backend.db.engine import dispose_engines
    from backend.startup import check_startup
    from tests.conftest import PG_ADMIN_URL

    check_startup(Settings())  # the app role passes
    database = Settings().effective_database_url.rsplit("/", 1)[1]
    for url in (Settings().effective_owner_url, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"):
        monkeypatch.setenv("DATABASE_URL", url)
        with pytest.raises(ConfigurationError, match="refusing to start"):
            check_startup(Settings())
    dispose_engines()
