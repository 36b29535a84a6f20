"""Entity extractors: ZIPs versus prices/times/years, addresses, names, emails, option choices
and yes/no replies."""

from __future__ import annotations

import pytest

from backend.agent.nlu.entities import (
    AddressHint,
    extract_address,
    extract_choice,
    extract_email,
    extract_name,
    extract_zip,
    extract_zips,
    is_affirmative,
    is_negative,
)
from backend.customers.addresses import address_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("do you come to 74133?", "74133"),
        ("zip is 74011", "74011"),
        ("74133-1234", "74133"),
        ("I live at 12345 S Main St, Tulsa OK 74133", "74133"),
        ("Broken Arrow, OK 74012. Can you come friday at 10?", "74012"),
        ("74133 or 74011?", "74133"),
        ("$95 for a wash", None),
        ("it's 95000 dollars", None),
        ("call 918-555-0100", None),
        ("I have a 2026 Tahoe", None),
        ("order #74133", None),
        ("10:30 works", None),
        ("about 12000 sq ft", None),
        ("it has 85000 miles", None),
        ("00000", None),
        ("my number is 9185550100", None),
    ],
)
def test_extract_zip(text, expected):
    """Five-digit ZIPs are found; prices, phone numbers, years, house numbers and counts are not."""
    assert extract_zip(text) == expected


def test_extract_zips_lists_all_in_order():
    """Several ZIPs come back in order, without duplicates."""
    assert extract_zips("74133, 74011 and 74133 again") == ["74133", "74011"]


@pytest.mark.parametrize(
    ("text", "line1", "line2", "city", "state", "postal"),
    [
        ("4512 S Harvard Ave, Tulsa, OK 74135", "4512 S Harvard Ave", None, "Tulsa", "OK", "74135"),
        ("I'm at 123 Main St apt 4 Broken Arrow OK", "123 Main St", "apt 4", "Broken Arrow", "OK", None),
        ("12 Oak Street #3", "12 Oak Street", "#3", None, None, None),
        ("100 Hill Creek Dr", "100 Hill Creek Dr", None, None, None, None),
        ("my address is 5501 S 101st East Ave Tulsa OK 74146", "5501 S 101st East Ave", None, "Tulsa", "OK", "74146"),
        ("7 Park Place", "7 Park Place", None, None, None, None),
        ("1600 Pennsylvania Avenue NW, Washington, DC 20500", "1600 Pennsylvania Avenue NW", None, "Washington", "DC", "20500"),
        ("123 Main St, Jenks", "123 Main St", None, "Jenks", None, None),
        ("come to 808 Elm Ln, Bixby, Oklahoma 74008 tomorrow", "808 Elm Ln", None, "Bixby", "OK", "74008"),
        ("2200 w kenosha st suite 100 broken arrow 74012", "2200 w kenosha st", "suite 100", "broken arrow", None, "74012"),
    ],
)
def test_extract_address(text, line1, line2, city, state, postal):
    """Number + street + suffix, with optional unit, city, state and ZIP, split into fields."""
    hint = extract_address(text)
    assert hint is not None
    assert (hint.line1, hint.line2, hint.city, hint.state, hint.postal_code) == (line1, line2, city, state, postal)


@pytest.mark.parametrize(
    "text",
    ["3 cars on the way", "at 10 tomorrow", "I have 2 dogs in the yard", "2 full details please", "4512 S Harvard", "how much for 3 bedrooms"],
)
def test_extract_address_ignores_non_addresses(text):
    """Counts and times followed by ordinary words are not addresses; a suffix is required."""
    assert extract_address(text) is None


