"""The Knowledge page (/knowledge): what the AI assistant knows, layer by layer — the catalogue
and price ranges, hours and service area (read-only here), policies with the layer each text
comes from (global default, industry pack, the business's own override), the FAQ entries, a
"Try a question" preview, and the business's web chat link.

Every member may look (KnowledgeState, TENANT); only owners and admins may change policies and
FAQ entries (KnowledgeEditorState, TENANT_ADMIN — the auth middleware refuses anyone else, and
the backend actions check again). The tenant is always the verified StaffContext's; an FAQ id
from the browser goes through packs' tenant-scoped `access_faq_entry_by_id`, and policy keys are
validated by the backend's PolicyIn. Bad input shows the backend's messages next to the fields
and changes nothing.
"""

from __future__ import annotations

import reflex as rx

from backend.agent import actions as agent_actions
from backend.agent import ui_views
from backend.agent.ui_views import FaqRow, KnowledgeService, PolicyRow
from backend.errors import UserError
from state.scheduling_common import checked, clean_text, form_dict, is_id, tenant_call
from state.session import Access, current_context, requires

FEATURE = "ai_agent"
EMPTY_FAQ = {"id": "", "question": "", "answer": "", "keywords": "", "active": "on"}
EMPTY_POLICY = {"key": "cancellation", "text": ""}
MAX_QUESTION = 500


def _view(db, ctx) -> tuple[ui_views.KnowledgeView, str, str]:
    view = ui_views.knowledge_view(db, tenant_id=ctx.tenant_id)
    link = ui_views.chat_link(ctx.tenant_id)
    return view, link, ui_views.embed_snippet(link)


@requires(Access.TENANT)
class KnowledgeState(rx.State):
    """The Knowledge page for every member of the business (read and try)."""

    enabled: bool = True
    error: str = ""

    business_name: str = ""
    industry_pack: str = ""
    agent_enabled: bool = True
    services: list[KnowledgeService] = []
    hours: str = ""
    service_area: str = ""
    mobile: bool = False
    policies: list[PolicyRow] = []
    policy_choices: list[dict[str, str]] = []
    faq: list[FaqRow] = []
    instructions: str = ""
    chat_link: str = ""  # the public chat page (its signed widget token is in the URL by design)
    embed_code: str = ""

    preview_question: str = ""
    preview_done: bool = False
    preview_answered: bool = False
    preview_answer: str = ""
    preview_source: str = ""
    preview_matched: str = ""
    preview_score: str = ""
    preview_error: str = ""

    async def _reload(self, ctx) -> None:
        view, link, embed = await tenant_call(ctx, _view, feature=FEATURE)
        self.business_name, self.industry_pack, self.agent_enabled = (view.business_name, view.industry_pack,
                                                                      view.agent_enabled)
        self.services, self.hours, self.service_area, self.mobile = (view.services, view.hours, view.service_area,
                                                                     view.mobile)
        self.policies, self.policy_choices, self.faq = view.policies, view.policy_choices, view.faq
        self.instructions = view.instructions
        self.chat_link, self.embed_code = link, embed

    @rx.event
    async def load(self):
        ctx = await current_context(self)
        self.preview_done, self.preview_error, self.preview_question = False, "", ""
        try:
            await self._reload(ctx)
        except UserError as exc:
            self.enabled, self.error = False, str(exc)
            self.services, self.policies, self.faq, self.chat_link, self.embed_code = [], [], [], "", ""
            return
        self.enabled, self.error = True, ""

    @rx.event
    async def try_question(self, form: dict):
        """Shows the FAQ or policy answer the assistant would give (nothing is sent to anyone)."""
        ctx = await current_context(self)
        question = clean_text(form_dict(form).get("question"), limit=MAX_QUESTION + 1)
        self.preview_question = question[:MAX_QUESTION]
        if not question:
            self.preview_error, self.preview_done = "Type a question first.", False
            return
        try:
            result = await tenant_call(
                ctx, lambda db, c: ui_views.preview_view(db, tenant_id=c.tenant_id, question=question), feature=FEATURE)
        except UserError as exc:
            self.preview_error, self.preview_done = str(exc), False
            return
        self.preview_error = ""
        self.preview_done, self.preview_answered = True, result.answered
        self.preview_answer, self.preview_source = result.answer, result.source
        self.preview_matched, self.preview_score = result.matched_question, result.score


