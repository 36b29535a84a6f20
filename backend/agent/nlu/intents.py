"""Decides what an inbound SMS is for — book, reschedule, cancel, a price/hours/area question,
loyalty, a person, a yes/no, an opt-out phrase, spam — so the dialogue manager knows which flow
to run.

Rules, not a model: each intent has cue patterns with a weight (how sure the cue alone makes
us), and a fixed precedence settles messages that trip several ("Hi, how much for a detail?" is
a price question, not a greeting). When the agent has just asked something (`awaiting`), short
answers are read as the answer first ("Tuesday" fills the date, "yes" confirms). Anything
unclear comes back as `unknown` (or a low-confidence `faq`) so the agent asks rather than acts.
Confidence is a rule weight for ranking and thresholds, not a calibrated probability.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType

from backend.agent.nlu.attributes import extract_measurements
from backend.agent.nlu.datetime_parse import mentions_when, parse_when
from backend.agent.nlu.entities import (
    extract_address,
    extract_choice,
    extract_email,
    extract_name,
    extract_zip,
    is_affirmative,
    is_negative,
)
from backend.agent.nlu.spam import check_spam
from backend.agent.nlu.text import normalize
from backend.enums import StrEnum


class Intent(StrEnum):
    """What a customer message is for."""

    BOOK = "book"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    STATUS = "appointment_status"
    PRICE = "price"
    HOURS = "hours"
    SERVICE_AREA = "service_area"
    FAQ = "faq"
    LOYALTY = "loyalty"
    HUMAN = "human"
    GREETING = "greeting"
    THANKS = "thanks"
    OPT_OUT_LIKE = "opt_out_like"
    AFFIRM = "affirm"
    DENY = "deny"
    INFORM = "inform"
    SPAM = "spam"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class IntentResult:
    """The chosen intent, how sure the rules are (0..1), the cues that decided it, and the other
    intents whose cues also fired (strongest first), e.g. BOOK behind PRICE in "I'd like to book,
    how much is it?"."""

    intent: Intent
    confidence: float
    evidence: tuple[str, ...] = ()
    also: tuple[Intent, ...] = ()


# Twilio's opt-out keywords, sent alone. The consent layer acts on them before the agent; they
# are classified anyway so that no flow ever continues after one.
_OPT_OUT_KEYWORDS = frozenset(
    {"stop", "stopall", "stop all", "unsubscribe", "end", "quit", "optout", "opt out", "revoke"}
)

_YOU = r"(?:you|u|y'?all|ya'?ll|you guys|u guys|ya)"
_WEEKDAY_PLURAL = r"(?:sundays?|saturdays?|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?)"

