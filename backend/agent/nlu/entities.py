"""Slot values a customer types into an SMS: ZIP code, street address, name, email, which of the
offered options they picked, and whether a short reply means yes or no.

Every extractor prefers returning None to guessing: a wrong ZIP or name ends up in a booking,
while a None only makes the agent ask again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from backend.agent.nlu.text import NUMBER_WORDS, normalize, stem, tokens

# --------------------------------------------------------------------------------------------
# Yes / no

_AFFIRM_PHRASES = frozenset(
    """yes|yess|yesss|yes yes|yeah|yeah yeah|yea|ya|yah|yup|yep|y|ye|sure|sure thing|ok|okay|k|kk|okie|okey|
    ok sure|okay sure|alright|all right|sounds good|sounds great|sounds perfect|sounds good to me|
    that sounds good|that sounds great|sounds like a plan|perfect|great|good|fine|that's fine|thats fine|
    works|that works|works for me|that works for me|that'll work|thatll work|that will work|
    that works great|that's perfect|thats perfect|book it|book me|book me in|lock it in|do it|let's do it|
    lets do it|let's do that|lets do that|go ahead|go for it|go ahead and book it|please book it|
    confirm|confirmed|i confirm|correct|that's correct|thats correct|right|that's right|thats right|
    absolutely|definitely|of course|for sure|deal|please do|yes please|please|cool|awesome|excellent|
    yes ma'am|yes sir|si|affirmative|exactly|100%|bet|see you then|i'll take it|ill take it|take it|
    yes that works|no problem|no worries|np|yessir|yes it is|it is|yes it does|it does|
    yes that's right|yes that's correct|yes correct|yep that works|yup that works|sure that works|
    ok that works|okay that works|ok sounds good|okay sounds good|ok perfect|okay perfect|ok great|
    okay great|ok cool|that's great|thats great|👍|👌|✅|🙌|👍🏻|👍🏼|👍🏽|👍🏾|👍🏿""".split("|")
)
_AFFIRM_PHRASES = frozenset(p.strip() for p in _AFFIRM_PHRASES)
_AFFIRM_STRONG_START = re.compile(
    r"^(?:yes|yess+|yeah|yea|yep|yup|ya|absolutely|definitely|correct|perfect|sounds good|"
    r"sounds great|that works|works for me|book it|confirmed|of course|for sure|sure)\b"
)
_NEGATIVE_PHRASES = frozenset(
    """no|nope|nah|naw|n|no thanks|no thank you|no thx|nope thanks|not really|not now|not yet|
    not today|that doesn't work|doesn't work|that does not work|does not work|that won't work|
    won't work|that wont work|wont work|that doesnt work|doesnt work|neither|neither works|
    neither of those|neither one|none|none of them|none of those|none of these|none work|
    not that one|wrong|incorrect|that's wrong|thats wrong|no way|negative|can't|cant|cannot|
    can't do that|i can't|i cant|no sorry|sorry no|no sorry|not interested|nevermind|never mind|
    nvm|no that's wrong|no it's not|no it isn't|not quite|no not really|nope not really|
    i don't think so|dont think so|don't think so|no i'm good|no im good|i'm good|im good|
    👎|❌|🚫""".split("|")
)
_NEGATIVE_PHRASES = frozenset(p.strip() for p in _NEGATIVE_PHRASES)
_NEGATIVE_START = re.compile(
    r"^(?:no|nope|nah|naw|neither|none)\b(?!\s+(?:problem|worries|prob|rush|biggie|doubt)\b)"
)
_NEGATIVE_ANYWHERE = re.compile(
    r"\b(?:doesn'?t|does not|won'?t|will not|wouldn'?t|isn'?t|is not|not going to|not gonna|can'?t|cannot)"
    r"\s+(?:work|do|make it|make that|be able)\b|\bneither\b|\bnone of (?:those|them|these)\b"
)
_CONTRAST = re.compile(
    r"\b(?:but|instead|actually|rather|however|except|although|though|change|different|"
    r"how about|what about|can we|could we|can you|could you|is there|do you)\b|\?"
)
_FILLER = re.compile(
    r"\b(?:please|pls|plz|thanks|thank you|thx|ty|so much|then|that|lol|haha|great|sir|ma'am|"
    r"see you|see ya|cya|then)\b"
)


