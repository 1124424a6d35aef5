"""Stand-in checkout, interface only (see ../../legacy.py)."""
