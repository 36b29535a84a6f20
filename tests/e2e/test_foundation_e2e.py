"""Sign-in, the tenants page, impersonation with its banner and exit, and server-side page
guards — in a real browser against the running app."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import OWNER, sign_in


def test_sign_in_shows_dashboard_with_real_numbers(page):
    sign_in(page, OWNER)
    expect(page.locator("#shell-tenant-name")).to_have_text("Clean Machine Auto Detail")
    expect(page.locator("#stat-team")).to_have_text("2")


def test_wrong_password_is_refused_with_a_clear_message(page):
    page.goto("/login")
    page.fill("#login-email", OWNER)
    page.fill("#login-password", "not-the-password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_contain_text("don't match an account")


def test_impersonate_tenant_shows_banner_and_exit_returns(page):
    sign_in(page, OWNER)
    page.goto("/admin/tenants")
    page.locator('[data-tenant="green-acres"]').click()
    page.fill("#impersonate-reason", "helping with their services")
    page.click("#impersonate-submit")
    expect(page.locator("#impersonation-banner")).to_contain_text("Viewing as Green Acres Lawn Care")
    expect(page.locator("#shell-tenant-name")).to_have_text("Green Acres Lawn Care")

    # The banner stays on every page, and the tenant's audit log shows the visit.
    page.goto("/audit")
    expect(page.locator("#impersonation-banner")).to_be_visible()
    expect(page.locator("#audit-table")).to_contain_text("impersonation.started")
    expect(page.locator("#audit-table")).to_contain_text("helping with their services")

    # Platform pages are refused while viewing as a tenant (server-side redirect).
    page.goto("/admin/tenants")
    expect(page).to_have_url(re.compile(r"/$"))

    page.click("#impersonation-exit")
    expect(page).to_have_url(re.compile(r"/admin/tenants/?\?info=exited"))
    expect(page.locator("#impersonation-banner")).to_have_count(0)
    expect(page.locator("#shell-tenant-name")).to_have_text("Clean Machine Auto Detail")


def test_staff_member_is_sent_away_from_admin_pages(page):
    sign_in(page, "staff@greenacres.example")
    page.goto("/admin/tenants")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_text("Tenants", exact=True)).to_have_count(0)
    page.goto("/audit")
    expect(page).to_have_url(re.compile(r"/$"))


def test_signed_out_visitor_is_sent_to_login(page, app_url):
    page.goto("/admin/phones")
    expect(page).to_have_url(re.compile(r"/login"))
