"""The messaging spine's "done when", in a real browser: an inbound simulator text appears live
in the inbox (no reload) and a staff reply from the inbox arrives back in the simulator."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

ADMIN = "admin@greenacres.example"


LIVE = 15_000  # ms: how long a live update may take to show


def _new_customer_number() -> tuple[str, str]:
    """Returns (E.164, display) of a fictional 555-01xx number (the demo data uses a few)."""
    taken = {142, 166, 188}  # the business's own number and the demo customers
    last = f"{secrets.choice([n for n in range(100, 200) if n not in taken]):04d}"
    return f"+1512555{last}", f"(512) 555-{last}"


def test_simulator_text_appears_live_in_inbox_and_staff_reply_reaches_the_phone(browser, app_url):
    context = browser.new_context(base_url=app_url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(20_000)
    try:
        inbox = context.new_page()
        sign_in(inbox, ADMIN)
        inbox.goto("/inbox")
        expect(inbox.locator(".conversation-row").first).to_be_visible()
        inbox.evaluate("window.__inboxMarker = 'still-the-same-page'")

        sim = context.new_page()  # same signed-in browser, second tab
        sim.goto("/simulator")
        expect(sim.locator("#sim-number")).to_contain_text("(512) 555-0142")
        phone, shown = _new_customer_number()
        sim.fill("#sim-phone", phone)
        expect(sim.locator("#sim-phone-display")).to_contain_text(shown)
        tag = secrets.token_hex(3)
        text = f"Hi! Do you mow on Fridays? ref {tag}"
        sim.fill("#sim-body", text)
        sim.click("#sim-send")
        expect(sim.locator("#sim-thread")).to_contain_text(text, timeout=LIVE)

        # The inbox tab shows the new conversation (a new customer: named by the number) without
        # being reloaded. Its preview may already be the AI's answer.
        row = inbox.locator(".conversation-row", has_text=shown)
        expect(row).to_be_visible(timeout=LIVE)
        expect(row.locator(".unread-badge")).to_have_text("1", timeout=LIVE)
        assert inbox.evaluate("window.__inboxMarker") == "still-the-same-page"

        row.click()
        expect(inbox.locator("#thread-messages")).to_contain_text(text)
        expect(inbox.locator("#thread-phone")).to_have_text(shown)
        inbox.click("#take-over")
        expect(inbox.locator("#thread-mode")).to_have_attribute("data-mode", "manual")

        reply = f"Yes, Fridays work. See you then! ({tag})"
        inbox.fill("#composer-input", reply)
        expect(inbox.locator("#segment-counter")).to_have_text(re.compile(r"^\d+ chars · 1 segment · GSM-7$"))
        inbox.click("#composer-send")
        expect(inbox.locator("#thread-messages .chat-message", has_text=reply)).to_have_attribute(
            "data-status", "simulated", timeout=LIVE)

        # The phone receives the staff reply, live.
        expect(sim.locator("#sim-thread .chat-message", has_text=reply)).to_be_visible(timeout=LIVE)

        # And the customer's answer comes back into the open thread, live.
        sim.fill("#sim-body", f"Great, thanks {tag}")
        sim.click("#sim-send")
        expect(inbox.locator("#thread-messages")).to_contain_text(f"Great, thanks {tag}", timeout=LIVE)
        assert inbox.evaluate("window.__inboxMarker") == "still-the-same-page"
    finally:
        context.close()