# intent -> (pattern, weight, label). Weights: 0.9+ the cue alone settles it, 0.8 strong,
# 0.6-0.7 suggestive (loses to any strong cue), below 0.6 never decides on its own.
_CUE_TABLE: Mapping[Intent, tuple[tuple[str, float, str], ...]] = MappingProxyType({
    Intent.OPT_OUT_LIKE: (
        (r"\b(?:stop|quit|cease) (?:texting|messaging|sending|contacting|txting|msging|spamming|"
         r"bothering|calling)\b", 0.95, "stop texting"),
        (r"\bstop (?:all |these |the |your |with the )?(?:texts|messages|msgs|sms|notifications|"
         r"reminders|promos?|marketing|alerts)\b", 0.95, "stop messages"),
        (r"\b(?:remove|take) (?:me|my (?:number|name|phone(?: number)?|info))(?: off| from)\b",
         0.95, "remove me"),
        (r"\b(?:remove|delete) my (?:number|phone(?: number)?|info|contact)\b", 0.9, "remove my number"),
        (r"\bunsubscribe\b", 0.95, "unsubscribe"),
        (r"\bopt(?:[- ]?(?:me )?)out\b", 0.95, "opt out"),
        (r"\bdo(?: not|n'?t) (?:text|message|contact|msg|txt|sms|email|send)(?: me| us)?"
         r"(?: (?:again|anymore|any more|ever again|ever))\b", 0.95, "don't message again"),
        (r"\bdo(?: not|n'?t) (?:text|message|contact|msg|txt|sms) (?:me|us)[\s.!]*$", 0.9, "don't message me"),
        (r"\bno (?:more|further) (?:texts|messages|msgs|contact)\b", 0.9, "no more texts"),
        (r"\b(?:leave me alone|lose my number)\b", 0.9, "leave me alone"),
        (r"\b(?:cancel|end) (?:the |these |all |my |your )?(?:texts|text messages|messages|text alerts|"
         r"notifications|sms)\b", 0.9, "cancel texts"),
        (r"^(?:please |pls |plz |just )?stop(?: it| now| please| pls| plz| already)*[.!]*$", 0.9, "please stop"),
        (r"\bi don'?t want (?:any more |anymore |these |your |any )?(?:texts|messages)\b", 0.9, "don't want texts"),
    ),
    Intent.HUMAN: (
        (r"\b(?:talk|speak|chat) (?:to|with) (?:a |an |the |your |some )?(?:real |actual |live )?"
         r"(?:person|human|someone|somebody|some one|manager|owner|rep|representative|agent|staff|"
         r"employee|boss|operator|people)\b", 0.95, "talk to a person"),
        (r"\b(?:real|actual|live) (?:person|human|people|agent)\b", 0.9, "real person"),
        (r"\bhuman\b", 0.85, "human"),
        (r"\b(?:manager|supervisor|representative)\b", 0.8, "manager"),
        (rf"\b(?:are {_YOU}|is this|am i (?:talking|texting|chatting) (?:to|with)) (?:a |an )?"
         r"(?:bot|robot|ai|automated|machine|computer|auto ?reply)\b", 0.85, "is this a bot"),
        # Possessive quantifiers stop "can you call" from dropping " me" to dodge the exclusion.
        (r"\b(?:call me|give me a call|callback|call back|have someone call|can someone call|"
         r"could someone call|can you call|could you call|please call)(?: me)?+(?: back)?+\b"
         r"(?! (?:when|once|before|after|if|on (?:the|your) way|the day|tomorrow morning|in the morning))",
         0.85, "call me"),
        (r"\bcan i (?:call|speak|talk)\b", 0.85, "can I call"),
    ),
    Intent.CANCEL: (
        (r"\bcancel(?:l?ed|l?ing|lation|s)?\b", 0.9, "cancel"),
        (r"\bcall(?:ing)? (?:it|this|that|the appointment) off\b", 0.85, "call it off"),
        (r"\b(?:won'?t|will not|can'?t|cannot|not going to|not gonna|unable to) (?:be able to )?make "
         r"(?:it|my appointment|the appointment|our appointment)\b", 0.7, "can't make it"),
        (r"\b(?:no longer need|don'?t need (?:the|my|our) (?:appointment|appt|service|visit|cleaning|"
         r"detail|mow|booking)(?: anymore)?)\b", 0.75, "no longer need"),
    ),
    Intent.RESCHEDULE: (
        (r"\bre-?schedul\w*", 0.95, "reschedule"),
        (r"\bre-?book\w*", 0.8, "rebook"),
        (r"\b(?:move|moving|change|changing|switch|switching|push|pushing|bump|bumping|shift|shifting)\b"
         r"[^.?!]{0,25}\b(?:appointment|appt|booking|reservation|visit)\b", 0.9, "move my appointment"),
        # "move my detail to wednesday", "push our lawn mowing back": the job named by its service
        (r"\b(?:move|moving|push|pushing|bump|bumping|shift|shifting)\b (?:my|our) (?:[a-z'-]+ ){0,2}"
         r"(?:detail|detailing|wash|clean|cleaning|mow|mowing|service|job|groom|grooming|session|shoot)\b",
         0.9, "move my detail"),
        (r"\b(?:move|change|switch|push|bump|shift)\b (?:the |my |our )?(?:time|date|day|slot)\b",
         0.85, "change the time"),
        (r"\b(?:push|bump|move) (?:it|that|us|me|this) (?:back|out|up|later|earlier|to)\b", 0.85, "push it back"),
        (r"\b(?:another|different|other|a later|an earlier|later|earlier) (?:day|time|date|slot)\b",
         0.6, "another day"),
    ),
    Intent.STATUS: (
        (r"\b(?:when|what time|what day) (?:is|'s|are) (?:my|our) (?:appointment|appt|booking|detail|"
         r"cleaning|service|mow|visit|groom(?:ing)?|session)\b", 0.85, "when is my appointment"),
        (rf"\b(?:are|r) {_YOU} (?:still )?(?:coming|on (?:the|your) way|running late|close|almost here|"
         r"here yet)\b", 0.85, "are you coming"),
        (rf"^(?:{_YOU}|are {_YOU}|r {_YOU})(?: guys)? (?:still )?(?:coming|on (?:the|your) way|here)\b",
         0.8, "still coming"),
        (r"\bis (?:my|our) (?:appointment|appt|booking) (?:confirmed|still on|set|booked)\b",
         0.9, "is my appointment confirmed"),
        (r"\bdo (?:i|we) (?:have|still have) an? (?:appointment|appt|booking)\b", 0.85, "do I have an appointment"),
        (r"\b(?:eta|how far (?:away )?are you|where are you at|when will you (?:be here|arrive|get here))\b",
         0.8, "eta"),
    ),
    Intent.LOYALTY: (
        (r"\b(?:my |reward |rewards |loyalty )?points\b", 0.9, "points"),
        (r"\brewards?\b", 0.85, "rewards"),
        (r"\bloyalty\b", 0.9, "loyalty"),
        (r"\bpunch ?card\b", 0.85, "punch card"),
        (r"\bredeem\b", 0.8, "redeem"),
        (r"\b(?:referral|refer a friend|refer my|referring)\b", 0.65, "referral"),
    ),
    Intent.HOURS: (
        (rf"\b(?:are|r) {_YOU} (?:open|closed)\b", 0.9, "are you open"),
        (rf"\b(?:what time|when) (?:do|does|are|will|r) (?:{_YOU}|the shop|the office|your office)(?: guys)? "
         r"(?:open|close|closing|opening)\b", 0.9, "what time do you close"),
        (r"\b(?:business|opening|office|store|shop|operating|working|open) hours\b", 0.9, "business hours"),
        (r"\bwhat (?:are|r|is) (?:your|ur|the) hours\b|\byour hours\b|\bhours (?:of operation|today|tomorrow)\b",
         0.9, "your hours"),
        (r"\bopen (?:on |this |today|tomorrow|late|early|now|right now|until|till|til|at)\b"
         rf"|\bopen (?:on )?(?:{_WEEKDAY_PLURAL}|weekends?|holidays?)\b", 0.85, "open on"),
        (rf"\bclosed (?:on |today|tomorrow|for (?:the )?holidays?|{_WEEKDAY_PLURAL})\b", 0.8, "closed on"),
        (rf"\bhow late (?:are|r) {_YOU}\b", 0.85, "how late"),
        (rf"\bdo {_YOU} (?:work|open|operate)(?: on)? (?:weekends?|{_WEEKDAY_PLURAL}|holidays?|evenings?|nights?)\b",
         0.85, "do you work weekends"),
        (rf"\bwhat time (?:do|does) {_YOU} (?:start|begin|get started|finish|stop|end|quit)\b",
         0.8, "what time do you start"),
    ),
    Intent.SERVICE_AREA: (
        (r"\bservice areas?\b|\b(?:what|which) (?:areas?|cities|towns|parts of town|zip codes?|zips)\b",
         0.9, "service area"),
        (rf"\b(?:areas?|cities|towns|zips?|zip codes?) (?:do )?{_YOU} (?:service|serve|cover|go to|travel to|"
         r"come to)\b", 0.9, "areas you serve"),
        (rf"\bhow far (?:do|will|would|can|are) {_YOU}\b|\bhow far out\b", 0.85, "how far"),
        (rf"\bwhere do {_YOU} (?:go|service|serve|travel|work|cover)\b", 0.85, "where do you go"),
        (r"\bin (?:your|ur) (?:service )?(?:area|range|radius)\b|\boutside (?:your|ur) (?:service )?area\b",
         0.85, "in your area"),
    ),
    Intent.PRICE: (
        (r"\bhow much\b(?! (?:time|longer|notice|of a notice|does it take|will it take|space|room|water|power))",
         0.9, "how much"),
        (r"\b(?:price|prices|pricing|priced|cost|costs|costing|charge|charges|rates|quote|quotes|estimate|"
         r"estimates|fees?)\b", 0.85, "price"),
        (r"\brate\b(?! (?:you|your service|us))", 0.7, "rate"),
        (r"\$\s?\d", 0.6, "dollar amount"),
        (rf"\bwhat (?:services|packages|do {_YOU} (?:offer|do|have|provide|sell)|kind of (?:services|packages|"
         rf"work)|all do {_YOU} do|are your (?:services|packages|options))\b", 0.85, "what services"),
        (rf"\b(?:services|packages|options) (?:do {_YOU}|{_YOU}) (?:offer|have|do|provide)\b", 0.85, "services offered"),
        (rf"\bdo {_YOU} (?:do|offer|provide|sell|have)\b(?! (?:any |a )?(?:availability|openings?|time|anything|"
         r"something|room|slots?|spots?|appointments?|space)\b)", 0.6, "do you offer"),
        (r"\b(?:menu|price list|packages)\b", 0.7, "menu"),
        (r"\b(?:discounts?|coupons?|promo(?: code)?s?|promotions?|specials|deals)\b", 0.6, "discount"),
        (r"\bwhat(?:'s| is| does)?(?: the \w+(?: \w+)?)? (?:included|include|come with|comes with)\b",
         0.7, "what's included"),
    ),
    Intent.BOOK: (
        (r"\b(?<!my )(?<!our )(?:book|booking|schedule|scheduling|set up|setup|sign (?:me |us )?up|reserve|"
         r"make an? (?:appointment|appt|reservation))\b", 0.9, "book"),
        (r"\b(?:appointment|appt)\b", 0.7, "appointment"),
        (r"\binterested in\b", 0.8, "interested in"),
        (r"\blooking (?:for|to)\b", 0.7, "looking for"),
        (r"\b(?:i'?d|i would|we'?d|we would) (?:like|love)\b", 0.7, "I'd like"),
        (r"\b(?:i|we) (?:want|wanna|need|needs|would like)\b", 0.6, "I need"),
        (r"\b(?:get|have|got) (?:my|our|the|a|an|his|her) (?:\w+ ){0,2}(?:done|detailed|cleaned|mowed|washed|"
         r"groomed|serviced|trimmed|photographed|edged|aerated|shampooed|waxed)\b", 0.8, "get it done"),
        (r"\b(?:availability|available|openings?|open slots?|slots?|spots?)\b", 0.8, "availability"),
        (rf"\b(?:can|could|would|will) (?:{_YOU}|someone|anyone)(?: guys)? (?:come|do|fit (?:me|us)|squeeze|"
         r"make it|swing by|stop by|come by|come out|clean|detail|mow|wash|groom)\b", 0.75, "can you come"),
        (r"\b(?:next|soonest|earliest|first) (?:available|opening|appointment|slot|time)\b", 0.85, "next available"),
        (rf"\bdo {_YOU} have (?:any(?:thing)?|something|room|time|openings?|availability|slots?|spots?|space)\b",
         0.8, "do you have anything"),
        (r"\b(?:soonest|earliest|asap|as soon as possible|first available)\b", 0.8, "soonest"),
        (rf"\bwhat (?:times?|days?|dates?|slots?) (?:do {_YOU} have|are (?:available|open)|work|works|"
         rf"can {_YOU})\b", 0.8, "what times"),
        (r"\b(?:need|want) (?:a|an|my|our|the|some|someone|somebody)\b", 0.65, "need a"),
    ),
    Intent.FAQ: (
        (rf"\bdo(?:es)? {_YOU} have an? (?:shop|location|garage|storefront|office|store|building)\b"
         rf"|\bwhere are {_YOU} (?:located|based)\b", 0.75, "location"),
        (rf"\b(?:policy|policies|how long (?:does|will|do|is)|do (?:i|we) (?:need|have) to|should (?:i|we)|"
         rf"do {_YOU} (?:bring|use|need|provide|supply|take|accept)|are {_YOU} (?:insured|licensed|bonded|"
         r"certified)|warranty|guarantee|payment|pay (?:with|by|in|online)|(?:credit|debit) cards?|cash|venmo|"
         r"zelle|cash ?app|tip|tipping|water|electricity|power outlet|hose|how does (?:it|this) work|"
         r"what do (?:i|we) need)\b", 0.7, "faq topic"),
    ),
})
_CUES: Mapping[Intent, tuple[tuple[re.Pattern[str], float, str], ...]] = MappingProxyType(
    {intent: tuple((re.compile(p), w, label) for p, w, label in cues) for intent, cues in _CUE_TABLE.items()}
)

