"""The road's pages."""
