"""The CRM: customers, their phones, tags and assets (vehicles, pets, properties)."""
