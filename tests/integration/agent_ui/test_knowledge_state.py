"""The Knowledge page states driven like the server does: every member sees their own business's
layered knowledge; only owners/admins edit; tenant B can neither read nor change tenant A's FAQ
entries or policies (forced ids fail like missing ones); bad input shows the backend's messages
next to the fields and changes nothing."""

from __future__ import annotations

from sqlmodel import select

from backend.agent import webchat
from backend.agent.models import AgentPolicy
from backend.packs.models import FaqEntry
from servicepro_app.auth_middleware import access_for
from state.knowledge import KnowledgeEditorState, KnowledgeState
from state.session import Access
from tests.integration.agent_ui.helpers import public_json, tab
from tests.state_harness import call


def faq_rows(shop) -> list[FaqEntry]:
    with shop.session() as db:
        return list(db.exec(select(FaqEntry).order_by(FaqEntry.sort_order)).all())


def policy_rows(shop) -> list[AgentPolicy]:
    with shop.session() as db:
        return list(db.exec(select(AgentPolicy)).all())


async def page(ctx):
    s = await tab(KnowledgeState, ctx, path="/knowledge")
    await call(s, KnowledgeState.load)
    return s


async def editor(page_state: KnowledgeState) -> KnowledgeEditorState:
    """The editor state of the same tab as `page_state` (the page it reloads after a change)."""
    return await page_state.get_state(KnowledgeEditorState)


def test_access_levels_of_the_knowledge_states():
    assert access_for(KnowledgeState) is Access.TENANT
    assert access_for(KnowledgeEditorState) is Access.TENANT_ADMIN


async def test_the_page_shows_the_callers_business_in_layers(pair):
    s = await page(pair.sam)
    assert s.enabled and s.error == ""
    assert s.business_name == "Alpha Auto Spa" and s.industry_pack
    assert any(x.name == "Express Wash & Wax" and x.price == "$79–$99" for x in s.services)
    assert s.hours and s.service_area
    sources = {p.key: p.source for p in s.policies}
    assert sources["booking"] == "base" and sources["rain"] in ("pack", "tenant")
    assert {p.layer for p in s.policies} <= {"Global default", "Industry pack", "Your override"}
    assert len(s.faq) == len(faq_rows(pair.a)) > 0
    assert s.chat_link == "https://servicepro.test/chat/" + webchat.widget_token(pair.a.tenant_id)
    assert s.chat_link in s.embed_code and s.embed_code.startswith("<iframe ")
    b = await page(pair.bob)
    assert {f.id for f in s.faq}.isdisjoint({f.id for f in b.faq})
    assert webchat.widget_token(pair.a.tenant_id) not in public_json(b)


async def test_an_admin_adds_edits_and_deletes_a_faq_entry_and_the_preview_uses_it(pair):
    s = await page(pair.alice)
    e = await editor(s)
    before = len(faq_rows(pair.a))
    await call(e, KnowledgeEditorState.edit_faq, "")
    assert e.faq_open and e.faq_form["id"] == ""
    await call(e, KnowledgeEditorState.save_faq, {"question": "Can you park in a gated community?",
                                                 "answer": "Yes — text us the gate code the day before.",
                                                 "keywords": "gate, gated community, gate code", "active": "on"})
    assert e.faq_errors == {} and not e.faq_open and e.notice == "FAQ entry added."
    rows = faq_rows(pair.a)
    assert len(rows) == before + 1
    new = next(r for r in rows if r.question == "Can you park in a gated community?")
    assert new.keywords == ["gate", "gated community", "gate code"] and new.active
    assert any(f.id == new.id and f.origin == "Your own" for f in s.faq)  # the page reloaded

    await call(s, KnowledgeState.try_question, {"question": "do you need our gate code?"})
    assert s.preview_answered and s.preview_answer == "Yes — text us the gate code the day before."
    assert s.preview_source == "your FAQ"

    await call(e, KnowledgeEditorState.edit_faq, new.id)
    assert e.faq_form["question"] == new.question and e.faq_form["keywords"] == "gate, gated community, gate code"
    await call(e, KnowledgeEditorState.save_faq, {"question": new.question, "answer": "Yes, send the code.",
                                                 "keywords": "gate"})
    updated = next(r for r in faq_rows(pair.a) if r.id == new.id)
    assert (updated.answer, updated.keywords, updated.active) == ("Yes, send the code.", ["gate"], False)

    await call(e, KnowledgeEditorState.ask_delete_faq, new.id, new.question)
    assert e.delete_open and e.delete_question == new.question
    await call(e, KnowledgeEditorState.delete_faq)
    assert new.id not in {r.id for r in faq_rows(pair.a)} and len(faq_rows(pair.a)) == before
    assert new.id not in {f.id for f in s.faq}


