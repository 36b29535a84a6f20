"""classify_intent: realistic SMS from auto detailing, lawn care and house cleaning customers,
including look-alikes that must not be confused ("stop by anytime" is not an opt-out)."""

from __future__ import annotations

import pytest

from backend.agent.nlu.intents import Intent, classify_intent, is_opt_out_phrase

CASES: list[tuple[str, Intent]] = [
    # book
    ("I'm interested in a detail", Intent.BOOK),
    ("I'd like to book a deep clean", Intent.BOOK),
    ("Can I schedule a mow for saturday?", Intent.BOOK),
    ("I need my lawn mowed this week", Intent.BOOK),
    ("Looking for weekly mowing", Intent.BOOK),
    ("Do you have anything tomorrow?", Intent.BOOK),
    ("are you available saturday", Intent.BOOK),
    ("Any openings this weekend?", Intent.BOOK),
    ("What's your next available appointment?", Intent.BOOK),
    ("want to get my car detailed before friday", Intent.BOOK),
    ("Hi! I need a move out cleaning on the 30th", Intent.BOOK),
    ("Can you come out to Jenks tomorrow for a full detail?", Intent.BOOK),
    ("Can someone come clean my house next week?", Intent.BOOK),
    # reschedule
    ("can I move my appointment to friday", Intent.RESCHEDULE),
    ("something came up, can I move my detail to wednesday instead?", Intent.RESCHEDULE),
    ("could we push our lawn mowing back a week", Intent.RESCHEDULE),
    ("need to bump my deep cleaning to the afternoon", Intent.RESCHEDULE),
    ("I need to reschedule", Intent.RESCHEDULE),
    ("Can we push it back an hour?", Intent.RESCHEDULE),
    ("Something came up, can we do another day?", Intent.RESCHEDULE),
    ("I can't make it friday, can we do monday instead?", Intent.RESCHEDULE),
    ("need to change my appointment time", Intent.RESCHEDULE),
    ("Can I cancel and rebook for next week?", Intent.RESCHEDULE),
    # cancel
    ("I need to cancel", Intent.CANCEL),
    ("cancel", Intent.CANCEL),
    ("CANCEL", Intent.CANCEL),
    ("Is it too late to cancel?", Intent.CANCEL),
    ("please cancel my appointment tomorrow", Intent.CANCEL),
    ("We have to call it off, sorry", Intent.CANCEL),
    ("I won't be able to make it", Intent.CANCEL),
    ("we no longer need the cleaning", Intent.CANCEL),
    # appointment status
    ("When is my appointment?", Intent.STATUS),
    ("are you guys still coming today?", Intent.STATUS),
    ("is my booking confirmed?", Intent.STATUS),
    # price / services
    ("how much for a full detail on an SUV", Intent.PRICE),
    ("what do you charge", Intent.PRICE),
    ("what services do you offer", Intent.PRICE),
    ("Hi, how much for a full detail?", Intent.PRICE),
    ("Can I get a quote for my truck?", Intent.PRICE),
    ("What's included in the full detail?", Intent.PRICE),
    ("Do you do ceramic coating?", Intent.PRICE),
    ("how much to mow half an acre", Intent.PRICE),
    ("What are your prices for a 3 bedroom house?", Intent.PRICE),
    ("any discounts for seniors?", Intent.PRICE),
    # hours
    ("are you open sunday", Intent.HOURS),
    ("what time do you close", Intent.HOURS),
    ("What are your hours?", Intent.HOURS),
    ("do you work weekends?", Intent.HOURS),
    ("Are y'all open on Thanksgiving?", Intent.HOURS),
    ("how late are you open today", Intent.HOURS),
    # service area
    ("do you come to 74133?", Intent.SERVICE_AREA),
    ("do you service Broken Arrow", Intent.SERVICE_AREA),
    ("How far do you travel?", Intent.SERVICE_AREA),
    ("What areas do you cover?", Intent.SERVICE_AREA),
    ("Do you guys go out to Sand Springs?", Intent.SERVICE_AREA),
    ("74133?", Intent.SERVICE_AREA),
    ("am I in your service area? I'm in Owasso", Intent.SERVICE_AREA),
    ("do you come to broken arrow?", Intent.SERVICE_AREA),
    ("do you come to me or do i drop it off?", Intent.SERVICE_AREA),
    ("are you guys mobile", Intent.SERVICE_AREA),
    ("should I bring it in or do you come out?", Intent.SERVICE_AREA),
    # faq
    ("Do you use eco-friendly products?", Intent.FAQ),
    ("How long does a full detail take?", Intent.FAQ),
    ("what's your cancellation policy", Intent.FAQ),
    ("Do you take credit cards?", Intent.FAQ),
    ("Do I need to be home during the cleaning?", Intent.FAQ),
    ("Do you bring your own water and power?", Intent.FAQ),
    ("Are you insured?", Intent.FAQ),
    # loyalty
    ("how many points do I have", Intent.LOYALTY),
    ("rewards", Intent.LOYALTY),
    ("Can I redeem my free wash?", Intent.LOYALTY),
    ("do you have a loyalty program", Intent.LOYALTY),
    # human
    ("can I talk to a person", Intent.HUMAN),
    ("call me", Intent.HUMAN),
    ("real human please", Intent.HUMAN),
    ("manager", Intent.HUMAN),
    ("Is this a bot?", Intent.HUMAN),
    ("can someone call me back", Intent.HUMAN),
    ("I'd like to speak with the owner", Intent.HUMAN),
    # greeting / thanks
    ("hi", Intent.GREETING),
    ("Hello!", Intent.GREETING),
    ("Good morning", Intent.GREETING),
    ("hey there", Intent.GREETING),
    ("thanks!", Intent.THANKS),
    ("Thank you so much", Intent.THANKS),
    ("ok thanks", Intent.THANKS),
    ("appreciate it", Intent.THANKS),
    # opt-out phrasing
    ("stop texting me", Intent.OPT_OUT_LIKE),
    ("please remove me from your list", Intent.OPT_OUT_LIKE),
    ("don't message me again", Intent.OPT_OUT_LIKE),
    ("unsubscribe me", Intent.OPT_OUT_LIKE),
    ("Take me off your texting list", Intent.OPT_OUT_LIKE),
    ("I want to cancel these text messages", Intent.OPT_OUT_LIKE),
    ("no more texts please", Intent.OPT_OUT_LIKE),
    ("STOP", Intent.OPT_OUT_LIKE),
    ("Stop.", Intent.OPT_OUT_LIKE),
    # affirm / deny
    ("yes", Intent.AFFIRM),
    ("yep", Intent.AFFIRM),
    ("sounds good", Intent.AFFIRM),
    ("book it", Intent.AFFIRM),
    ("that works", Intent.AFFIRM),
    ("perfect", Intent.AFFIRM),
    ("👍", Intent.AFFIRM),
    ("no", Intent.DENY),
    ("nope", Intent.DENY),
    ("that doesn't work", Intent.DENY),
    ("neither", Intent.DENY),
    ("no thanks", Intent.DENY),
    # spam
    ("Congratulations! You have won a $500 gift card, claim at bit.ly/abc", Intent.SPAM),
    ("We can get your site on the first page of Google", Intent.SPAM),
    ("Invest in bitcoin now and double your returns", Intent.SPAM),
    # unknown / inform
    ("lol", Intent.UNKNOWN),
    ("asdfgh", Intent.UNKNOWN),
    ("Tuesday", Intent.INFORM),
    ("tomorrow at 10?", Intent.INFORM),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_classify_intent(text, expected):
    """Each realistic message gets the intent a careful human would give it."""
    assert classify_intent(text).intent is expected


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("stop by anytime", Intent.OPT_OUT_LIKE),
        ("Can you stop at my office instead of my house?", Intent.OPT_OUT_LIKE),
        ("don't stop the mowing schedule", Intent.OPT_OUT_LIKE),
        ("I'm interested in a detail", Intent.GREETING),
        ("Hi, how much for a full detail?", Intent.GREETING),
        ("what's your cancellation policy", Intent.CANCEL),
        ("Can I pay with bitcoin?", Intent.SPAM),
        ("here's a photo of the stain https://imgur.com/a/xyz", Intent.SPAM),
        ("can you call me when you're on the way", Intent.HUMAN),
        ("call me Dave", Intent.HUMAN),
        ("Do you have any openings tomorrow?", Intent.HOURS),
        ("no problem", Intent.DENY),
        ("what's the point of a clay bar", Intent.LOYALTY),
        ("How much time does a deep clean take?", Intent.PRICE),
        ("reschedule", Intent.BOOK),
    ],
)
def test_classify_intent_look_alikes(text, wrong):
    """Messages that share words with another intent are not pulled into it."""
    assert classify_intent(text).intent is not wrong