def _clean_reply(text: str) -> str:
    s = normalize(text)
    s = re.sub(r"[.!,;:~*]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def is_affirmative(text: str) -> bool:
    """Returns whether the reply means yes ("yes", "sounds good", "book it", "👍").

    A yes that goes on to change something ("yes but can we do 11 instead") is not a plain yes,
    and neither is a question; both return False so the agent does not book the old offer.
    """
    s = _clean_reply(text)
    if not s or is_negative(text):
        return False
    if s in _AFFIRM_PHRASES:
        return True
    if _CONTRAST.search(s):
        return False
    rest = _FILLER.sub(" ", s).strip()
    parts = [p for p in re.split(r"\s+", rest) if p]
    if rest in _AFFIRM_PHRASES:
        return True
    # "ok thanks", "yes please", "sounds good see you then": a phrase plus polite filler
    for cut in range(len(parts), 0, -1):
        head, tail = " ".join(parts[:cut]), " ".join(parts[cut:])
        tail_is_filler = not tail or tail in _AFFIRM_PHRASES or all(p in _AFFIRM_PHRASES for p in parts[cut:])
        if head in _AFFIRM_PHRASES and tail_is_filler:
            return True
    return bool(_AFFIRM_STRONG_START.match(s)) and len(s.split()) <= 12


def is_negative(text: str) -> bool:
    """Returns whether the reply means no ("no", "nope", "that doesn't work", "neither").

    "No problem", "no worries" and "no rush" are not refusals.
    """
    s = _clean_reply(text)
    if not s:
        return False
    if s in _NEGATIVE_PHRASES:
        return True
    if _NEGATIVE_START.match(s):
        return True
    return len(s.split()) <= 10 and bool(_NEGATIVE_ANYWHERE.search(s))


# --------------------------------------------------------------------------------------------
# Email and ZIP

_EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![\w@])"
)


def extract_email(text: str) -> str | None:
    """Returns the first email address in `text` (domain lower-cased), or None."""
    m = _EMAIL.search(text or "")
    if not m:
        return None
    local, domain = m.group(1).rsplit("@", 1)
    if ".." in local or ".." in domain:
        return None
    return f"{local}@{domain.lower()}"


_ZIP = re.compile(r"(?<![\w$#.,/:-])(\d{5})(?:-(\d{4}))?(?![\w/%-]|[.,:]\d)")
_ZIP_NOT_AFTER = re.compile(
    r"\s*(?:dollars?|bucks|usd|miles?|mi\b|lbs?\b|pounds?|sq\b|sqft|sq\.?\s*ft|square|ft\b|feet|"
    r"acres?|k\b|points?|pts\b|cars?|people|times?|%)",
    re.IGNORECASE,
)
_ZIP_NOT_BEFORE = re.compile(
    r"(?:#|\bref|\border|\bconfirmation|\bconf|\binvoice|\baccount|\bacct|\bcode|\bpin|\bpo|"
    r"\bapt|\bunit|\bsuite|\bste|\bpaid|\bcost|\bprice|\bbudget|\bmileage|\bmiles)\s*[:#]?\s*$",
    re.IGNORECASE,
)


def extract_zips(text: str) -> list[str]:
    """Returns every plausible 5-digit US ZIP code in `text`, in order, without duplicates.

    Skips prices ("$95", "95000 dollars"), house numbers ("12345 S Main St"), order/reference
    numbers ("#12345") and quantities ("12000 sq ft"); ZIP+4 comes back as its 5-digit ZIP.
    """
    text = text or ""
    found: list[str] = []
    house_numbers = {a.number_span for a in _addresses(text)}
    for m in _ZIP.finditer(text):
        zip5 = m.group(1)
        if zip5.startswith("000") or zip5 == "99999":
            continue
        if _ZIP_NOT_AFTER.match(text, m.end()) or _ZIP_NOT_BEFORE.search(text[: m.start()]):
            continue
        if (m.start(), m.start() + 5) in house_numbers:
            continue
        if zip5 not in found:
            found.append(zip5)
    return found


def extract_zip(text: str) -> str | None:
    """Returns the US ZIP code in `text`: the one after a state or "zip", else the first; or None."""
    found = extract_zips(text)
    if not found:
        return None
    for zip5 in found:
        if re.search(rf"(?:\b(?:{'|'.join(_STATES)})|(?i:\bzip(?:\s*code)?\s*(?:is|:)?))\s*,?\s*{zip5}\b", text):
            return zip5
    return found[0]


