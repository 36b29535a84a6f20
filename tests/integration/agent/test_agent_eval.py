"""The agent evaluation suite in CI: every scripted conversation (tests/agent_eval/*.yaml),
driven through the real SMS path against the seeded demo businesses with the rules engine,
must reach ≥ 90 % task success with zero wrong prices and zero wrong bookings."""

from __future__ import annotations

from backend.agent.eval import THRESHOLD_SUCCESS, run_eval


def test_rules_engine_meets_the_thresholds(db):
    report = run_eval(engine="rules")
    summary = report.as_dict()
    assert report.total >= 60
    assert report.success_rate >= THRESHOLD_SUCCESS, summary["failures"]
    assert report.wrong_prices == 0, summary["failures"]
    assert report.wrong_bookings == 0, summary["failures"]
    assert report.avg_turns_to_book is not None and report.avg_turns_to_book <= 8