# Ties between equally weighted cues go to the intent listed first.
_PRECEDENCE = (
    Intent.CANCEL, Intent.RESCHEDULE, Intent.STATUS, Intent.LOYALTY, Intent.HOURS,
    Intent.SERVICE_AREA, Intent.PRICE, Intent.BOOK, Intent.FAQ,
)
_QUESTION_INTENTS = frozenset({Intent.PRICE, Intent.HOURS, Intent.SERVICE_AREA, Intent.LOYALTY, Intent.FAQ})

_QUESTION_START = re.compile(
    r"^(?:what|whats|what's|when|where|why|how|who|which|do|does|did|is|are|can|could|will|would|"
    r"should|may|have|has|any)\b"
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|heya|hiya|howdy|yo|greetings|sup|what'?s up|good (?:morning|afternoon|evening|day)|"
    r"hi there|hey there|hello there)\b"
)
_THANKS = re.compile(r"\b(?:thanks|thank you|thank u|thx|thnx|ty|tysm|much appreciated|appreciate (?:it|you|that|ya))\b")
# Words that may stand next to a greeting or a thank-you without adding a request.
_PLEASANTRIES = re.compile(
    r"\b(?:hi|hello|hey|there|good|morning|afternoon|evening|thanks|thank|you|u|so|much|very|again|"
    r"ok|okay|great|perfect|awesome|cool|appreciate|appreciated|it|a|lot|bunch|ty|thx|tysm|all|guys|"
    r"have|nice|day|night|weekend|see|ya|then|bye|sir|ma'am|man|bro|friend|folks|yall|y'all|"
    r"how|are|doing|today|is|this|it's)\b"
)
_BOOK_IT = re.compile(
    r"(?:(?:yes|yeah|yep|ok|okay|sure|great|perfect|sounds good)[, ]+)?(?:please |go ahead and |ok |yes )?"
    r"(?:book|lock) (?:it|me|that|me in|it in|that in)(?: in)?(?:,? (?:please|pls|thanks|thank you))?[.! ]*"
)
_AREA_VERB = re.compile(
    rf"\b(?:do|can|would|will|does) (?:{_YOU}|your (?:company|business|team))(?: guys)? "
    r"(?P<verb>come|go|travel|drive|make it|service|serve|cover|work|operate)(?: out)?"
    r"(?: (?P<prep>to|in|into|near|around|all the way to|as far as|out to|over to|that far|out there))?\b"
)
_PLACE_WORDS = re.compile(
    r"\b(?:my area|area|city|town|neighborhood|neighbourhood|side of town|suburbs?|county|that far|"
    r"out there|way out)\b"
)
_MOBILE_CUE = re.compile(
    r"\b(?:do|should|can|would) (?:i|we) (?:have to |need to )?(?:drop|bring|take) (?:it|the \w+|my \w+)(?: \w+)? "
    r"(?:off|in|over|by|to you)\b|\bare (?:you|u|y'?all|you guys) (?:mobile|a mobile)\b"
)
_NOT_A_NAME_AFTER_CALL_ME = frozenset(
    "back asap now today tomorrow please at when after before tonight later anytime whenever on if".split()
)
# Any fixed instant works: these calls only ask whether a date/time phrase is present.
_REFERENCE_NOW = datetime(2001, 1, 3, 9, 0, tzinfo=timezone.utc)

