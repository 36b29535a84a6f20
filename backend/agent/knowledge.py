"""What the agent knows about one tenant, in three layers, most specific first:

1. the tenant's own data — its catalogue and prices (services, add-ons, attribute modifiers),
   hours, closures, service area, booking settings (rain policy text, cancellation window),
   FAQ entries and policy texts edited on the Knowledge page (`agent_policies`);
2. the tenant's industry pack — vocabulary, agent instructions and tone, and the pack's FAQ and
   weather policy where the tenant has no copy of its own;
3. a global base — how booking by text works, opting out, generic answers, and the generic
   meaning of common words (car models → vehicle size, "half an acre" → lot size).

A more specific layer always wins (`resolve_policy`). Prices are never part of the knowledge
text that could be repeated on their own: every price the agent states is computed by
`backend.scheduling.pricing.quote_price` from the tenant's rows (see tools.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz
from sqlmodel import Session, select

from backend.agent.models import AgentPolicy
from backend.agent.nlu.attributes import AttributeOption, AttributeSpec
from backend.agent.nlu.services_match import ServiceRef
from backend.agent.nlu.text import normalize, stem
from backend.packs import service as packs_service
from backend.packs.loader import pack_for_industry
from backend.phones import display as display_phone
from backend.scheduling import service as scheduling_service
from backend.tenancy import service as tenancy_service
from backend.tenancy.features import has_feature
from backend.tenancy.models import Tenant

WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# ---- layer 3: the global base -------------------------------------------------------------------

# Policy keys the Knowledge page offers, with the words customers use for them.
POLICY_KEYS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "booking": ("How booking works", ("how does it work", "how do i book", "book by text", "booking process")),
    "cancellation": ("Cancellation and rescheduling", (
        "cancellation policy", "cancel policy", "cancellation fee", "late cancel", "reschedule policy",
        "cancellation", "notice")),
    "rain": ("Weather", ("rain", "weather", "storm", "snow", "wet", "freezing", "rained out")),
    "payment": ("Payment", ("pay", "payment", "card", "cash", "venmo", "invoice", "tip", "tipping")),
    "deposit": ("Deposits", ("deposit", "prepay", "pay upfront", "refund")),
    "guarantee": ("Satisfaction guarantee", ("guarantee", "warranty", "not happy", "satisfaction", "redo")),
    "arrival": ("Arrival and access", ("arrival window", "on time", "late", "access", "gate", "key", "door code")),
    "texts": ("Text messages", ("stop texting", "opt out", "unsubscribe", "texts", "messages")),
    "other": ("Other", ()),
}

# Base policy texts: how the platform works for every business. {placeholders} are filled from
# the tenant's data (never invented): business name, notice hours.
_BASE_POLICIES: Mapping[str, str] = {
    "booking": (
        "Text us the service, the day and time you'd like, and the address. We check real openings, "
        "confirm the price range and book it; you get a confirmation text and a reminder before the visit."
    ),
    "cancellation": (
        "Need to change plans? Just text us. Please give us at least {notice_hours} hours' notice to "
        "reschedule or cancel; within that window, call us and we'll help."
    ),
    "texts": "You can stop texts from {business_name} at any time by replying STOP.",
    "rain": "If the weather makes a visit unsafe, we'll contact you to move it at no charge.",
}

_BASE_FAQ: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Are you a real person?",
     "I'm the automated booking assistant for {business_name}. Text \"talk to a person\" anytime and "
     "someone from the team will follow up.",
     ("real person", "bot", "robot", "automated", "ai", "human")),
    ("How does booking work?", _BASE_POLICIES["booking"], ("how does it work", "how do i book", "book by text")),
)

# Generic meaning of common words for attribute keys the packs use (layer 3). Applied only when
# the tenant's attribute has the option value named here.
_BASE_ATTRIBUTE_WORDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "vehicle_size": {
        "sedan": ("camry", "accord", "civic", "corolla", "altima", "sentra", "malibu", "sonata", "elantra",
                  "jetta", "model 3", "model s", "mustang", "camaro", "charger", "challenger", "mazda3",
                  "prius", "impala", "fusion", "focus", "golf", "bmw 3 series", "a4", "c class", "sports car"),
        "small_suv": ("rav4", "cr-v", "crv", "cx-5", "cx5", "rogue", "equinox", "escape", "tucson", "sportage",
                      "forester", "outback", "crosstrek", "compass", "cherokee", "model y", "hr-v", "kona",
                      "small suv", "compact suv", "crossover"),
        "suv": ("4runner", "tahoe", "f-150", "f150", "silverado", "ram 1500", "ram", "tacoma", "tundra",
                "wrangler", "grand cherokee", "explorer", "highlander", "pilot", "bronco", "colorado",
                "frontier", "ranger", "sierra", "pickup", "pick up", "pickup truck", "truck", "suv"),
        "large": ("suburban", "expedition", "yukon", "sequoia", "odyssey", "sienna", "pacifica", "carnival",
                  "sprinter", "transit", "f-250", "f250", "2500", "crew cab", "minivan", "mini van", "van",
                  "3 row", "third row", "three row", "3 row suv", "third row suv", "three row suv", "escalade",
                  "navigator"),
    },
    "condition": {
        "heavy": ("really dirty", "super dirty", "very dirty", "pretty dirty", "filthy", "disgusting",
                  "dog hair everywhere", "muddy", "sandy", "trashed", "a mess", "gross", "pretty gross",
                  "nasty", "really bad", "pretty bad"),
        "normal": ("not too dirty", "not that dirty", "pretty clean", "normal", "regular use"),
    },
    "terrain": {"obstacles": ("hilly", "hill", "slope", "sloped", "lots of trees", "lots of beds"),
                "flat": ("flat", "level")},
    "pets": {"pets": ("a dog", "a cat", "two dogs", "two cats", "pet", "pets", "dog", "cat"),
             "none": ("no pets", "no pet", "no dogs", "no animals")},
}
# (option value, min, max, unit): min <= x < max.
_BASE_ATTRIBUTE_RANGES: Mapping[str, tuple[tuple[str, float | None, float | None, str], ...]] = {
    # Lots are also given in square feet ("like 8000 sq ft"): the same bounds, 43,560 sq ft an acre.
    "lot_size": (("small", 0, 0.26, "acres"), ("medium", 0.26, 0.5001, "acres"),
                 ("large", 0.5001, 1.0001, "acres"), ("xl", 1.0001, None, "acres"),
                 ("small", 0, 11326, "sqft"), ("medium", 11326, 21785, "sqft"),
                 ("large", 21785, 43565, "sqft"), ("xl", 43565, None, "sqft")),
    "home_size": (("small", 0, 3, "bedrooms"), ("medium", 3, 4, "bedrooms"), ("large", 4, 5, "bedrooms"),
                  ("xl", 5, None, "bedrooms"), ("small", 0, 1200, "sqft"), ("medium", 1200, 2000, "sqft"),
                  ("large", 2000, 3000, "sqft"), ("xl", 3000, None, "sqft")),
    "breed_size": (("small", 0, 20, "lbs"), ("medium", 20, 50, "lbs"), ("large", 50, 90, "lbs"),
                   ("giant", 90, None, "lbs")),
}


# ---- the knowledge object -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OptionInfo:
    value: str
    label: str
    synonyms: tuple[str, ...] = ()

    @property
    def short_label(self) -> str:
        """Returns the label's first part ("SUV" for "SUV / pickup truck")."""
        return re.split(r"\s*[/(]\s*", self.label)[0].strip() or self.value


