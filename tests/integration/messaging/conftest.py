"""Fixtures for the messaging integration tests: two tenants with phone numbers, staff, a driver that
posts Twilio-shaped requests signed with twilio's own RequestValidator, and query helpers."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import select
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from backend.api import app
from backend.auth.context import StaffContext
from backend.config import get_settings
from backend.db.session import tenant_session
from backend.messaging import automation, events
from backend.messaging.models import Conversation, InboundMessage, OutboundMessage, SmsConsentEvent
from backend.messaging.simulator import build_params
from backend.tenancy import actions as tenancy_actions
from backend.tenancy.models import PhoneConfigIn

PUBLIC = "https://servicepro.test"
A_MAIN = "+19185550100"
A_SECOND = "+19185550101"
B_MAIN = "+15125550142"
CUSTOMER = "+19185551234"


class TwilioDriver:
    """Plays Twilio: posts signed webhooks to the app. The client's own base URL is a
    different host on purpose — validation must use SERVICEPRO_PUBLIC_URL, not Host."""

    def __init__(self) -> None:
        self.client = TestClient(app, base_url="http://internal-host:8000")

    @staticmethod
    def platform_token() -> str:
        return get_settings().twilio_platform_token()

    @staticmethod
    def sign(url: str, params: dict, token: str) -> str:
        return RequestValidator(token).compute_signature(url, params)

    def post_sms(self, params: dict, *, token: str | None = None, url: str | None = None,
                 signature: str | None = None, headers: dict | None = None):
        url = url or f"{PUBLIC}/twilio/sms"
        sig = signature if signature is not None else self.sign(url, params, token or self.platform_token())
        return self.client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": sig, **(headers or {})})

    def text(self, *, to: str, frm: str = CUSTOMER, body: str = "hello", sid: str | None = None,
             media=(), token: str | None = None, account_sid: str | None = None):
        params = build_params(to_number=to, from_number=frm, body=body, media=media, message_sid=sid,
                              account_sid=account_sid)
        response = self.post_sms(params, token=token)
        return response, params

    def status(self, *, sid: str, status: str, frm: str, to: str, m: str | None = None,
               error_code: int | None = None, token: str | None = None, signature: str | None = None):
        params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                  "From": frm, "To": to, "AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01"}
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        path = "/twilio/status" + (f"?m={m}" if m else "")
        sig = signature if signature is not None else self.sign(f"{PUBLIC}{path}", params, token or self.platform_token())
        return self.client.post(path, data=params, headers={"X-Twilio-Signature": sig})


@dataclasses.dataclass
class World:
    a: object  # Tenant "acme" with numbers A_MAIN and A_SECOND
    b: object  # Tenant "bravo" with number B_MAIN
    twilio: TwilioDriver


@dataclasses.dataclass
class Staff:
    alice: StaffContext  # admin at A
    dana: StaffContext  # staff at A
    bob: StaffContext  # admin at B


def _member(tenant_id: str, email: str, name: str, role: str) -> StaffContext:
    """A staff user without the cost of hashing a real password (tests never log in)."""
    from backend.auth import actions as auth_actions
    from backend.auth.models import User
    from backend.db.session import platform_session

    with platform_session("test") as db:
        user = User(email=email, name=name, password_hash="!test")
        db.add(user)
    with tenant_session(tenant_id) as db:
        auth_actions.do_add_membership(db, tenant_id=tenant_id, user_id=user.id, role=role, acting_user=None)
    return StaffContext(user_id=user.id, user_name=name, email=email, is_super_admin=False, tenant_id=tenant_id,
                        role=role)


def add_number(tenant_id: str, number: str, **extra) -> None:
    with tenant_session(tenant_id) as db:
        tenancy_actions.do_create_phone_config(
            db, tenant_id=tenant_id, acting_user=None, config_in=PhoneConfigIn(phone_number=number, **extra)
        )


@pytest.fixture()
def world(db) -> World:
    from backend.messaging import webhooks
    from tests.factories import make_tenant

    a = make_tenant("acme", name="Acme Detailing")
    b = make_tenant("bravo", name="Bravo Lawn", industry="lawn_care", timezone="America/Denver")
    add_number(a.id, A_MAIN)
    add_number(a.id, A_SECOND, label="Second line")
    add_number(b.id, B_MAIN)
    webhooks.own_accounts.invalidate()
    return World(a, b, TwilioDriver())


@pytest.fixture()
def staff(world) -> Staff:
    return Staff(
        alice=_member(world.a.id, "alice@acme.example", "Alice Admin", "admin"),
        dana=_member(world.a.id, "dana@acme.example", "Dana Staff", "staff"),
        bob=_member(world.b.id, "bob@bravo.example", "Bob Admin", "admin"),
    )


@pytest.fixture(autouse=True)
def _clean_hooks():
    """No responder or subscriber leaks from one test into another."""
    automation.clear_responder()
    before = list(events._subscribers)
    yield
    automation.clear_responder()
    events._subscribers[:] = before


@pytest.fixture()
def queued(monkeypatch):
    """Replaces the delivery task with a recorder, so tests drive the outbox worker by hand.
    `queued.calls` lists (tenant_id, message_id, delay) in the order they were enqueued."""
    from backend.jobs import messaging_tasks

    class Recorder:
        def __init__(self):
            self.calls: list[tuple[str, str, float]] = []

        def __call__(self, tenant_id, message_id):
            self.calls.append((tenant_id, message_id, 0.0))

        def schedule(self, args, delay=0.0, **_):
            self.calls.append((args[0], args[1], delay))

    recorder = Recorder()
    monkeypatch.setattr(messaging_tasks, "deliver_sms", recorder)
    return recorder


# ---- query helpers (plain functions the tests import through the `q` fixture) ----------------


class Queries:
    @staticmethod
    def inbound(tenant_id: str) -> list[InboundMessage]:
        with tenant_session(tenant_id) as db:
            return list(db.exec(select(InboundMessage).order_by(InboundMessage.received_at)).all())

    @staticmethod
    def outbound(tenant_id: str, to: str | None = None) -> list[OutboundMessage]:
        with tenant_session(tenant_id) as db:
            query = select(OutboundMessage).order_by(OutboundMessage.created_at)
            if to:
                query = query.where(OutboundMessage.to_number == to)
            return list(db.exec(query).all())

    @staticmethod
    def outbound_row(tenant_id: str, message_id: str) -> OutboundMessage:
        with tenant_session(tenant_id) as db:
            return db.get(OutboundMessage, (tenant_id, message_id))

    @staticmethod
    def conversations(tenant_id: str) -> list[Conversation]:
        with tenant_session(tenant_id) as db:
            return list(db.exec(select(Conversation)).all())

    @staticmethod
    def consent_events(tenant_id: str, phone: str = CUSTOMER) -> list[SmsConsentEvent]:
        with tenant_session(tenant_id) as db:
            return list(db.exec(
                select(SmsConsentEvent).where(SmsConsentEvent.phone_e164 == phone).order_by(SmsConsentEvent.created_at)
            ).all())


@pytest.fixture()
def q() -> type[Queries]:
    return Queries
