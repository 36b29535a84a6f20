"""Encryption of stored credentials (SIP passwords, bring-your-own Twilio tokens)."""
