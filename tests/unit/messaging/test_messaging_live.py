"""Live updates (state/live.py): the per-process registry of open pages keyed by tenant, the hub
that turns messaging events into pushes, and the checks a push makes inside the tab's state —
a change of tenant A never reaches a tab registered (or since switched) to tenant B."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from backend.auth.context import StaffContext
from state import live
from state.inbox import InboxState
from state.session import SessionState
from state.simulator import SimulatorState


def ctx(tenant_id: str, role: str = "admin", user_id: str = "u1") -> StaffContext:
    return StaffContext(user_id=user_id, user_name="U", email="u@example.com", is_super_admin=False,
                        tenant_id=tenant_id, role=role)


# ---- registry ---------------------------------------------------------------------------------


def test_registry_lists_only_the_tenants_own_tokens():
    """Tokens are found by the tenant they were registered with, and by no other."""
    reg = live.LiveRegistry()
    reg.watch(tenant_id="tA", token="tab-a1", page="inbox")
    reg.watch(tenant_id="tA", token="tab-a2", page="simulator")
    reg.watch(tenant_id="tB", token="tab-b1", page="inbox")
    assert sorted(w.token for w in reg.watchers("tA")) == ["tab-a1", "tab-a2"]
    assert [w.token for w in reg.watchers("tB")] == ["tab-b1"]
    assert reg.watchers("tC") == []


def test_registry_moves_a_token_that_reregisters_for_another_tenant():
    """A tab that signs in to another business stops receiving the first one's pushes."""
    reg = live.LiveRegistry()
    reg.watch(tenant_id="tA", token="tab", page="inbox")
    reg.watch(tenant_id="tB", token="tab", page="inbox")
    assert reg.watchers("tA") == []
    assert [w.tenant_id for w in reg.watchers("tB")] == ["tB"]
    assert len(reg) == 1


def test_registry_refuses_blank_tokens_tenants_and_unknown_pages():
    reg = live.LiveRegistry()
    reg.watch(tenant_id="", token="tab", page="inbox")
    reg.watch(tenant_id="tA", token="", page="inbox")
    reg.watch(tenant_id="tA", token="tab", page="not-a-page")
    reg.watch(tenant_id=None, token="tab", page="inbox")  # type: ignore[arg-type]
    assert len(reg) == 0


def test_registry_unwatch_only_drops_the_given_registration():
    reg = live.LiveRegistry()
    reg.watch(tenant_id="tA", token="tab", page="inbox")
    stale = reg.get("tab")
    reg.watch(tenant_id="tB", token="tab", page="inbox")
    reg.unwatch("tab", only=stale)  # an old push finishing late must not drop the new one
    assert reg.get("tab").tenant_id == "tB"
    reg.unwatch("tab")
    assert reg.get("tab") is None and reg.watchers("tB") == []


def test_registry_forgets_old_entries_and_stays_bounded(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])
    reg = live.LiveRegistry(max_age=60)
    reg.watch(tenant_id="tA", token="tab", page="inbox")
    clock[0] += 59
    assert [w.token for w in reg.watchers("tA")] == ["tab"]
    clock[0] += 2
    assert reg.watchers("tA") == [] and len(reg) == 0
    reg = live.LiveRegistry(max_size=2)
    for i in range(5):
        reg.watch(tenant_id="tA", token=f"tab{i}", page="inbox")
    assert len(reg) == 2
    assert sorted(w.token for w in reg.watchers("tA")) == ["tab3", "tab4"]


# ---- hub ---------------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.calls: list[tuple[str, str, frozenset[str]]] = []

    async def __call__(self, entry: live.Watch, conversation_ids: frozenset[str]) -> None:
        self.calls.append((entry.token, entry.tenant_id, conversation_ids))


async def _settle(hub: live.LiveHub) -> None:
    for _ in range(5):
        await asyncio.sleep(0)
    await hub.idle()


async def test_hub_pushes_only_to_the_event_tenants_tokens():
    """An event of tenant A reaches A's open tabs and none of B's."""
    reg = live.LiveRegistry()
    reg.watch(tenant_id="tA", token="a-inbox", page="inbox")
    reg.watch(tenant_id="tA", token="a-sim", page="simulator")
    reg.watch(tenant_id="tB", token="b-inbox", page="inbox")
    hub, pushes = live.LiveHub(reg), Recorder()
    hub.start(asyncio.get_running_loop(), pushes)
    hub.notify("tA", "conv-1")
    await _settle(hub)
    assert sorted((t, tenant) for t, tenant, _ in pushes.calls) == [("a-inbox", "tA"), ("a-sim", "tA")]
    assert all(ids == frozenset({"conv-1"}) for *_, ids in pushes.calls)
    hub.stop()


