"""The Knowledge page (/knowledge): what the AI assistant knows and where each answer comes
from, the FAQ and policy editors (owners/admins), a "Try a question" box and the web chat link."""

from __future__ import annotations

import reflex as rx

from components.layout import app_shell, page_header
from components.ui import empty_state, error_callout, info_callout
from state.knowledge import KnowledgeEditorState, KnowledgeState
from state.session import SessionState

S = KnowledgeState
E = KnowledgeEditorState

LAYER_COLORS = (("tenant", "teal"), ("pack", "purple"), ("base", "gray"))


def _admin(component: rx.Component) -> rx.Component:
    return rx.cond(SessionState.is_tenant_admin, component)


def _section_title(title: str, *extra: rx.Component, subtitle: str = "") -> rx.Component:
    return rx.vstack(
        rx.flex(rx.heading(title, size="4"), rx.spacer(), *extra, width="100%", align="center", gap="0.5rem",
                wrap="wrap"),
        rx.text(subtitle, size="2", color_scheme="gray") if subtitle else rx.fragment(),
        spacing="1",
        width="100%",
    )


def _field_error(errors: rx.Var, name: str) -> rx.Component:
    return rx.cond(errors.contains(name), rx.text(errors[name], size="1", color="var(--red-11)",
                                                  class_name="field-error", custom_attrs={"data-field": name}))


# ---- what the business offers (read-only) ---------------------------------------------------------


def _service_row(s: rx.Var) -> rx.Component:
    return rx.flex(
        rx.text(s.name, weight="medium", size="2", flex="1", min_width="0"),
        rx.vstack(
            rx.text(s.price, size="2", weight="bold", white_space="nowrap"),
            rx.cond(s.depends_on != "", rx.text("depends on ", s.depends_on, size="1", color_scheme="gray",
                                                text_align="right")),
            spacing="0",
            align="end",
        ),
        width="100%",
        gap="0.75rem",
        padding_y="0.4rem",
        border_bottom="1px solid var(--gray-a3)",
        custom_attrs={"data-knowledge-service": s.name},
    )


def _business_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            _section_title("Services & prices",
                           rx.link("Edit on Services", href="/services", size="2", id="knowledge-services-link"),
                           subtitle="The assistant quotes these ranges, computed from your price list."),
            rx.cond(S.services.length() > 0,
                    rx.vstack(rx.foreach(S.services, _service_row), spacing="0", width="100%",
                              id="knowledge-services"),
                    rx.text("No active services yet.", color_scheme="gray", size="2")),
            rx.divider(),
            _section_title("Hours & area",
                           rx.link("Edit hours & rules", href="/settings/scheduling", size="2",
                                   id="knowledge-hours-link")),
            rx.hstack(rx.icon("clock", size=16, color="var(--gray-10)"), rx.text(S.hours, size="2", id="knowledge-hours"),
                      align="start", spacing="2"),
            rx.hstack(rx.icon("map-pin", size=16, color="var(--gray-10)"),
                      rx.text(rx.cond(S.service_area != "", S.service_area, "No service area set"), size="2",
                              id="knowledge-area"),
                      align="start", spacing="2"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


# ---- policies -------------------------------------------------------------------------------------------


def _layer_badge(source: rx.Var, label: rx.Var) -> rx.Component:
    return rx.badge(label, variant="soft", color_scheme=rx.match(source, *LAYER_COLORS, "gray"),
                    class_name="policy-layer", custom_attrs={"data-layer": source})


def _policy_card(p: rx.Var) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.text(p.title, weight="bold", size="2"),
            _layer_badge(p.source, p.layer),
            rx.spacer(),
            _admin(rx.hstack(
                rx.button("Edit", size="1", variant="soft", on_click=E.edit_policy(p.key),
                          custom_attrs={"data-edit-policy": p.key}),
                rx.cond(p.removable, rx.button("Use default", size="1", variant="ghost", color_scheme="gray",
                                               on_click=E.reset_policy(p.key),
                                               custom_attrs={"data-reset-policy": p.key})),
                spacing="1",
            )),
            width="100%",
            align="center",
            gap="0.5rem",
            wrap="wrap",
        ),
        rx.text(p.text, size="2", color_scheme="gray", padding_top="0.25rem", white_space="pre-wrap",
                class_name="policy-text"),
        padding="0.75rem",
        border="1px solid var(--gray-a5)",
        border_radius="8px",
        width="100%",
        custom_attrs={"data-policy": p.key, "data-source": p.source},
    )


def _add_policy_menu() -> rx.Component:
    return _admin(rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("plus", size=14), "Add or override", size="1", variant="soft",
                                  id="policy-add")),
        rx.menu.content(rx.foreach(S.policy_choices, lambda c: rx.menu.item(
            c["title"], on_select=E.edit_policy(c["key"]), custom_attrs={"data-policy-choice": c["key"]}))),
    ))


