"""Quotes: line items, tax, expiry and a public approval link where the customer approves and
picks a slot, which books the appointment."""
