"""Builders for agent tests: a small real business seeded from its industry pack (catalogue,
hours, FAQ, booking settings), with one technician, a service area and a phone number, plus
drivers that text it through the real SMS path and read back what happened.

The agent's clock is pinned to `NOW`: Tuesday 2030-06-04 09:00 in Tulsa (America/Chicago).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from sqlmodel import select

from backend.agent.models import AgentConversationState
from backend.customers import actions as customers_actions
from backend.customers import service as customers_service
from backend.customers.models import AssetIn, CustomerCreate
from backend.db.session import tenant_session
from backend.messaging import service as messaging_service
from backend.messaging import simulator
from backend.messaging.models import Conversation, OutboundMessage
from backend.packs.actions import apply_pack
from backend.scheduling import actions as scheduling_actions
from backend.scheduling import service as scheduling_service
from backend.scheduling import technicians
from backend.scheduling.area import set_service_area
from backend.scheduling.models import Appointment
from backend.tenancy import actions as tenancy_actions
from backend.tenancy.enums import PlanTier, TenantStatus
from backend.tenancy.models import PhoneConfigIn
from tests import factories

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2030, 6, 4, 14, 0, tzinfo=dt.timezone.utc)  # Tue Jun 4 2030, 09:00 Chicago
CUSTOMER = "+19185551234"


@dataclasses.dataclass
class Shop:
    tenant_id: str
    number: str
    slug: str

    def session(self):
        return tenant_session(self.tenant_id)

    def service_id(self, name: str) -> str:
        with self.session() as db:
            return scheduling_service.get_service_by_name(db, tenant_id=self.tenant_id, name=name).id

    def text(self, body: str, *, phone: str = CUSTOMER) -> list[str]:
        """Texts the shop as a customer through the signed webhook; returns the reply bodies."""
        result = simulator.send_inbound(to_number=self.number, from_number=phone, body=body)
        return [r.body for r in result.replies]

    def appointments(self, phone: str = CUSTOMER, *, open_only: bool = True) -> list[Appointment]:
        with self.session() as db:
            customer = customers_service.get_by_phone(db, tenant_id=self.tenant_id, phone_e164=phone)
            if customer is None:
                return []
            query = select(Appointment).where(Appointment.customer_id == customer.id)
            rows = list(db.exec(query.order_by(Appointment.start_at)).all())
        return [a for a in rows if not open_only or a.status in ("requested", "confirmed")]

    def outbound(self, phone: str = CUSTOMER, kind: str | None = None) -> list[OutboundMessage]:
        with self.session() as db:
            query = select(OutboundMessage).where(OutboundMessage.to_number == phone)
            if kind:
                query = query.where(OutboundMessage.kind == kind)
            return list(db.exec(query.order_by(OutboundMessage.created_at)).all())

    def conversation(self, phone: str = CUSTOMER) -> Conversation | None:
        with self.session() as db:
            return messaging_service.get_conversation_by_phone(db, tenant_id=self.tenant_id, phone_e164=phone)

    def state(self, phone: str = CUSTOMER) -> dict:
        conversation = self.conversation(phone)
        with self.session() as db:
            row = db.exec(select(AgentConversationState).where(
                AgentConversationState.conversation_key == conversation.id)).first()
            return dict(row.state) if row else {}

    def add_customer(self, name: str, phone: str = CUSTOMER, *, asset: dict | None = None, **fields) -> str:
        with self.session() as db:
            customer = customers_actions.create_customer(
                db, tenant_id=self.tenant_id, acting_user=None,
                customer_in=CustomerCreate(name=name, phones=[phone], **fields))
            if asset:
                customers_actions.add_customer_asset(db, tenant_id=self.tenant_id, customer_id=customer.id,
                                                     acting_user=None, asset_in=AssetIn(**asset))
            return customer.id

    def book(self, service: str, local: str, *, phone: str = CUSTOMER, attributes: dict | None = None) -> str:
        """Books as staff (for reschedule/cancel tests); `local` is "YYYY-MM-DD HH:MM" in the shop's zone."""
        start = dt.datetime.fromisoformat(local).replace(tzinfo=CHICAGO)
        with self.session() as db:
            customer = customers_service.get_by_phone(db, tenant_id=self.tenant_id, phone_e164=phone)
            appointment = scheduling_actions.book_appointment(
                db, tenant_id=self.tenant_id, customer_id=customer.id, service_id=self.service_id(service),
                start=start, attributes=attributes or {}, source="staff", now=NOW)
            return appointment.id


def make_shop(slug: str = "shine", *, industry: str = "auto_detailing", number: str = "+19185550100",
              plan: PlanTier = PlanTier.PRO, status: TenantStatus = TenantStatus.ACTIVE,
              zips: tuple[str, ...] = ("741*",), name: str = "Shine Mobile Detailing") -> Shop:
    """A business seeded from its industry pack, one technician on the business hours, a ZIP
    service area, and a phone number the simulator can text."""
    from backend.messaging import webhooks

    tenant = factories.make_tenant(slug, name=name, industry=industry, plan=plan, status=status)
    with tenant_session(tenant.id) as db:
        apply_pack(db, tenant_id=tenant.id, pack=industry, acting_user=None)
        technicians.create_technician(db, tenant_id=tenant.id, acting_user=None,
                                      technician_in=technicians.TechnicianIn(name="Dana Cole"))
        set_service_area(db, tenant_id=tenant.id, zips=list(zips), description="the Tulsa metro (741xx)",
                         acting_user=None)
        tenancy_actions.do_create_phone_config(db, tenant_id=tenant.id, acting_user=None,
                                               config_in=PhoneConfigIn(phone_number=number))
    webhooks.own_accounts.invalidate()
    return Shop(tenant.id, number, slug)
