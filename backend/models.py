"""Imports every table model so metadata, migrations and the tenancy registry see them all.

A new domain adds its `models` module here; the isolation meta-test then demands RLS policies
and an isolation factory for each of its tenant tables.
"""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "backend.tenancy.models",
    "backend.auth.models",
    "backend.audit.models",
    "backend.email.models",
    "backend.customers.models",
    "backend.packs.models",
    "backend.scheduling.models",
    "backend.quotes.models",
    "backend.invoices.models",
    "backend.messaging.models",
    "backend.agent.models",
)


# Session listeners that must be active whenever models are used.
LISTENER_MODULES = ("backend.audit.actions",)


def import_all_models() -> None:
    for name in MODEL_MODULES + LISTENER_MODULES:
        importlib.import_module(name)