async def test_bad_faq_input_shows_field_messages_and_changes_nothing(pair):
    e = await editor(await page(pair.alice))
    before = [(r.id, r.question, r.answer) for r in faq_rows(pair.a)]
    await call(e, KnowledgeEditorState.edit_faq, "")
    await call(e, KnowledgeEditorState.save_faq, {"question": "Hi", "answer": "", "keywords": "a", "active": "on"})
    assert set(e.faq_errors) == {"question", "answer"}
    assert "at least 3 characters" in e.faq_errors["question"]
    assert e.faq_open and e.faq_form["question"] == "Hi"  # what was typed stays in the form
    await call(e, KnowledgeEditorState.save_faq, {"question": "Many keywords?", "answer": "Yes",
                                                 "keywords": ", ".join(f"k{i}" for i in range(40))})
    assert e.faq_errors == {"keywords": "Use at most 30 keywords."}
    await call(e, KnowledgeEditorState.save_faq, "not a form")
    await call(e, KnowledgeEditorState.edit_faq, {"id": "x"})
    await call(e, KnowledgeEditorState.edit_faq, "../../etc")
    assert [(r.id, r.question, r.answer) for r in faq_rows(pair.a)] == before


async def test_tenant_b_cannot_read_edit_or_delete_tenant_as_faq_entries(pair):
    from backend.agent import actions as agent_actions

    with pair.a.session() as db:
        agent_actions.do_create_faq_entry(db, tenant_id=pair.a.tenant_id, acting_user=pair.alice, entry_in={
            "question": "Secret A question?", "answer": "Only Alpha knows this.", "keywords": ["alpha"]})
    a_entry = next(r for r in faq_rows(pair.a) if r.question == "Secret A question?")
    b_page = await page(pair.bob)
    e = await editor(b_page)
    await call(e, KnowledgeEditorState.edit_faq, a_entry.id)
    assert not e.faq_open and b_page.error == "No such FAQ entry."
    assert a_entry.answer not in public_json(e)

    e.faq_form = {**e.faq_form, "id": a_entry.id}  # as if the form were open on A's entry
    await call(e, KnowledgeEditorState.save_faq, {"question": "Hijacked?", "answer": "Yes", "keywords": ""})
    assert e.faq_errors == {"form": "No such FAQ entry."}

    e.delete_id = a_entry.id
    await call(e, KnowledgeEditorState.delete_faq)
    assert b_page.error == "No such FAQ entry."
    after = next(r for r in faq_rows(pair.a) if r.id == a_entry.id)
    assert (after.question, after.answer) == (a_entry.question, a_entry.answer)
    assert not any(r.question == "Hijacked?" for r in faq_rows(pair.b))


async def test_staff_who_are_not_admins_cannot_edit_even_if_the_gate_were_bypassed(pair):
    before = len(faq_rows(pair.a))
    e = await editor(await page(pair.sam))  # the middleware refuses this state to staff; the backend refuses too
    await call(e, KnowledgeEditorState.save_faq, {"question": "Staff question?", "answer": "Staff answer",
                                                 "keywords": ""})
    assert "owner or admins" in e.faq_errors["form"]
    e.policy_form = {"key": "cancellation", "text": ""}
    await call(e, KnowledgeEditorState.save_policy, {"text": "No cancellations ever."})
    assert "owner or admins" in e.policy_errors["form"]
    assert len(faq_rows(pair.a)) == before and policy_rows(pair.a) == []


