"""Messaging settings: automatic texts, quick replies, A2P 10DLC registration."""

from __future__ import annotations

import reflex as rx

from backend.messaging import views as messaging_views
from components.layout import app_shell, page_header
from components.ui import error_callout, field, info_callout
from state.messaging_settings import MODE_OPTIONS, MessagingSettingsState

S = MessagingSettingsState


def _hint(text: str) -> rx.Component:
    return rx.text(text, size="1", color_scheme="gray")


# ---- automatic texts -------------------------------------------------------------------------------


def _settings_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Automatic texts", size="4"),
                _hint("What your number says on its own. Keep each text under 320 characters."),
                field("New conversations are answered by", rx.select.root(
                    rx.select.trigger(width="100%"),
                    rx.select.content(*[rx.select.item(label, value=key) for key, label in MODE_OPTIONS]),
                    name="default_mode", default_value=S.default_mode,
                ), "Staff can take over or hand back any conversation in the inbox."),
                field("Reply to HELP / INFO", rx.text_area(name="help_text", default_value=S.help_text, rows="2",
                                                           placeholder=S.default_help_text, width="100%",
                                                           id="settings-help-text"),
                      "Leave blank to use the wording shown. Carriers require a HELP reply with your name and "
                      "how to opt out."),
                field("Confirmation after STOP", rx.text_area(name="opt_out_text", default_value=S.opt_out_text,
                                                              rows="2", width="100%",
                                                              placeholder="Built-in: “You're unsubscribed…”")),
                field("Confirmation after START", rx.text_area(name="opt_in_text", default_value=S.opt_in_text,
                                                               rows="2", width="100%",
                                                               placeholder="Built-in: “You're subscribed again…”")),
                rx.divider(),
                rx.checkbox("Text back callers whose call we missed", name="missed_call_enabled",
                            default_checked=S.missed_call_enabled, id="settings-missed-call"),
                rx.flex(
                    field("Text-back message", rx.text_area(name="missed_call_text", default_value=S.missed_call_text,
                                                            rows="2", width="100%"),
                          "{business} is replaced by your business name."),
                    field("At most once per caller every (minutes)",
                          rx.input(name="missed_call_window_minutes", default_value=S.missed_call_window_minutes,
                                   type="number", min="1", max="10080", width="100%", id="settings-window")),
                    direction=rx.breakpoints(initial="column", md="row"),
                    gap="0.75rem",
                    width="100%",
                ),
                rx.cond(S.reminder_hours != "",
                        _hint("Appointment reminders go out " + S.reminder_hours + " hours before the start; "
                              "change that in the booking settings.")),
                error_callout(S.settings_error, id="settings-error"),
                info_callout(S.settings_notice, id="settings-notice"),
                rx.button("Save", type="submit", id="settings-save"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_settings,
            key=S.settings_version.to_string(),
            width="100%",
        ),
        width="100%",
    )


# ---- quick replies ------------------------------------------------------------------------------


def _quick_reply_row(r: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(r["title"], weight="medium", size="2"),
                  rx.text(r["body"], size="1", color_scheme="gray", white_space="pre-wrap"),
                  spacing="0", flex="1", min_width="0"),
        rx.button("Edit", size="1", variant="soft", on_click=S.start_edit_quick_reply(r["id"])),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(rx.button("Delete", size="1", variant="soft", color_scheme="red")),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Remove “", r["title"], "”?"),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Keep", variant="soft", color_scheme="gray")),
                    rx.alert_dialog.action(rx.button("Remove", color_scheme="red",
                                                     on_click=S.delete_quick_reply(r["id"]))),
                    justify="end", spacing="2", margin_top="1rem",
                ),
            ),
        ),
        width="100%",
        align="start",
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-a4)",
        class_name="quick-reply-row",
    )


