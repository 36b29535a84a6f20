"""Every HTTP route, where its tenant comes from, and the test proving another tenant's data is
out of reach through it. `tests/unit/foundation/test_app_registry.py` fails for a route that is
missing here or whose test does not exist."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class RouteTenancy:
    tenant_source: str
    test: str  # "module::test_function"


ROUTE_TENANCY: dict[str, RouteTenancy] = {
    "/auth/login": RouteTenancy(
        "the user's memberships", "tests.integration.foundation.test_auth::test_login_sets_httponly_lax_secure_cookie_with_opaque_token"),
    "/auth/logout": RouteTenancy(
        "the session cookie", "tests.integration.foundation.test_auth::test_login_rotates_the_session_and_logout_revokes_it"),
    "/auth/select-tenant": RouteTenancy(
        "membership check on the chosen tenant", "tests.integration.foundation.test_auth::test_user_with_several_memberships_picks_a_tenant"),
    "/auth/impersonate": RouteTenancy(
        "platform owner only", "tests.integration.foundation.test_auth::test_impersonation_requires_platform_owner_and_a_reason"),
    "/auth/impersonate/exit": RouteTenancy(
        "the impersonation session", "tests.integration.foundation.test_auth::test_impersonation_session_records_actor_tenant_and_audits_start_writes_and_stop"),
    "/auth/forgot-password": RouteTenancy(
        "no tenant data", "tests.integration.foundation.test_auth::test_password_reset_is_emailed_single_use_and_signs_out_everywhere"),
    "/auth/reset-password": RouteTenancy(
        "the reset token", "tests.integration.foundation.test_auth::test_password_reset_is_emailed_single_use_and_signs_out_everywhere"),
    "/healthz": RouteTenancy("no tenant data", "tests.unit.foundation.test_app_registry::test_healthz_reports_ok_without_touching_tenant_data"),
    "/twilio/sms": RouteTenancy(
        "the inbound number / messaging service", "tests.integration.messaging.test_messaging_webhook::test_message_goes_to_the_tenant_owning_the_number"),
    "/twilio/status": RouteTenancy(
        "the message's tenant", "tests.integration.messaging.test_messaging_webhook::test_status_callback_cannot_touch_another_tenants_message"),
    "/ics/{token}.ics": RouteTenancy(
        "the tenant named in the signed token", "tests.integration.scheduling.test_scheduling_routes::test_ics_feed_revoked_or_forged_tokens_are_404"),
    "/files/appointment-photos/{photo_id}": RouteTenancy(
        "the staff session", "tests.integration.scheduling.test_scheduling_routes::test_photo_download_needs_a_session_of_the_same_tenant"),
}
