"""Scheduling in a real browser: book through the calendar's "New appointment" dialog, see the job
in the right technician's column at the right local time, open it and reschedule it through the
form; the calendar, services and team pages on a 375 px phone screen.

Set E2E_SCREENSHOTS=/some/dir to keep screenshots of the pages (desktop and phone).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import struct
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import OWNER, sign_in

CHICAGO = ZoneInfo("America/Chicago")  # Clean Machine's zone (backend/demo/seed.py)


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _weekday_ahead(weekday: int, min_days: int = 21) -> dt.date:
    """A day of the given weekday at least `min_days` ahead (past the demo bookings, inside the
    60-day booking horizon)."""
    day = dt.datetime.now(CHICAGO).date() + dt.timedelta(days=min_days)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def _assert_in_column(page, block, label: str) -> None:
    """The block's horizontal centre lies inside the header of the technician's column."""
    header = page.locator(f'.calendar-column-header[data-column-label="{label}"]').bounding_box()
    box = block.bounding_box()
    centre = box["x"] + box["width"] / 2
    assert header["x"] <= centre <= header["x"] + header["width"], (header, box)


def _png() -> bytes:
    """A valid 2×2 red PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _pick(page, trigger: str, option: str) -> None:
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()


def test_book_through_the_calendar_then_reschedule(page):
    day = _weekday_ahead(2)  # a Wednesday: Dana Cole works Tue–Sat
    next_day = day + dt.timedelta(days=1)
    sign_in(page, OWNER)
    page.goto(f"/calendar?date={day.isoformat()}")
    expect(page.locator("#calendar-date")).to_have_value(day.isoformat())
    expect(page.locator('.calendar-column-header[data-column-label="Dana Cole"]')).to_be_visible()

    page.click("#new-appointment")
    page.fill("#booking-customer-search", "Ashley")
    page.locator('[data-customer-result="Ashley Nguyen"]').click()
    expect(page.locator("#booking-customer-name")).to_have_text("Ashley Nguyen")
    _pick(page, "#booking-service", "Express Wash & Wax")
    expect(page.locator("#booking-price")).to_have_text("$79–$99")  # sedan: no size surcharge
    _pick(page, "#booking-technician", "Dana Cole")
    expect(page.locator("#booking-date")).to_have_value(day.isoformat())
    # Wait for the open times of that day and technician (each change recomputes them).
    expect(page.locator("#booking-slots")).to_have_attribute("data-slots-for", re.compile(rf"^{day.isoformat()}\|"))
    expect(page.locator("#booking-slots")).not_to_have_attribute("data-slots-for", f"{day.isoformat()}|any")
    page.locator('[data-slot="10:00 AM"]').click()
    page.click("#booking-submit")

    expect(page.locator("#calendar-message")).to_contain_text("Booked Express Wash & Wax for Ashley Nguyen")
    block = page.locator('.calendar-block[data-customer="Ashley Nguyen"]')
    expect(block).to_have_count(1)
    expect(block).to_have_attribute("data-technician", "Dana Cole")
    expect(block).to_have_attribute("data-start", "10:00")
    expect(block).to_have_attribute("data-day", day.isoformat())
    expect(block).to_contain_text("10:00 AM – 11:15 AM")
    _assert_in_column(page, block, "Dana Cole")
    _shot(page, "calendar-day-desktop")

    block.click()
    expect(page).to_have_url(re.compile(r"/appointments/[0-9a-z]+"))
    expect(page.locator("#appointment-technician")).to_have_text("Dana Cole")
    expect(page.locator("#appointment-time")).to_have_text("10:00 AM – 11:15 AM")
    expect(page.locator("#appointment-customer")).to_have_text("Ashley Nguyen")
    _shot(page, "appointment-desktop")

    page.click("#reschedule-open")
    page.fill("#reschedule-date", next_day.isoformat())
    expect(page.locator("#reschedule-slots")).to_have_attribute("data-slots-for", f"{next_day.isoformat()}|keep")
    page.locator('[data-reschedule-slot="1:00 PM"]').click()
    page.click("#reschedule-submit")
    expect(page.locator("#appointment-message")).to_contain_text("Moved to")
    expect(page.locator("#appointment-time")).to_have_text("1:00 PM – 2:15 PM")
    expect(page.locator("#appointment-history")).to_contain_text("Rescheduled from")

    # A photo goes through Reflex's upload into private storage and comes back through the
    # authenticated /files route.
    page.locator("#appointment-photos input[type=file]").set_input_files(
        {"name": "after.png", "mimeType": "image/png", "buffer": _png()})
    page.click("#upload-photos")
    expect(page.locator("#appointment-message")).to_contain_text("Added 1 photo")
    photo = page.locator("#appointment-photo-grid img")
    expect(photo).to_have_count(1)
    expect(photo).to_have_attribute("src", re.compile(r"/files/appointment-photos/[0-9a-z]+$"))
    page.wait_for_function("document.querySelector('#appointment-photo-grid img').naturalWidth === 2")

    # Start and complete the job with the price actually charged.
    page.click("#action-in_progress")
    expect(page.locator("#appointment-status")).to_have_text("In progress")
    page.click("#action-completed")
    page.fill("#complete-price", "84.50")
    page.click("#complete-submit")
    expect(page.locator("#appointment-status")).to_have_text("Completed")
    expect(page.locator("#appointment-charged")).to_have_text("$84.50")

    # The page also works on a full load of its URL; an unknown id is simply "not found".
    url = page.url
    page.reload()
    expect(page.locator("#appointment-status")).to_have_text("Completed")
    page.goto("/appointments/01notarealid")
    expect(page.get_by_text("This appointment doesn't exist")).to_be_visible()
    page.goto(url)
    expect(page.locator("#appointment-time")).to_have_text("1:00 PM – 2:15 PM")

    page.goto(f"/calendar?date={next_day.isoformat()}")
    moved = page.locator('.calendar-block[data-customer="Ashley Nguyen"]')
    expect(moved).to_have_attribute("data-start", "13:00")
    expect(moved).to_have_attribute("data-status", "completed")
    expect(moved).to_have_attribute("data-technician", "Dana Cole")
    _assert_in_column(page, moved, "Dana Cole")
    page.click("#calendar-prev")
    expect(page.locator("#calendar-date")).to_have_value(day.isoformat())
    expect(page.locator('.calendar-block[data-customer="Ashley Nguyen"]')).to_have_count(0)

    page.get_by_role("radio", name="Week").click()
    expect(page.locator(".calendar-column-header")).to_have_count(7)
    expect(page.locator('.calendar-block[data-customer="Ashley Nguyen"]')).to_have_attribute("data-day",
                                                                                            next_day.isoformat())
    _shot(page, "calendar-week-desktop")


def test_pages_fit_a_phone_screen(browser, app_url):
    context = browser.new_context(base_url=app_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        sign_in(page, OWNER)  # waits for the desktop sidebar, so sign in wide, then narrow
        page.set_viewport_size({"width": 375, "height": 740})
        page.goto("/calendar")
        expect(page.locator("#new-appointment")).to_be_in_viewport()
        expect(page.locator(".calendar-column-header").first).to_be_visible()
        # The grid scrolls inside its card; the page itself does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        assert page.evaluate("document.getElementById('calendar-scroll').scrollWidth") > 375
        _shot(page, "calendar-phone")
        page.click("#new-appointment")
        dialog = page.locator("#booking-dialog")
        expect(dialog).to_be_visible()
        box = dialog.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        _shot(page, "booking-phone")
        page.keyboard.press("Escape")
        for path in ("/services", "/team", "/settings/scheduling", "/"):
            page.goto(path)
            page.wait_for_selector("#shell-tenant-name", state="attached")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth") <= 376, path
            _shot(page, "phone" + path.replace("/", "-"))
    finally:
        context.close()