_Hits = dict[Intent, list[tuple[float, str]]]


def _hits(s: str) -> _Hits:
    found: _Hits = {}
    for intent, cues in _CUES.items():
        for pattern, weight, label in cues:
            if pattern.search(s):
                found.setdefault(intent, []).append((weight, label))
    return found


def _weight(hits: _Hits, intent: Intent) -> float:
    return max((w for w, _ in hits.get(intent, ())), default=0.0)


def _order(intent: Intent) -> int:
    return _PRECEDENCE.index(intent) if intent in _PRECEDENCE else len(_PRECEDENCE)


def _ranked(hits: _Hits, *, without: Intent | None = None) -> list[tuple[float, Intent]]:
    ranked = sorted(((_weight(hits, i), _order(i), i) for i in hits if i != without), key=lambda t: (-t[0], t[1]))
    return [(w, i) for w, _, i in ranked]


def _result(intent: Intent, confidence: float, evidence: list[str], hits: _Hits) -> IntentResult:
    also = tuple(i for _, i in _ranked(hits, without=intent))
    return IntentResult(intent, round(confidence, 2), tuple(dict.fromkeys(evidence)), also)


def _from_cues(intent: Intent, hits: _Hits) -> IntentResult:
    return _result(intent, _weight(hits, intent), [label for _, label in hits[intent]], hits)


