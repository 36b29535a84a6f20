"""Numbers for dashboards and reports, computed from the tenant's own data."""