@dataclasses.dataclass(frozen=True)
class AttributeInfo:
    id: str
    key: str
    label: str
    default_value: str
    options: tuple[OptionInfo, ...]
    sort_order: int = 0

    def option(self, value: str) -> OptionInfo | None:
        return next((o for o in self.options if o.value == value), None)


@dataclasses.dataclass(frozen=True)
class ServiceInfo:
    id: str
    name: str
    description: str
    duration_minutes: int
    price_min_cents: int
    price_max_cents: int
    synonyms: tuple[str, ...]
    # Attribute keys that change this service's price, in the tenant's attribute order.
    price_attributes: tuple[str, ...]
    deposit_percent: int = 0
    weather_sensitive: bool = False


@dataclasses.dataclass(frozen=True)
class AddonInfo:
    id: str
    name: str
    price_min_cents: int
    price_max_cents: int
    duration_minutes: int
    synonyms: tuple[str, ...]
    service_ids: frozenset[str]  # empty: offered with every service

    def offered_with(self, service_id: str) -> bool:
        return not self.service_ids or service_id in self.service_ids


@dataclasses.dataclass(frozen=True)
class FaqItem:
    question: str
    answer: str
    keywords: tuple[str, ...]
    source: str  # "tenant" | "pack" | "policy" | "base"