def _is_question(s: str) -> bool:
    return "?" in s or bool(_QUESTION_START.match(s))


def _only_pleasantries(s: str, pattern: re.Pattern[str]) -> bool:
    if not pattern.search(s):
        return False
    rest = _PLEASANTRIES.sub(" ", pattern.sub(" ", s))
    return not re.sub(r"[\W_]+", "", rest)


def _area_cue(s: str, cased: str) -> tuple[float, str] | None:
    """Returns a service-area cue when a "do you come/serve ..." phrase names a place."""
    m = _AREA_VERB.search(s)
    if m is None:
        return None
    rest_cased = cased[m.end():] if len(cased) == len(s) else ""
    names_place = bool(
        extract_zip(s[m.end():])
        or _PLACE_WORDS.search(s[m.end():])
        or re.match(r"\s*(?:to |in |into |near |around |out to )?(?:the )?[A-Z][a-z]+", rest_cased)
    )
    if names_place:
        return 0.9, "do you come to <place>"
    if m.group("verb") in ("come", "go", "travel", "drive", "make it") and m.group("prep") in (
            "to", "out to", "over to", "all the way to", "as far as") and re.match(r"\s*[a-z]{3,}", s[m.end():]):
        # Texts are often all lower case: "do you come to broken arrow?", "do you come to me?".
        return 0.9, "do you come to <place>"
    return None
    if m.group("verb") in ("come", "go", "travel", "drive", "make it") and m.group("prep") in ("that far", "out there"):
        return 0.85, "do you come that far"
    return None