@requires(Access.TENANT_ADMIN)
class KnowledgeEditorState(rx.State):
    """Policy overrides and FAQ entries (owners and admins only)."""

    notice: str = ""

    faq_open: bool = False
    faq_form: dict[str, str] = dict(EMPTY_FAQ)
    faq_errors: dict[str, str] = {}

    policy_open: bool = False
    policy_form: dict[str, str] = dict(EMPTY_POLICY)
    policy_errors: dict[str, str] = {}
    policy_title: str = ""

    delete_open: bool = False
    delete_id: str = ""
    delete_question: str = ""

    async def _refresh_page(self, ctx, notice: str) -> None:
        page = await self.get_state(KnowledgeState)
        await page._reload(ctx)
        page.error = ""
        self.notice = notice

    # -- FAQ -----------------------------------------------------------------------------------

    @rx.event
    async def edit_faq(self, faq_entry_id: str):
        """Opens the FAQ form: empty for "" (new), else the entry's current values."""
        ctx = await current_context(self)
        self.faq_errors, self.notice = {}, ""
        if faq_entry_id == "":
            self.faq_form, self.faq_open = dict(EMPTY_FAQ), True
            return
        if not is_id(faq_entry_id):
            return
        try:
            self.faq_form = await tenant_call(
                ctx, lambda db, c: ui_views.faq_form(db, tenant_id=c.tenant_id, faq_entry_id=faq_entry_id),
                feature=FEATURE)
        except UserError as exc:
            page = await self.get_state(KnowledgeState)
            page.error = str(exc)
            return
        self.faq_open = True

    @rx.event
    def set_faq_open(self, value: bool):
        self.faq_open = bool(value)

    @rx.event
    async def save_faq(self, form: dict):
        ctx = await current_context(self)
        data = form_dict(form)
        faq_entry_id = self.faq_form.get("id", "")  # the entry opened by edit_faq, not a form field
        values = {"question": clean_text(data.get("question"), limit=400),
                  "answer": clean_text(data.get("answer"), limit=2100),
                  "keywords": clean_text(data.get("keywords"), limit=ui_views.MAX_KEYWORDS_TEXT),
                  "active": "on" if checked(data, "active") else ""}
        self.faq_form = {"id": faq_entry_id, **values}
        errors = ui_views.faq_errors(values)
        if errors:
            self.faq_errors = errors
            return
        payload = ui_views.faq_entry_in(values)

        def save(db, c):
            if faq_entry_id:
                agent_actions.do_update_faq_entry(db, tenant_id=c.tenant_id, faq_entry_id=faq_entry_id,
                                                  entry_in=payload, acting_user=c)
            else:
                agent_actions.do_create_faq_entry(db, tenant_id=c.tenant_id, entry_in=payload, acting_user=c)

        try:
            await tenant_call(ctx, save, feature=FEATURE)
        except UserError as exc:
            self.faq_errors = {"form": str(exc)}
            return
        self.faq_errors, self.faq_open = {}, False
        await self._refresh_page(ctx, "FAQ entry saved." if faq_entry_id else "FAQ entry added.")

    @rx.event
    def ask_delete_faq(self, faq_entry_id: str, question: str):
        if not is_id(faq_entry_id):
            return
        self.delete_id = faq_entry_id
        self.delete_question = clean_text(question, limit=300)
        self.delete_open = True

    @rx.event
    def set_delete_open(self, value: bool):
        self.delete_open = bool(value)

    @rx.event
    async def delete_faq(self):
        ctx = await current_context(self)
        faq_entry_id = self.delete_id
        if not is_id(faq_entry_id):
            return
        try:
            await tenant_call(ctx, lambda db, c: agent_actions.do_delete_faq_entry(
                db, tenant_id=c.tenant_id, faq_entry_id=faq_entry_id, acting_user=c), feature=FEATURE)
        except UserError as exc:
            self.delete_open = False
            page = await self.get_state(KnowledgeState)
            page.error = str(exc)
            return
        self.delete_open, self.delete_id = False, ""
        await self._refresh_page(ctx, "FAQ entry deleted.")

    # -- policies -----------------------------------------------------------------------------------

    @rx.event
    async def edit_policy(self, key: str):
        """Opens the policy form for one key, prefilled with the text the assistant uses now."""
        await current_context(self)
        self.policy_errors, self.notice = {}, ""
        page = await self.get_state(KnowledgeState)
        choice = next((c for c in page.policy_choices if c["key"] == key), None)
        current = next((p for p in page.policies if p.key == key), None)
        if choice is None and current is None:
            return
        self.policy_title = current.title if current else choice["title"]
        self.policy_form = {"key": key, "text": current.text if current else ""}
        self.policy_open = True

    @rx.event
    def set_policy_open(self, value: bool):
        self.policy_open = bool(value)

    @rx.event
    async def save_policy(self, form: dict):
        ctx = await current_context(self)
        data = form_dict(form)
        key = self.policy_form.get("key", "")  # chosen by edit_policy, checked there and by PolicyIn
        values = {"key": key, "text": clean_text(data.get("text"), limit=2100)}
        self.policy_form = values
        errors = ui_views.policy_errors(values)
        if errors:
            self.policy_errors = errors
            return
        try:
            await tenant_call(ctx, lambda db, c: agent_actions.do_set_policy(
                db, tenant_id=c.tenant_id, policy_in={"key": key, "text": values["text"]}, acting_user=c),
                feature=FEATURE)
        except UserError as exc:
            self.policy_errors = {"form": str(exc)}
            return
        self.policy_errors, self.policy_open = {}, False
        await self._refresh_page(ctx, f"{self.policy_title or 'Policy'}: your text is used from now on.")

    @rx.event
    async def reset_policy(self, key: str):
        """Removes the business's own text; the industry pack's or the global text applies again."""
        ctx = await current_context(self)
        if not isinstance(key, str) or not 0 < len(key) <= 40:
            return
        try:
            await tenant_call(ctx, lambda db, c: agent_actions.do_delete_policy(
                db, tenant_id=c.tenant_id, key=key, acting_user=c), feature=FEATURE)
        except UserError as exc:
            page = await self.get_state(KnowledgeState)
            page.error = str(exc)
            return
        await self._refresh_page(ctx, "Override removed; the default text applies again.")
