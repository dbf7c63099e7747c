"""Screening: the single view of the child, risk with reasons, missed opportunities, alerts."""