def _calls_me_by_name(raw: str) -> bool:
    """Returns whether "call me" introduces a name ("call me Dave") rather than asking for a call."""
    m = re.search(r"\b[Cc]all me ([A-Z][a-z]+)\b", raw)
    return bool(m) and m.group(1).lower() not in _NOT_A_NAME_AFTER_CALL_ME


def _settle_cancel_and_reschedule(s: str, raw: str, hits: _Hits, awaiting: str | None) -> None:
    """Adjusts cancel/reschedule cues in place for the phrasings where the words mislead."""
    if Intent.CANCEL in hits and re.search(r"\bcancel\w* (?:policy|policies|fee|fees|charge|window|notice)\b", s):
        # "What's your cancellation policy?" asks about a rule, it does not cancel anything.
        if not re.search(r"\b(?:i|we) (?:need|want|have|would like|'d like) to cancel\b", s):
            hits.pop(Intent.CANCEL)
            hits.pop(Intent.PRICE, None)
            hits.setdefault(Intent.FAQ, []).append((0.85, "cancellation policy"))
    if Intent.CANCEL in hits and re.search(r"\b(?:don'?t|do not|no need to) cancel\b", s):
        hits.pop(Intent.CANCEL)
    if Intent.CANCEL in hits:
        cant_make_it_but_offers_another = (
            any(label == "can't make it" for _, label in hits[Intent.CANCEL])
            and mentions_when(raw)
            and re.search(r"\b(?:can we|could we|how about|what about|instead|another|different|move)\b", s)
        )
        if Intent.RESCHEDULE in hits or cant_make_it_but_offers_another:
            hits.pop(Intent.CANCEL)
            hits.setdefault(Intent.RESCHEDULE, []).append((0.9, "cancel and move"))
    # Inside a booking conversation "another day/time" is an answer, not a reschedule.
    if awaiting and Intent.RESCHEDULE in hits and _weight(hits, Intent.RESCHEDULE) < 0.8:
        hits.pop(Intent.RESCHEDULE)