async def test_hub_notify_from_another_thread_runs_on_the_loop():
    """The events subscriber is called from worker threads; the push still happens."""
    reg = live.LiveRegistry()
    reg.watch(tenant_id="tA", token="a-inbox", page="inbox")
    hub, pushes = live.LiveHub(reg), Recorder()
    hub.start(asyncio.get_running_loop(), pushes)
    await asyncio.to_thread(hub.notify, "tA", "conv-1")
    await _settle(hub)
    assert [c[0] for c in pushes.calls] == ["a-inbox"]
    hub.stop()


async def test_hub_ignores_tenants_nobody_watches_and_junk():
    reg = live.LiveRegistry()
    reg.watch(tenant_id="tA", token="a-inbox", page="inbox")
    hub, pushes = live.LiveHub(reg), Recorder()
    hub.notify("tA", "conv-1")  # not started: nothing happens, nothing raises
    hub.start(asyncio.get_running_loop(), pushes)
    hub.notify("tZ", "conv-1")
    hub.notify(None, "conv-1")  # type: ignore[arg-type]
    hub.notify("tA", 42)  # type: ignore[arg-type]
    await _settle(hub)
    assert pushes.calls == []
    hub.stop()


async def test_hub_coalesces_a_burst_into_few_pushes():
    """Events arriving while a push runs are merged into the next one."""
    reg = live.LiveRegistry()
    reg.watch(tenant_id="tA", token="a-inbox", page="inbox")
    gate = asyncio.Event()
    calls: list[frozenset[str]] = []

    async def slow(entry, ids):
        calls.append(ids)
        await gate.wait()

    hub = live.LiveHub(reg)
    hub.start(asyncio.get_running_loop(), slow)
    hub.notify("tA", "c1")
    await asyncio.sleep(0.01)
    for cid in ("c2", "c3", "c2"):
        hub.notify("tA", cid)
    await asyncio.sleep(0.01)
    gate.set()
    await _settle(hub)
    assert calls == [frozenset({"c1"}), frozenset({"c2", "c3"})]
    hub.stop()


async def test_hub_drops_a_push_when_the_tab_switched_tenant_meanwhile():
    """A push queued for tenant A is not delivered once the tab is registered for B."""
    reg = live.LiveRegistry()
    reg.watch(tenant_id="tA", token="tab", page="inbox")
    gate = asyncio.Event()
    calls: list[tuple[str, frozenset[str]]] = []

    async def slow(entry, ids):
        calls.append((entry.tenant_id, ids))
        await gate.wait()

    hub = live.LiveHub(reg)
    hub.start(asyncio.get_running_loop(), slow)
    hub.notify("tA", "c1")
    await asyncio.sleep(0.01)
    hub.notify("tA", "c2")  # queued behind c1 for tenant A
    reg.watch(tenant_id="tB", token="tab", page="inbox")
    gate.set()
    await _settle(hub)
    assert calls == [("tA", frozenset({"c1"}))]
    hub.stop()


async def test_hub_follow_ups_refresh_again_later():
    """Without Redis, changes made by another process are caught by follow-up refreshes."""
    reg = live.LiveRegistry()
    reg.watch(tenant_id="tA", token="a-inbox", page="inbox")
    hub, pushes = live.LiveHub(reg), Recorder()
    hub.start(asyncio.get_running_loop(), pushes, follow_ups=(0.01, 0.03))
    hub.notify("tA", "c1")
    hub.notify("tA", "c1")  # a second event for the same conversation schedules no extra follow-ups
    await asyncio.sleep(0.1)
    await _settle(hub)
    assert 3 <= len(pushes.calls) <= 4
    hub.stop()


# ---- the push itself (checks inside the tab's state) ---------------------------------------------


class FakeApp:
    """Stands in for rx.App: modify_state yields the given root state."""

    def __init__(self, root):
        self.root = root
        self.tokens: list = []

    @contextlib.asynccontextmanager
    async def modify_state(self, token):
        self.tokens.append(token)
        yield self.root


async def _tab(tenant_id: str | None, path: str = "/inbox", token: str = "tab-1"):
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data({
        "token": token, "pathname": path, "asPath": path,
        "headers": {"origin": "http://app.test", "cookie": "sp_session=cookie-of-the-tab"},
    })
    session = await root.get_state(SessionState)
    session._ctx = ctx(tenant_id) if tenant_id else None
    return root