# --------------------------------------------------------------------------------------------
# Street address

_STATES = MappingProxyType({
    "AL": "alabama", "AK": "alaska", "AZ": "arizona", "AR": "arkansas", "CA": "california",
    "CO": "colorado", "CT": "connecticut", "DE": "delaware", "DC": "district of columbia",
    "FL": "florida", "GA": "georgia", "HI": "hawaii", "ID": "idaho", "IL": "illinois",
    "IN": "indiana", "IA": "iowa", "KS": "kansas", "KY": "kentucky", "LA": "louisiana",
    "ME": "maine", "MD": "maryland", "MA": "massachusetts", "MI": "michigan", "MN": "minnesota",
    "MS": "mississippi", "MO": "missouri", "MT": "montana", "NE": "nebraska", "NV": "nevada",
    "NH": "new hampshire", "NJ": "new jersey", "NM": "new mexico", "NY": "new york",
    "NC": "north carolina", "ND": "north dakota", "OH": "ohio", "OK": "oklahoma", "OR": "oregon",
    "PA": "pennsylvania", "RI": "rhode island", "SC": "south carolina", "SD": "south dakota",
    "TN": "tennessee", "TX": "texas", "UT": "utah", "VT": "vermont", "VA": "virginia",
    "WA": "washington", "WV": "west virginia", "WI": "wisconsin", "WY": "wyoming",
})
_STATE_BY_NAME = MappingProxyType({name: code for code, name in _STATES.items()})
_SUFFIXES = (
    r"street|st|avenue|ave|av|road|rd|drive|dr|lane|ln|boulevard|blvd|court|ct|circle|cir|place|pl|"
    r"way|parkway|pkwy|terrace|ter|trail|trl|highway|hwy|loop|square|sq|pike|crossing|xing|"
    r"expressway|expy|cove|cv|point|pt|bend|ridge|path|row|alley|aly|heights|hts|hollow|holw|"
    r"plaza|plz|run|pass|commons|crescent|cres|landing|lndg|creek|park"
)
_DIRECTIONS = r"n|s|e|w|ne|nw|se|sw|north|south|east|west|northeast|northwest|southeast|southwest"
_NAME_STOP = (
    r"and|or|the|at|on|in|near|by|to|for|of|my|is|it|a|an|i|we|you|me|from|with|this|that|"
    r"today|tomorrow|tonight|am|pm|please|thanks|but|so|if|then|be|are|was|have|has|need|want|"
    r"can|could|would|will|do|does|did|cars?|trucks?|dogs?|cats?|rooms?|hours?|days?|weeks?|"
    r"minutes?|mins?|times?|people|kids?|acres?|miles?|sq|ft|bedrooms?|bathrooms?|beds?|baths?"
)
_ADDRESS = re.compile(
    rf"(?<![\w$#.,/:-])(?P<number>\d{{1,6}}[A-Za-z]?)(?:-\d{{1,4}})?\s+"
    rf"(?P<street>(?:(?:{_DIRECTIONS})\.?\s+)?"
    rf"(?:(?!(?:{_NAME_STOP})\b)[A-Za-z0-9][A-Za-z0-9'.-]*\s+){{1,4}}"
    rf"(?P<suffix>{_SUFFIXES})\b\.?(?:\s+(?:{_DIRECTIONS})\b\.?)?)"
    rf"(?:\s*,?\s*(?P<unit>(?:apt|apartment|unit|suite|ste|lot|bldg|building|#)\.?\s*#?\s*[A-Za-z0-9-]+))?",
    re.IGNORECASE,
)
_CITY_WORD = r"[A-Za-z][A-Za-z.'-]*"
_CITY_STOP = frozenset(
    "today tomorrow tonight please thanks at on in by and or for the this next asap am pm is "
    "it around about morning afternoon evening".split()
)


@dataclass(frozen=True)
class AddressHint:
    """A street address found in a message, split into the fields `address_key` takes.

    `line1` is "<number> <street>" ("4512 S Harvard Ave"), `line2` the unit ("Apt 4") if any;
    `city`, `state` (two-letter code) and `postal_code` are None when not given.
    """

    line1: str
    number: str
    street: str
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    raw: str = ""


@dataclass(frozen=True)
class _AddressMatch:
    hint: AddressHint
    number_span: tuple[int, int]
    end: int  # where the address (with its city/state/ZIP tail) ends in the text


