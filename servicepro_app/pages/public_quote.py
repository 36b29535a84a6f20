"""The public quote approval page (/q/<token>): the business's branding, the quote, and a time
picker; approving books the appointment. No sign-in, no app shell."""

from __future__ import annotations

import reflex as rx

from components.documents import lines_table, totals_box
from state.public_quote import PublicQuoteState

S = PublicQuoteState


def _brand_header() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.logo_url != "",
            rx.image(src=S.logo_url, width="44px", height="44px", border_radius="10px", alt=S.business_name),
            rx.center(rx.text(S.business_name[:1], weight="bold", color="white", size="5"), width="44px",
                      height="44px", border_radius="10px", background=S.brand_color, flex_shrink="0"),
        ),
        rx.vstack(
            rx.heading(S.business_name, size="5", id="public-business-name"),
            rx.text("Quote ", S.number, size="2", color_scheme="gray"),
            spacing="0",
        ),
        align="center",
        spacing="3",
        width="100%",
    )


def _quote_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.cond(S.first_name != "", rx.text("Hi ", S.first_name, ", here is your quote.", size="3")),
            rx.cond(S.title != "", rx.heading(S.title, size="4")),
            lines_table(S.lines, id="public-quote-lines"),
            totals_box(S.subtotal, S.discount, S.tax_label, S.tax, S.total, show_discount=S.has_discount,
                       total_id="public-quote-total"),
            rx.hstack(
                rx.cond(S.service_name != "",
                        rx.hstack(rx.icon("clock", size=14, color="var(--gray-10)"),
                                  rx.text(S.service_name, rx.cond(S.duration != "", " · " + S.duration, ""), size="2",
                                          color_scheme="gray"),
                                  align="center", spacing="1")),
                rx.spacer(),
                rx.cond(S.expires != "", rx.text("Valid until ", S.expires, size="2", color_scheme="gray",
                                                 id="public-quote-expires")),
                width="100%", wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _time_picker() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Pick a time that suits you", size="4"),
            rx.cond(
                S.days.length() > 0,
                rx.vstack(
                    rx.hstack(
                        rx.foreach(S.days, lambda d: rx.button(
                            rx.vstack(rx.text(d["weekday"], size="1"), rx.text(d["label"], size="2", weight="bold"),
                                      spacing="0", align="center"),
                            on_click=S.choose_day(d["key"]),
                            variant=rx.cond(S.selected_day == d["key"], "solid", "outline"),
                            color_scheme="gray", high_contrast=rx.cond(S.selected_day == d["key"], True, False),
                            height="auto", padding_y="0.4rem", flex_shrink="0",
                            custom_attrs={"data-day": d["key"]},
                        )),
                        overflow_x="auto", width="100%", padding_bottom="0.25rem", spacing="2",
                    ),
                    rx.grid(
                        rx.foreach(S.day_slots, lambda slot: rx.button(
                            slot["label"], on_click=S.choose_slot(slot["key"]),
                            variant=rx.cond(S.selected_slot == slot["key"], "solid", "soft"),
                            color_scheme="gray", high_contrast=rx.cond(S.selected_slot == slot["key"], True, False),
                            custom_attrs={"data-slot": slot["key"]},
                        )),
                        columns=rx.breakpoints(initial="3", sm="4"), spacing="2", width="100%", id="public-slots",
                    ),
                    rx.text(S.zone_note, size="1", color_scheme="gray"),
                    spacing="3",
                    width="100%",
                ),
                rx.callout("There are no open times in the next two weeks. Please call or text us and we'll find "
                           "one together.", icon="calendar-x", color_scheme="amber", id="public-no-slots"),
            ),
            rx.cond(S.slot_error != "",
                    rx.callout(S.slot_error, icon="triangle-alert", color_scheme="red", role="alert",
                               id="public-slot-error", width="100%")),
            rx.button(
                rx.cond(S.selected_label != "", "Approve and book " + S.selected_label, "Approve and book"),
                on_click=S.approve,
                disabled=(S.selected_slot == "") | S.working,
                loading=S.working,
                size="3",
                width="100%",
                style={"background": S.brand_color, "color": "white"},
                id="approve-quote",
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button("No thanks", variant="ghost", color_scheme="gray", size="2",
                                                  id="decline-quote")),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Decline this quote?"),
                    rx.alert_dialog.description("We'll let the business know. You can always contact them again."),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Go back", variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button("Decline", color_scheme="red", on_click=S.decline)),
                        justify="end", spacing="2",
                    ),
                ),
            ),
            spacing="3",
            width="100%",
            align="center",
        ),
        width="100%",
    )


def _outcome() -> rx.Component:
    return rx.fragment(
        rx.cond(
            S.approved,
            rx.callout(
                rx.cond(S.booked_label != "", "Approved — you're booked for " + S.booked_label + ". See you then!",
                        "Approved — thank you! We'll be in touch to confirm the time."),
                icon="circle-check", color_scheme="green", size="2", width="100%", id="public-quote-approved",
            ),
        ),
        rx.cond(S.declined, rx.callout("You declined this quote. Thanks for letting us know.", icon="info",
                                       color_scheme="gray", width="100%", id="public-quote-declined")),
        rx.cond(S.no_service, rx.callout("This quote has no visit to schedule; the business will contact you to "
                                         "arrange it.", icon="info", color_scheme="blue", width="100%")),
    )


def public_quote_page() -> rx.Component:
    return rx.box(
        rx.box(height="6px", background=S.brand_color, width="100%"),
        rx.center(
            rx.vstack(
                rx.cond(
                    S.loaded,
                    rx.cond(
                        S.number != "",
                        rx.vstack(
                            _brand_header(),
                            rx.cond(S.problem != "",
                                    rx.callout(S.problem, icon="triangle-alert", color_scheme="amber", width="100%",
                                               id="public-quote-problem")),
                            _outcome(),
                            _quote_card(),
                            rx.cond(S.can_approve, _time_picker()),
                            spacing="4",
                            width="100%",
                        ),
                        rx.callout(S.problem, icon="link-2-off", color_scheme="amber", width="100%",
                                   id="public-quote-problem"),
                    ),
                    rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
                ),
                rx.text("Powered by ServicePro", size="1", color_scheme="gray", align="center", width="100%"),
                spacing="5",
                width="100%",
                max_width="640px",
            ),
            padding=rx.breakpoints(initial="1rem", sm="2rem"),
            width="100%",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )
