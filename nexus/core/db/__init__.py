"""Database backends of our own (DATABASES ENGINE)."""
