"""Outgoing email: an outbox table, the offline outbox provider and SMTP."""