@dataclasses.dataclass(frozen=True)
class Policy:
    key: str
    title: str
    text: str
    source: str  # "tenant" | "pack" | "base"


@dataclasses.dataclass(frozen=True)
class FaqMatch:
    item: FaqItem
    score: float


@dataclasses.dataclass(frozen=True)
class Knowledge:
    tenant_id: str
    business_name: str
    industry: str
    pack_name: str
    timezone: str
    contact_phone: str  # display format, "" when unknown
    plan_tier: str
    status: str
    agent_enabled: bool
    services: tuple[ServiceInfo, ...]
    addons: tuple[AddonInfo, ...]
    attributes: Mapping[str, AttributeInfo]
    # (service id, attribute key, option value) -> (price delta cents, duration delta minutes)
    modifiers: Mapping[tuple[str, str, str], tuple[int, int]]
    faq: tuple[FaqItem, ...]
    policies: Mapping[str, Policy]
    hours: Mapping[int, tuple[tuple[int, int], ...]]
    area_description: str
    mobile: bool
    vocabulary: tuple[tuple[str, tuple[str, ...], str], ...]
    instructions: str
    cancellation_notice_hours: int
    min_notice_minutes: int

    # -- catalogue ---------------------------------------------------------------------------

    def service(self, service_id: str | None) -> ServiceInfo | None:
        return next((s for s in self.services if s.id == service_id), None)

    def addon(self, addon_id: str | None) -> AddonInfo | None:
        return next((a for a in self.addons if a.id == addon_id), None)

    def service_refs(self) -> list[ServiceRef]:
        """Returns the catalogue as NLU refs; pack vocabulary synonyms join the service they name."""
        refs = []
        for service in self.services:
            extra: list[str] = []
            for term, synonyms, _ in self.vocabulary:
                if normalize(term) in (normalize(service.name), *(normalize(s) for s in service.synonyms)):
                    extra.extend(synonyms)
            plain = re.sub(r"\s*\([^)]*\)", "", service.name).strip()
            if plain and plain != service.name:
                extra.append(plain)  # "Paint Correction" for "Paint Correction (one-step)"
            refs.append(ServiceRef(service.id, service.name, tuple(dict.fromkeys((*service.synonyms, *extra)))))
        return refs

    def addon_refs(self, service_id: str | None = None) -> list[ServiceRef]:
        return [ServiceRef(a.id, a.name, a.synonyms) for a in self.addons
                if service_id is None or a.offered_with(service_id)]

    def attribute_specs(self, keys: Sequence[str] | None = None) -> list[AttributeSpec]:
        """Returns NLU specs for the tenant's attributes (words from all three layers)."""
        specs = []
        for attribute in sorted(self.attributes.values(), key=lambda a: (a.sort_order, a.key)):
            if keys is not None and attribute.key not in keys:
                continue
            base_words = _BASE_ATTRIBUTE_WORDS.get(attribute.key, {})
            options = []
            for option in attribute.options:
                label_parts = [p.strip() for p in re.split(r"[/(),]", option.label) if len(p.strip()) > 2
                               and re.search(r"[A-Za-z]{3}", p)]
                words = tuple(dict.fromkeys((*option.synonyms, *label_parts, *base_words.get(option.value, ()))))
                options.append(AttributeOption(option.value, words))
            values = {o.value for o in attribute.options}
            for value, low, high, unit in _BASE_ATTRIBUTE_RANGES.get(attribute.key, ()):
                if value in values:
                    options.append(AttributeOption(value, (), low, high, unit))
            specs.append(AttributeSpec(attribute.key, tuple(options)))
        return specs

    def price_attributes(self, service_id: str) -> list[AttributeInfo]:
        service = self.service(service_id)
        if service is None:
            return []
        return [self.attributes[k] for k in service.price_attributes if k in self.attributes]

    def surcharge(self, service_id: str, key: str, value: str) -> int:
        return self.modifiers.get((service_id, key, value), (0, 0))[0]

    # -- hours, area, policies ------------------------------------------------------------------

    def hours_text(self) -> str:
        """Returns opening hours grouped by identical days: "Mon–Fri 8 AM–6 PM, Sat 8 AM–4 PM; closed Sun"."""
        groups: list[tuple[list[int], tuple]] = []
        for day in range(7):
            windows = tuple(self.hours.get(day, ()))
            if groups and groups[-1][1] == windows and groups[-1][0][-1] == day - 1:
                groups[-1][0].append(day)
            else:
                groups.append(([day], windows))
        open_parts, closed = [], []
        for days, windows in groups:
            name = WEEKDAY_SHORT[days[0]] if len(days) == 1 else f"{WEEKDAY_SHORT[days[0]]}-{WEEKDAY_SHORT[days[-1]]}"
            if windows:
                open_parts.append(f"{name} {', '.join(f'{clock(a)}-{clock(b)}' for a, b in windows)}")
            else:
                closed.append(name)
        text = ", ".join(open_parts) or "by appointment"
        return text + (f"; closed {' and '.join(closed)}" if closed else "")

    def day_hours_text(self, weekday: int) -> str:
        windows = self.hours.get(weekday, ())
        if not windows:
            return f"We're closed on {WEEKDAY_LONG[weekday]}s."
        spans = ", ".join(f"{clock(a)}-{clock(b)}" for a, b in windows)
        return f"On {WEEKDAY_LONG[weekday]}s we're open {spans}."

    def policy(self, key: str) -> Policy | None:
        return self.policies.get(key)

    def fill(self, text: str) -> str:
        """Fills the base-layer placeholders from the tenant's data."""
        return (text.replace("{business_name}", self.business_name)
                .replace("{notice_hours}", str(self.cancellation_notice_hours)))

    def match_faq(self, text: str, *, threshold: float = 62.0) -> FaqMatch | None:
        """Returns the FAQ entry or policy that answers `text` best (tenant entries first on
        ties), or None when nothing scores at least `threshold`."""
        said = _content(text)
        if not said:
            return None
        best: FaqMatch | None = None
        for item in self.faq:  # tenant entries come first and keep ties
            score = _faq_score(said, item)
            if best is None or score > best.score + 1e-9:
                best = FaqMatch(item, score)
        return best if best and best.score >= threshold else None


