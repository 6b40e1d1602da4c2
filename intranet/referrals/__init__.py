"""Referrals from commissioners: intake, status, eligibility overrides."""
