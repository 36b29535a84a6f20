"""The scenario files of the agent evaluation suite: enough conversations, in three industries,
covering every category. The suite itself runs in tests/integration/agent/test_agent_eval.py
(so CI runs it on SQLite and PostgreSQL); `python -m backend.agent.eval` runs it by hand."""

from __future__ import annotations

from backend.agent.eval import load_scenarios


def test_scenario_files_cover_three_industries_with_at_least_sixty_conversations():
    scenarios = load_scenarios()
    by_tenant = {}
    for scenario in scenarios:
        by_tenant[scenario.tenant] = by_tenant.get(scenario.tenant, 0) + 1
    assert len(scenarios) >= 60
    assert set(by_tenant) == {"clean-machine", "green-acres", "sparkle-shine"}
    assert all(count >= 20 for count in by_tenant.values()), by_tenant
    categories = {s.category for s in scenarios}
    assert {"booking", "price", "faq", "hours", "area", "reschedule", "cancel", "handoff", "opt_out", "loyalty",
            "campaign", "spam", "ambiguous", "correction"} <= categories

