"""Private file storage for tenant files (appointment photos, ...), outside any public
directory: settings.data_dir / "private" / <tenant_id> / <key>. Files are served only through
authenticated routes that check the tenant."""