def test_extract_address_fits_address_key():
    """The hint's fields feed the customers household key directly."""
    hint = extract_address("12 Oak Street Apt 3, Tulsa OK 74133")
    assert isinstance(hint, AddressHint)
    assert address_key(hint.line1, hint.line2 or "", hint.city or "", hint.postal_code or "") == address_key("12 oak st.", "#3", "", "74133")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm John", "John"),
        ("this is Sarah Lee", "Sarah Lee"),
        ("my name is john smith", "John Smith"),
        ("My name's Ana-Maria", "Ana-Maria"),
        ("it's Mike", "Mike"),
        ("Thanks! - Tom", "Tom"),
        ("see you then.\n-Rachel Green", "Rachel Green"),
        ("im john", "John"),
        ("hey it's Jess from next door", "Jess"),
        ("Mike here, need a wash", "Mike"),
        ("Hi, I'm Sarah and I need my house cleaned", "Sarah"),
        ("call me Dave", "Dave"),
        ("Name: Priya Patel", "Priya Patel"),
        ("I'm interested in a detail", None),
        ("I'm looking for a quote", None),
        ("im looking for someone to mow", None),
        ("I'm Mike's wife", None),
        ("It's Tuesday", None),
        ("this is great", None),
        ("call me asap", None),
        ("im kinda busy", None),
        ("I'm not sure", None),
        ("Wash - Premium", None),
        ("It's a sedan", None),
        ("I'm in Tulsa", None),
    ],
)
def test_extract_name(text, expected):
    """Self-introductions give a name; "I'm interested/looking/..." never do."""
    assert extract_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jamie Cole, 4410 S Peoria Ave Tulsa OK 74105", "Jamie Cole"),
        ("jamie cole, 4410 s peoria ave 74105", "Jamie Cole"),
        ("4410 S Peoria Ave, Tulsa OK 74105; Jamie Cole", "Jamie Cole"),
        ("4410 S Peoria Ave 74105\nJamie Cole", "Jamie Cole"),
        ("Sure, 4410 S Peoria Ave", None),
        ("Tuesday, 4410 S Peoria Ave", None),
        ("Work, 4410 S Peoria Ave", None),
        ("Come to 4410 S Peoria Ave", None),
        ("4410 S Peoria Ave, Broken Arrow", None),
        ("4410 S Peoria Ave, gate code 1234", None),
        ("4410 S Peoria Ave, thanks!", None),
    ],
)
def test_extract_name_written_beside_the_address(text, expected):
    """Asked for the address, customers often send "Name, address": the name set off by a comma,
    semicolon or line break is read; a greeting, a day or a city next to the address is not."""
    assert extract_name(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("john smith", "John Smith"), ("Maria", "Maria"), ("yes", None), ("tomorrow", None), ("Tuesday", None), ("it's Dan", "Dan")])
def test_extract_name_when_expected(text, expected):
    """After the agent asks for a name, a bare name-like reply is taken as the name."""
    assert extract_name(text, expected=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("email me at John.Doe@Gmail.COM.", "John.Doe@gmail.com"), ("it's jane+cars@example.co.uk", "jane+cars@example.co.uk"), ("no email", None), ("a@b", None), ("me@@x.com", None)],
)
def test_extract_email(text, expected):
    """The first well-formed address is returned with its domain lower-cased."""
    assert extract_email(text) == expected


SLOTS = ["Tue 10:00 AM", "Tue 2:00 PM", "Wed 9:00 AM"]


@pytest.mark.parametrize(
    ("text", "by_count", "by_label"),
    [
        ("the first one", 0, 0),
        ("#2", 1, 1),
        ("2", 1, 1),
        ("second", 1, 1),
        ("the 2nd one", 1, 1),
        ("option 3", 2, 2),
        ("third please", 2, 2),
        ("the last one", 2, 2),
        ("the 10am one", None, 0),
        ("2pm", None, 1),
        ("I'll take the 2:00", None, 1),
        ("wednesday", None, 2),
        ("the wed one please", None, 2),
        ("the afternoon one", None, 1),
        ("tuesday", None, None),
        ("4", None, None),
        ("neither", None, None),
        ("either works", None, None),
    ],
)
def test_extract_choice(text, by_count, by_label):
    """Ordinals, numbers and #n pick by position; with labels, times/days/parts of day pick by label."""
    assert extract_choice(text, 3) == by_count
    assert extract_choice(text, SLOTS) == by_label


@pytest.mark.parametrize(("text", "expected"), [("2", None), ("1", 0), ("10", 1), ("#1", 0), ("the first", 0)])
def test_extract_choice_number_that_is_also_a_time(text, expected):
    """"2" next to a 2pm slot that is not option 2 is ambiguous; "10" beyond the count is the 10am slot."""
    assert extract_choice(text, ["2:00 PM", "10:00 AM", "4:00 PM"]) == expected


@pytest.mark.parametrize(("text", "expected"), [("interior", 1), ("the full detail", 0), ("express please", 2), ("detail", None)])
def test_extract_choice_by_label_words(text, expected):
    """Non-time labels are picked by their distinctive words; shared words pick nothing."""
    assert extract_choice(text, ["Full Detail", "Interior Detail", "Express Wash"]) == expected


@pytest.mark.parametrize(
    "text",
    ["yes", "Yes!", "yep", "Yeah", "sure", "ok", "sounds good", "book it", "that works", "perfect", "👍", "yes please", "Yes, see you then", "no problem", "Perfect, see you Tuesday!", "correct"],
)
def test_is_affirmative(text):
    """Plain yeses, with or without polite filler, are affirmative."""
    assert is_affirmative(text)
    assert not is_negative(text)


@pytest.mark.parametrize(
    "text",
    ["no", "Nope", "nah", "no thanks", "that doesn't work", "neither", "none of those", "No, tuesday works better", "I can't make it", "not really"],
)
def test_is_negative(text):
    """Refusals are negative and never affirmative."""
    assert is_negative(text)
    assert not is_affirmative(text)


@pytest.mark.parametrize("text", ["yes but can we do 11 instead", "ok what about tuesday", "sure, how much?", "not sure", "Noon works?", "maybe"])
def test_yes_no_neither(text):
    """A yes that changes the offer, a question or a maybe is neither a plain yes nor a no."""
    assert not is_affirmative(text)
    assert not is_negative(text)