def _addresses(text: str) -> list[_AddressMatch]:
    out: list[_AddressMatch] = []
    for m in _ADDRESS.finditer(text):
        number, street = m.group("number"), re.sub(r"\s+", " ", m.group("street")).strip()
        if len(number) == 1 and number == "0":
            continue
        unit = re.sub(r"\s+", " ", m.group("unit")).strip() if m.group("unit") else None
        if unit and unit.startswith("#"):
            unit = "#" + unit[1:].strip()
        city, state, postal, end = _address_tail(text, m.end())
        hint = AddressHint(
            line1=f"{number} {street}".rstrip("."),
            number=number,
            street=street.rstrip("."),
            line2=unit,
            city=city,
            state=state,
            postal_code=postal,
            raw=text[m.start():end].strip(" ,"),
        )
        out.append(_AddressMatch(hint, (m.start("number"), m.end("number")), end))
    return out


def _address_tail(text: str, pos: int) -> tuple[str | None, str | None, str | None, int]:
    tail = text[pos:]
    state_names = "|".join(sorted(_STATE_BY_NAME, key=len, reverse=True))
    state = rf"(?P<state>\b(?:{'|'.join(_STATES)})\b|(?i:{state_names})\b)\.?"
    zip_ = r"(?P<zip>\d{5})(?:-\d{4})?(?!\d)"
    city = rf"(?P<city>{_CITY_WORD}(?:\s+{_CITY_WORD}){{0,2}}?)"
    patterns = (
        rf"^\s*,?\s*{city}\s*,?\s+{state}(?:\s*,?\s*{zip_})?",
        rf"^\s*,?\s*{state}\s*,?\s*{zip_}",
        rf"^\s*,?\s*{city}\s*,?\s+{zip_}",
        rf"^\s*,?\s*{zip_}",
        r"^\s*,\s*(?P<city>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})\s*(?=[.!?]|$)",
    )
    for pattern in patterns:
        m = re.match(pattern, tail)
        if not m:
            continue
        groups = m.groupdict()
        city_value = groups.get("city")
        if city_value and any(w.lower() in _CITY_STOP for w in city_value.split()):
            continue
        state_value = groups.get("state")
        if state_value:
            state_value = state_value.rstrip(".")
            state_value = state_value.upper() if len(state_value) == 2 else _STATE_BY_NAME[state_value.lower()]
        return city_value, state_value, groups.get("zip"), pos + m.end()
    return None, None, None, pos


def extract_address(text: str) -> AddressHint | None:
    """Returns the first street address in `text` ("4512 S Harvard Ave, Tulsa, OK 74135"), or None.

    Needs a house number and a street suffix (St, Ave, Rd, Dr, Ct, ...), so that "2 cars on the
    way" or "at 10 tomorrow" never read as addresses; a street typed without its suffix is missed.
    """
    found = _addresses(text or "")
    return found[0].hint if found else None


# --------------------------------------------------------------------------------------------
# Name

