"""Segment counting: GSM-7 (160/153, extension characters count 2, escapes never split) and
UCS-2 (70/67, UTF-16 code units, surrogate pairs never split)."""

from __future__ import annotations

import pytest

from backend.messaging.segments import GSM7_BASIC, GSM7_EXTENDED, count_segments, is_gsm7


def test_empty_text_has_no_segments():
    info = count_segments("")
    assert (info.encoding, info.segments, info.units, info.remaining) == ("GSM-7", 0, 0, 160)


@pytest.mark.parametrize(("length", "segments"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)])
def test_gsm7_boundaries(length, segments):
    """160 septets fit one SMS; longer texts split into 153-septet parts."""
    info = count_segments("a" * length)
    assert info.encoding == "GSM-7"
    assert info.segments == segments
    assert info.units == length


def test_gsm7_single_segment_remaining():
    info = count_segments("Hello")
    assert (info.per_segment, info.remaining) == (160, 155)


def test_gsm7_multipart_remaining():
    info = count_segments("a" * 200)
    assert (info.segments, info.per_segment, info.remaining) == (2, 153, 153 - 47)


@pytest.mark.parametrize("ch", sorted(GSM7_EXTENDED))
def test_extension_characters_count_two(ch):
    """^{}[]~|\\€ and form feed need an escape septet."""
    info = count_segments(ch)
    assert info.encoding == "GSM-7"
    assert info.units == 2


def test_eighty_euro_signs_fill_one_segment_and_eighty_one_need_two():
    assert count_segments("€" * 80).segments == 1
    assert count_segments("€" * 81).segments == 2


def test_escape_pair_is_not_split_across_parts():
    """152 plain septets + '€' would straddle the 153 boundary, so '€' moves to part 2."""
    text = "a" * 152 + "€" + "a" * 10
    info = count_segments(text)
    assert info.units == 164
    assert info.segments == 2
    assert info.remaining == 153 - 12


def test_whole_basic_table_is_gsm7():
    assert is_gsm7("".join(GSM7_BASIC))
    assert count_segments("".join(GSM7_BASIC)).encoding == "GSM-7"


@pytest.mark.parametrize("text", ["Café ç", "naïve", "“smart quotes”", "Привет", "日本", "emoji 😀", "\x1b"])
def test_any_non_gsm_character_switches_to_ucs2(text):
    info = count_segments(text)
    assert info.encoding == "UCS-2"
    assert info.per_segment == 70
    assert info.non_gsm_characters


def test_non_gsm_characters_are_reported_once_each():
    assert count_segments("ç ç “hi”").non_gsm_characters == ("ç", "“", "”")


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_boundaries(length, segments):
    info = count_segments("ж" * length)
    assert (info.encoding, info.segments) == ("UCS-2", segments)


def test_emoji_counts_two_code_units():
    info = count_segments("😀")
    assert (info.units, info.segments, info.remaining) == (2, 1, 68)
    assert count_segments("😀" * 35).segments == 1
    assert count_segments("😀" * 35 + "a").segments == 2


def test_surrogate_pair_is_not_split_across_parts():
    """66 units + an emoji (2 units) cannot share a 67-unit part."""
    info = count_segments("ж" * 66 + "😀" + "ж" * 5)
    assert info.units == 73
    assert info.segments == 2
    assert info.remaining == 67 - 7
