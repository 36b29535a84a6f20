"""Demo messaging data is created through the simulator path and is idempotent."""

from __future__ import annotations

from backend.db.session import tenant_session
from backend.messaging import inbox


def test_seed_demo_twice_creates_the_conversations_once(db, q):
    from backend.demo.seed import seed_demo

    ids = seed_demo()
    first = {slug: (len(q.inbound(t)), len(q.outbound(t))) for slug, t in ids.items()}
    seed_demo()
    second = {slug: (len(q.inbound(t)), len(q.outbound(t))) for slug, t in ids.items()}
    assert first == second
    assert all(inbound >= 2 for inbound, _ in first.values())
    with tenant_session(ids["clean-machine"]) as s:
        rows = inbox.list_conversations(s, tenant_id=ids["clean-machine"])
    assert {r.customer_name for r in rows} >= {"Jordan Ellis", "Maria Lopez"}
    assert any(r.mode == "manual" for r in rows)  # the staff reply took one over
