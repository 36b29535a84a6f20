"""The messaging spine's "done when", in a real browser: an inbound simulator text appears live
in the inbox (no reload) and a staff reply from the inbox arrives back in the simulator."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

ADMIN = "admin@greenacres.example"


def _new_customer_number() -> str:
    # 555-01xx numbers are valid but fictional; the demo data uses a few of them.
    return f"+1512555{secrets.choice(range(100, 200)):04d}"


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
        phone = _new_customer_number()
        sim.fill("#sim-phone", phone)
        expect(sim.locator("#sim-phone-display")).to_contain_text("(512) 555-")
        tag = secrets.token_hex(3)
        text = f"Hi! Do you mow on Fridays? ref {tag}"
        sim.fill("#sim-body", text)
        sim.click("#sim-send")
        expect(sim.locator("#sim-thread")).to_contain_text(text)

        # The inbox tab shows the new conversation without being reloaded.
        row = inbox.locator(".conversation-row", has_text=f"ref {tag}")
        expect(row).to_be_visible()
        expect(row.locator(".unread-badge")).to_have_text("1")
        assert inbox.evaluate("window.__inboxMarker") == "still-the-same-page"

        row.click()
        expect(inbox.locator("#thread-messages")).to_contain_text(text)
        expect(inbox.locator("#thread-phone")).to_contain_text("(512) 555-")
        inbox.click("#take-over")
        expect(inbox.locator("#thread-mode")).to_have_attribute("data-mode", "manual")

        reply = f"Yes, Fridays work. See you then! ({tag})"
        inbox.fill("#composer-input", reply)
        expect(inbox.locator("#segment-counter")).to_have_text(re.compile(r"^\d+ chars · 1 segment · GSM-7$"))
        inbox.click("#composer-send")
        expect(inbox.locator("#thread-messages .chat-message", has_text=reply)).to_have_attribute(
            "data-status", "simulated")

        # The phone receives the staff reply, live.
        expect(sim.locator("#sim-thread .chat-message", has_text=reply)).to_be_visible()

        # And the customer's answer comes back into the open thread, live.
        sim.fill("#sim-body", f"Great, thanks {tag}")
        sim.click("#sim-send")
        expect(inbox.locator("#thread-messages")).to_contain_text(f"Great, thanks {tag}")
        assert inbox.evaluate("window.__inboxMarker") == "still-the-same-page"
    finally:
        context.close()
