"""Demo data for the embedded default: the root tenant and two demo businesses."""