def _policies_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            _section_title("Policies", _add_policy_menu(),
                           subtitle="Your override beats the industry pack, which beats the global default."),
            rx.flex(
                rx.hstack(_layer_badge(rx.Var.create("base"), rx.Var.create("Global default")),
                          rx.text("same for every business", size="1", color_scheme="gray"), align="center"),
                rx.hstack(_layer_badge(rx.Var.create("pack"), rx.Var.create("Industry pack")),
                          rx.text(S.industry_pack, size="1", color_scheme="gray"), align="center"),
                rx.hstack(_layer_badge(rx.Var.create("tenant"), rx.Var.create("Your override")),
                          rx.text("written here", size="1", color_scheme="gray"), align="center"),
                gap="0.75rem",
                wrap="wrap",
            ),
            rx.vstack(rx.foreach(S.policies, _policy_card), spacing="2", width="100%", id="knowledge-policies"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _policy_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(E.policy_title, " policy"),
            rx.dialog.description("The assistant answers with this text when customers ask about it.", size="2",
                                  color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.text_area(name="text", default_value=E.policy_form["text"], rows="6", width="100%",
                                 id="policy-text", key=E.policy_form["key"]),
                    _field_error(E.policy_errors, "text"),
                    _field_error(E.policy_errors, "key"),
                    _field_error(E.policy_errors, "form"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save", type="submit", id="policy-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=E.save_policy,
                width="100%",
            ),
            max_width="560px",
        ),
        open=E.policy_open,
        on_open_change=E.set_policy_open,
    )


# ---- FAQ -----------------------------------------------------------------------------------------------


def _faq_card(f: rx.Var) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.text(f.question, weight="bold", size="2", flex="1", min_width="12rem", class_name="faq-question"),
            rx.badge(f.origin, variant="outline", color_scheme=rx.cond(f.origin == "Your own", "teal", "purple")),
            rx.cond(~f.active, rx.badge("Off", color_scheme="gray")),
            _admin(rx.hstack(
                rx.button("Edit", size="1", variant="soft", on_click=E.edit_faq(f.id),
                          custom_attrs={"data-edit-faq": f.question}),
                rx.button("Delete", size="1", variant="ghost", color_scheme="red",
                          on_click=E.ask_delete_faq(f.id, f.question), custom_attrs={"data-delete-faq": f.question}),
                spacing="1",
            )),
            width="100%",
            align="center",
            gap="0.5rem",
            wrap="wrap",
        ),
        rx.text(f.answer, size="2", color_scheme="gray", padding_top="0.25rem", white_space="pre-wrap"),
        rx.cond(f.keywords != "", rx.text("Keywords: ", f.keywords, size="1", color_scheme="gray",
                                          padding_top="0.25rem")),
        padding="0.75rem",
        border="1px solid var(--gray-a5)",
        border_radius="8px",
        width="100%",
        opacity=rx.cond(f.active, "1", "0.65"),
        class_name="faq-entry",
        custom_attrs={"data-faq": f.question},
    )


def _faq_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            _section_title("Questions & answers",
                           _admin(rx.button(rx.icon("plus", size=14), "Add question", size="1",
                                            on_click=E.edit_faq(""), id="faq-add")),
                           subtitle="The assistant answers from these when a customer asks something similar."),
            rx.cond(S.faq.length() > 0,
                    rx.vstack(rx.foreach(S.faq, _faq_card), spacing="2", width="100%", id="knowledge-faq"),
                    empty_state("No questions yet.", "message-circle-question")),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _faq_dialog() -> rx.Component:
    form = E.faq_form
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(form["id"] != "", "Edit question", "New question")),
            rx.form(
                rx.vstack(
                    rx.text("Question", size="2", weight="medium", as_="label"),
                    rx.input(name="question", default_value=form["question"], width="100%", id="faq-question",
                             key=form["id"] + "-q"),
                    _field_error(E.faq_errors, "question"),
                    rx.text("Answer", size="2", weight="medium", as_="label"),
                    rx.text_area(name="answer", default_value=form["answer"], rows="4", width="100%",
                                 id="faq-answer", key=form["id"] + "-a"),
                    _field_error(E.faq_errors, "answer"),
                    rx.text("Keywords", size="2", weight="medium", as_="label"),
                    rx.input(name="keywords", default_value=form["keywords"], width="100%", id="faq-keywords",
                             placeholder="parking, driveway, garage", key=form["id"] + "-k"),
                    rx.text("Words customers might use, separated by commas.", size="1", color_scheme="gray"),
                    _field_error(E.faq_errors, "keywords"),
                    rx.checkbox("Active (the assistant uses it)", name="active", default_checked=form["active"] == "on",
                                id="faq-active", key=form["id"] + "-c"),
                    _field_error(E.faq_errors, "form"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Save", type="submit", id="faq-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=E.save_faq,
                width="100%",
            ),
            max_width="560px",
        ),
        open=E.faq_open,
        on_open_change=E.set_faq_open,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this question?"),
            rx.alert_dialog.description(E.delete_question, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Delete", color_scheme="red", on_click=E.delete_faq,
                                                 id="faq-delete-confirm")),
                justify="end",
                spacing="2",
                padding_top="1rem",
            ),
        ),
        open=E.delete_open,
        on_open_change=E.set_delete_open,
    )


