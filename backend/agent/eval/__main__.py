"""`python -m backend.agent.eval [--engine rules|openai] [--json] [--only ID]... [--verbose]`

Runs the agent evaluation suite on a fresh temporary SQLite database (or `--database-url`),
seeded with the demo businesses, and prints a table (or JSON). Exits 1 when the task success
rate is below 90 %, or any price or booking is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.agent.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("rules", "openai"), default="rules")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--only", action="append", default=[], help="run only this scenario id (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="print every message and reply")
    parser.add_argument("--database-url", default="", help="use this (empty, migrated here) database instead")
    parser.add_argument("--scenarios", default="", help="directory of scenario YAML files")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="agent-eval-"))
    os.environ.update(
        DATA_DIR=str(scratch), JOBS_IMMEDIATE="1", SMS_PROVIDER="simulator", LLM_PROVIDER=args.engine,
        EMAIL_PROVIDER="outbox", PAYMENTS_PROVIDER="manual", SERVICEPRO_ENV="test",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
        DATABASE_URL=args.database_url or f"sqlite:///{scratch / 'eval.db'}",
    )
    os.environ.pop("DATABASE_OWNER_URL", None) if not args.database_url else None
    os.environ.pop("REDIS_URL", None)

    import logging

    logging.basicConfig(level=logging.ERROR)
    from backend.agent import eval as agent_eval
    from backend.config import reset_settings
    from backend.db.engine import dispose_engines
    from backend.db.migrate import upgrade

    reset_settings()
    dispose_engines()
    upgrade()
    directory = Path(args.scenarios) if args.scenarios else agent_eval.SCENARIO_DIR
    scenarios = agent_eval.load_scenarios(directory, args.only)
    report = agent_eval.run_eval(engine=args.engine, scenarios=scenarios, verbose=args.verbose)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report.table())
    return 0 if report.meets_thresholds else 1


if __name__ == "__main__":
    sys.exit(main())