_NOT_NAMES = frozenset(
    """interested looking wondering trying calling texting reaching inquiring hoping checking curious
    available free busy good great fine ok okay okey sure sorry here there home back out in on at not
    just so very really still also new ready done running late outside coming going gonna wanting
    needing asking a an the this that it me my your you we they he she him her them us and or but
    for with from to of about after before by as if then when what who how why where yes no yeah
    yep nope hi hello hey thanks thank please pls glad happy excited thinking planning moving selling
    renting leaving working off away up down over open closed around near close far all both either
    neither one two three first second next last again too only always never already almost probably
    maybe definitely actually currently now today tomorrow tonight morning afternoon evening confused
    booked scheduled customer client owner homeowner tenant landlord renter manager mom dad wife
    husband son daughter neighbor friend messaging flexible retired disabled returning regular existing
    former previous sick tired well alright allergic unable able afraid pretty kind sort guessing
    assuming certain positive aware unsure inside downstairs upstairs set interested trying wanting
    someone somebody anyone nobody everyone human person real bot robot machine automated agent
    waiting wait still gone driving ok cool awesome perfect correct right wrong fine nice lucky
    blessed sure same your their his our its is was be been being have has had do does did can could
    would will should shall may might must need want like love hate get got make made take took call
    called text texted send sent wanna gotta hoping booking asking emailing writing replying
    responding following regarding re following on my way omw good bad sad mad glad excited
    an hour minute second week month year day sedan suv truck van car cars house apartment condo
    yard lawn dog cat pet puppy kitten vehicle jeep minivan pickup detail cleaning mowing grooming
    cancel reschedule stop help info unsubscribe interested available looking asap later anytime
    whenever kinda sorta super totally due overdue headed stuck told located unavailable worried
    concerned satisfied unhappy disappointed upset frustrated new here premium basic standard
    full deluxe express interior exterior work office shop store business church school gym address
    location place building unit""".split()
)
_NAME_TOKEN = r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]"
_STRONG_NAME_CUES = re.compile(r"\b(?:my name(?:'s| is)|name(?:'s| is)|name\s*:|names)\s+", re.IGNORECASE)
_WEAK_NAME_CUES = re.compile(r"(?:^|[\s,.!])(?:this is|it's|its|it is|i'm|im|i am|call me)\s+", re.IGNORECASE)
_NAME_HERE = re.compile(rf"^\s*(?:hi|hey|hello)?[,!\s]*({_NAME_TOKEN}(?:\s+{_NAME_TOKEN})?)\s+here\b", re.IGNORECASE)
# "Thanks! - Tom", "see you then.\n-Rachel Green": a dash signature closing the message.
_SIGNATURE = re.compile(
    r"(?:^|[.!?\n]\s*|(?i:\b(?:thanks|thank you|thx|cheers|regards))\s*)[-~]\s*"
    r"([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)\s*[.!]*\s*$"
)
_BARE_NAME = re.compile(rf"\s*(?:it's\s+|its\s+|it is\s+)?((?:{_NAME_TOKEN})(?:\s+(?:{_NAME_TOKEN})){{0,2}})\s*[.!]*\s*")
_WEEKDAY_OR_MONTH = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april june july "
    "august september october november december".split()
)


def _name_like(token: str, *, strict: bool) -> bool:
    low = token.lower()
    letters_only = low.replace("'", "").replace("-", "").isalpha()
    if low in _NOT_NAMES or low.endswith("'s") or len(low) < 2 or not letters_only:
        return False
    if low.endswith(("ing", "ly", "ed", "ous", "ful", "able", "ible", "less")) and len(low) > 5:
        return False
    if strict and low in _WEEKDAY_OR_MONTH:
        return False
    return True


def _display_name(words: list[str]) -> str:
    out = []
    for w in words:
        out.append(w.title() if (w.islower() or w.isupper()) else w)
    return " ".join(out)


def _take_name(text: str, start: int, *, require_capital: bool, max_words: int = 3) -> str | None:
    words: list[str] = []
    pos = start
    token = re.compile(rf"[ \t]*({_NAME_TOKEN})(?![\w'])")
    while len(words) < max_words:
        m = token.match(text, pos)
        if not m:
            break
        word = m.group(1)
        if not _name_like(word, strict=require_capital or not words):
            break
        if require_capital and not word[0].isupper():
            break
        # Further words must be styled like the first ("Sarah Lee", "sarah lee", not "Sarah needs")
        if words and word[0].isupper() != words[0][0].isupper():
            break
        words.append(word)
        pos = m.end()
    if not words:
        return None
    after = text[pos:].lstrip()
    # "I'm Mike's wife", "this is Sarah Lee's account": a possessive is not the sender's name
    if after.startswith("'s"):
        return None
    return _display_name(words)


def extract_name(text: str, *, expected: bool = False) -> str | None:
    """Returns the sender's name from "I'm John", "this is Sarah Lee", "my name is ...", "- Tom".

    Never reads "I'm interested" or "I'm looking for" as a name. In a message that uses capitals,
    weak cues ("I'm", "this is", "it's") need a capitalised name. `expected=True` (the agent just
    asked for the name) also accepts a bare reply of one to three name-like words ("john smith").
    """
    text = (text or "").strip()
    if not text:
        return None
    mixed_case = not text.islower()
    for m in _STRONG_NAME_CUES.finditer(text):
        name = _take_name(text, m.end(), require_capital=False)
        if name:
            return name
    for m in _WEAK_NAME_CUES.finditer(text):
        name = _take_name(text, m.end(), require_capital=mixed_case, max_words=3 if mixed_case else 2)
        if name:
            return name
    here = _NAME_HERE.match(text)
    if here:
        words = here.group(1).split()
        styled = not mixed_case or all(w[0].isupper() for w in words)
        if styled and all(_name_like(w, strict=True) for w in words):
            return _display_name(words)
    signed = _SIGNATURE.search(text)
    if signed and all(_name_like(w, strict=True) for w in signed.group(1).split()):
        return _display_name(signed.group(1).split())
    beside = _name_beside_address(text, mixed_case=mixed_case)
    if beside:
        return beside
    if expected:
        bare = _BARE_NAME.fullmatch(text)
        if bare:
            words = bare.group(1).split()
            if all(_name_like(w, strict=True) for w in words):
                return _display_name(words)
    return None


