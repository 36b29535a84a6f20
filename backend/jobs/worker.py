"""Entry point for the Huey consumer: `huey_consumer backend.jobs.worker.huey -k thread -w 4`.

Importing this module registers every task module.
"""

from __future__ import annotations

import importlib

from backend.jobs.queue import huey

TASK_MODULES = ("backend.jobs.email_tasks", "backend.jobs.messaging_tasks", "backend.scheduling.tasks",
                "backend.agent.sms_responder")

for _name in TASK_MODULES:
    importlib.import_module(_name)

__all__ = ["huey"]
