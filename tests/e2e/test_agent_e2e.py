"""The AI agent's "done when", in a real browser:

(a) a visitor books through the web chat — the chat link comes from the Knowledge page of a
    signed-in owner, the visitor (a 375 px phone, not signed in) chats to a confirmed booking, and
    the appointment is in the CLI's list and on the calendar;
(b) an SMS booking from the phone simulator — a new customer texts the business number and is
    carried to a booking, which shows up as a block on /calendar that day;
(c) the inbox hand-off panel: staff take a conversation over, "Smart schedule" prefills the
    booking form from the thread and books it; "Hand back to AI" says whether that is safe.

Set E2E_SCREENSHOTS=/some/dir to keep screenshots (desktop and phone).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import OWNER, ROOT, sign_in

CHICAGO = ZoneInfo("America/Chicago")  # Clean Machine's zone
REPLY = 20_000  # ms an agent answer may take to show
PHONE_VIEWPORT = {"width": 375, "height": 740}


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


_USED: set[int] = set()


def _new_number() -> tuple[str, str]:
    """(E.164, display) of a fictional Tulsa 555-01xx number no demo customer (and no other test
    of this run) uses."""
    n = secrets.choice([n for n in range(150, 200) if n not in _USED])
    _USED.add(n)
    return f"+1918555{n:04d}", f"(918) 555-{n:04d}"


def _appointments(phone: str) -> list[dict]:
    """The CLI's list of Clean Machine appointments of one customer (same data dir as the server)."""
    env = {**os.environ, "DATA_DIR": os.environ["E2E_DATA_DIR"], "SERVICEPRO_ENV": "dev"}
    env = {k: v for k, v in env.items() if not k.startswith(("DATABASE_", "TEST_"))}
    out = subprocess.run([sys.executable, "-m", "backend.cli", "appointments", "--tenant", "clean-machine", "--json"],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return [a for a in json.loads(out) if a["customer_phone"] == phone]


def _expect_calendar_block(page, name: str, start: str) -> None:
    """Opens the calendar on the appointment's local day and finds its block at its time."""
    local = dt.datetime.fromisoformat(start).astimezone(CHICAGO)
    page.goto(f"/calendar?date={local.date().isoformat()}")
    expect(page.locator("#calendar-date")).to_have_value(local.date().isoformat())
    block = page.locator(f'.calendar-block[data-customer="{name}"]')
    expect(block).to_have_count(1)
    expect(block).to_have_attribute("data-start", f"{local:%H:%M}")
    expect(block).to_have_attribute("data-day", local.date().isoformat())


# ---- (a) web chat -------------------------------------------------------------------------------


def _chat(page, text: str, expect_reply: str | re.Pattern) -> str:
    """Sends one visitor message and waits for the assistant's answer; returns it."""
    answers = page.locator('#webchat-messages .chat-message[data-direction="out"]')
    before = answers.count()
    page.fill("#webchat-input", text)
    page.click("#webchat-send")
    # The visitor's bubble shows at once (before the answer), the composer is emptied.
    expect(page.locator('#webchat-messages .chat-message[data-direction="in"]').last).to_contain_text(text)
    expect(page.locator("#webchat-input")).to_have_value("")
    expect(answers).to_have_count(before + 1, timeout=REPLY)
    expect(page.locator("#webchat-typing")).to_have_count(0)
    answer = answers.last.locator(".chat-body")
    expect(answer).to_contain_text(expect_reply)
    return answer.inner_text()


def test_a_visitor_books_through_the_web_chat(browser, app_url):
    staff = browser.new_context(base_url=app_url, viewport={"width": 1280, "height": 860})
    visitor = browser.new_context(base_url=app_url, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    staff.set_default_timeout(20_000)
    visitor.set_default_timeout(20_000)
    try:
        owner = staff.new_page()
        sign_in(owner, OWNER)
        owner.goto("/knowledge")
        link = owner.locator("#knowledge-chat-link")
        expect(link).to_contain_text(f"{app_url}/chat/wc1.root.")
        expect(owner.locator("#knowledge-services")).to_contain_text("Express Wash & Wax")
        _shot(owner, "knowledge-desktop")
        chat_url = link.inner_text().strip()

        page = visitor.new_page()
        page.goto(chat_url)
        expect(page.locator("#webchat-business")).to_have_text("Clean Machine Auto Detail")
        expect(page.locator("#webchat-messages")).to_contain_text("I'm the assistant for Clean Machine Auto Detail")

        _chat(page, "Hi, I'd like an express wash for my sedan", re.compile(r"\$79[–-]\$99.*When would you like"))
        offer = _chat(page, "friday", re.compile(r"I have .+ at .+\. Which works for you\?"))
        times = re.findall(r"\d{1,2}:\d{2} [AP]M", offer)
        assert times, offer
        picked = times[1] if len(times) > 1 else times[0]
        _chat(page, picked, "address")
        _chat(page, "123 Main St, Tulsa OK 74105", "name")
        name = f"Robin {secrets.choice(['Vale', 'Marsh', 'Quill', 'Frost', 'Hale'])}"
        _chat(page, name, "mobile number")
        phone, shown = _new_number()
        confirm = _chat(page, shown, "Reply YES to confirm")
        assert f"at {picked}" in confirm, confirm
        _shot(page, "webchat-phone")
        done = _chat(page, "YES", "You're booked!")
        assert f"at {picked}" in done
        expect(page.locator("#webchat-panel")).to_have_attribute("data-status", "open")

        (appointment,) = _appointments(phone)
        assert appointment["service"] == "Express Wash & Wax" and appointment["source"] == "web"
        assert appointment["customer_name"] == name
        start = dt.datetime.fromisoformat(appointment["start"]).astimezone(CHICAGO)
        assert f"{start:%-I:%M %p}" == picked
        _expect_calendar_block(owner, name, appointment["start"])

        # Staff see the chat on the web chats page.
        owner.goto("/webchats")
        row = owner.locator(".webchat-row", has_text=name)
        expect(row).to_be_visible()
        row.click()
        expect(owner.locator("#webchat-thread")).to_contain_text("You're booked!")
        _shot(owner, "webchats-desktop")
    finally:
        staff.close()
        visitor.close()


def test_a_forged_chat_link_shows_only_that_it_is_invalid(page):
    page.goto("/chat/wc1.root.forgedmacforgedmacforgedmacforgedmacforgedma")
    expect(page.locator("#webchat-problem")).to_have_text("This chat link isn't valid.")
    expect(page.locator("#webchat-panel")).to_have_count(0)
    assert "Clean Machine" not in page.content()


# ---- (b) SMS through the phone simulator ------------------------------------------------------------


def _text(sim, body: str, expect_reply: str | re.Pattern) -> str:
    """Texts the business from the simulator and waits for the answer that matches (a booking also
    brings a separate confirmation text); returns that answer."""
    replies = sim.locator('#sim-thread .chat-message[data-direction="out"] .chat-body')
    before = replies.count()
    sim.fill("#sim-body", body)
    sim.click("#sim-send")
    expect(sim.locator('#sim-thread .chat-message[data-direction="in"]').last).to_contain_text(body)
    deadline = time.monotonic() + REPLY / 1000
    while True:
        for text in replies.all_inner_texts()[before:]:
            if (expect_reply.search(text) if isinstance(expect_reply, re.Pattern) else expect_reply in text):
                return text
        if time.monotonic() > deadline:
            raise AssertionError(f"no answer matching {expect_reply!r}: {replies.all_inner_texts()[before:]}")
        sim.wait_for_timeout(200)


def test_an_sms_booking_from_the_simulator_shows_up_in_the_calendar(page):
    sign_in(page, OWNER)
    page.goto("/simulator")
    expect(page.locator("#sim-number")).to_contain_text("(918) 555-0100")
    phone, shown = _new_number()
    page.fill("#sim-phone", phone)
    expect(page.locator("#sim-phone-display")).to_contain_text(shown)
    _text(page, "Hi, how much for a full detail on an SUV?", re.compile(r"Full Detail \(SUV\): \$269[–-]\$339"))
    offer = _text(page, "Saturday morning", re.compile(r"I have .+ at .+\. Which works for you\?"))
    first = re.findall(r"\d{1,2}:\d{2} [AP]M", offer)[0]
    _text(page, "the first one", "address")
    _text(page, "4512 S Harvard Ave, Tulsa OK 74135", "name")
    name = f"Jamie {secrets.choice(['Stone', 'Reyes', 'Park', 'Ng', 'Olsen'])}"
    confirm = _text(page, name, "Reply YES to confirm")
    assert f"at {first}" in confirm
    _text(page, "yes", "You're booked!")

    (appointment,) = _appointments(phone)
    assert appointment["service"] == "Full Detail" and appointment["customer_name"] == name
    _expect_calendar_block(page, name, appointment["start"])
    _shot(page, "calendar-sms-booking-desktop")


# ---- (c) the inbox hand-off panel -------------------------------------------------------------------


def _next_weekday(weekday: int, min_days: int = 8) -> dt.date:
    day = dt.datetime.now(CHICAGO).date() + dt.timedelta(days=min_days)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def test_smart_schedule_and_hand_back_in_the_inbox_panel(browser, app_url):
    context = browser.new_context(base_url=app_url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        sign_in(page, OWNER)
        page.goto("/simulator")
        phone, shown = _new_number()
        page.fill("#sim-phone", phone)
        expect(page.locator("#sim-phone-display")).to_contain_text(shown)
        _text(page, "How much is an express wash for my sedan?", re.compile(r"\$79[–-]\$99"))

        page.goto("/inbox")
        page.locator(".conversation-row", has_text=shown).click()
        expect(page.locator("#thread-phone")).to_have_text(shown)
        page.click("#take-over")
        expect(page.locator("#thread-mode")).to_have_attribute("data-mode", "manual")

        # While staff have it, the customer names a day and time (the AI stays quiet).
        day = _next_weekday(2, min_days=15)  # a Wednesday past most demo bookings
        sim = context.new_page()
        sim.goto("/simulator")
        sim.fill("#sim-phone", phone)
        sim.fill("#sim-body", f"Can you come {day:%A %B} {day.day} at 10am? 77 Elm St, Tulsa OK 74105")
        sim.click("#sim-send")
        expect(page.locator("#thread-messages")).to_contain_text("77 Elm St", timeout=REPLY)

        expect(page.locator("#panel-smart-schedule")).to_be_visible()
        page.click("#smart-schedule")
        expect(page.locator("#smart-form")).to_be_visible()
        expect(page.locator("#smart-service")).to_contain_text("Express Wash & Wax")
        expect(page.locator("#smart-price")).to_have_text("$79–$99")
        expect(page.locator("#smart-date")).to_have_value(day.isoformat())
        expect(page.locator("#smart-address")).to_have_value(re.compile(r"^77 Elm St"))
        expect(page.locator('#smart-slots [data-chosen="true"]')).to_have_attribute("data-slot", "10:00 AM")
        _shot(page, "inbox-smart-schedule-desktop")
        page.click("#smart-book")
        expect(page.locator("#smart-booked")).to_contain_text("Booked Express Wash & Wax for")
        expect(page.locator("#panel-appointments")).to_contain_text("Express Wash & Wax")
        (appointment,) = _appointments(phone)
        assert dt.datetime.fromisoformat(appointment["start"]).astimezone(CHICAGO).strftime("%H:%M") == "10:00"

        page.click("#handback-check")
        expect(page.locator("#handback-summary")).to_have_attribute("data-safe", "true")
        page.click("#handback-confirm")
        expect(page.locator("#thread-mode")).to_have_attribute("data-mode", "ai")
        expect(page.locator("#agent-panel-notice")).to_contain_text("Handed back to the AI")
    finally:
        context.close()


# ---- phone layout ---------------------------------------------------------------------------------


def test_agent_pages_work_on_a_phone(browser, app_url):
    context = browser.new_context(base_url=app_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        sign_in(page, OWNER)  # waits for the desktop sidebar
        page.set_viewport_size(PHONE_VIEWPORT)
        for path, marker in (("/knowledge", "#knowledge-chat-link"), ("/webchats", "#webchat-list")):
            page.goto(path)
            expect(page.locator(marker)).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE_VIEWPORT["width"] + 1, (path, width)
            _shot(page, path.strip("/") + "-phone")
        page.goto("/knowledge")
        page.fill("#preview-question", "What if it rains?")
        page.click("#preview-ask")
        expect(page.locator("#preview-answer")).to_be_visible()
        page.click("#faq-add")
        page.fill("#faq-question", "Hi")
        page.click("#faq-save")
        expect(page.locator('.field-error[data-field="question"]')).to_contain_text("at least 3 characters")
        _shot(page, "knowledge-faq-error-phone")
    finally:
        context.close()