_BEFORE_ADDRESS = re.compile(r"^\s*(.+?)\s*[,;\n]\s*$", re.DOTALL)
_AFTER_ADDRESS = re.compile(r"^\s*[,;\n]\s*(.+?)\s*[.!]*\s*$", re.DOTALL)


def _name_beside_address(text: str, *, mixed_case: bool) -> str | None:
    """Reads "Jamie Cole, 4410 S Peoria Ave 74105" or "4410 S Peoria Ave, Tulsa OK; Jamie Cole":
    customers asked for the address often send their name with it. The name must be set off from
    the address by a comma, semicolon or line break and styled like a name."""
    found = _addresses(text)
    if not found:
        return None
    for pattern, part in ((_BEFORE_ADDRESS, text[:found[0].number_span[0]]), (_AFTER_ADDRESS, text[found[-1].end:])):
        m = pattern.match(part)
        if not m:
            continue
        words = m.group(1).split()
        if not 1 <= len(words) <= 3 or not all(re.fullmatch(_NAME_TOKEN, w) for w in words):
            continue
        styled = not mixed_case or all(w[0].isupper() for w in words)
        if styled and all(_name_like(w, strict=True) for w in words):
            return _display_name(words)
    return None


# --------------------------------------------------------------------------------------------
# Choice among offered options

_ORDINAL_INDEX = MappingProxyType({
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10,
})
_WD_NAMES = MappingProxyType({
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
})
_CLOCK = re.compile(
    r"(?<![\d:/$])(\d{1,2})(?::([0-5]\d))?(?:(\s*)(a\.?m\.?|p\.?m\.?|a|p)(?![a-z]))?(?![\d/%])", re.IGNORECASE
)
_CHOICE_STOP = frozenset(
    "the a an one option choice please pls i'll take want like go with that this do lets let's for me "
    "number slot time".split()
)
_ORDINAL_CHOICE = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|3rd|4th|5th|6th|7th|8th|9th|10th)\b"
)
_LAST_CHOICE = re.compile(r"\b(?:last one|the last|last option|latter|latest|later one|the later)\b")
_BARE_NUMBER_CHOICE = re.compile(
    r"(?:(?:i'?ll take|let'?s do|lets do|i want|go with)\s+)?(?:the\s+)?"
    r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"(?:\s+(?:please|pls|works|is good|is fine|thanks|thx|one))*[\s.!]*"
)


def _label_clock(label: str) -> tuple[int, int] | None:
    for m in _CLOCK.finditer(label.lower()):
        hour, minute, mer = int(m.group(1)), int(m.group(2) or 0), m.group(4)
        if not (mer or m.group(2)):
            continue
        if mer:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if mer.startswith("p") else 0)
        return hour, minute
    return None


def _text_clocks(s: str) -> list[tuple[int, int | None, str | None]]:
    out = []
    for m in _CLOCK.finditer(s):
        mer = m.group(4)
        if mer in ("a", "p") and m.group(3):
            mer = None
        if re.match(r"\s*(?:st|nd|rd|th)\b", s[m.end():]):
            continue
        out.append((int(m.group(1)), int(m.group(2)) if m.group(2) else None, mer[0] if mer else None))
    return out


def _clock_matches(said: tuple[int, int | None, str | None], at: tuple[int, int]) -> bool:
    hour, minute, mer = said
    if minute is not None and minute != at[1]:
        return False
    if mer:
        if not 1 <= hour <= 12:
            return False
        return hour % 12 + (12 if mer == "p" else 0) == at[0]
    return hour == at[0] or (1 <= hour <= 12 and hour % 12 + 12 == at[0]) or (hour == 12 and at[0] == 12)