def clock(minute: int) -> str:
    """'8 AM', '5:30 PM' for minutes after local midnight."""
    hour, mins = divmod(minute % 1440, 60)
    suffix = "AM" if hour < 12 else "PM"
    hour12 = hour % 12 or 12
    return f"{hour12}:{mins:02d} {suffix}" if mins else f"{hour12} {suffix}"


_STOP = frozenset(
    "a an the and or of for with my your our to on in at please i me we you do does can could would is are "
    "be this that it its what how when where who why will if any have has get there here about us guys u ur "
    "y'all yall just".split()
)


def _content(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[a-z0-9']+", normalize(text)) if w not in _STOP]


def _faq_score(said: list[str], item: FaqItem) -> float:
    joined = " ".join(said)
    question = _content(item.question)
    overlap = len(set(said) & set(question))
    q_score = fuzz.token_set_ratio(joined, " ".join(question)) if overlap else 0.0
    keyword_hits = 0
    for keyword in item.keywords:
        words = _content(keyword)
        if words and re.search(r"\b" + r"\s+".join(re.escape(w) for w in words) + r"\b", joined):
            keyword_hits += 1 + (len(words) > 1)
    score = 0.7 * q_score + min(keyword_hits, 3) * 22.0
    return min(score, 100.0)


# ---- building it ----------------------------------------------------------------------------------


def build_knowledge(db: Session, *, tenant_id: str) -> Knowledge:
    """Returns the three-layer knowledge of one tenant, read inside the caller's tenant session."""
    tenant = db.get(Tenant, tenant_id)
    config = tenancy_service.get_config(db, tenant_id=tenant_id)
    pack = pack_for_industry(tenant.industry if tenant else None)
    business_name = (config.business_name if config and config.business_name else "") or (
        tenant.name if tenant else "our business")
    profile = packs_service.get_pack_profile(db, tenant_id=tenant_id)
    settings = scheduling_service.booking_settings_or_default(db, tenant_id=tenant_id)

    attributes = {
        a.key: AttributeInfo(
            a.id, a.key, a.label, a.default_value,
            tuple(OptionInfo(o["value"], o.get("label") or o["value"], tuple(o.get("synonyms") or ()))
                  for o in a.options or ()),
            a.sort_order,
        )
        for a in scheduling_service.list_attributes(db, tenant_id=tenant_id)
    }
    key_by_attribute_id = {a.id: a.key for a in attributes.values()}
    modifiers: dict[tuple[str, str, str], tuple[int, int]] = {}
    for row in scheduling_service.get_modifiers(db, tenant_id=tenant_id):
        key = key_by_attribute_id.get(row.attribute_id)
        if key:
            modifiers[(row.service_id, key, row.option_value)] = (row.price_delta_cents, row.duration_delta_minutes)
    services = []
    for s in scheduling_service.list_services(db, tenant_id=tenant_id):
        priced = {k for (sid, k, _), (price, _) in modifiers.items() if sid == s.id and price}
        ordered = tuple(k for k in sorted(attributes, key=lambda k: (attributes[k].sort_order, k)) if k in priced)
        services.append(ServiceInfo(s.id, s.name, s.description, s.duration_minutes, s.price_min_cents,
                                    s.price_max_cents, tuple(s.synonyms or ()), ordered, s.deposit_percent,
                                    s.weather_sensitive))
    links = scheduling_service.addon_links(db, tenant_id=tenant_id)
    addons = tuple(
        AddonInfo(a.id, a.name, a.price_min_cents, a.price_max_cents, a.duration_minutes, tuple(a.synonyms or ()),
                  frozenset(links.get(a.id, ())))
        for a in scheduling_service.list_addons(db, tenant_id=tenant_id)
    )

    hours: dict[int, list[tuple[int, int]]] = {}
    for row in scheduling_service.get_business_hours(db, tenant_id=tenant_id):
        hours.setdefault(row.weekday, []).append((row.open_minute, row.close_minute))
    zips = scheduling_service.get_area_zips(db, tenant_id=tenant_id)
    has_radius = settings.service_radius_miles is not None and settings.base_latitude is not None
    area = settings.area_description or (f"ZIP codes {', '.join(zips[:8])}" if zips else "")
    if has_radius:
        radius = f"within {settings.service_radius_miles:g} miles of our base"
        area = f"{area} and {radius}" if area else radius

    policies = resolve_policies(db, tenant_id=tenant_id, pack=pack, settings=settings,
                                business_name=business_name)
    faq = _faq_items(db, tenant_id=tenant_id, pack=pack, has_profile=profile is not None,
                     policies=policies, business_name=business_name)
    vocabulary_rows = profile.vocabulary if profile is not None else [v.model_dump() for v in pack.vocabulary]
    vocabulary = tuple(
        (str(v.get("term", "")), tuple(v.get("synonyms") or ()), str(v.get("meaning", "")))
        for v in vocabulary_rows or () if isinstance(v, dict)
    )
    instructions = (profile.agent_instructions if profile is not None else pack.agent_instructions).strip()
    return Knowledge(
        tenant_id=tenant_id,
        business_name=business_name,
        industry=tenant.industry if tenant else "other_services",
        pack_name=pack.name,
        timezone=tenant.timezone if tenant else "America/Chicago",
        contact_phone=_contact_phone(db, tenant_id=tenant_id, config=config),
        plan_tier=tenant.plan_tier if tenant else "",
        status=tenant.status if tenant else "",
        agent_enabled=bool(tenant) and has_feature(tenant, "ai_agent"),
        services=tuple(services),
        addons=addons,
        attributes=attributes,
        modifiers=modifiers,
        faq=faq,
        policies=policies,
        hours={d: tuple(w) for d, w in hours.items()},
        area_description=area,
        mobile=bool(zips) or has_radius,
        vocabulary=vocabulary,
        instructions=instructions,
        cancellation_notice_hours=settings.cancellation_notice_hours,
        min_notice_minutes=settings.min_notice_minutes,
    )


def _contact_phone(db: Session, *, tenant_id: str, config) -> str:
    number = config.contact_phone if config and config.contact_phone else ""
    if not number:
        phones = tenancy_service.get_phone_configs(db, tenant_id=tenant_id)
        number = phones[0].phone_number if phones else ""
    return display_phone(number) if number else ""


def resolve_policies(db: Session, *, tenant_id: str, pack, settings, business_name: str) -> dict[str, Policy]:
    """Returns key → the policy text that wins: the tenant's (Knowledge page, or its booking
    settings for the weather and the cancellation window), else the pack's, else the base."""
    policies: dict[str, Policy] = {}

    def put(key: str, text: str, source: str) -> None:
        text = (text or "").strip()
        if text:
            title = POLICY_KEYS.get(key, (key.replace("_", " ").title(), ()))[0]
            policies[key] = Policy(key, title, text, source)

    fill = {"business_name": business_name, "notice_hours": str(settings.cancellation_notice_hours)}
    for key, text in _BASE_POLICIES.items():
        put(key, re.sub(r"\{(\w+)\}", lambda m: fill.get(m.group(1), ""), text), "base")
    put("rain", pack.weather.policy, "pack")
    put("rain", settings.weather_policy_text, "tenant")
    for row in db.exec(select(AgentPolicy).where(AgentPolicy.tenant_id == tenant_id, AgentPolicy.active)).all():
        put(row.key, row.text, "tenant")
    return policies


def _faq_items(db: Session, *, tenant_id: str, pack, has_profile: bool, policies: Mapping[str, Policy],
               business_name: str) -> tuple[FaqItem, ...]:
    items: list[FaqItem] = []
    rows = packs_service.list_faq_entries(db, tenant_id=tenant_id)
    if rows or has_profile:
        items.extend(FaqItem(r.question, r.answer, tuple(r.keywords or ()), "tenant") for r in rows)
    else:  # the pack was never copied into this tenant: answer from the pack itself
        items.extend(FaqItem(e.question, e.answer, tuple(e.keywords), "pack") for e in pack.faq)
    for policy in policies.values():
        title, keywords = POLICY_KEYS.get(policy.key, (policy.title, ()))
        items.append(FaqItem(f"What is your {title.lower()} policy?", policy.text, keywords, "policy"))
    for question, answer, keywords in _BASE_FAQ:
        items.append(FaqItem(question, answer.replace("{business_name}", business_name), keywords, "base"))
    return tuple(items)