def _awaited_answer(s: str, raw: str, awaiting: str, hits: _Hits) -> IntentResult | None:
    """Reads a reply as the answer to what the agent just asked, or returns None."""
    tag = f"awaiting:{awaiting}"
    negative, affirmative = is_negative(raw), is_affirmative(raw)
    asks_something = any(_weight(hits, i) >= 0.8 for i in _QUESTION_INTENTS)

    def answer(intent: Intent, confidence: float, label: str) -> IntentResult:
        """Returns the result for this awaited slot, tagged with what was awaited."""
        return _result(intent, confidence, [tag, label], hits)

    if awaiting == "confirm":
        if negative:
            return answer(Intent.DENY, 0.9, "no")
        if affirmative:
            return answer(Intent.AFFIRM, 0.9, "yes")
        if not asks_something and parse_when(raw, now=_REFERENCE_NOW, tz="UTC", awaiting="confirm"):
            return answer(Intent.INFORM, 0.75, "new time")
        return None
    if awaiting in ("date", "time", "when"):
        if parse_when(raw, now=_REFERENCE_NOW, tz="UTC", awaiting=awaiting) is not None:
            return answer(Intent.INFORM, 0.9, "when")
        if negative:
            return answer(Intent.DENY, 0.8, "no")
        return answer(Intent.AFFIRM, 0.7, "yes") if affirmative else None
    if awaiting == "choice":
        if negative:
            return answer(Intent.DENY, 0.85, "none of them")
        if extract_choice(raw, 9) is not None:
            return answer(Intent.INFORM, 0.85, "choice")
        if affirmative or re.search(r"\b(?:either|any|whichever|both)\b", s):
            return answer(Intent.AFFIRM, 0.7, "any is fine")
        if mentions_when(raw) or re.search(r"\bone\b", s):
            return answer(Intent.INFORM, 0.7, "choice by label")
        return None
    if awaiting == "address":
        if extract_address(raw) or extract_zip(raw):
            return answer(Intent.INFORM, 0.9, "address")
        if negative:
            return answer(Intent.DENY, 0.7, "no")
        if len(s.split()) <= 10 and re.search(r"\d", s) and not _is_question(s):
            return answer(Intent.INFORM, 0.6, "address-like")
        return None
    if awaiting == "name":
        if extract_name(raw, expected=True):
            return answer(Intent.INFORM, 0.9, "name")
        return answer(Intent.DENY, 0.7, "no") if negative else None
    if awaiting == "email" and extract_email(raw):
        return answer(Intent.INFORM, 0.9, "email")
    # "service", "addons", "vehicle_size" and any other slot: a short plain answer fills it.
    if negative:
        return answer(Intent.DENY, 0.8, "no")
    if affirmative:
        return answer(Intent.AFFIRM, 0.75, "yes")
    if len(s.split()) <= 10 and not asks_something and not _is_question(s):
        return answer(Intent.INFORM, 0.75, "slot answer")
    return None


