"""CRM, quotes and invoices in a real browser against the running app with demo data:
find a customer by a phone number typed in another format and open the profile; build a quote
in the editor, send it, approve it through the public link in a fresh browser (no session)
picking a time, and check the appointment now exists."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import OWNER, ROOT, _server_env, sign_in


def _appointments(tenant_slug: str) -> list[dict]:
    env = _server_env(Path(os.environ["E2E_DATA_DIR"]), 0)
    out = subprocess.run([sys.executable, "-m", "backend.cli", "appointments", "--tenant", tenant_slug, "--json"],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def test_search_customer_by_phone_in_another_format_and_open_profile(page):
    sign_in(page, OWNER)
    page.goto("/customers")
    expect(page.locator("#customers-table")).to_be_visible()
    # Jordan Hayes is +19185550111; type it the way people say it.
    page.fill("#customer-search", "918.555.0111")
    rows = page.locator("[data-customer-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jordan Hayes")
    expect(rows.first).to_contain_text("(918) 555-0111")
    rows.first.locator("[data-customer-link]").click()
    expect(page).to_have_url(re.compile(r"/customers/[0-9a-zA-Z]+$"))
    expect(page.locator("#profile-name")).to_have_text("Jordan Hayes")
    # Emily Hayes lives at the same address (written differently): one household.
    expect(page.locator("#profile-household")).to_contain_text("Emily Hayes")
    expect(page.locator("#profile-assets")).to_contain_text("2021 Toyota RAV4")
    expect(page.locator("#profile-tags")).to_contain_text("vip")
    expect(page.locator("#profile-appointments")).to_be_visible()

    # A tag added on the profile shows up in the list's tag filter search.
    page.fill("#tag-input", "e2e-check")
    page.click("#tag-add")
    expect(page.locator('[data-tag="e2e-check"]')).to_be_visible()
    page.goto("/customers")
    page.fill("#customer-search", "tag:e2e-check")
    expect(page.locator("[data-customer-row]")).to_have_count(1)

    # A bad phone in "New customer" gets a specific message and saves nothing.
    page.click("#new-customer")
    page.fill("#new-customer-name", "Nobody Saved")
    page.fill("#new-customer-phone", "555-12")
    page.click("#new-customer-submit")
    expect(page.locator("#new-customer-error")).to_contain_text("is not a valid phone number")
    page.keyboard.press("Escape")
    # While the dialog is still closing its focus trap swallows typing into the search box.
    expect(page.locator("#new-customer-name")).to_be_hidden()
    page.fill("#customer-search", "Nobody Saved")
    expect(page.get_by_text("No customers match.")).to_be_visible()
    expect(page.locator("[data-customer-row]")).to_have_count(0)


def test_quote_sent_and_approved_through_the_public_link_books_the_appointment(page, browser, app_url):
    before = {a["id"] for a in _appointments("clean-machine")}
    sign_in(page, OWNER)
    page.goto("/quotes/new")
    page.fill("#quote-customer-search", "Ashley")
    page.locator("[data-customer-option]").first.click()
    expect(page.locator("#quote-customer-chosen")).to_contain_text("Ashley Nguyen")
    page.click("#quote-service")
    page.locator('[data-service="Interior Detail"]').click()
    page.click("#quote-add-line")
    page.locator("[data-line-description]").first.fill("Pet hair surcharge")
    page.locator("[data-line-price]").first.fill("15.50")
    page.fill("#quote-title", "Interior refresh")
    expect(page.locator("#quote-lines")).to_contain_text("Pet hair surcharge")
    expect(page.locator("#quote-total")).not_to_have_text("$0.00")
    page.click("#quote-send")
    link = page.locator("#quote-public-link")
    expect(link).to_have_value(re.compile(r"/q/[a-z0-9_-]+\.[A-Za-z0-9_-]{43,}$"))
    expect(page.locator("#quote-heading")).to_contain_text("Quote Q-")
    total = page.locator("#quote-total").inner_text()
    public_url = link.input_value()

    # The customer opens the link on their own phone: no session, phone-sized screen.
    customer = browser.new_context(base_url=app_url, viewport={"width": 375, "height": 740})
    customer.set_default_timeout(30_000)
    try:
        public = customer.new_page()
        public.goto(public_url)
        expect(public.locator("#public-business-name")).to_have_text("Clean Machine Auto Detail")
        expect(public.locator("#public-quote-lines")).to_contain_text("Pet hair surcharge")
        expect(public.locator("#public-quote-total")).to_have_text(total)
        expect(public.locator("#approve-quote")).to_be_disabled()
        slot = public.locator("[data-slot]").first
        chosen = slot.get_attribute("data-slot")
        slot.click()
        public.click("#approve-quote")
        expect(public.locator("#public-quote-approved")).to_contain_text("you're booked for")
        public.reload()
        expect(public.locator("#public-quote-approved")).to_be_visible()
        expect(public.locator("#approve-quote")).to_have_count(0)
    finally:
        customer.close()

    new = [a for a in _appointments("clean-machine") if a["id"] not in before]
    assert len(new) == 1, new
    assert (new[0]["service"], new[0]["source"], new[0]["customer_name"]) == ("Interior Detail", "quote",
                                                                              "Ashley Nguyen")
    assert new[0]["start"][:16] == chosen[:16]

    # Staff see the approval and the booked appointment on the quote.
    page.reload()
    expect(page.locator("#quote-heading")).to_contain_text("Quote Q-")
    expect(page.locator("#quote-appointment-link")).to_be_visible()
