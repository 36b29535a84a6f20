"""Background work on Huey: SQLite storage embedded, Redis in production."""
