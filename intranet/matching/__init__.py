"""Referrals and matching them with free flats."""