# ---- try a question, web chat --------------------------------------------------------------------------


def _preview_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            _section_title("Try a question", subtitle="See what the assistant would answer. Nothing is sent."),
            rx.form(
                rx.flex(
                    rx.input(name="question", placeholder="e.g. What if it rains?", id="preview-question",
                             flex="1", min_width="0", max_length=500),
                    rx.button("Ask", type="submit", id="preview-ask"),
                    gap="0.5rem",
                    width="100%",
                ),
                on_submit=S.try_question,
                width="100%",
            ),
            rx.cond(S.preview_error != "", rx.text(S.preview_error, size="1", color="var(--red-11)",
                                                   id="preview-error")),
            rx.cond(
                S.preview_done,
                rx.cond(
                    S.preview_answered,
                    rx.box(
                        rx.text(S.preview_answer, size="2", white_space="pre-wrap"),
                        rx.text("From ", S.preview_source, ": “", S.preview_matched, "” · match ", S.preview_score,
                                size="1", color_scheme="gray", padding_top="0.35rem"),
                        padding="0.75rem",
                        border_radius="10px",
                        background="var(--accent-a3)",
                        width="100%",
                        id="preview-answer",
                    ),
                    rx.text("No saved answer fits. The assistant would answer from its price, booking and hours "
                            "tools, or hand the question to a person.", size="2", color_scheme="gray",
                            id="preview-none"),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _web_chat_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            _section_title("Web chat", subtitle="Your assistant on the web: share the link or put it on your site."),
            rx.flex(
                rx.code(S.chat_link, id="knowledge-chat-link", word_break="break-all", flex="1", min_width="0",
                        size="1", variant="ghost"),
                rx.hstack(
                    rx.button(rx.icon("copy", size=14), "Copy", size="1", variant="soft",
                              on_click=[rx.set_clipboard(S.chat_link), rx.toast("Link copied")], type="button"),
                    rx.link(rx.button(rx.icon("external-link", size=14), "Open", size="1", variant="soft",
                                      type="button"),
                            href=S.chat_link, is_external=True, id="knowledge-chat-open"),
                    spacing="1",
                ),
                gap="0.5rem",
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.text("To embed it, paste this where the chat should appear on your website:", size="1",
                    color_scheme="gray"),
            rx.text_area(value=S.embed_code, read_only=True, rows="3", width="100%", id="knowledge-embed",
                         font_family="var(--code-font-family)", font_size="12px"),
            rx.button(rx.icon("copy", size=14), "Copy embed code", size="1", variant="soft", type="button",
                      on_click=[rx.set_clipboard(S.embed_code), rx.toast("Embed code copied")]),
            rx.text("Anyone with the link can chat with your assistant; it can only see your business.", size="1",
                    color_scheme="gray"),
            rx.link("See web chats →", href="/webchats", size="2"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id="knowledge-webchat",
    )


def knowledge_page() -> rx.Component:
    return app_shell(
        page_header("Knowledge", subtitle="What your AI assistant knows, and where each answer comes from."),
        error_callout(S.error, id="knowledge-error"),
        info_callout(E.notice, id="knowledge-notice"),
        rx.cond(
            S.enabled,
            rx.vstack(
                rx.cond(~S.agent_enabled, rx.callout("The AI assistant is off for this plan or account status.",
                                                     icon="info", color_scheme="amber", width="100%")),
                rx.grid(
                    rx.vstack(_preview_card(), _policies_card(), _faq_section(), spacing="4", width="100%",
                              min_width="0"),
                    rx.vstack(_web_chat_card(), _business_card(), spacing="4", width="100%", min_width="0"),
                    grid_template_columns=["1fr", "1fr", "1fr", "minmax(0, 3fr) minmax(0, 2fr)"],
                    gap="1rem",
                    width="100%",
                ),
                _faq_dialog(),
                _policy_dialog(),
                _delete_dialog(),
                spacing="3",
                width="100%",
            ),
        ),
    )
