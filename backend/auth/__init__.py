"""Staff users, memberships, server-side sessions, password reset and impersonation."""