def _quick_reply_dialog() -> rx.Component:
    e = S.qr_editing
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(e["id"] != "", "Edit quick reply", "New quick reply")),
            rx.form(
                rx.vstack(
                    error_callout(S.qr_error, id="quick-reply-error"),
                    field("Title", rx.input(name="title", default_value=e["title"], width="100%",
                                            id="quick-reply-title")),
                    field("Text", rx.text_area(name="body", default_value=e["body"], rows="4", width="100%",
                                               id="quick-reply-body")),
                    field("Order", rx.input(name="position", default_value=e["position"], type="number",
                                            width="100px")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save", type="submit", id="quick-reply-save"),
                        justify="end", width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=S.save_quick_reply,
            ),
            max_width="520px",
        ),
        open=S.qr_open,
        on_open_change=S.set_qr_open,
    )


def _quick_replies_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Quick replies", size="4"),
                rx.spacer(),
                rx.button(rx.icon("plus", size=14), "Add", size="2", on_click=S.start_new_quick_reply,
                          id="quick-reply-add"),
                width="100%",
                align="center",
            ),
            _hint("Saved answers staff can drop into a reply from the inbox composer."),
            info_callout(S.qr_notice, id="quick-reply-notice"),
            rx.cond(S.quick_replies.length() > 0,
                    rx.vstack(rx.foreach(S.quick_replies, _quick_reply_row), spacing="0", width="100%"),
                    rx.text("No quick replies yet.", size="2", color_scheme="gray")),
            spacing="2",
            width="100%",
        ),
        _quick_reply_dialog(),
        width="100%",
    )


# ---- A2P 10DLC -----------------------------------------------------------------------------------


def _error(name: str) -> rx.Component:
    message = S.a2p_errors[name]
    return rx.cond(S.a2p_errors.contains(name),
                   rx.text(message, size="1", color="var(--red-11)", class_name="field-error",
                           custom_attrs={"data-field-error": name}))


def _a2p_field(label: str, name: str, *, hint: str = "", area: bool = False, placeholder: str = "",
               rows: str = "3") -> rx.Component:
    value = S.a2p_values[name].to(str)
    invalid = S.a2p_errors.contains(name)
    if area:
        control = rx.text_area(name=name, default_value=value, rows=rows, width="100%", placeholder=placeholder,
                               id=f"a2p-{name}", color_scheme=rx.cond(invalid, "red", "gray"))
    else:
        control = rx.input(name=name, default_value=value, width="100%", placeholder=placeholder, id=f"a2p-{name}",
                           color_scheme=rx.cond(invalid, "red", "gray"))
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        _hint(hint) if hint else rx.fragment(),
        _error(name),
        spacing="1",
        width="100%",
    )


def _a2p_select(label: str, name: str, options: list[str]) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        rx.select.root(
            rx.select.trigger(width="100%", placeholder="Choose…", id=f"a2p-{name}"),
            rx.select.content(*[rx.select.item(o, value=o) for o in options]),
            name=name,
            default_value=S.a2p_values[name].to(str),
        ),
        _error(name),
        spacing="1",
        width="100%",
    )


def _row(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", md=str(len(children))), gap="0.75rem",
                   width="100%")


def _flag(label: str, name: str) -> rx.Component:
    return rx.checkbox(label, name=name, default_checked=S.a2p_flags[name].to(bool))


