"""The offline, deterministic engine: a dialogue manager on top of `backend.agent.nlu`.

Each turn it classifies the message (knowing what it asked last), absorbs every slot the message
carries (service, add-ons, size attributes, when, address, ZIP, name, phone) — so corrections
in the middle of a conversation just work — answers side questions (price, hours, area, FAQ,
points), and then advances the running flow by one step:

    book:        service → price-deciding attribute → (price stated) → when → slot → address
                 (area checked) → name → [web: mobile number] → confirmation → book
    reschedule:  which appointment → when → slot → confirmation → move
    cancel:      which appointment → confirmation → cancel

Nothing is made up: prices come from `tools.quote_price`, times from the availability engine,
bookings from the scheduling actions (through `tools`). A slot that fails to parse twice leads
to an offer of a person; "talk to a person" hands off at once; opt-out phrasing and spam are
reported to the interface, which records the opt-out or stays silent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlmodel import Session

from backend.agent import campaigns, tools
from backend.agent.campaigns import CampaignContext
from backend.agent.knowledge import AttributeInfo, Knowledge, ServiceInfo
from backend.agent.nlu import (
    Intent,
    IntentResult,
    WhenHint,
    classify_intent,
    extract_address,
    extract_attributes,
    extract_choice,
    extract_name,
    extract_zip,
    match_addons,
    match_service,
    parse_when,
)
from backend.agent.nlu.services_match import _LOW_INFORMATION, ServiceMatch, canonical_tokens
from backend.agent.nlu.text import normalize
from backend.agent.state import DialogueState
from backend.agent.tools import ToolContext
from backend.phones import to_e164
from backend.scheduling.timeutil import format_price_range, format_time

SMS_LIMIT = 320
WHEN_QUESTION = "When would you like us to come? (e.g. \"Saturday morning\" or \"Tue at 2pm\")"
_MOVE_MINE = re.compile(r"\b(?:move|change|switch|push|bump|shift|reschedule)\b[^.?!]{0,20}\b(?:my|our)\b"
                        r"|\b(?:move|push|bump|shift)\s+(?:it|that|the (?:appointment|appt|booking)|"
                        r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow)\b")
_ADD_TO_MINE = re.compile(r"\b(?:add|include|throw in|tack on)\b[^.?!]*\b(?:to|onto|on|with) (?:it|that|this|my|our)\b")
_CHEAPEST = re.compile(r"\b(?:cheapest|least expensive|most affordable|lowest priced?|most basic|cheaper option)\b")
_CORRECTION = re.compile(r"\b(?:actually|instead|rather|change|switch|make it|go with|prefer|no wait|oh wait|wait|what about|how about)\b")
# Words that make a Title-Case reply to "what's the address?" a place ("Broken Arrow"), not a name.
_PLACE_WORDS = frozenset(
    "arrow springs spring hills hill park heights city village creek lake lakes valley ridge point beach falls "
    "grove woods north south east west downtown midtown uptown county street avenue road drive lane court "
    "place boulevard ok tx oklahoma texas".split()
)
_HOW_LONG = re.compile(r"\bhow long\b.*\btakes?\b|\bhow many hours\b|\bhow much time\b")
_DISCOUNT = re.compile(r"\b(?:discounts?|specials|deals?|promos?|promotions?|coupons?|promo codes?|\d+ ?% off)\b")
_COMPARE = re.compile(r"\bdifference\b|\bdifferent\b|\bvs\.?\b|\bversus\b|\bcompared? (?:to|with)\b")
MAX_CLARIFICATIONS = 2
SEARCH_DAYS = 14
_QUESTIONS = (Intent.PRICE, Intent.HOURS, Intent.SERVICE_AREA, Intent.FAQ, Intent.LOYALTY)


@dataclasses.dataclass
class TurnResult:
    """What one turn produced; the interface turns it into an AgentResponse."""

    reply: str
    intent: str
    actions: list[dict] = dataclasses.field(default_factory=list)
    silent: bool = False  # spam: no reply at all (the conversation is flagged instead)
    handoff_reason: str | None = None  # the interface hands the conversation to a person
    opt_out: bool = False  # the interface records the opt-out through messaging's consent action


def action(kind: str, status: str, **detail) -> dict:
    return {"type": kind, "status": status, "detail": detail}


class RulesEngine:
    """One turn of the rules engine over a loaded state; `respond` mutates the state in place."""

    def __init__(self, db: Session, ctx: ToolContext, state: DialogueState,
                 campaign: CampaignContext | None = None) -> None:
        self.db = db
        self.ctx = ctx
        self.kn: Knowledge = ctx.knowledge
        self.state = state
        self.campaign = campaign
        self.tz = ZoneInfo(self.kn.timezone)
        self.actions: list[dict] = []
        self.notes: list[str] = []  # sentences that go before the next question
        self.window_kept = False  # this message named a new day but kept an earlier time of day
        self.limit = {"sms": SMS_LIMIT, "voice": 260}.get(ctx.channel, 600)

    # ==== entry point ============================================================================

    def respond(self, text: str) -> TurnResult:
        st = self.state
        text = (text or "").strip()
        self.text = text
        ir = _side_question_first(classify_intent(text, awaiting=self._nlu_awaiting()), text)
        intent = ir.intent
        if intent is Intent.SPAM:
            return TurnResult("", intent.value, silent=True)
        if intent is Intent.OPT_OUT_LIKE:
            st.opted_out = True
            st.reset_booking()
            return TurnResult("", intent.value, [action("opt_out", "done")], opt_out=True)
        if intent is Intent.HUMAN:
            return self._handoff("The customer asked for a person.", intent)
        if st.handed_off and self.ctx.channel != "sms":
            return TurnResult("", intent.value, silent=True)

        awaiting = st.awaiting
        if awaiting == "confirm":
            result = self._on_confirm(text, ir)
        elif awaiting == "handoff":
            result = self._on_handoff_offer(text, ir)
        elif awaiting == "offer_book" and intent in (Intent.AFFIRM, Intent.DENY):
            result = self._on_offer_book(ir)
        else:
            result = self._dispatch(text, ir)
        return result

    # ==== dispatch ===============================================================================

    def _dispatch(self, text: str, ir: IntentResult) -> TurnResult:
        st, intent = self.state, ir.intent
        if intent is Intent.CANCEL:
            return self._start_change("cancel", text, ir)
        if intent is Intent.RESCHEDULE:
            return self._start_change("reschedule", text, ir)
        if intent is Intent.STATUS:
            return self._finish(self._status_answer(), ir, ask=self.state.awaiting == "offer_book")
        if re.fullmatch(r"\s*c[.!]?\s*", text, re.IGNORECASE) and self.ctx.phone_verified:
            # "Reply C to confirm" in the booking confirmation and reminder texts.
            upcoming = tools.upcoming_appointments(self.db, self.ctx, limit=1)
            if upcoming:
                return self._finish(f"Thanks - you're all set for your {upcoming[0]['service']} on "
                                    f"{upcoming[0]['label']}. See you then!", ir, ask=False)
        if intent in (Intent.BOOK, Intent.INFORM, Intent.UNKNOWN, Intent.PRICE) and _MOVE_MINE.search(normalize(text)) \
                and self.ctx.phone_verified and tools.upcoming_appointments(self.db, self.ctx, limit=1):
            return self._start_change("reschedule", text, ir)
        if (not st.flow or (st.flow == "book" and not st.service_id)) \
                and intent in (Intent.BOOK, Intent.INFORM, Intent.UNKNOWN, Intent.FAQ) \
                and re.search(r"\b(?:instead|rather than)\b", normalize(text)) \
                and parse_when(text, now=self.ctx.now, tz=self.kn.timezone) is not None \
                and not best_service(text, self.kn.service_refs()) \
                and self.ctx.phone_verified and tools.upcoming_appointments(self.db, self.ctx, limit=1):
            # "can we do 11 instead of 10 on Tuesday?" from someone with a booking: move it.
            return self._start_change("reschedule", text, ir)

        if not st.flow and self.ctx.phone_verified and _ADD_TO_MINE.search(normalize(text)):
            added = self._addon_to_booking(text, ir)
            if added is not None:
                return added

        found = self._extract(text, ir)
        if intent is Intent.LOYALTY:
            return self._loyalty_answer(ir)
        if self._campaign_applies(text, ir, found):
            return self._campaign_answer(ir)
        if _DISCOUNT.search(normalize(text)) and st.flow not in ("reschedule", "cancel"):
            # No campaign applies: only the tenant's own words about discounts, else say there is
            # none to offer by text - never promise or invent one.
            own = next((f for f in self.kn.faq if _DISCOUNT.search(normalize(f"{f.question} {' '.join(f.keywords)}"))),
                       None)
            lead = self.kn.fill(own.answer) if own else \
                "I can't offer discounts or specials by text - our prices are as quoted."
            if own is None and not (found.get("service") or found.get("addons")):
                return self._offer_human(lead, ir, question="Want me to ask the team whether one applies?",
                                         resume=bool(st.flow and st.prompt))
            self.notes.append(lead)
            if not (found.get("service") or found.get("addons")):
                return self._reask(ir) if st.flow and st.prompt else self._finish("", ir, ask=False)
        if _COMPARE.search(normalize(text)) and st.flow not in ("reschedule", "cancel"):
            compared = self._comparison(text)
            if compared is not None:
                return compared
        if found.get("zip_question") and st.flow not in ("reschedule", "cancel"):
            zip_code = found["zip_question"]
            result = tools.run_tool(self.db, self.ctx, "check_area", tools.CheckAreaArgs(postal_code=zip_code))
            self.actions.append(action("check_area", "done", in_area=bool(result.get("in_area")), postal_code=zip_code))
            if not result.get("in_area"):
                return self._offer_human(result.get("message") or "Sorry, that's outside our service area.", ir,
                                         question="Would you like someone from our team to get in touch anyway?")
            self.notes.append(result.get("message") or "")
            st.address = {**st.address, "postal_code": zip_code}
            if not found.get("booking_info") and intent not in (Intent.BOOK, Intent.PRICE):
                return self._reask(ir) if st.flow and st.prompt else self._finish("", ir, ask=False)
        if _CHEAPEST.search(normalize(text)) and not found.get("service") and st.flow not in ("reschedule", "cancel"):
            # "What's your cheapest option?": the lowest-priced service in the tenant's catalogue.
            cheapest = min(self.kn.services, key=lambda s: (s.price_min_cents, s.price_max_cents), default=None)
            if cheapest is not None:
                self._absorb({k: v for k, v in found.items() if k in ("attributes", "when")})
                st.flow, st.service_id, st.candidates = "book", cheapest.id, []
                self.notes.append(f"Our most affordable service is the {cheapest.name}: "
                                  f"{cheapest.description.rstrip('.')}.")
                return self._advance(ir)
        if intent in (Intent.PRICE, Intent.BOOK, Intent.FAQ) and not found.get("service") and not st.service_id \
                and not st.flow:
            kn = self.kn
            addons = [kn.addon(m.service_id) for m in match_addons(text, kn.addon_refs(), min_score=85)]
            if addons and addons[0] is not None:
                # "do you do headlights?": an add-on, priced in the tenant's data, goes with a service.
                addon = addons[0]
                with_ = [s.name for s in kn.services if addon.offered_with(s.id)]
                price = format_price_range(addon.price_min_cents, addon.price_max_cents)
                yes = "Yes - " if re.match(r"\W*(?:do|can|could|will|would) (?:you|u|y'?all)\b", normalize(text)) else ""
                self.notes.append(f"{yes}{addon.name} is an add-on: {price} on top of "
                                  f"{'any of our services' if len(with_) == len(kn.services) else join_or(with_)}.")
                st.flow, st.addon_ids = "book", [addon.id]
                return self._ask("service", f"Which service would you like it with? We offer "
                                            f"{join_and(with_[:5])}.", ir)
        if intent in (Intent.HOURS, Intent.SERVICE_AREA, Intent.FAQ) and not found.get("booking_info"):
            return self._side_question(text, ir)
        if intent is Intent.PRICE and not found.get("service") and not st.service_id:
            return self._several_quotes(text, found, ir) or self._price_overview(ir)

        if st.flow in ("reschedule", "cancel"):
            return self._continue_change(text, ir, found)

        chose = False
        if st.flow == "book" and st.awaiting == "choice" and st.offered and self._on_choice(text, ir):
            chose = True
            found.pop("when", None)
        answered = self._absorb(found) or chose
        if intent is Intent.PRICE and st.service_id:
            st.quoted = [k for k in st.quoted if not k.startswith(st.service_id + "|")]
        if intent in (Intent.BOOK, Intent.PRICE) or answered or st.flow == "book":
            if not st.flow:
                st.flow = "book"
            if intent in (Intent.HOURS, Intent.SERVICE_AREA, Intent.FAQ):
                self._side_note(text, ir)
            if not answered and intent is Intent.THANKS:
                return self._finish(self._thanks(), ir, ask=False)
            if not answered and intent is Intent.DENY and st.awaiting in ("when", "service"):
                return self._finish("No problem! Text us anytime when you're ready to book.", ir, ask=False)
            if not answered and intent is Intent.DENY and st.awaiting == "choice":
                st.offered = []
                return self._ask("when", "No problem - what other day or time would work for you?", ir)
            if not answered and intent is Intent.AFFIRM and st.awaiting == "choice" and len(st.offered) > 1:
                # "k" / "that works" to several times: not a misunderstanding, just which one.
                offered = [SimpleNamespace(start=dt.datetime.fromisoformat(o["start"]).astimezone(self.tz))
                           for o in st.offered]
                return self._ask("choice", f"Great - which one works best: {self._slot_list(offered)}?", ir)
            if not answered and st.awaiting and intent not in (Intent.BOOK, Intent.PRICE):
                return self._clarify(ir)
            return self._advance(ir)
        if intent is Intent.GREETING:
            return self._finish(self._greeting(), ir, ask=False)
        if intent is Intent.THANKS:
            return self._finish(self._thanks(), ir, ask=False)
        if intent is Intent.AFFIRM and not st.awaiting:
            return self._finish("Great! What can I help you with - a price, or booking a visit?", ir, ask=False)
        if intent is Intent.DENY and not st.awaiting:
            return self._finish("No problem. Text us anytime if you need anything!", ir, ask=False)
        return self._clarify(ir)

    # ==== extraction =============================================================================

    def _nlu_awaiting(self) -> str | None:
        awaiting = self.state.awaiting
        if not awaiting:
            return None
        if awaiting.startswith("attr:"):
            return awaiting[5:]
        return {"handoff": "confirm", "appointment": "choice", "zip": "address", "offer_book": "confirm",
                "campaign": "confirm", "change": None}.get(awaiting, awaiting)

    def _extract(self, text: str, ir: IntentResult) -> dict:
        """Returns every slot value the message carries (not yet applied to the state)."""
        st, kn = self.state, self.kn
        found: dict = {}
        awaiting = st.awaiting
        refs = kn.service_refs()
        if awaiting == "service" and st.candidates:
            names = [kn.service(sid).name for sid in st.candidates if kn.service(sid)]
            index = extract_choice(text, names)
            if index is not None:
                found["service"] = st.candidates[index]
        if "service" not in found:
            best = best_service(text, refs)
            explicit = ir.intent in (Intent.BOOK, Intent.PRICE) or awaiting in ("service", "change", "confirm") \
                or _CORRECTION.search(normalize(text)) is not None
            if best is not None and st.service_id and not (explicit and best.strong):
                best = None  # "2:30 works" must not turn a booking into "the works"
            if best is not None and (best.strong or explicit):
                found["service"] = best.service_id
            elif awaiting == "service" or ir.intent in (Intent.BOOK, Intent.PRICE):
                loose = [m.service_id for m in match_service(text, refs, min_score=20)]
                if loose:
                    found["candidates"] = loose[:4]
        service_id = found.get("service") or st.service_id
        if service_id:
            addons = [m.service_id for m in match_addons(text, kn.addon_refs(service_id), min_score=85)]
            if addons:
                found["addons"] = addons
        expected = awaiting[5:] if awaiting.startswith("attr:") else None
        attributes = extract_attributes(text, kn.attribute_specs(), expected=expected)
        if expected and expected not in attributes:
            guess = self._attribute_answer(text, kn.attributes.get(expected))
            if guess:
                attributes[expected] = guess
        if attributes:
            found["attributes"] = attributes
        when = None
        if awaiting not in ("address", "zip", "name", "phone"):
            nlu_wait = {"when": "date", "choice": "time"}.get(awaiting)
            when = parse_when(text, now=self.ctx.now, tz=self.kn.timezone, awaiting=nlu_wait)
        elif _CORRECTION.search(normalize(text)) and extract_address(text) is None:
            # "wait, can we do Thursday instead?" while asked for the address or name: a new day.
            when = parse_when(text, now=self.ctx.now, tz=self.kn.timezone)
        if when is not None:
            found["when"] = when
        address = extract_address(text)
        zip_code = extract_zip(text)
        if address is not None:
            found["address"] = address
        if zip_code and (address is not None or awaiting in ("address", "zip")):
            found["zip"] = zip_code
        elif zip_code and ("?" in text or ir.intent is Intent.SERVICE_AREA):
            found["zip_question"] = zip_code
        if awaiting in ("address", "zip") and address is None:
            loose = _loose_address(text)
            if loose:
                found["address_text"] = loose
        name = extract_name(text, expected=awaiting == "name")
        if not name and awaiting in ("address", "zip") and not st.name and "address" not in found \
                and "address_text" not in found and re.fullmatch(r"[A-Z][a-z'-]+(?: [A-Z][a-z'-]+){1,2}[.!]?", text) \
                and not _PLACE_WORDS & set(normalize(text).strip(".!").split()):
            # Asked for the address, some customers first send their full name ("Mike Jones").
            name = extract_name(text, expected=True)
            if name:
                self.notes.append(f"Thanks, {name.split()[0]}!")
        if name:
            found["name"] = name
        phone = _find_phone(text)
        if phone:
            found["phone"] = phone
        keys = ["service", "attributes", "addons"]
        if ir.intent is not Intent.HOURS:
            keys.append("when")
        if ir.intent is not Intent.SERVICE_AREA:
            keys.append("address")
        found["booking_info"] = any(k in found for k in keys)
        return found

    def _attribute_answer(self, text: str, attribute: AttributeInfo | None) -> str | None:
        """Reads a reply to "which size?": an option's value or label, or "the second one"."""
        if attribute is None:
            return None
        said = normalize(text).strip(" .!?")
        for option in attribute.options:
            names = {normalize(option.value).replace("_", " "), normalize(option.label), normalize(option.short_label)}
            if said in names or said.replace(" one", "") in names:
                return option.value
        index = extract_choice(text, [o.label for o in attribute.options])
        return attribute.options[index].value if index is not None else None

    def _absorb(self, found: dict) -> bool:
        """Applies the extracted values to the state; returns whether anything was filled."""
        st, kn = self.state, self.kn
        filled = False
        service_id = found.get("service")
        if service_id and service_id != st.service_id and kn.service(service_id):
            if st.service_id:
                self.notes.append(f"Sure, {kn.service(service_id).name} instead.")
            st.service_id = service_id
            st.candidates = []
            st.addon_ids = [a for a in st.addon_ids if kn.addon(a) and kn.addon(a).offered_with(service_id)]
            self._forget_times(keep_when=True)
            filled = True
        elif found.get("candidates") and not st.service_id:
            st.candidates = found["candidates"]
        for addon_id in found.get("addons", ()):
            if addon_id not in st.addon_ids:
                st.addon_ids.append(addon_id)
                filled = True
                self._forget_times(keep_when=True)
        for key, value in found.get("attributes", {}).items():
            if st.attributes.get(key) != value:
                changed_price = st.service_id and key in (kn.service(st.service_id).price_attributes
                                                          if kn.service(st.service_id) else ())
                st.attributes[key] = value
                filled = True
                if changed_price and st.start:
                    self._forget_times(keep_when=True)
        when: WhenHint | None = found.get("when")
        if when is not None:
            self.window_kept = bool(st.when.get("window")) and when.window is None and not when.times
            st.when = merge_when(st.when, _inside_earlier_range(st.when, when))
            self._forget_times(keep_when=True)
            filled = True
        address = found.get("address")
        if address is not None:
            st.address = {"line1": address.line1, "city": address.city or "", "region": address.state or "",
                          "postal_code": address.postal_code or found.get("zip") or "",
                          "text": address.raw or address.line1}
            st.address_ok = False
            filled = True
        elif found.get("address_text"):
            st.address = {"line1": found["address_text"][:200], "city": "", "region": "", "postal_code": "",
                          "text": found["address_text"][:200]}
            st.address_ok = False
            filled = True
        if found.get("zip"):
            if st.address.get("postal_code") != found["zip"]:
                st.address = {**st.address, "postal_code": found["zip"]}
                st.address_ok = False
            filled = True
        if found.get("name") and (st.awaiting == "name" or not st.name):
            st.name = found["name"]
            filled = True
        if found.get("phone") and self.ctx.channel == "web":
            st.phone = found["phone"]
            self.ctx.phone = found["phone"]
            filled = True
        return filled

    def _forget_times(self, *, keep_when: bool) -> None:
        st = self.state
        st.offered, st.start, st.pending = [], "", {}
        if not keep_when:
            st.when = {}

    # ==== the booking flow =======================================================================

    def _advance(self, ir: IntentResult) -> TurnResult:
        st, kn = self.state, self.kn
        st.flow = "book"
        service = kn.service(st.service_id)
        if service is None:
            return self._ask_service(ir)
        primary = self._missing_attribute(service)
        if primary is not None:
            lead, question = self._attribute_question(service, primary)
            return self._ask(f"attr:{primary.key}", question, ir, lead=lead)
        self._state_price(service)
        if not st.start:
            if not st.when:
                return self._ask("when", WHEN_QUESTION, ir)
            outcome = self._pick_slot(service)
            if outcome is not None:
                return outcome
        if kn.mobile and not st.address_ok:
            outcome = self._check_address()
            if outcome is not None:
                return outcome
        if not self._known_name():
            return self._ask("name", "What name should I put the booking under?", ir)
        if self.ctx.channel == "web" and not st.phone:
            return self._ask("phone", "What's the best mobile number for your confirmation text?", ir)
        return self._ask_confirmation(service, ir)

    def _ask_service(self, ir: IntentResult) -> TurnResult:
        st, kn = self.state, self.kn
        candidates = [sid for sid in st.candidates if kn.service(sid)]
        if len(candidates) >= 2:
            names = [kn.service(sid).name for sid in candidates[:4]]
            return self._ask("service", f"Happy to help! Which one: {join_or(names)}?", ir)
        names = [s.name for s in kn.services[:5]]
        return self._ask("service", f"Which service are you interested in? We offer {join_and(names)}.", ir)

    def _missing_attribute(self, service: ServiceInfo) -> AttributeInfo | None:
        """The attribute that decides this service's price and is still unknown (only the first;
        the others are assumed at their default and their surcharge is mentioned)."""
        st = self.state
        for attribute in self.kn.price_attributes(service.id)[:1]:
            if attribute.key in st.attributes:
                continue
            known = self._asset_attribute(attribute.key)
            if known:
                st.attributes[attribute.key] = known
                continue
            return attribute
        return None

    def _asset_attribute(self, key: str) -> str | None:
        """A returning customer's one vehicle/property/pet that carries this attribute."""
        if not self.ctx.phone_verified:
            return None
        customer = tools.resolve_customer(self.db, self.ctx, create=False)
        if customer is None:
            return None
        from backend.customers import service as customers_service

        values = {a.attributes.get(key) for a in customers_service.get_assets(self.db, tenant_id=self.ctx.tenant_id,
                                                                            customer_id=customer.id)
                  if a.attributes.get(key)}
        return values.pop() if len(values) == 1 else None

    def _attribute_question(self, service: ServiceInfo, attribute: AttributeInfo) -> tuple[str, str]:
        """Returns (lead, question): the lead (base price) is dropped first when space is short."""
        labels = [o.label if "(" in o.label else o.short_label for o in attribute.options]
        base = self._base_quote(service)
        lead = (f"The {service.name} starts at {base}; the price depends on the {attribute.label.lower()}."
                if base else "")
        if attribute.key == "vehicle_size":
            return lead, f"What are you driving - {join_or([_soft_lower(lab) for lab in labels])}?"
        return lead, f"Which fits best: {join_or(labels)}?"

    def _base_quote(self, service: ServiceInfo) -> str:
        quote = self._quote(service.id, addon_ids=[], attributes={})
        return format_price_range(quote["min_cents"], quote["max_cents"]) if quote else ""

    def _quote(self, service_id: str, *, addon_ids: Sequence[str], attributes: dict) -> dict | None:
        args = tools.QuotePriceArgs(service_id=service_id, addon_ids=list(addon_ids),
                                    attributes=[tools.AttributeValue(key=k, value=v) for k, v in attributes.items()])
        result = tools.run_tool(self.db, self.ctx, "quote_price", args)
        return None if result.get("status") == "error" else result

    def _quote_key(self) -> str:
        st = self.state
        attrs = ",".join(f"{k}={v}" for k, v in sorted(self._price_attributes_known().items()))
        return f"{st.service_id}|{attrs}|{','.join(sorted(st.addon_ids))}"

    def _service_attributes(self) -> dict:
        """The attributes known so far (quote_price ignores the ones a service does not use)."""
        return {k: v for k, v in self.state.attributes.items() if k in self.kn.attributes}

    def _price_attributes_known(self) -> dict:
        service = self.kn.service(self.state.service_id)
        keys = set(service.price_attributes) if service else set()
        return {k: v for k, v in self.state.attributes.items() if k in keys}

    def _state_price(self, service: ServiceInfo) -> None:
        """Adds the price sentence once per service/attributes/add-ons combination."""
        st = self.state
        key = self._quote_key()
        if key in st.quoted:
            return
        quote = self._quote(service.id, addon_ids=st.addon_ids, attributes=self._service_attributes())
        if quote is None:
            return
        st.quoted.append(key)
        self.notes.append(self._price_sentence(service, quote))
        self.actions.append(action("quote", "done", service=service.name, price=quote["price"],
                                   min_cents=quote["min_cents"], max_cents=quote["max_cents"]))

    def _price_sentence(self, service: ServiceInfo, quote: dict) -> str:
        st, kn = self.state, self.kn
        sentence = f"{self._what(service)}: {quote['price']}"
        if quote["duration_minutes"] >= 60:
            sentence += f", about {_hours(quote['duration_minutes'])}"
        sentence += "."
        for attribute in kn.price_attributes(service.id)[1:]:
            if attribute.key in st.attributes:
                continue
            extras = [(kn.surcharge(service.id, attribute.key, o.value), o) for o in attribute.options
                      if o.value != attribute.default_value]
            extras = [(cents, o) for cents, o in extras if cents > 0]
            if extras:
                cents, option = extras[0]
                sentence += f" {option.short_label} adds {format_price_range(cents, cents)}."
                break
        return sentence

    def _what(self, service: ServiceInfo) -> str:
        """"A Full Detail for an SUV + Pet hair removal" — the service as quoted."""
        st, kn = self.state, self.kn
        phrase = service.name
        primary = kn.price_attributes(service.id)[:1]
        if primary and primary[0].key in st.attributes:
            option = primary[0].option(st.attributes[primary[0].key])
            if option and "(" in option.label:
                phrase += f", {option.label[0].lower()}{option.label[1:]}"
            elif option:
                phrase += f" ({option.short_label})"
        for addon_id in st.addon_ids:
            addon = kn.addon(addon_id)
            if addon:
                phrase += f" + {addon.name}"
        return phrase

    # ---- slots -----------------------------------------------------------------------------------

    def _pick_slot(self, service: ServiceInfo) -> TurnResult | None:
        """Finds slots for the wanted time; picks the exact one asked for or offers up to three."""
        st = self.state
        want = st.when
        dates = self._search_dates(want)
        if not dates:
            return self._ask("when", "That date has already passed - what other day works for you?", None)
        slots = self._slots(service.id, dates[0], dates[-1])
        allowed = set(dates)
        on_dates = [s for s in slots if s.start.date() in allowed]
        slots = _in_window(on_dates, want)
        times = [_parse_hhmm(t) for t in want.get("times") or []]
        if times and not want.get("approx"):
            exact = [s for s in slots if s.start.time().replace(second=0) in times]
            if exact and len(times) == 1 and (len(dates) == 1 or len(exact) == 1):
                st.start = exact[0].start.isoformat()
                self.notes.append(f"{self._label(exact[0].start)} is open.")
                return None
            if exact:
                return self._offer(exact[:3], None)
            if slots:
                target = times[0]
                nearest = sorted(slots, key=lambda s: abs(_minutes(s.start.time()) - _minutes(target)))[:3]
                missed = f"{format_time(dt.datetime.combine(dates[0], target))}"
                day = f" on {_day(dates[0])}" if len(dates) == 1 else ""
                return self._offer(sorted(nearest, key=lambda s: s.start), f"Sorry, {missed}{day} isn't available.")
        elif times and slots:
            target = times[0]
            nearest = sorted(slots, key=lambda s: abs(_minutes(s.start.time()) - _minutes(target)))[:3]
            return self._offer(sorted(nearest, key=lambda s: s.start), None)
        if slots:
            return self._offer(tools.spread(slots, tools.MAX_SLOTS), None)
        if on_dates and not times and self.window_kept:
            # Open that day, just not at the time of day kept from before ("thursday morning" ...
            # "actually monday"): say so and offer that day's other times.
            return self._offer(tools.spread(on_dates, tools.MAX_SLOTS),
                               f"Sorry, nothing is open {self._when_phrase(dates)} at that time of day.")
        # Nothing in the wanted range: the following days, at the wanted time of day if possible.
        later = self._slots(service.id, dates[-1] + dt.timedelta(days=1), dates[-1] + dt.timedelta(days=10))
        in_window = _in_window(later, want)
        if on_dates and not times:
            # The day is open, just not at that time of day.
            missed = f"Sorry, nothing is open {self._when_phrase(dates)} at that time of day"
            if in_window:
                return self._offer(tools.spread(in_window, tools.MAX_SLOTS), missed + ".")
            return self._offer(tools.spread(on_dates, tools.MAX_SLOTS), missed + ", or soon after.")
        if later:
            lead = self._nothing_open(dates)
            if not in_window:
                lead = lead[:-1] + ", and I don't see anything at that time of day soon."
            return self._offer(tools.spread(in_window or later, tools.MAX_SLOTS), lead)
        return self._offer_human("Sorry, I don't see any openings soon for that.", None)

    def _search_dates(self, want: dict) -> list[dt.date]:
        today = self.ctx.now.astimezone(self.tz).date()
        if want.get("dates"):
            dates = sorted({dt.date.fromisoformat(d) for d in want["dates"]})
            if dates == [today] and want.get("weekday_named"):
                # "Tuesday" said on a Tuesday: today, or (usually, given notice) next week's.
                dates.append(today + dt.timedelta(days=7))
            return [d for d in dates if d >= today]
        start = dt.date.fromisoformat(want["earliest"]) if want.get("earliest") else today
        start = max(start, today)
        end = (dt.date.fromisoformat(want["latest"]) if want.get("latest")
               else start + dt.timedelta(days=SEARCH_DAYS - 1))
        end = min(end, start + dt.timedelta(days=SEARCH_DAYS - 1))
        if end < start:
            return []
        return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]

    def _slots(self, service_id: str, start: dt.date, end: dt.date):
        st = self.state
        try:
            return tools.search_slots(self.db, self.ctx, service_id=service_id, addon_ids=st.addon_ids,
                                      attributes=self._service_attributes(), start_date=start, end_date=end,
                                      moving_appointment_id=st.appointment_id if st.flow == "reschedule" else None)
        except Exception as exc:  # UserError from the engine: say it, don't guess
            from backend.errors import UserError

            if isinstance(exc, UserError):
                self.notes.append(str(exc))
                return []
            raise

    def _offer(self, slots, lead: str | None) -> TurnResult:
        st = self.state
        st.offered = [{"start": s.start.isoformat(), "label": self._label(s.start)} for s in slots]
        if lead:
            self.notes.append(lead)
        return self._ask("choice", f"I have {self._slot_list(slots)}. Which works for you?", None)

    def _slot_list(self, slots) -> str:
        days = {s.start.date() for s in slots}
        if len(days) == 1 and len(slots) > 1:
            first, *rest = slots
            return join_or([self._label(first.start)] + [format_time(s.start) for s in rest])
        return join_or([self._label(s.start) for s in slots])

    def _label(self, start: dt.datetime) -> str:
        return tools.slot_label(start, self.kn.timezone)

    def _nothing_open(self, dates: list[dt.date]) -> str:
        """Says why nothing was found: a day the business is always closed is named as such
        ("we're closed on Sundays"), so the customer doesn't try the next one."""
        weekdays = {d.weekday() for d in dates}
        if self.kn.hours and len(weekdays) == 1 and not self.kn.hours.get(dates[0].weekday()):
            return "Sorry, " + self.kn.day_hours_text(dates[0].weekday())[0].lower() + \
                self.kn.day_hours_text(dates[0].weekday())[1:]
        return f"Sorry, nothing is open {self._when_phrase(dates)}."

    def _when_phrase(self, dates: list[dt.date]) -> str:
        if len(dates) == 1:
            return f"on {_day(dates[0])}"
        return f"between {_day(dates[0])} and {_day(dates[-1])}"

    def _on_choice(self, text: str, ir: IntentResult) -> bool:
        """Picks one of the offered slots from the reply; True when one was chosen."""
        st = self.state
        labels = [o["label"] for o in st.offered]
        hint = parse_when(text, now=self.ctx.now, tz=self.kn.timezone, awaiting="time")
        if hint is not None and hint.times and not hint.approximate:
            offered_times = {dt.datetime.fromisoformat(o["start"]).astimezone(self.tz).time() for o in st.offered}
            if not offered_times & set(hint.times):
                return False  # "3pm" when 3:30 was offered: a new time, not a choice
        index = extract_choice(text, labels)
        if index is None and ir.intent is Intent.AFFIRM and (len(labels) == 1 or re.search(
                r"\b(?:any|either|whichever|first available|earliest)\b", normalize(text))):
            index = self._first_offered_within(hint)
        if index is None:
            return False
        st.start = st.offered[index]["start"]
        st.offered = []
        return True

    def _first_offered_within(self, hint: WhenHint | None) -> int | None:
        """"Any of them" takes the first offered slot; "any time after lunch" the first one inside
        what was said, or None (a new constraint to search again) when none of them is."""
        if hint is None:
            return 0
        want = when_dict(hint)
        for index, offer in enumerate(self.state.offered):
            local = dt.datetime.fromisoformat(offer["start"]).astimezone(self.tz)
            day = local.date().isoformat()
            if (want["dates"] and day not in want["dates"]) or (want["earliest"] and day < want["earliest"]) \
                    or (want["latest"] and day > want["latest"]):
                continue
            if _in_window([SimpleNamespace(start=local)], want):
                return index
        return None

    # ---- address, name ---------------------------------------------------------------------------

    def _check_address(self) -> TurnResult | None:
        st = self.state
        if not st.address.get("line1") and self.ctx.channel in ("sms", "voice"):
            self._address_on_file()
        if not st.address.get("line1") and not st.address.get("postal_code"):
            return self._ask("address", "What's the address for the visit (street and ZIP)?", None)
        if not st.address.get("postal_code"):
            return self._ask("zip", "Thanks! What's the ZIP code there?", None)
        result = tools.run_tool(self.db, self.ctx, "check_area", tools.CheckAreaArgs(
            address=st.address.get("text") or st.address.get("line1"), postal_code=st.address.get("postal_code")))
        if not result.get("in_area"):
            st.address_ok = False
            self.actions.append(action("check_area", "done", in_area=False, postal_code=result.get("postal_code")))
            return self._offer_human(result.get("message") or "Sorry, that's outside our service area.", None,
                                     question="Would you like someone from our team to get in touch anyway?")
        st.address_ok = True
        if not st.address.get("line1"):
            return self._ask("address", "Great, we cover that area. What's the street address?", None)
        return None

    def _address_on_file(self) -> None:
        customer = tools.resolve_customer(self.db, self.ctx, create=False)
        if customer is not None and customer.address_line1:
            self.state.address = {
                "line1": customer.address_line1, "city": customer.city, "region": customer.region,
                "postal_code": customer.postal_code,
                "text": ", ".join(p for p in (customer.address_line1, customer.city,
                                              f"{customer.region} {customer.postal_code}".strip()) if p),
            }

    def _known_name(self) -> bool:
        st = self.state
        if st.name:
            return True
        if self.ctx.channel in ("sms", "voice"):
            customer = tools.resolve_customer(self.db, self.ctx, create=False)
            return bool(customer and customer.name)
        return False

    # ---- confirmation and booking ----------------------------------------------------------------

    def _ask_confirmation(self, service: ServiceInfo, ir: IntentResult) -> TurnResult:
        st = self.state
        quote = self._quote(service.id, addon_ids=st.addon_ids, attributes=self._service_attributes())
        if quote is None:
            return self._offer_human("Sorry, I couldn't price that combination.", ir)
        start = dt.datetime.fromisoformat(st.start)
        where = f" at {st.address.get('line1')}" if self.kn.mobile and st.address.get("line1") else ""
        st.pending = {"kind": "book", "service_id": service.id, "start": st.start, "addon_ids": list(st.addon_ids),
                      "attributes": self._service_attributes(), "address": st.address.get("text", ""),
                      "name": st.name, "price": quote["price"]}
        summary = (f"Book {self._what(service)} on {self._label(start)}{where} for {quote['price']}? "
                   "Reply YES to confirm.")
        self.actions.append(action("confirm", "pending", summary=summary))
        return self._ask("confirm", summary, ir)

    def _on_confirm(self, text: str, ir: IntentResult) -> TurnResult:
        st = self.state
        pending = dict(st.pending)
        if ir.intent is Intent.AFFIRM and pending:
            return self._execute(pending, ir)
        if ir.intent is Intent.DENY:
            st.pending = {}
            if pending.get("kind") in ("reschedule", "cancel"):
                st.flow = ""
                st.awaiting = ""
                return self._finish("Okay, I've left your appointment as it is. Anything else I can help with?", ir,
                                    ask=False)
            st.start = ""
            return self._ask("change", "No problem - what would you like to change: the day/time, the service or "
                                       "the address?", ir)
        found = self._extract(text, ir)
        if ir.intent in _QUESTIONS and not found.get("booking_info"):
            return self._side_question(text, ir)
        if st.flow == "reschedule" and found.get("when") is not None:
            st.awaiting = "when"
            return self._continue_change(text, ir, found)
        if st.flow in ("reschedule", "cancel"):
            # Keep waiting for YES: a reply that is neither YES, NO nor a new time must not leave
            # the confirmation behind (a later "yes" would then be misunderstood).
            hint = "Please reply YES to confirm, or tell me another day or time." if st.flow == "reschedule" \
                else "Please reply YES to cancel, or NO to keep your appointment."
            return self._clarify(ir, hint=hint)
        if self._absorb(found):
            st.pending = {}
            return self._advance(ir)
        return self._clarify(ir, hint="Please reply YES to confirm, or tell me what to change.")

    def _execute(self, pending: dict, ir: IntentResult) -> TurnResult:
        st, kind = self.state, pending.get("kind")
        st.pending = {}
        if kind == "book":
            args = tools.BookAppointmentArgs(
                service_id=pending["service_id"], start=dt.datetime.fromisoformat(pending["start"]),
                addon_ids=pending.get("addon_ids") or [],
                attributes=[tools.AttributeValue(key=k, value=v) for k, v in (pending.get("attributes") or {}).items()],
                address=pending.get("address") or None, customer_name=pending.get("name") or None,
            )
            result = tools.run_tool(self.db, self.ctx, "book_appointment", args)
            return self._after_booking(result, ir)
        if kind == "reschedule":
            result = tools.run_tool(self.db, self.ctx, "reschedule", tools.RescheduleArgs(
                appointment_id=pending["appointment_id"], new_start=dt.datetime.fromisoformat(pending["start"])))
            if result.get("status") == "rescheduled":
                self.actions.append(action("reschedule", "done", **_short(result)))
                st.reset_booking()
                return self._finish(f"Done! Your {result['service']} is now on {result['label']}. "
                                    "You'll get a confirmation text.", ir, ask=False)
            return self._change_failed("reschedule", result, ir)
        if kind == "cancel":
            result = tools.run_tool(self.db, self.ctx, "cancel",
                                    tools.CancelArgs(appointment_id=pending["appointment_id"]))
            if result.get("status") == "cancelled":
                self.actions.append(action("cancel", "done", **_short(result)))
                st.reset_booking()
                return self._finish(f"Done - your {result['service']} on {result['label']} is cancelled. "
                                    "Text us anytime to book again.", ir, ask=False)
            return self._change_failed("cancel", result, ir)
        return self._clarify(ir)

    def _after_booking(self, result: dict, ir: IntentResult) -> TurnResult:
        st = self.state
        status = result.get("status")
        if status == "booked":
            self.actions.append(action("book", "done", **_short(result)))
            st.last_booking = _short(result)
            st.reset_booking()
            who = f" with {result['technician']}" if result.get("technician") else ""
            return self._finish(f"You're booked! {result['service']} on {result['label']}{who}. You'll get a "
                                "confirmation text, and a reminder before the visit.", ir, ask=False)
        self.actions.append(action("book", "failed", message=result.get("message", "")))
        if status == "unavailable" and result.get("alternatives"):
            st.start = ""
            st.offered = [{"start": a["start"], "label": a["label"]} for a in result["alternatives"]]
            labels = [a["label"] for a in result["alternatives"]]
            return self._ask("choice", f"Sorry - that time was just taken. I have {join_or(labels)}. "
                                       "Which works for you?", ir)
        st.start = ""
        message = result.get("message") or "Sorry, I couldn't book that."
        return self._ask("when", f"{message} What other day or time would work?", ir)

    # ==== reschedule / cancel / status =========================================================

    def _start_change(self, kind: str, text: str, ir: IntentResult) -> TurnResult:
        st = self.state
        if not self.ctx.phone_verified:
            return self._finish(
                "To change an existing appointment, please text us from the phone number on the booking"
                + (f" at {self.kn.contact_phone}" if self.kn.contact_phone else "") + ".", ir, ask=False)
        st.reset_booking()
        st.flow = kind
        upcoming = tools.upcoming_appointments(self.db, self.ctx)
        if not upcoming:
            st.flow = ""
            return self._ask("offer_book", "I don't see an upcoming appointment for this number. "
                                           "Would you like to book one?", ir)
        found = self._extract(text, ir)
        if len(upcoming) == 1:
            return self._target(upcoming[0], found, ir)
        st.appointments = [{"id": a["appointment_id"], "label": f"{a['service']} on {a['label']}"}
                           for a in upcoming[:4]]
        listing = " ".join(f"{i + 1}) {a['label']}" for i, a in enumerate(st.appointments))
        verb = "move" if kind == "reschedule" else "cancel"
        return self._ask("appointment", f"Which appointment would you like to {verb}? {listing}", ir)

    def _target(self, appointment: dict, found: dict, ir: IntentResult) -> TurnResult:
        st = self.state
        st.appointment_id = appointment["appointment_id"]
        st.appointments = []
        st.service_id = ""
        start = dt.datetime.fromisoformat(appointment["start"])
        what = f"{appointment['service']} on {appointment['label']}"
        hours = self.kn.cancellation_notice_hours
        if hours and start - self.ctx.now < dt.timedelta(hours=hours):
            verb = "changed" if st.flow == "reschedule" else "cancelled"
            call = f" at {self.kn.contact_phone}" if self.kn.contact_phone else ""
            st.flow = ""
            return self._offer_human(
                f"Your {what} is less than {hours} hours away, so it can't be {verb} by text - please call us{call}.",
                ir, question="Or would you like someone from our team to reach out?")
        if st.flow == "cancel":
            st.pending = {"kind": "cancel", "appointment_id": st.appointment_id}
            summary = f"Cancel your {what}? Reply YES to cancel."
            self.actions.append(action("confirm", "pending", summary=summary))
            return self._ask("confirm", summary, ir)
        st.pending = {}
        st.appointments = [{"id": appointment["appointment_id"], "label": what, "service_id": "",
                            "start": appointment["start"]}]
        if found.get("when") is not None:
            st.when = _away_from(when_dict(found["when"]), start.astimezone(self.tz), self.text)
            return self._reschedule_slots(ir)
        return self._ask("when", f"Sure - your {what}. What day and time would you like instead?", ir)

    def _continue_change(self, text: str, ir: IntentResult, found: dict) -> TurnResult:
        st = self.state
        if st.awaiting == "appointment":
            labels = [a["label"] for a in st.appointments]
            index = extract_choice(text, labels)
            if index is None:
                return self._clarify(ir)
            chosen = st.appointments[index]
            upcoming = {a["appointment_id"]: a for a in tools.upcoming_appointments(self.db, self.ctx, limit=10)}
            if chosen["id"] not in upcoming:
                st.flow = ""
                return self._finish("Sorry, I can't find that appointment anymore.", ir, ask=False)
            return self._target(upcoming[chosen["id"]], found, ir)
        if st.flow == "reschedule":
            if st.awaiting == "choice" and self._on_choice(text, ir):
                return self._confirm_reschedule(ir)
            if found.get("when") is not None:
                st.when = merge_when(st.when, when_dict(found["when"]))
                return self._reschedule_slots(ir)
            if ir.intent in _QUESTIONS:
                return self._side_question(text, ir)
            return self._clarify(ir)
        return self._clarify(ir)

    def _reschedule_slots(self, ir: IntentResult) -> TurnResult:
        st = self.state
        from backend.scheduling import service as scheduling_service

        appointment = scheduling_service.access_appointment_by_id(self.db, tenant_id=self.ctx.tenant_id,
                                                                  appointment_id=st.appointment_id)
        # Search with the booked service, add-ons and attributes, so the length matches.
        addons = scheduling_service.get_appointment_addons(self.db, tenant_id=self.ctx.tenant_id,
                                                           appointment_ids=[appointment.id]).get(appointment.id, [])
        st.service_id = appointment.service_id
        st.addon_ids = [a.addon_id for a in addons]
        st.attributes = dict(appointment.attributes or {})
        service = self.kn.service(appointment.service_id)
        if service is None:
            return self._offer_human("Sorry, that service can't be moved by text.", ir)
        outcome = self._pick_slot(service)
        if outcome is not None:
            return outcome
        return self._confirm_reschedule(ir)

    def _confirm_reschedule(self, ir: IntentResult) -> TurnResult:
        st = self.state
        old = st.appointments[0]["label"] if st.appointments else "your appointment"
        new_label = self._label(dt.datetime.fromisoformat(st.start))
        st.pending = {"kind": "reschedule", "appointment_id": st.appointment_id, "start": st.start}
        summary = f"Move your {old} to {new_label}? Reply YES to confirm."
        self.actions.append(action("confirm", "pending", summary=summary))
        return self._ask("confirm", summary, ir)

    def _change_failed(self, kind: str, result: dict, ir: IntentResult) -> TurnResult:
        st = self.state
        self.actions.append(action(kind, "failed", message=result.get("message", "")))
        if result.get("status") == "unavailable" and result.get("alternatives"):
            st.offered = [{"start": a["start"], "label": a["label"]} for a in result["alternatives"]]
            return self._ask("choice", f"Sorry - that time was just taken. I have "
                                       f"{join_or([a['label'] for a in result['alternatives']])}. Which works?", ir)
        st.flow = ""
        return self._offer_human(result.get("message") or "Sorry, I couldn't change that.", ir,
                                 question="Would you like someone from our team to help?")

    def _addon_to_booking(self, text: str, ir: IntentResult) -> TurnResult | None:
        """"Can I add pet hair removal to it?" about a booked visit: its price from the tenant's data,
        and the team offered - the services on a booking are not changed by text."""
        upcoming = tools.upcoming_appointments(self.db, self.ctx, limit=1)
        if not upcoming:
            return None
        booked = next((s for s in self.kn.services if s.name == upcoming[0]["service"]), None)
        refs = self.kn.addon_refs(booked.id if booked else None)
        addons = [self.kn.addon(m.service_id) for m in match_addons(text, refs, min_score=85)]
        if not addons or addons[0] is None:
            return None
        addon = addons[0]
        price = format_price_range(addon.price_min_cents, addon.price_max_cents)
        return self._offer_human(
            f"{addon.name} is {price} extra, but I can't add it to your {upcoming[0]['service']} on "
            f"{upcoming[0]['label']} by text.", ir, question="Want me to ask the team to add it?")

    def _status_answer(self) -> str:
        if not self.ctx.phone_verified:
            return "For details of an existing booking, please text us from the phone number on the booking."
        upcoming = tools.upcoming_appointments(self.db, self.ctx)
        if not upcoming:
            self.state.awaiting = "offer_book"
            return "I don't see any upcoming appointments for this number. Would you like to book one?"
        first = upcoming[0]
        who = f" with {first['technician']}" if first.get("technician") else ""
        more = f" (and {len(upcoming) - 1} more)" if len(upcoming) > 1 else ""
        return f"Your {first['service']} is on {first['label']}{who}{more}. We'll text when we're on the way."

    def _on_offer_book(self, ir: IntentResult) -> TurnResult:
        st = self.state
        if ir.intent is Intent.AFFIRM:
            st.awaiting = ""
            st.flow = "book"
            return self._advance(ir)
        st.awaiting = ""
        return self._finish("Okay! Text us anytime if you need anything.", ir, ask=False)

    # ==== questions, campaign, loyalty ===========================================================

    def _side_question(self, text: str, ir: IntentResult) -> TurnResult:
        answer = self._answer(text, ir)
        if answer is None:
            return self._offer_human("I'm not sure about that one.", ir,
                                     question="Want me to have someone from the team get back to you?")
        self.notes.append(answer)
        if self.state.flow and self.state.prompt:
            return self._reask(ir)
        return self._finish("", ir, ask=False)

    def _side_note(self, text: str, ir: IntentResult) -> None:
        st = self.state
        primary = self.kn.price_attributes(st.service_id)[:1] if st.service_id else []
        sized = not primary or primary[0].key in st.attributes
        if _HOW_LONG.search(normalize(text)) and st.service_id and sized and self._quote_key() not in st.quoted:
            return  # the price sentence about to be sent already says how long
        answer = self._answer(text, ir)
        if answer:
            self.notes.append(answer)

    def _answer(self, text: str, ir: IntentResult) -> str | None:
        kn = self.kn
        if ir.intent is Intent.HOURS:
            hint = parse_when(text, now=self.ctx.now, tz=kn.timezone)
            day = hint.exact_date if hint else None
            if day is None:
                m = re.search(r"\b(mon|tue|wed|thu|fri|sat|sun)\w*", normalize(text))
                if m:
                    return kn.day_hours_text(("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(m.group(1)))
                return f"Our hours are {kn.hours_text()}."
            return kn.day_hours_text(day.weekday())
        if ir.intent is Intent.SERVICE_AREA:
            zip_code = extract_zip(text)
            if zip_code:
                result = tools.run_tool(self.db, self.ctx, "check_area", tools.CheckAreaArgs(postal_code=zip_code))
                return result.get("message")
            if kn.area_description:
                lead = "We come to you - we serve" if kn.mobile else "We serve"
                return f"{lead} {kn.area_description}. Send me your ZIP code and I'll check."
            return "We come to you - send me your ZIP code and I'll check."
        duration = self._duration_answer(text)
        if duration:
            return duration
        match = kn.match_faq(text)
        if match is not None:
            return kn.fill(match.item.answer)
        return None

    def _duration_answer(self, text: str) -> str | None:
        """"How long does the interior take?" is answered from the named (or current) service's own
        duration, for the vehicle/yard size when known - a generic FAQ may be about another service."""
        if not _HOW_LONG.search(normalize(text)):
            return None
        match = best_service(text, self.kn.service_refs())
        service = self.kn.service(match.service_id if match else self.state.service_id)
        if service is None:
            return None
        attributes = self._service_attributes()
        primary = self.kn.price_attributes(service.id)[:1]
        sizes = [{**attributes, primary[0].key: o.value} for o in primary[0].options] \
            if primary and primary[0].key not in attributes else [attributes]
        quotes = [self._quote(service.id, addon_ids=[], attributes=a) for a in sizes]
        minutes = sorted({q["duration_minutes"] for q in quotes if q})
        if not minutes:
            return None
        if len(minutes) == 1:
            return f"{self._what_alone(service)} takes about {_hours(minutes[0])}."
        return (f"The {service.name} takes about {_hours(minutes[0])} to {_hours(minutes[-1])}, depending on the "
                f"{primary[0].label.lower()}.")

    def _what_alone(self, service: ServiceInfo) -> str:
        """"The Full Detail (SUV)" - the service with the known size, without add-ons."""
        primary = self.kn.price_attributes(service.id)[:1]
        option = primary[0].option(self.state.attributes.get(primary[0].key, "")) if primary else None
        return f"The {service.name}" + (f" ({option.short_label})" if option else "")

    def _comparison(self, text: str) -> TurnResult | None:
        """"What's the difference between an interior and a full detail?": each named service's own
        description and starting price, then which one - unless the tenant's FAQ answers exactly that."""
        st, kn = self.state, self.kn
        own = kn.match_faq(text)
        if own is not None and _COMPARE.search(normalize(own.item.question)):
            return None
        named = [m for m in match_service(text, kn.service_refs()) if m.strong][:3]
        services = [kn.service(m.service_id) for m in named]
        services = [s for s in services if s is not None]
        if len(services) < 2:
            return None
        parts = []
        for service in services:
            quote = self._quote(service.id, addon_ids=[], attributes={})
            sized = "from " if kn.price_attributes(service.id) else ""
            price = f" ({sized}{quote['price']})" if quote else ""
            parts.append(f"{service.name}{price}: {service.description.rstrip('.')}.")
        self.notes.append(" ".join(parts))
        st.flow = st.flow or "book"
        st.candidates = [s.id for s in services]
        return self._ask("service", "Which one would you like?", None)

    def _several_quotes(self, text: str, found: dict, ir: IntentResult) -> TurnResult | None:
        """"How much for aeration and fertilizing on a 1 acre lot?": a price for each service named
        (one visit books one service), then which one first - not the general price list."""
        st, kn = self.state, self.kn
        said = set(canonical_tokens(text))
        named = [m for m in match_service(text, kn.service_refs()) if m.strong and _names_something(m, said)][:3]
        if len(named) < 2:
            return None
        self._absorb({"attributes": found.get("attributes", {})})
        parts = []
        for match in named:
            service = kn.service(match.service_id)
            quote = self._quote(match.service_id, addon_ids=[], attributes=self._service_attributes()) \
                if service else None
            if quote is None:
                return None
            primary = kn.price_attributes(service.id)[:1]
            option = primary[0].option(st.attributes.get(primary[0].key, "")) if primary else None
            size = f" ({option.short_label})" if option else ""
            sized = "from " if primary and option is None else ""
            parts.append(f"{service.name}{size}: {sized}{quote['price']}.")
        self.notes.append(" ".join(parts))
        st.flow = "book"
        st.candidates = [m.service_id for m in named]
        return self._ask("service", "Which one would you like to book first?", ir)

    def _price_overview(self, ir: IntentResult) -> TurnResult:
        st, kn = self.state, self.kn
        st.flow = "book"
        parts = []
        for service in kn.services[:4]:
            quote = self._quote(service.id, addon_ids=[], attributes={})
            if quote:
                parts.append(f"{service.name} {quote['price']}")
        note = " (prices depend on size)" if any(s.price_attributes for s in kn.services[:4]) else ""
        self.notes.append(f"Our services: {'; '.join(parts)}{note}.")
        return self._ask("service", "Which one are you interested in?", ir)

    def _campaign_applies(self, text: str, ir: IntentResult, found: dict) -> bool:
        if self.campaign is None or self.state.flow in ("reschedule", "cancel"):
            return False
        if ir.intent in (Intent.BOOK, Intent.HOURS, Intent.SERVICE_AREA) and found.get("booking_info"):
            return False
        return campaigns.refers_to_campaign(text) or (
            ir.intent in (Intent.UNKNOWN, Intent.GREETING, Intent.AFFIRM) and not self.state.flow
            and self.state.campaign_seen != self.campaign.body[:80])

    def _campaign_answer(self, ir: IntentResult) -> TurnResult:
        st, c = self.state, self.campaign
        first_time = st.campaign_seen != c.body[:80]
        st.campaign_seen = c.body[:80]
        body = c.body if len(c.body) <= 160 else c.body[:157].rstrip() + "..."
        sent = _day(c.sent_at.astimezone(self.tz).date())
        if c.points is not None and re.search(r"\bpoints?\b", normalize(self.text)):
            self.notes.append(f"You have {c.points} points with us.")
        elif first_time or campaigns.refers_to_campaign(self.text):
            offer = f" ({c.offer})" if c.offer else ""
            self.notes.append(f"Yes - that was our text from {sent}{offer}: \"{body}\"")
        service_id = c.service_id if self.kn.service(c.service_id) else None
        if service_id is None:
            promoted = best_service(c.body, self.kn.service_refs())
            service_id = promoted.service_id if promoted is not None and promoted.strong else None
        if service_id:
            st.flow = "book"
            st.service_id = service_id
            return self._advance(ir)
        st.flow = "book"
        return self._ask("service", "Would you like to book a visit? Just tell me which service.", ir)

    def _loyalty_answer(self, ir: IntentResult) -> TurnResult:
        if self.campaign is not None and self.campaign.points is not None:
            self.notes.append(f"You have {self.campaign.points} points with us.")
            return self._reask(ir) if self.state.prompt and self.state.flow else self._finish("", ir, ask=False)
        result = tools.run_tool(self.db, self.ctx, "loyalty_balance", tools.LoyaltyBalanceArgs())
        if result.get("available"):
            hint = f" {result['hint']}" if result.get("hint") else ""
            self.notes.append(f"You have {result['points']} points.{hint}")
            return self._reask(ir) if self.state.prompt and self.state.flow else self._finish("", ir, ask=False)
        return self._offer_human("I can't see rewards points from here.", ir,
                                 question="Want me to have someone from the team check and text you back?")

    # ==== hand-off, clarification, replies ======================================================

    def _on_handoff_offer(self, text: str, ir: IntentResult) -> TurnResult:
        st = self.state
        pending = dict(st.pending)
        if ir.intent is Intent.AFFIRM:
            return self._handoff(pending.get("reason") or "The customer accepted an offer of a person.", ir.intent)
        st.pending = {}
        st.clarifications = {}
        resume_awaiting, resume_prompt = pending.get("resume_awaiting") or "", pending.get("resume_prompt") or ""
        st.awaiting, st.prompt = resume_awaiting, resume_prompt
        if ir.intent is Intent.DENY:
            if resume_awaiting and resume_prompt:
                return self._ask(resume_awaiting, f"No problem. {resume_prompt}", ir)
            st.flow = ""
            return self._finish("No problem! Anything else I can help with?", ir, ask=False)
        return self._dispatch(text, ir)

    def _offer_human(self, lead: str, ir: IntentResult | None, *,
                     question: str = "Would you like someone from our team to text you?",
                     resume: bool = False) -> TurnResult:
        st = self.state
        st.pending = {"kind": "handoff", "reason": lead[:200],
                      "resume_awaiting": st.awaiting if resume else "", "resume_prompt": st.prompt if resume else ""}
        return self._ask("handoff", f"{lead} {question}", ir)

    def _handoff(self, reason: str, intent) -> TurnResult:
        st = self.state
        st.pending = {}
        st.awaiting = ""
        st.flow = ""
        st.handed_off = True
        who = self.kn.business_name
        if self.ctx.channel == "web" and not st.phone:
            reply = f"Sure - a person from {who} will follow up. What's the best number or email to reach you?"
        else:
            reply = f"Sure - I've asked a person from {who} to take it from here. They'll text you shortly."
        value = intent.value if hasattr(intent, "value") else str(intent)
        return TurnResult(reply, value, [action("handoff", "done", reason=reason)], handoff_reason=reason)

    def _clarify(self, ir: IntentResult, *, hint: str | None = None) -> TurnResult:
        st = self.state
        slot = st.awaiting or "general"
        st.clarifications[slot] = st.clarifications.get(slot, 0) + 1
        if st.clarifications[slot] >= MAX_CLARIFICATIONS:
            st.clarifications[slot] = 0
            return self._offer_human("Sorry, I'm having trouble understanding.", ir, resume=bool(st.flow))
        if hint:
            return self._ask(st.awaiting, hint, ir)
        if st.prompt and st.awaiting:
            self.notes.insert(0, "Sorry, I didn't catch that.")
            return self._ask(st.awaiting, st.prompt, ir)
        return self._finish("Sorry, I didn't catch that. I can give you prices, check openings and book a visit "
                            "- what would you like?", ir, ask=False)

    def _reask(self, ir: IntentResult) -> TurnResult:
        return self._ask(self.state.awaiting, self.state.prompt, ir)

    def _ask(self, awaiting: str, question: str, ir: IntentResult | None, *, lead: str = "") -> TurnResult:
        st = self.state
        if awaiting != st.awaiting:
            st.clarifications.pop(st.awaiting or "general", None)
        st.awaiting = awaiting
        st.prompt = question
        if awaiting and awaiting not in ("confirm", "handoff", "offer_book"):
            self.actions.append(action("collect_info", "pending", slot=awaiting))
        return self._finish(question, ir, ask=True, lead=lead)

    def _finish(self, text: str, ir: IntentResult | None, *, ask: bool, lead: str = "") -> TurnResult:
        st = self.state
        if not ask:
            st.awaiting = ""
            st.prompt = ""
        if self.ctx.channel == "voice":
            text = text.replace("Reply YES to confirm.", "Shall I go ahead?").replace("Reply YES to cancel.",
                                                                                 "Shall I cancel it?")
        reply = fit_parts([p for p in self.notes if p], lead, text, self.limit)
        intent = ir.intent.value if ir is not None else (st.flow or "inform")
        return TurnResult(reply or "How can I help?", intent, self.actions)

    def _greeting(self) -> str:
        name = ""
        if self.ctx.phone_verified:
            customer = tools.resolve_customer(self.db, self.ctx, create=False)
            if customer is not None and customer.name:
                name = " " + customer.name.split()[0]
        return (f"Hi{name}! Thanks for texting {self.kn.business_name}. I can give you prices, check openings "
                "and book you in. What can I help with?")

    def _thanks(self) -> str:
        last = self.state.last_booking
        if last:
            return f"You're welcome! See you {last.get('label', 'soon')}."
        return "You're welcome! Text us anytime."


# ==== helpers ====================================================================================


def _side_question_first(ir: IntentResult, text: str) -> IntentResult:
    """"What are your hours on Saturday?" while we wait for a day is a question, not the answer."""
    if ir.intent is Intent.INFORM and "?" in text:
        for intent in (Intent.HOURS, Intent.SERVICE_AREA, Intent.FAQ):
            if intent in ir.also:
                return IntentResult(intent, ir.confidence, ir.evidence, ir.also)
    return ir


def best_service(text: str, refs) -> ServiceMatch | None:
    """Returns the single service a message names, settling near-ties by the most specific alias
    (more words, rarer words, trade words counting little): "deep clean" beats the generic
    "house cleaning" synonym. A match resting only on trade words ("house", "cleaning") is none."""
    said = set(canonical_tokens(text))
    matches = [m for m in match_service(text, refs) if _names_something(m, said)]
    if not matches:
        return None
    top = matches[0].score
    tied = [m for m in matches if m.score >= top - 5]
    if len(tied) == 1:
        return tied[0]
    frequency: dict[str, int] = {}
    for ref in refs:
        for key in {k for alias in (ref.name, *ref.synonyms) for k in canonical_tokens(alias)}:
            frequency[key] = frequency.get(key, 0) + 1

    def specificity(m: ServiceMatch) -> tuple:
        keys = [k for k in canonical_tokens(m.alias) if k in said] or canonical_tokens(m.alias)
        weight = sum((0.15 if k in _LOW_INFORMATION else 1.0) / frequency.get(k, 1) for k in keys)
        return (round(weight, 6), len(keys))

    ranked = sorted(tied, key=specificity, reverse=True)
    if specificity(ranked[0]) == specificity(ranked[1]):
        return None
    return ranked[0]


def _names_something(match: ServiceMatch, said: set[str]) -> bool:
    """False for a partial match resting only on trade words ("4 bedroom house" is not the
    "house cleaning" synonym); a synonym said in full always counts."""
    keys = canonical_tokens(match.alias)
    shared = [k for k in keys if k in said]
    if not shared or len(shared) == len(set(keys)):
        return True
    return any(k not in _LOW_INFORMATION for k in shared)


def when_dict(hint: WhenHint) -> dict:
    """Serialises a WhenHint into the state's JSON form."""
    dates = [d.isoformat() for d in hint.dates]
    times = [t.strftime("%H:%M") for t in hint.times]
    if hint.instant is not None and not dates:
        dates = [hint.instant.date().isoformat()]
    window = []
    if hint.window is not None:
        window = [hint.window.start.strftime("%H:%M") if hint.window.start else "",
                  hint.window.end.strftime("%H:%M") if hint.window.end else ""]
    said = " ".join(hint.matched).lower()
    weekday_named = bool(re.search(r"\b(?:mon|tue|wed|thu|fri|sat|sun)", said)) and not re.search(
        r"\b(?:today|tonight|this|now|asap)\b", said)
    return {"dates": dates, "weekday_named": weekday_named,
            "earliest": hint.earliest_date.isoformat() if hint.earliest_date and not dates else "",
            "latest": hint.latest_date.isoformat() if hint.latest_date and not dates else "",
            "times": times, "window": window, "asap": hint.asap, "approx": hint.approximate}


def _inside_earlier_range(old: dict, hint: WhenHint) -> dict:
    """A bare weekday after a range ("any day after the 1st" ... "tuesday afternoon", "next
    weekend" ... "sunday?") means that weekday inside the range, not the coming one."""
    new = when_dict(hint)
    said = " ".join(hint.matched).lower()
    if not (old.get("earliest") and not old.get("dates") and new["weekday_named"] and len(new["dates"]) == 1) \
            or re.search(r"\b(?:next|this|coming|after|week|weekend)\b|\d+(?:st|nd|rd|th)\b|\d+/\d+"
                          r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\b", said):
        return new
    day = dt.date.fromisoformat(new["dates"][0])
    earliest = dt.date.fromisoformat(old["earliest"])
    latest = dt.date.fromisoformat(old["latest"]) if old.get("latest") else None
    while day < earliest:
        day += dt.timedelta(days=7)
    if latest is not None and day > latest:
        return new
    return {**new, "dates": [day.isoformat()]}


def _away_from(want: dict, booked: dt.datetime, text: str) -> dict:
    """"move thursday to friday same time": the booked day is where it moves from, not a choice,
    and "same time" is the booked time."""
    day = booked.date().isoformat()
    want = dict(want)
    if len(want.get("dates") or []) > 1 and day in want["dates"]:
        want["dates"] = [d for d in want["dates"] if d != day]
    if want.get("earliest") == day and want.get("latest") and want["latest"] > day:
        following = booked.date() + dt.timedelta(days=1)
        want["earliest"] = following.isoformat()
        if want["latest"] == want["earliest"]:
            want["dates"], want["earliest"], want["latest"] = [want["latest"]], "", ""
    if re.search(r"\bsame time\b", normalize(text)) and not want.get("times"):
        want["times"], want["window"], want["approx"] = [booked.strftime("%H:%M")], [], False
    return want


def merge_when(old: dict, new: dict) -> dict:
    """A new date keeps the old time of day ("how about Sunday?"); a new time keeps the old date."""
    if not old:
        return new
    merged = dict(old)
    if new.get("dates") or new.get("earliest") or new.get("latest") or new.get("asap"):
        for key in ("dates", "earliest", "latest", "asap", "weekday_named"):
            merged[key] = new.get(key)
    if new.get("times") or new.get("window"):
        for key in ("times", "window", "approx"):
            merged[key] = new.get(key)
    return merged


def join_or(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def join_and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def fit_parts(notes: Sequence[str], lead: str, question: str, limit: int) -> str:
    """Joins notes, an optional lead and the question within `limit` characters: the lead goes
    first, then notes from the last one; the question always stays."""
    notes = [n.strip() for n in notes if n and n.strip()]

    def joined(parts) -> str:
        return re.sub(r"\s+", " ", " ".join(p for p in parts if p)).strip()

    text = joined([*notes, lead, question])
    if len(text) <= limit:
        return text
    while notes and len(joined([*notes, question])) > limit:
        notes.pop()
    return fit(joined([*notes, question]), limit, keep_last=question)


def fit(text: str, limit: int, *, keep_last: str = "") -> str:
    """Shortens a reply to `limit` characters, dropping whole sentences before the final question."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    head = text[: len(text) - len(keep_last)].strip() if keep_last and text.endswith(keep_last) else text
    tail = keep_last if keep_last and text.endswith(keep_last) else ""
    sentences = re.split(r"(?<=[.!?])\s+", head)
    while sentences and len(" ".join([*sentences, tail]).strip()) > limit:
        sentences.pop()
    result = " ".join([*sentences, tail]).strip()
    if len(result) > limit:
        result = result[: limit - 1].rsplit(" ", 1)[0] + "..."
    return result


def _find_phone(text: str) -> str | None:
    for candidate in re.findall(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}", text or ""):
        number = to_e164(candidate)
        if number:
            return number
    return None


_STREET_START = re.compile(
    r"^\s*(\d{1,6}[A-Za-z]?\s+[A-Za-z0-9][A-Za-z0-9 .'#-]{2,60}?)\s*(?:,|$|\s+(?:[A-Z]{2}\s+)?\d{5}\b)"
)


def _loose_address(text: str) -> str | None:
    """A street line the strict parser missed ("4609 Avenue G, Austin TX 78751" -> "4609 Avenue G")."""
    m = _STREET_START.match(text or "")
    if not m:
        return None
    line = m.group(1).strip(" ,.")
    return line if re.search(r"[A-Za-z]{2,}", line) else None


def _in_window(slots, want: dict) -> list:
    """The slots inside the wanted time-of-day window (all of them when there is none)."""
    window = want.get("window") or []
    if not window:
        return list(slots)
    low = _parse_hhmm(window[0]) if window[0] else None
    high = _parse_hhmm(window[1]) if window[1] else None
    return [s for s in slots if (low is None or s.start.time() >= low) and (high is None or s.start.time() < high)]


def _soft_lower(text: str) -> str:
    """Lower-cases words except acronyms: "Small SUV" -> "small SUV"."""
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in text.split())


def _parse_hhmm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def _day(value: dt.date) -> str:
    return f"{value:%a} {value:%b} {value.day}"


def _hours(minutes: int) -> str:
    """'45 min', '1 hr', '4 hrs', '4.5 hrs', '2 hr 45 min'."""
    if minutes < 60:
        return f"{minutes} min"
    if minutes % 60 == 0:
        return "1 hr" if minutes == 60 else f"{minutes // 60} hrs"
    if minutes % 30 == 0:
        return f"{minutes / 60:.1f} hrs"
    return f"{minutes // 60} hr {minutes % 60} min"


def _short(result: dict) -> dict:
    keys = ("appointment_id", "service", "start", "label", "technician", "price", "appointment_status")
    return {k: result.get(k) for k in keys if k in result}


__all__ = ["RulesEngine", "TurnResult", "action", "best_service", "fit", "fit_parts", "merge_when", "when_dict"]
