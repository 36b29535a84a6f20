"""Typographic punctuation is sent as GSM-7 so a curly quote or dash never doubles the cost."""

from __future__ import annotations

import pytest

from backend.messaging.inbox import composer_info
from backend.messaging.segments import count_segments, smart_encode


@pytest.mark.parametrize(
    ("raw", "sent"),
    [
        ("Full Detail: $269–$339", "Full Detail: $269-$339"),
        ("We’re open — see you soon…", "We're open - see you soon..."),
        ("“Gold” package", '"Gold" package'),
        ("café niño ü", "café niño ü"),
        ("Thanks! 🚗", "Thanks! 🚗"),
    ],
)
def test_smart_encode(raw, sent):
    assert smart_encode(raw) == sent


def test_typographic_text_becomes_one_gsm_segment():
    text = "Hi Ana — your Full Detail is booked for Sat at 10:00 AM. It’ll be $269–$339."
    assert count_segments(text).encoding == "UCS-2"
    assert count_segments(smart_encode(text)).encoding == "GSM-7"
    assert count_segments(smart_encode(text)).segments == 1


def test_composer_counts_what_will_be_sent():
    info = composer_info("It’s ready — thanks!")
    assert info.encoding == "GSM-7" and info.segments == 1
    assert composer_info("Thanks 🚗").encoding == "UCS-2"