def _a2p_card() -> rx.Component:
    status_color = rx.match(S.a2p_status, ("approved", "green"), ("submitted", "blue"), ("rejected", "red"),
                            ("draft", "amber"), "gray")
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Texting registration (A2P 10DLC)", size="4"),
                _hint("US carriers require every business that texts from a local number to register who it is "
                      "and what it sends. Save a draft any time; Submit checks everything the carriers check."),
                rx.hstack(rx.badge(S.a2p_status_label, color_scheme=status_color, size="2", id="a2p-status",
                                   custom_attrs={"data-status": S.a2p_status}),
                          rx.text(S.a2p_detail, size="1", color_scheme="gray"), wrap="wrap", align="center"),
                rx.heading("Business", size="3", margin_top="0.5rem"),
                _row(_a2p_field("Legal business name", "legal_name", hint="Exactly as registered with the IRS."),
                     _a2p_field("EIN", "ein", placeholder="12-3456789", hint="Not needed for sole proprietors.")),
                _row(_a2p_select("Business type", "business_type", messaging_views.BUSINESS_TYPES),
                     _a2p_field("Website", "website", placeholder="https://")),
                _row(_a2p_field("Street address", "address_street"),
                     _a2p_field("Suite / unit", "address_street_secondary")),
                _row(_a2p_field("City", "address_city"), _a2p_field("State", "address_region", placeholder="OK"),
                     _a2p_field("ZIP", "address_postal_code"), _a2p_field("Country", "address_country")),
                rx.heading("Authorised representative", size="3", margin_top="0.5rem"),
                _row(_a2p_field("First name", "rep_first_name"), _a2p_field("Last name", "rep_last_name")),
                _row(_a2p_field("Email", "rep_email"), _a2p_field("Phone", "rep_phone", placeholder="+1…")),
                _row(_a2p_field("Title", "rep_business_title", placeholder="Owner"),
                     _a2p_select("Position", "rep_job_position", messaging_views.JOB_POSITIONS)),
                rx.heading("Campaign", size="3", margin_top="0.5rem"),
                _a2p_select("Use case", "use_case", messaging_views.USE_CASES),
                _a2p_field("Campaign description", "description", area=True,
                           hint="At least 40 characters: who you text and why."),
                _a2p_field("Message flow (how customers opt in)", "message_flow", area=True,
                           hint="At least 40 characters, e.g. “Customers text our number first or tick a box on "
                                "the booking form…”."),
                rx.text("Sample messages", size="2", weight="medium"),
                _hint("2–5 real examples of 20+ characters; at least one says how to opt out (Reply STOP)."),
                *[rx.text_area(name=f"sample_{i}", default_value=S.a2p_values[f"sample_{i}"].to(str), rows="2",
                               width="100%", placeholder=f"Sample {i}", id=f"a2p-sample_{i}")
                  for i in range(1, messaging_views.MAX_SAMPLES + 1)],
                _error("samples"),
                _a2p_field("Opt-in confirmation", "opt_in_message", area=True, rows="2",
                           hint="20–320 characters."),
                _a2p_field("Opt-out confirmation", "opt_out_message", area=True, rows="2",
                           hint="20–320 characters."),
                _a2p_field("Help reply", "help_message", area=True, rows="2", hint="20–320 characters."),
                _row(_a2p_field("Opt-in keywords", "opt_in_keywords"),
                     _a2p_field("Opt-out keywords", "opt_out_keywords"),
                     _a2p_field("Help keywords", "help_keywords")),
                _row(_a2p_field("Privacy policy URL", "privacy_policy_url", placeholder="https://"),
                     _a2p_field("Terms URL", "terms_url", placeholder="https://")),
                rx.flex(_flag("Messages contain links", "has_embedded_links"),
                        _flag("Messages contain phone numbers", "has_embedded_phone"),
                        _flag("Age-gated content", "age_gated"), _flag("Direct lending", "direct_lending"),
                        gap="1rem", wrap="wrap"),
                _error("form"),
                error_callout(S.a2p_error, id="a2p-error"),
                info_callout(S.a2p_notice, id="a2p-notice"),
                rx.hstack(
                    rx.button("Save draft", type="submit", variant="soft", on_click=S.set_a2p_intent("save"),
                              id="a2p-save"),
                    rx.button("Submit for review", type="submit", on_click=S.set_a2p_intent("submit"),
                              id="a2p-submit"),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.a2p_form_submit,
            key=S.a2p_version.to_string(),
            width="100%",
        ),
        width="100%",
        id="a2p-card",
    )


def messaging_settings_page() -> rx.Component:
    return app_shell(
        page_header("Messaging settings", subtitle="Automatic texts, quick replies and your texting registration"),
        error_callout(S.error, id="messaging-settings-error"),
        rx.cond(
            S.enabled,
            rx.cond(
                S.settings_version > 0,  # forms appear once loaded, so nothing typed is overwritten
                rx.vstack(_settings_card(), _quick_replies_card(), _a2p_card(), spacing="4", width="100%",
                          max_width="860px"),
                rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
            ),
        ),
    )
