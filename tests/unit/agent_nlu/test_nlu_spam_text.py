"""Spam detection (conservative) and the shared text helpers."""

from __future__ import annotations

import pytest

from backend.agent.nlu.spam import check_spam, is_spam
from backend.agent.nlu.text import fold, normalize, stem, tokens


@pytest.mark.parametrize(
    "text",
    [
        "Congratulations! You have won a $500 gift card, claim your prize at bit.ly/x1",
        "I can get your business on the first page of Google",
        "Invest in bitcoin today and double your money",
        "Dear business owner, we build websites for local companies",
        "Your account has been suspended, verify your account at secure-login.xyz",
        "Pre-approved for a business loan up to $250k, click here www.fastcash.biz",
        "Limited time offer! Click here: tinyurl.com/abc123",
    ],
)
def test_is_spam(text):
    """Prize claims, SEO/lead-gen, crypto pitches, phishing and shortened sales links are spam."""
    assert is_spam(text)


@pytest.mark.parametrize(
    "text",
    [
        "Can I pay with bitcoin?",
        "here is a pic of my car https://imgur.com/abc",
        "my email is john@gmail.com",
        "Do you sell gift cards?",
        "do my reward points expire?",
        "hi, how much for a detail",
        "check your website, it says you're closed sundays",
        "I won't be home, the gate code is 1234",
    ],
)
def test_is_spam_spares_customers(text):
    """One weak signal (a link, a crypto word, "gift card") never makes a customer message spam."""
    assert not is_spam(text)


def test_check_spam_reports_reasons():
    """The verdict lists the signals that fired."""
    result = check_spam("Click here to claim your prize: bit.ly/zz")
    assert result.is_spam and "prize claim" in result.reasons and "shortened link" in result.reasons


def test_fold_keeps_length_and_folds_quotes():
    """Folding lower-cases and straightens quotes without changing length (spans stay valid)."""
    assert fold("I’M “FREE”") == "i'm \"free\""
    assert len(fold("İstanbul")) == len("İstanbul")


def test_normalize_and_tokens():
    """normalize collapses whitespace; tokens drop possessives."""
    assert normalize("  Hi\n\tThere  ") == "hi there"
    assert normalize("Hi There", keep_case=True) == "Hi There"
    assert tokens("Mike's F-150!") == ["mike", "f", "150"]


@pytest.mark.parametrize(
    ("a", "b"),
    [("mowing", "mow"), ("cleaning", "clean"), ("details", "detailed"), ("edging", "edge"), ("trimming", "trim"), ("leaves", "leaf"), ("washes", "wash"), ("buffing", "buff")],
)
def test_stem_maps_word_forms_together(a, b):
    """Plural, -ing and -ed forms of a word share one stem."""
    assert stem(a) == stem(b)
