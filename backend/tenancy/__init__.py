"""Tenants, their configuration and phone numbers, plan features and inbound resolution."""
