"""Money typed by people becomes integer cents exactly (no floats); rates become basis points."""

from __future__ import annotations

import pytest

from backend.errors import UserError
from backend.invoices.money import (
    bps_input,
    cents_input,
    format_bps,
    format_cents,
    parse_cents,
    parse_optional_cents,
    parse_percent_bps,
)


@pytest.mark.parametrize(("raw", "cents"), [
    ("45", 4500), ("45.5", 4550), ("45.50", 4550), ("$1,234.56", 123456), (" 0.07 ", 7), (".99", 99), ("19.", 1900),
    ("0", 0), (12, 1200), ("1000000", 100_000_000), ("0.29", 29), ("1.10", 110),
])
def test_parse_cents_is_exact(raw, cents):
    assert parse_cents(raw) == cents


@pytest.mark.parametrize(("raw", "message"), [
    ("12.345", "two decimals"), ("-5", "negative"), ("abc", "not an amount"), ("", "not an amount"),
    ("1,23", "not an amount"), (1.5, "amount like"), (True, "amount like"), (None, "amount like"),
    ({"a": 1}, "amount like"), ("1000000.01", "at most"), ("1e3", "not an amount"), ("nan", "not an amount"),
])
def test_parse_cents_refuses_anything_inexact(raw, message):
    with pytest.raises(UserError, match=message):
        parse_cents(raw, field="Price")


def test_parse_cents_zero_and_blank_rules():
    with pytest.raises(UserError, match="more than"):
        parse_cents("0.00", allow_zero=False)
    assert parse_optional_cents("  ") is None and parse_optional_cents(None) is None
    assert parse_optional_cents("3.10") == 310


@pytest.mark.parametrize(("raw", "bps"), [("8.25", 825), ("8.25%", 825), ("8", 800), ("0", 0), ("", 0), (".5", 50),
                                          ("100", 10000), (7, 700)])
def test_parse_percent_bps(raw, bps):
    assert parse_percent_bps(raw) == bps


@pytest.mark.parametrize("raw", ["8.255", "-1", "abc", "101", 8.25])
def test_parse_percent_bps_refuses(raw):
    with pytest.raises(UserError):
        parse_percent_bps(raw)


def test_display_round_trips():
    assert format_cents(123456) == "$1,234.56" and format_cents(-50) == "-$0.50" and format_cents(0) == "$0.00"
    assert cents_input(4550) == "45.50" and cents_input(None) == ""
    assert bps_input(825) == "8.25" and bps_input(800) == "8" and bps_input(850) == "8.5" and format_bps(852) == "8.52%"
    for cents in (0, 1, 99, 100, 4550, 123456):
        assert parse_cents(cents_input(cents)) == cents
    for bps in (0, 5, 50, 825, 852, 2500):
        assert parse_percent_bps(bps_input(bps)) == bps