@pytest.fixture()
def refreshed(monkeypatch):
    """Records _live_refresh calls instead of touching the database."""
    calls: list[tuple[str, str, frozenset[str]]] = []

    def recorder(cls):
        async def _live_refresh(self, context, ids):
            calls.append((cls.__name__, context.tenant_id, ids))
        return _live_refresh

    monkeypatch.setattr(InboxState, "_live_refresh", recorder(InboxState))
    monkeypatch.setattr(SimulatorState, "_live_refresh", recorder(SimulatorState))
    yield calls
    live.registry.clear()


async def test_push_refreshes_a_tab_of_the_same_tenant(refreshed):
    root = await _tab("tA")
    live.registry.watch(tenant_id="tA", token="tab-1", page="inbox")
    seen = []

    def verify(cookie):
        seen.append(cookie)
        return ctx("tA")

    done = await live.push_to_tab(FakeApp(root), live.registry.get("tab-1"), frozenset({"c1"}), verify=verify)
    assert done and refreshed == [("InboxState", "tA", frozenset({"c1"}))]
    assert seen == ["cookie-of-the-tab"]


@pytest.mark.parametrize(
    ("stored_tenant", "path", "verified", "why"),
    [
        ("tB", "/inbox", ctx("tB"), "the tab's session is for another tenant now"),
        (None, "/inbox", ctx("tA"), "the tab signed out"),
        ("tA", "/customers", ctx("tA"), "the tab left the inbox"),
        ("tA", "/inbox", None, "the session cookie no longer resolves (revoked, expired, idle)"),
        ("tA", "/inbox", ctx("tB"), "the cookie now belongs to another tenant's session"),
    ],
)
async def test_push_sends_nothing_and_forgets_the_tab_when_a_check_fails(refreshed, stored_tenant, path, verified,
                                                                          why):
    root = await _tab(stored_tenant, path)
    live.registry.watch(tenant_id="tA", token="tab-1", page="inbox")
    done = await live.push_to_tab(FakeApp(root), live.registry.get("tab-1"), frozenset({"c1"}),
                                  verify=lambda cookie: verified)
    assert not done, why
    assert refreshed == []
    assert live.registry.get("tab-1") is None


async def test_push_checks_the_pages_access_level(refreshed):
    """A staff member (not admin) holding a simulator tab gets no simulator pushes."""
    root = await _tab("tA", "/simulator")
    live.registry.watch(tenant_id="tA", token="tab-1", page="simulator")
    done = await live.push_to_tab(FakeApp(root), live.registry.get("tab-1"), frozenset({"c1"}),
                                  verify=lambda cookie: ctx("tA", role="staff"))
    assert not done and refreshed == []


async def test_push_uses_the_state_class_of_the_registered_page(refreshed):
    root = await _tab("tA", "/simulator/")
    live.registry.watch(tenant_id="tA", token="tab-1", page="simulator")
    app = FakeApp(root)
    assert await live.push_to_tab(app, live.registry.get("tab-1"), frozenset({"c9"}), verify=lambda c: ctx("tA"))
    assert refreshed == [("SimulatorState", "tA", frozenset({"c9"}))]
    assert app.tokens[0].ident == "tab-1" and app.tokens[0].cls is SimulatorState


def test_verify_session_does_not_extend_the_idle_timer(db):
    """A push is not activity: resolving the cookie for it leaves last_seen_at alone (an
    ordinary event would move it forward after a minute)."""
    import datetime as dt

    from backend.auth import actions as auth_actions
    from backend.auth.models import StaffSession
    from backend.auth.service import hash_token
    from backend.db.session import platform_session
    from backend.db.types import utcnow
    from tests.factories import PASSWORD, make_member, make_tenant

    tenant = make_tenant("acme")
    user = make_member(tenant.id, email="alice@acme.example")
    token = auth_actions.login(email=user.email, password=PASSWORD).token
    earlier = utcnow() - dt.timedelta(minutes=10)
    with platform_session("test") as pdb:
        pdb.get(StaffSession, hash_token(token)).last_seen_at = earlier
    resolved = live.verify_session(token)
    assert resolved is not None and resolved.user_id == user.id and resolved.tenant_id == tenant.id
    with platform_session("test") as pdb:
        assert pdb.get(StaffSession, hash_token(token)).last_seen_at == earlier
    assert live.verify_session("not-a-session") is None