def classify_intent(text: str, *, awaiting: str | None = None) -> IntentResult:
    """Returns the intent of one inbound message, with confidence and the cues behind it.

    `awaiting` is what the agent just asked ("confirm", "date", "time", "service", "address",
    "name", "email", "choice", or another slot name); short replies are then read as the answer
    (AFFIRM / DENY / INFORM) unless they clearly start something else (cancel, reschedule, a
    person, an opt-out). INFORM means "answers the pending question or supplies details".
    """
    raw = text or ""
    s = normalize(raw)
    if not re.search(r"[\w\U0001F300-\U0001FAFF\u2600-\u27BF]", s):
        return IntentResult(Intent.UNKNOWN, 0.0, ("empty",))

    spam = check_spam(raw)
    if spam.is_spam:
        return IntentResult(Intent.SPAM, min(0.6 + 0.1 * spam.score, 0.95), spam.reasons)

    bare = re.sub(r"[^\w\s]", "", s).strip()
    if bare in _OPT_OUT_KEYWORDS:
        return IntentResult(Intent.OPT_OUT_LIKE, 0.95, (f"keyword:{bare}",))
    if bare in ("cancel", "cancel it", "cancel please", "please cancel"):
        return IntentResult(Intent.CANCEL, 0.9, ("keyword:cancel",))

    hits = _hits(s)
    area = _area_cue(s, normalize(raw, keep_case=True))
    if area:
        hits.setdefault(Intent.SERVICE_AREA, []).append(area)
    if _MOBILE_CUE.search(s):
        # "Do I drop it off?" / "are you mobile?": the answer is that we come to you, and where.
        hits.setdefault(Intent.SERVICE_AREA, []).append((0.85, "do you come to me"))
    if re.fullmatch(r"\d{5}\s*\?", s):
        hits.setdefault(Intent.SERVICE_AREA, []).append((0.8, "zip?"))

    # Stopping messages and reaching a person outrank everything, in any conversation state.
    if Intent.OPT_OUT_LIKE in hits:
        return _from_cues(Intent.OPT_OUT_LIKE, hits)
    if Intent.HUMAN in hits and not _calls_me_by_name(raw):
        return _from_cues(Intent.HUMAN, hits)
    hits.pop(Intent.HUMAN, None)

    _settle_cancel_and_reschedule(s, raw, hits, awaiting)
    if awaiting:
        for intent in (Intent.CANCEL, Intent.RESCHEDULE):
            if _weight(hits, intent) >= 0.85:
                return _from_cues(intent, hits)
        answered = _awaited_answer(s, raw, awaiting, hits)
        if answered is not None:
            return answered

    if _BOOK_IT.fullmatch(s):
        return _result(Intent.AFFIRM, 0.85, ["book it"], hits)
    # "Can you come out to Jenks tomorrow for a detail?" is a booking that happens to name a place.
    if Intent.SERVICE_AREA in hits and _weight(hits, Intent.BOOK) >= 0.75 and mentions_when(raw):
        hits[Intent.BOOK].append((0.95, "booking with place and time"))
    ranked = _ranked(hits)
    if ranked and ranked[0][0] >= 0.6:
        weight, intent = ranked[0]
        # A weak "I need/want" inside "no thanks, I don't need anything" is not a booking.
        weak_booking = intent is Intent.BOOK and weight < 0.7
        if not (weak_booking and (_only_pleasantries(s, _THANKS) or is_affirmative(raw) or is_negative(raw))):
            return _from_cues(intent, hits)

    if _only_pleasantries(s, _THANKS):
        return _result(Intent.THANKS, 0.9, ["thanks"], hits)
    if is_negative(raw):
        return _result(Intent.DENY, 0.75 if awaiting else 0.65, ["no"], hits)
    if is_affirmative(raw):
        return _result(Intent.AFFIRM, 0.75 if awaiting else 0.65, ["yes"], hits)
    if _THANKS.search(s) and len(s.split()) <= 8 and not _is_question(s):
        return _result(Intent.THANKS, 0.7, ["thanks"], hits)
    if _GREETING.match(s) and _only_pleasantries(s, _GREETING):
        return _result(Intent.GREETING, 0.9, ["greeting"], hits)
    if ranked and ranked[0][0] >= 0.55:
        return _from_cues(ranked[0][1], hits)
    when_named = mentions_when(raw)
    if when_named and re.search(r"\b(?:can|could) (?:we|i|you) (?:do|get|have|book|make it)\b|\b(?:how|what) about\b", s):
        return _result(Intent.BOOK, 0.65, ["can we do <when>"], hits)
    if when_named and (not _is_question(s) or len(s.split()) <= 6):
        return _result(Intent.INFORM, 0.5, ["when"], hits)
    if _is_question(s):
        return _result(Intent.FAQ, 0.5, ["question"], hits)
    if _GREETING.match(s):
        return _result(Intent.GREETING, 0.6, ["greeting"], hits)
    if extract_address(raw) or extract_name(raw) or extract_measurements(raw):
        return _result(Intent.INFORM, 0.5, ["details"], hits)
    return _result(Intent.UNKNOWN, 0.2, [], hits)


def is_opt_out_phrase(text: str) -> bool:
    """Returns whether `text` asks to stop messages ("please stop texting me", "remove me").

    Bare keywords (STOP, UNSUBSCRIBE, ...) are the consent layer's; this also returns True for
    them. "Stop by anytime" is not an opt-out.
    """
    s = normalize(text)
    if re.sub(r"[^\w\s]", "", s).strip() in _OPT_OUT_KEYWORDS:
        return True
    return any(pattern.search(s) for pattern, _, _ in _CUES[Intent.OPT_OUT_LIKE])