@pytest.mark.parametrize(
    ("text", "awaiting", "expected"),
    [
        ("yes", "confirm", Intent.AFFIRM),
        ("Yes please!", "confirm", Intent.AFFIRM),
        ("book it", "confirm", Intent.AFFIRM),
        ("no", "confirm", Intent.DENY),
        ("no, can we do wednesday instead", "confirm", Intent.DENY),
        ("can we do 11 instead", "confirm", Intent.INFORM),
        ("yes but can we do 11 instead", "confirm", Intent.INFORM),
        ("how much is it?", "confirm", Intent.PRICE),
        ("stop texting me", "confirm", Intent.OPT_OUT_LIKE),
        ("Tuesday", "date", Intent.INFORM),
        ("the 2nd", "date", Intent.INFORM),
        ("anytime", "date", Intent.INFORM),
        ("actually I need to cancel", "date", Intent.CANCEL),
        ("3", "time", Intent.INFORM),
        ("10am", "time", Intent.INFORM),
        ("sure", "time", Intent.AFFIRM),
        ("the 2nd one", "choice", Intent.INFORM),
        ("the 10am one", "choice", Intent.INFORM),
        ("the earlier one", "choice", Intent.INFORM),
        ("neither", "choice", Intent.DENY),
        ("either works", "choice", Intent.AFFIRM),
        ("123 Main St", "address", Intent.INFORM),
        ("74133", "address", Intent.INFORM),
        ("John Smith", "name", Intent.INFORM),
        ("it's Maria", "name", Intent.INFORM),
        ("full detail", "service", Intent.INFORM),
        ("the deep clean please", "service", Intent.INFORM),
        ("what services do you have?", "service", Intent.PRICE),
        ("sedan", "vehicle_size", Intent.INFORM),
        ("john@example.com", "email", Intent.INFORM),
        ("no thanks", "addons", Intent.DENY),
    ],
)
def test_classify_intent_with_awaiting(text, awaiting, expected):
    """A reply to the agent's question is read as the answer unless it starts something else."""
    assert classify_intent(text, awaiting=awaiting).intent is expected


def test_classify_intent_reports_evidence_and_secondary_intents():
    """The result names the cues used and the other intents the message also touches."""
    result = classify_intent("I'd like to book a full detail, how much is it?")
    assert result.intent is Intent.PRICE
    assert Intent.BOOK in result.also
    assert "how much" in result.evidence
    assert 0.0 < result.confidence <= 1.0


def test_classify_intent_confidence_is_low_when_unsure():
    """Fallback answers carry low confidence so the agent asks a clarifying question."""
    assert classify_intent("lol").confidence < 0.5
    assert classify_intent("Do you use eco-friendly products?").confidence < classify_intent("how much for a wash").confidence
    assert classify_intent("").intent is Intent.UNKNOWN


def test_classify_intent_is_deterministic():
    """The same message always gives the same result."""
    text = "Hi, can you come Friday morning to do a deep clean? How much?"
    assert classify_intent(text) == classify_intent(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("please stop texting me", True),
        ("STOP", True),
        ("unsubscribe", True),
        ("stop by anytime", False),
        ("cancel my appointment", False),
    ],
)
def test_is_opt_out_phrase(text, expected):
    """Opt-out phrasing is recognised without catching "stop by" or appointment cancellations."""
    assert is_opt_out_phrase(text) is expected
