"""Unit tests for backend.agent.nlu (pure functions, no database)."""
