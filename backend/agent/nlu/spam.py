"""Recognises unsolicited junk texted to a business number (prize scams, crypto pitches, SEO and
lead-gen offers) so the agent neither answers it nor books it.

Deliberately conservative: a real customer who sends a photo link, asks about gift cards or wants
to pay in bitcoin must not be ignored, so one weak signal is never enough — it takes a strong
phrase, or a link plus a sales phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.agent.nlu.text import normalize

SPAM_THRESHOLD = 2

_URL = re.compile(
    r"\b(?:https?://|www\.)\S+"
    r"|(?<![@\w.-])[a-z0-9-]+\.(?:com|net|org|io|co|xyz|info|biz|top|click|link|site|online|ru|cn)(?:/\S*)?\b"
)
_SHORTENER = re.compile(
    r"\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rb\.gy|shorturl\.at|tiny\.cc)/\S+"
)
# Links customers legitimately send: photos, maps, the business's own booking pages.
_BENIGN_LINK = re.compile(
    r"\b(?:imgur\.com|photos\.app\.goo\.gl|photos\.google\.com|icloud\.com|maps\.app\.goo\.gl|goo\.gl/maps|"
    r"maps\.google\.com|google\.com/maps|drive\.google\.com|dropbox\.com)\S*"
)

_STRONG = (
    (r"\byou(?:'ve| have)? (?:been selected|won|are (?:a |the )?winner)\b", "prize claim"),
    (r"\bcongratulations[!,.]* (?:you|your)\b", "prize claim"),
    (r"\bclaim (?:your|the) (?:prize|reward|gift|cash|winnings|voucher)\b", "prize claim"),
    (r"\b(?:free (?:iphone|ipad|gift card|cruise|vacation))\b", "prize claim"),
    (r"\b(?:seo|search engine optimi[sz]ation)\b", "seo offer"),
    (r"\b(?:first page of google|rank (?:your|higher)|google (?:ranking|reviews? package)|more (?:leads|traffic)|"
     r"generate leads|lead generation)\b", "lead-gen offer"),
    (r"\b(?:(?:crypto|bitcoin|btc|ethereum|usdt|forex)\b.*\b(?:invest|investment|profit|returns?|trading|signals?|"
     r"double)|(?:invest|profit|returns?|trading)\b.*\b(?:crypto|bitcoin|btc|ethereum|usdt|forex))\b", "crypto pitch"),
    (r"\b(?:guaranteed (?:returns|profit|income)|make \$?\d+[k]? (?:a|per) (?:day|week))\b", "money scheme"),
    (r"\b(?:your (?:account|package|parcel) (?:has been|is) (?:suspended|locked|on hold)|"
     r"verify your (?:account|identity))\b", "phishing"),
    (r"\b(?:business (?:loan|funding|cash advance)|merchant cash advance|pre-?approved (?:for|loan))\b",
     "loan offer"),
    (r"\b(?:we (?:build|design) websites|website (?:redesign|design services)|web design (?:services|agency))\b",
     "web design offer"),
)
_WEAK = (
    (r"\b(?:click (?:here|the link|below)|tap the link|visit (?:our|my) (?:site|website))\b", "click bait"),
    (r"\b(?:limited time|act now|expires (?:today|soon)|don'?t miss out|exclusive offer|special promotion)\b",
     "urgency"),
    (r"\b(?:crypto|bitcoin|btc|ethereum|nft|forex)\b", "crypto word"),
    (r"\b(?:dear (?:sir|madam|business owner)|to whom it may concern|hello business owner)\b", "form letter"),
    (r"\b(?:gift card|cash prize|winner|reward points? (?:expire|expiring))\b", "prize word"),
    (r"\b(?:marketing agency|digital marketing|social media management|increase (?:your )?sales|"
     r"grow your business)\b", "marketing pitch"),
    (r"\b(?:unsubscribe|reply stop to opt out|text stop to)\b", "bulk-sender footer"),
)


@dataclass(frozen=True)
class SpamResult:
    """Whether a message is spam, its score and the signals that fired (for logs and review)."""

    is_spam: bool
    score: int
    reasons: tuple[str, ...] = ()


def check_spam(text: str) -> SpamResult:
    """Returns the spam verdict for `text`: strong phrases score 2, weak signals and links 1.

    Spam needs a score of at least `SPAM_THRESHOLD` (2).
    """
    s = normalize(text)
    score = 0
    reasons: list[str] = []
    for pattern, reason in _STRONG:
        if re.search(pattern, s):
            score += 2
            reasons.append(reason)
    for pattern, reason in _WEAK:
        if re.search(pattern, s):
            score += 1
            reasons.append(reason)
    links = [m.group(0) for m in _URL.finditer(s) if not _BENIGN_LINK.search(m.group(0))]
    if _SHORTENER.search(s):
        score += 2
        reasons.append("shortened link")
    elif links:
        score += 1
        reasons.append("link")
    return SpamResult(score >= SPAM_THRESHOLD, score, tuple(dict.fromkeys(reasons)))


def is_spam(text: str) -> bool:
    """Returns whether `text` is spam by `check_spam`."""
    return check_spam(text).is_spam
