"""Database access: engines, tenant-bound sessions, shared column types and id generation."""