async def test_an_admin_overrides_a_policy_and_can_return_to_the_default(pair):
    s = await page(pair.alice)
    e = await editor(s)
    await call(e, KnowledgeEditorState.edit_policy, "cancellation")
    assert e.policy_open and e.policy_title == "Cancellation and rescheduling"
    assert e.policy_form["text"] == next(p.text for p in s.policies if p.key == "cancellation")
    await call(e, KnowledgeEditorState.save_policy, {"text": "Cancel up to 48 hours ahead at no charge."})
    assert e.policy_errors == {} and not e.policy_open
    policy = next(p for p in s.policies if p.key == "cancellation")
    assert (policy.text, policy.source, policy.layer, policy.removable) == (
        "Cancel up to 48 hours ahead at no charge.", "tenant", "Your override", True)

    await call(s, KnowledgeState.try_question, {"question": "what is your cancellation policy?"})
    assert s.preview_answer == "Cancel up to 48 hours ahead at no charge."

    await call(e, KnowledgeEditorState.reset_policy, "cancellation")
    assert next(p for p in s.policies if p.key == "cancellation").source == "base"
    assert policy_rows(pair.a) == []


async def test_policy_input_is_validated_and_the_key_comes_from_the_server(pair):
    s = await page(pair.alice)
    e = await editor(s)
    await call(e, KnowledgeEditorState.edit_policy, "not a key!")
    assert not e.policy_open  # only offered keys open the form
    await call(e, KnowledgeEditorState.edit_policy, "deposit")
    await call(e, KnowledgeEditorState.save_policy, {"text": "no", "key": "evil_key"})
    assert "at least 3 characters" in e.policy_errors["text"]
    assert policy_rows(pair.a) == []
    await call(e, KnowledgeEditorState.save_policy, {"text": "A 20% deposit holds your spot.", "key": "evil_key"})
    assert [(p.key, p.text) for p in policy_rows(pair.a)] == [("deposit", "A 20% deposit holds your spot.")]
    await call(e, KnowledgeEditorState.reset_policy, "rain")
    assert s.error.startswith("Edit the weather policy instead")


async def test_tenant_b_cannot_change_or_remove_tenant_as_policies(pair):
    a = await editor(await page(pair.alice))
    await call(a, KnowledgeEditorState.edit_policy, "payment")
    await call(a, KnowledgeEditorState.save_policy, {"text": "Card or cash after the job."})
    b_page = await page(pair.bob)
    assert "Card or cash after the job." not in public_json(b_page)
    b = await editor(b_page)
    await call(b, KnowledgeEditorState.reset_policy, "payment")
    assert b_page.error == "No such policy."
    await call(b, KnowledgeEditorState.edit_policy, "payment")
    await call(b, KnowledgeEditorState.save_policy, {"text": "B's own payment text."})
    assert [(p.key, p.text) for p in policy_rows(pair.a)] == [("payment", "Card or cash after the job.")]
    assert [(p.key, p.text) for p in policy_rows(pair.b)] == [("payment", "B's own payment text.")]


async def test_preview_validates_the_question(pair):
    s = await page(pair.sam)
    await call(s, KnowledgeState.try_question, {"question": ""})
    assert s.preview_error == "Type a question first." and not s.preview_done
    await call(s, KnowledgeState.try_question, {"question": "x" * 600})
    assert s.preview_error == "Type a question of up to 500 characters."
    await call(s, KnowledgeState.try_question, {"question": "zzqx vvbn"})
    assert s.preview_done and not s.preview_answered


async def test_a_plan_without_the_ai_agent_shows_why(pair):
    from backend.db.session import platform_session
    from backend.tenancy.enums import PlanTier
    from backend.tenancy.models import Tenant

    with platform_session("test") as db:
        tenant = db.get(Tenant, pair.b.tenant_id)
        tenant.plan_tier = PlanTier.STARTER.value
        db.add(tenant)
    s = await page(pair.bob)
    assert not s.enabled and "not included in the starter plan" in s.error
    assert s.chat_link == ""
