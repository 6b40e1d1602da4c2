"""Rent: monthly charges, payments, the 1st/5th/15th routine."""