def _label_candidates(s: str, labels: Sequence[str]) -> set[int] | None:
    """Options whose label agrees with every time/weekday/part-of-day the text names; None if
    the text names none of those."""
    lowered = [normalize(label) for label in labels]
    candidates = set(range(len(labels)))
    constrained = False
    clocks = _text_clocks(s)
    if clocks:
        constrained = True
        candidates &= {
            i for i, label in enumerate(labels)
            if (at := _label_clock(label)) is not None and any(_clock_matches(c, at) for c in clocks)
        }
    said_days = {_WD_NAMES[t] for t in tokens(s) if t in _WD_NAMES}
    if said_days:
        constrained = True
        candidates &= {
            i for i, label in enumerate(lowered)
            if said_days & {_WD_NAMES[t] for t in tokens(label) if t in _WD_NAMES}
        }
    for word, (lo, hi) in (("morning", (0, 12)), ("afternoon", (12, 17)), ("evening", (17, 24))):
        if re.search(rf"\b{word}\b", s):
            constrained = True
            candidates &= {
                i for i, label in enumerate(labels)
                if ((at := _label_clock(label)) is not None and lo <= at[0] < hi) or word in lowered[i]
            }
    return candidates if constrained else None


def _fuzzy_label(s: str, labels: Sequence[str]) -> int | None:
    said = {stem(t) for t in tokens(s) if t not in _CHOICE_STOP}
    if not said:
        return None
    scores = []
    for label in labels:
        words = {stem(t) for t in tokens(label) if t not in _CHOICE_STOP}
        scores.append(len(words & said) / len(words) if words else 0.0)
    best = max(scores)
    if best < 0.5 or scores.count(best) > 1:
        return None
    return scores.index(best)


def extract_choice(text: str, options: int | Sequence[str]) -> int | None:
    """Returns the 0-based index of the option the reply picks, or None if unclear.

    `options` is either how many options were offered or their labels ("Tue 10:00 AM", "Full
    Detail"). Understands "the first one", "#2", "2", "second", "the last one", and with labels
    "the 10am one", "tuesday", "the afternoon one" or a label's distinctive words. When an
    ordinal or bare number and the labels disagree ("2" offered next to a 2pm slot that is not
    option 2) the answer is None. "earlier/earliest" and "later/latest" assume options are listed
    in time order. Note 0 is a valid answer: test the result with `is not None`.
    """
    labels = None if isinstance(options, int) else list(options)
    count = options if isinstance(options, int) else len(options)
    s = normalize(text)
    if count <= 0 or not s or re.search(r"\b(?:neither|none|nothing|not those)\b", s):
        return None
    if re.search(r"\b(?:either|any|whichever|both|doesn'?t matter)\b", s):
        return None

    explicit = re.search(r"(?:#|\b(?:option|number|no\.|choice|slot|opt|num)\s*#?)\s*(\d{1,2})\b", s)
    if explicit:
        index = int(explicit.group(1)) - 1
        return index if 0 <= index < count else None

    index_guess: int | None = None
    ambiguous_with_labels = False
    m = _ORDINAL_CHOICE.search(s)
    if m:
        index_guess = _ORDINAL_INDEX[m.group(1)] - 1
        # "the 2nd" may also be a date; an "one/option" after it settles it
        ambiguous_with_labels = not re.match(r"\s*(?:one|option|choice|slot|time)\b", s[m.end():])
    elif _LAST_CHOICE.search(s) or s == "last":
        index_guess = count - 1
    elif re.search(r"\b(?:former|earliest|earlier one|the earlier)\b", s):
        index_guess = 0
    else:
        bare = _BARE_NUMBER_CHOICE.fullmatch(s)
        if bare:
            word = bare.group(1)
            index_guess = (int(word) if word.isdigit() else NUMBER_WORDS[word]) - 1
            ambiguous_with_labels = True

    if labels is None:
        return index_guess if index_guess is not None and 0 <= index_guess < count else None

    by_label = _label_candidates(s, labels)
    if index_guess is not None and not 0 <= index_guess < count:
        index_guess = None
        if ambiguous_with_labels and by_label is not None and len(by_label) == 1:
            return next(iter(by_label))  # "10" when only three slots were offered: the 10am one
        return None
    if index_guess is not None:
        if not ambiguous_with_labels or by_label is None:
            if index_guess is not None and by_label is not None and index_guess not in by_label:
                return None
            return index_guess
        if not by_label:
            return index_guess
        return index_guess if by_label == {index_guess} else None
    if by_label is not None:
        return next(iter(by_label)) if len(by_label) == 1 else None
    return _fuzzy_label(s, labels)

