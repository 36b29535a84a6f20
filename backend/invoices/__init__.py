"""Invoices from completed appointments: line items, discounts, tax, manual payments."""
